import {
  NumberFieldEntry, TextFieldEntry, isNumberFieldEntryEdited, isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

import { dialectTopic } from '../dialect-topic';
import { durationProblem, retriesProblem, topicProblem } from '../external-task-rules';

// A service task is done by a worker of another system (engine/spiff/service_tasks.py); these are its
// servflow:* attributes. Labels and descriptions are English keys for the `translate` service
// (src/i18n/servflow-panel-zh.js); problems are the engine's own bilingual words. Every attribute is a
// String in the moddle descriptor, retries too: a hand-written value the engine refuses then survives
// import as written and is flagged, where moddle's Integer would turn it into NaN.

const DURATIONS = [
  ['lockDuration', 'Lock duration', 'PT5M',
    'How long a worker holds the task before it is offered again; ISO 8601 such as PT5M or PT1H; empty: PT5M'],
  ['retryBackoff', 'Retry backoff', 'PT1M',
    'How long after a failure the task is offered again; ISO 8601 such as PT1M; empty: PT1M'],
];

/** Entries of the external-task group for a bpmn:ServiceTask. */
export function ExternalTaskProps({ element }) {
  return [
    { id: 'servflow-topic', component: Topic, element, isEdited: isTextFieldEntryEdited },
    { id: 'servflow-retries', component: Retries, element, isEdited: isNumberFieldEntryEdited },
    ...DURATIONS.map(([attribute, label, placeholder, description]) => ({
      id: `servflow-${attribute}`,
      component: Duration,
      element,
      isEdited: isTextFieldEntryEdited,
      attribute,
      label,
      placeholder,
      description,
    })),
    { id: 'servflow-outputs', component: Outputs, element, isEdited: isTextFieldEntryEdited },
  ];
}

/** Reads and writes servflow:`name`; an empty value removes the attribute, so the engine's default applies. */
function useAttribute(element, name) {
  const modeling = useService('modeling');
  const key = `servflow:${name}`;
  const getValue = () => getBusinessObject(element).get(key) || '';
  const setValue = (value) => {
    const next = value === undefined || value === '' ? undefined : String(value);
    if (next !== (getBusinessObject(element).get(key) || undefined)) {
      modeling.updateProperties(element, { [key]: next });
    }
  };
  return { getValue, setValue };
}

function Topic({ element, id }) {
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const { getValue, setValue } = useAttribute(element, 'topic');
  const inherited = dialectTopic(getBusinessObject(element));
  const description = inherited
    ? translate('Empty: the Camunda/Flowable topic {topic} applies', { topic: inherited })
    : translate('The name workers of other systems fetch this task by, such as budget.check');
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label={translate('External task topic')}
      description={description}
      placeholder={inherited || 'budget.check'}
      getValue={getValue}
      setValue={setValue}
      validate={(topic) => topicProblem(topic, inherited)}
      debounce={debounce}
    />
  );
}

function Retries({ element, id }) {
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const { getValue, setValue } = useAttribute(element, 'retries');
  // No min/max on the input: the browser would drop 0 or 101 without a word; the rule says why instead.
  return (
    <NumberFieldEntry
      element={element}
      id={id}
      label={translate('Retries')}
      description={translate('Failed attempts before the task becomes an incident, 1–100; empty: 3')}
      getValue={getValue}
      setValue={setValue}
      validate={retriesProblem}
      step="any"
      debounce={debounce}
    />
  );
}

function Duration({ element, id, attribute, label, placeholder, description }) {
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const { getValue, setValue } = useAttribute(element, attribute);
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label={translate(label)}
      description={translate(description)}
      placeholder={placeholder}
      getValue={getValue}
      setValue={setValue}
      validate={(value) => durationProblem(attribute, value)}
      debounce={debounce}
    />
  );
}

function Outputs({ element, id }) {
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const { getValue, setValue } = useAttribute(element, 'outputs');
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label={translate('Outputs')}
      description={translate(
        'Variables a worker may send back: name:type, comma-separated (string, number, integer, boolean, '
        + 'object, array; the type may be left out); empty: any',
      )}
      placeholder="budget_available:boolean, budget_line:string"
      getValue={getValue}
      setValue={setValue}
      debounce={debounce}
    />
  );
}
