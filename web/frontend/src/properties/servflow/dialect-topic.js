// The topic a service task has in Camunda's or Flowable's dialect (camunda:type="external"
// camunda:topic="…"), which the engine falls back to when servflow:topic is empty
// (engine/spiff/service_tasks.py: read_external). The modeler has no moddle for those dialects, so
// their attributes sit in the element's $attrs under whatever prefix the file declared.

const DIALECTS = ['http://camunda.org/schema/1.0/bpmn', 'http://flowable.org/bpmn', 'http://activiti.org/bpmn'];
const EXTERNAL_TYPES = ['external', 'external-worker'];

/** The namespace `prefix` stands for at `node`: declared on it or on an element around it. */
function namespaceOf(node, prefix) {
  for (let at = node; at; at = at.$parent) {
    const uri = at.$attrs && at.$attrs[`xmlns:${prefix}`];
    if (uri) return uri;
  }
  return null;
}

/** The first non-empty `name` attribute in the dialects, in the engine's order. */
function dialectAttribute(businessObject, name) {
  const attributes = Object.entries(businessObject.$attrs || {})
    .filter(([key, value]) => key.split(':')[1] === name && String(value).trim())
    .map(([key, value]) => ({ uri: namespaceOf(businessObject, key.split(':')[0]), value: String(value).trim() }));
  const found = DIALECTS.map((uri) => attributes.find((attribute) => attribute.uri === uri)).find(Boolean);
  return found ? found.value : '';
}

/** The Camunda/Flowable topic of a service task ('' when it has none). */
export function dialectTopic(businessObject) {
  const kind = dialectAttribute(businessObject, 'type');
  return EXTERNAL_TYPES.includes(kind) ? dialectAttribute(businessObject, 'topic') : '';
}
