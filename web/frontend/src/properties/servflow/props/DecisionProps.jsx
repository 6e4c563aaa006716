import { TextFieldEntry, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { getExtension, updateExtension } from '../extension';

const TYPE = 'spiffworkflow:CalledDecisionId';

/** Entries of the servflow group for a bpmn:BusinessRuleTask. */
export function DecisionProps({ element }) {
  return [{ id: 'servflow-calledDecisionId', component: CalledDecisionId, element, isEdited: isTextFieldEntryEdited }];
}

function CalledDecisionId({ element, id }) {
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const debounce = useService('debounceInput');
  const getValue = () => {
    const decision = getExtension(element, TYPE);
    return (decision && decision.get('value')) || '';
  };
  const setValue = (value) => updateExtension({
    element, type: TYPE, properties: { value }, bpmnFactory, commandStack,
  });
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label="决策表 Decision id"
      description="DMN 决策的 id / The id of the DMN decision to evaluate"
      getValue={getValue}
      setValue={setValue}
      debounce={debounce}
    />
  );
}
