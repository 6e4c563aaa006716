import { TextFieldEntry, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

/** Entries of the servflow group for a bpmn:Lane: its name is the role that works its tasks. */
export function LaneProps({ element }) {
  return [{ id: 'servflow-role', component: LaneRole, element, isEdited: isTextFieldEntryEdited }];
}

function LaneRole({ element, id }) {
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label="角色 Role"
      description="泳道名称即办理角色 / The lane name is the role that works its tasks"
      getValue={() => getBusinessObject(element).get('name') || ''}
      setValue={(value) => modeling.updateProperties(element, { name: value || undefined })}
      debounce={debounce}
    />
  );
}

/** Names of the innermost lanes that list the flow node, outermost first when nested. */
export function laneNamesOf(element, elementRegistry) {
  const node = getBusinessObject(element);
  return elementRegistry
    .filter((shape) => is(shape, 'bpmn:Lane'))
    .map((shape) => getBusinessObject(shape))
    .filter((lane) => (lane.get('flowNodeRef') || []).includes(node))
    .map((lane) => lane.get('name'))
    .filter(Boolean);
}
