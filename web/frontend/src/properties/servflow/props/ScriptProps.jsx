import { TextAreaEntry, isTextAreaEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

import { useExpressionHelp } from './ExpressionHelp';

/** Entries for a bpmn:ScriptTask: its Python script, run in servflow's restricted environment. */
export function ScriptProps({ element }) {
  return [{ id: 'servflow-script', component: Script, element, isEdited: isTextAreaEntryEdited }];
}

function Script({ element, id }) {
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  const { description, validate } = useExpressionHelp(element);
  return (
    <TextAreaEntry
      element={element}
      id={id}
      label="脚本 Script (Python)"
      description={description}
      getValue={() => getBusinessObject(element).get('script') || ''}
      setValue={(script) => modeling.updateProperties(element, { script: script || undefined, scriptFormat: 'python' })}
      validate={validate}
      debounce={debounce}
      monospace
      rows={8}
    />
  );
}
