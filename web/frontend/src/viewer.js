import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import './css/viewer.css';
import { moddleExtensions } from './moddle';
import { applyStatus } from './bpmn/status';
import { expose } from './util/expose';
import { resolveElement, showError } from './util/dom';

/**
 * Shows a read-only, pannable diagram with an instance's progress.
 * Resolves to {viewer, warnings, unknownIds}; on failure the error is shown in the container
 * and the promise rejects.
 */
async function showDiagram(container, bpmnXml, status = {}) {
  const parent = resolveElement(container);
  parent.classList.add('sf-diagram');
  const viewer = new NavigatedViewer({ container: parent, moddleExtensions });
  try {
    const { warnings } = await viewer.importXML(bpmnXml);
    viewer.get('canvas').zoom('fit-viewport', 'auto');
    const unknownIds = applyStatus(viewer, status);
    return { viewer, warnings, unknownIds };
  } catch (error) {
    showError(parent, '流程图无法显示 Cannot display the diagram', error);
    throw error;
  }
}

expose({ showDiagram });
