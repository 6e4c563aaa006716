import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import './css/modeler.css';
import { moddleExtensions } from './moddle';
import ServflowPropertiesProviderModule from './properties/servflow';
import { crossingFreeLayoutModule } from './bpmn/crossing-free-layout';
import { createProblemMarkers } from './bpmn/problems';
import { readableIdsModule } from './bpmn/readable-ids';
import { translateModule } from './i18n/translate';
import { expose } from './util/expose';
import { clearErrors, resolveElement, showError } from './util/dom';

/**
 * Opens the BPMN modeler with the properties panel. Without `bpmnXml` a new diagram is created.
 * options.onChange(): called after every edit (e.g. to mark the page dirty).
 * options.forms(): the designer's forms ({file name: JSON}), for the variables conditions and scripts can use.
 * Resolves to {modeler, getXML(), markProblems(problems), clearProblems(), destroy()}.
 */
async function openModeler(container, panelContainer, bpmnXml, options = {}) {
  const parent = resolveElement(container);
  const panel = resolveElement(panelContainer, 'properties panel container');
  parent.classList.add('sf-modeler');
  panel.classList.add('sf-properties');

  const modeler = new BpmnModeler({
    container: parent,
    propertiesPanel: { parent: panel },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      ServflowPropertiesProviderModule,
      translateModule,
      readableIdsModule,
      crossingFreeLayoutModule,
      ...(options.additionalModules || []),
    ],
    moddleExtensions,
    servflow: { forms: options.forms || (() => ({})) },
  });

  try {
    const { warnings } = bpmnXml ? await modeler.importXML(bpmnXml) : await modeler.createDiagram();
    modeler.get('canvas').zoom('fit-viewport', 'auto');
    warnings.forEach((warning) => console.warn('BPMN import:', warning.message));
  } catch (error) {
    showError(parent, '流程图无法打开 Cannot open the diagram', error);
    throw error;
  }

  if (options.onChange) {
    modeler.on('commandStack.changed', () => options.onChange());
  }

  const problems = createProblemMarkers(modeler);
  return {
    modeler,
    async getXML() {
      const { xml } = await modeler.saveXML({ format: true });
      return xml;
    },
    markProblems: (list) => problems.mark(list || []),
    clearProblems: () => problems.clear(),
    destroy() {
      clearErrors(parent);
      modeler.destroy();
    },
  };
}

expose({ openModeler });
