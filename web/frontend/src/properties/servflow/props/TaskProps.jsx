import { SelectEntry, TextFieldEntry, isSelectEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { getExtension, updateExtension } from '../extension';
import { laneNamesOf } from './LaneProps';

const TYPE = 'servflow:Task';

const TEXT_ATTRIBUTES = [
  ['formKey', '表单 Form key', '表单定义名，对应 forms/ 下的文件 / Form definition name (a file in forms/)'],
  ['dueIn', '办理期限 Due in', '天数或表达式 / Number of days, or an expression'],
  ['dueFrom', '起算时间 Due from', '留空为任务到达时 / Empty: when the task arrives'],
  ['remindBefore', '到期前提醒 Remind before', '到期前多少个期限单位提醒 / Units before the due time'],
  ['escalateAfter', '逾期后升级 Escalate after', '逾期多少个期限单位后升级 / Units after the due time'],
  ['candidateOrganization', '候选机构 Candidate organization',
    '表达式，得出统一社会信用代码或机构编号，如 evaluator_credit_code；留空按泳道的项目当事方 / '
    + 'An expression giving a credit code or organization id; empty: the lane\'s project party'],
  ['candidateUser', '指定办理人 Candidate user',
    '表达式，得出用户名，如 reviewer_username；留空为同组人员认领 / '
    + 'An expression giving a username; empty: claimed by the group'],
];

const DUE_UNITS = [
  { value: '', label: '— 未设置 Not set —' },
  { value: 'days', label: '自然日 Calendar days' },
  { value: 'workingDays', label: '工作日 Working days' },
];

/** Entries of the servflow group for a bpmn:UserTask. */
export function TaskProps({ element }) {
  const attributeEntry = ([attribute, label, description]) => ({
    id: `servflow-${attribute}`,
    component: TaskAttribute,
    isEdited: isTextFieldEntryEdited,
    attribute,
    label,
    description,
  });
  const [formKey, dueIn, ...rest] = TEXT_ATTRIBUTES.map(attributeEntry);
  return [
    { id: 'servflow-role', component: TaskRole, element },
    formKey,
    dueIn,
    { id: 'servflow-dueUnit', component: DueUnit, isEdited: isSelectEntryEdited },
    ...rest,
  ];
}

function useTaskAttribute(element, attribute) {
  const bpmnFactory = useService('bpmnFactory');
  const commandStack = useService('commandStack');
  const getValue = () => {
    const task = getExtension(element, TYPE);
    return (task && task.get(attribute)) || '';
  };
  const setValue = (value) => updateExtension({
    element, type: TYPE, properties: { [attribute]: value }, bpmnFactory, commandStack,
  });
  return { getValue, setValue };
}

function TaskAttribute({ element, id, attribute, label, description }) {
  const debounce = useService('debounceInput');
  const { getValue, setValue } = useTaskAttribute(element, attribute);
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label={label}
      description={description}
      getValue={getValue}
      setValue={setValue}
      debounce={debounce}
    />
  );
}

function DueUnit({ element, id }) {
  const { getValue, setValue } = useTaskAttribute(element, 'dueUnit');
  return (
    <SelectEntry
      element={element}
      id={id}
      label="期限单位 Due unit"
      getValue={getValue}
      setValue={setValue}
      getOptions={() => DUE_UNITS}
    />
  );
}

/** Read-only: the role comes from the lane the task sits in. */
function TaskRole({ element, id }) {
  const elementRegistry = useService('elementRegistry');
  const roles = laneNamesOf(element, elementRegistry).join(' / ');
  return (
    <TextFieldEntry
      element={element}
      id={id}
      label="办理角色 Role (from lane)"
      description={roles ? undefined : '任务不在泳道内 / The task is not in a lane'}
      getValue={() => roles}
      setValue={() => {}}
      debounce={(fn) => fn}
      disabled
    />
  );
}
