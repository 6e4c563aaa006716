import { TextAreaEntry, isTextAreaEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, isAny } from 'bpmn-js/lib/util/ModelUtil';

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
      description="Python 表达式，如 amount >= 1000000 / A Python expression over the process data"
      getValue={getValue}
      setValue={setValue}
      debounce={debounce}
      monospace
    />
  );
}
