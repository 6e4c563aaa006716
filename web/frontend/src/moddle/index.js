import servflow from './servflow.json';
import spiffworkflow from './spiffworkflow.json';

/** moddle extensions understood by every servflow BPMN view. */
export const moddleExtensions = { servflow, spiffworkflow };
