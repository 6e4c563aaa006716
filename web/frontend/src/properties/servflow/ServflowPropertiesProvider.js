import { is } from 'bpmn-js/lib/util/ModelUtil';

import { TaskProps } from './props/TaskProps';
import { LaneProps } from './props/LaneProps';
import { DecisionProps } from './props/DecisionProps';
import { ConditionProps } from './props/ConditionProps';
import { CalledElementProps } from './props/CalledElementProps';
import { ScriptProps } from './props/ScriptProps';
import { ExternalTaskProps } from './props/ExternalTaskProps';

const LOW_PRIORITY = 500;

// The stock BPMN provider leaves conditions, scripts and called elements to the Camunda/Zeebe providers,
// so servflow edits those plain BPMN properties itself. `open`: the group starts open — a service task is
// nothing without its topic (the panel remembers a designer's closing it); labels go through `translate`.
const GROUPS = [
  { id: 'servflow', label: 'Servflow 办理设置', type: 'bpmn:UserTask', entries: TaskProps },
  { id: 'servflow', label: 'Servflow 角色 Role', type: 'bpmn:Lane', entries: LaneProps },
  { id: 'servflow', label: 'Servflow 决策 Decision', type: 'bpmn:BusinessRuleTask', entries: DecisionProps },
  { id: 'condition', label: '条件 Condition', type: 'bpmn:SequenceFlow', entries: ConditionProps },
  { id: 'script', label: '脚本 Script', type: 'bpmn:ScriptTask', entries: ScriptProps },
  { id: 'calledElement', label: '被调用流程 Called element', type: 'bpmn:CallActivity', entries: CalledElementProps },
  { id: 'externalTask', label: 'External task', type: 'bpmn:ServiceTask', entries: ExternalTaskProps, open: true },
];

/** Adds servflow's groups to the properties panel, right after "General". */
export default class ServflowPropertiesProvider {
  constructor(propertiesPanel, translate) {
    propertiesPanel.registerProvider(LOW_PRIORITY, this);
    this.translate = translate;
  }

  getGroups(element) {
    return (groups) => {
      const added = GROUPS
        .filter(({ type }) => is(element, type))
        .map(({ id, label, entries, open }) => ({
          id, label: this.translate(label), entries: entries({ element }), shouldOpen: Boolean(open),
        }))
        .filter((group) => group.entries.length);
      const general = groups.findIndex((group) => group.id === 'general');
      groups.splice(general + 1, 0, ...added);
      return groups;
    };
  }
}

ServflowPropertiesProvider.$inject = ['propertiesPanel', 'translate'];
