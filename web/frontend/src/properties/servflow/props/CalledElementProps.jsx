import { TextFieldEntry, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

/** Entries for a bpmn:CallActivity: the id of the process it calls. */
export function CalledElementProps({ element }) {
  return [{ id: 'servflow-calledElement', component: CalledElement, element, isEdited: isTextFieldEntryEdited }];
}

function CalledElement({ element, id }) {
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label="被调用流程 Called process id"
      description="被调用流程的 process id / The id of the process to call"
      getValue={() => getBusinessObject(element).get('calledElement') || ''}
      setValue={(value) => modeling.updateProperties(element, { calledElement: value || undefined })}
      debounce={debounce}
    />
  );
}
