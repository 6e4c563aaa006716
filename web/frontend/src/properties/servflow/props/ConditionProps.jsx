import { TextAreaEntry, isTextAreaEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, isAny } from 'bpmn-js/lib/util/ModelUtil';

import { useExpressionHelp } from './ExpressionHelp';

const BRANCHING = ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:ComplexGateway', 'bpmn:Activity'];

/** Entries for a sequence flow that can carry a condition (not a gateway's default flow). */
export function ConditionProps({ element }) {
  const flow = getBusinessObject(element);
  const source = flow.get('sourceRef');
  if (!source || !isAny(source, BRANCHING) || source.get('default') === flow) {
    return [];
  }
  return [{ id: 'servflow-condition', component: ConditionExpression, element, isEdited: isTextAreaEntryEdited }];
}

function ConditionExpression({ element, id }) {
  const bpmnFactory = useService('bpmnFactory');
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  const { description, validate } = useExpressionHelp(element);
  const getValue = () => {
    const expression = getBusinessObject(element).get('conditionExpression');
    return (expression && expression.get('body')) || '';
  };
  const setValue = (body) => {
    const conditionExpression = body ? bpmnFactory.create('bpmn:FormalExpression', { body }) : undefined;
    modeling.updateProperties(element, { conditionExpression });
  };
  return (
    <TextAreaEntry
      element={element}
      id={id}
      label="条件表达式 Condition expression"
      description={description}
      getValue={getValue}
      setValue={setValue}
      validate={validate}
      debounce={debounce}
      monospace
    />
  );
}
