// Reading and writing servflow/spiffworkflow children of <bpmn:extensionElements>.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export function getExtension(element, type) {
  const extensionElements = getBusinessObject(element).get('extensionElements');
  return extensionElements && extensionElements.get('values').find((value) => is(value, type));
}

/** Empty strings remove the attribute instead of writing attr="". */
function normalize(properties) {
  return Object.fromEntries(
    Object.entries(properties).map(([key, value]) => [key, value === '' ? undefined : value])
  );
}

/**
 * Sets `properties` on the element's extension of `type`, creating <bpmn:extensionElements>
 * and the extension as needed, as one undoable command.
 */
export function updateExtension({ element, type, properties, bpmnFactory, commandStack }) {
  const businessObject = getBusinessObject(element);
  const values = normalize(properties);
  const commands = [];

  let extensionElements = businessObject.get('extensionElements');
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensionElements.$parent = businessObject;
    commands.push(updateCommand(element, businessObject, { extensionElements }));
  }

  const existing = getExtension(element, type);
  if (existing) {
    commands.push(updateCommand(element, existing, values));
  } else {
    const created = bpmnFactory.create(type, values);
    created.$parent = extensionElements;
    commands.push(updateCommand(element, extensionElements, {
      values: [...extensionElements.get('values'), created],
    }));
  }

  commandStack.execute('properties-panel.multi-command-executor', commands);
}

function updateCommand(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}
