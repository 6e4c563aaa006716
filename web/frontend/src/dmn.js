import DmnModeler from 'dmn-js/lib/Modeler';

import './css/dmn.css';
import { translateModule } from './i18n/translate';
import { expose } from './util/expose';
import { resolveElement, showError } from './util/dom';

/** Opens the first view whose decision has the given id (falls back to dmn-js' default view). */
async function openDecision(modeler, decisionId) {
  const view = modeler.getViews().find((candidate) => candidate.element.id === decisionId);
  if (view) {
    await modeler.open(view);
  }
}

/**
 * Opens the DMN editor (DRD and decision tables). options.decisionId opens that decision's table.
 * Resolves to {modeler, getXML(), destroy()}.
 */
async function openDmnEditor(container, dmnXml, options = {}) {
  const parent = resolveElement(container);
  parent.classList.add('sf-dmn');
  const translated = { additionalModules: [translateModule] };
  const modeler = new DmnModeler({
    container: parent,
    drd: translated,
    decisionTable: translated,
    literalExpression: translated,
    boxedExpression: translated,
  });
  try {
    await modeler.importXML(dmnXml);
    if (options.decisionId) {
      await openDecision(modeler, options.decisionId);
    }
  } catch (error) {
    showError(parent, '决策表无法打开 Cannot open the decision model', error);
    throw error;
  }
  return {
    modeler,
    async getXML() {
      const { xml } = await modeler.saveXML({ format: true });
      return xml;
    },
    destroy: () => modeler.destroy(),
  };
}

expose({ openDmnEditor });
