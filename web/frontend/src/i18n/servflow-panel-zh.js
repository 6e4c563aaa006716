// servflow's own properties-panel words that are translated per page language (the external-task
// group, props/ExternalTaskProps.jsx), in Chinese. Keys are the English the English pages show.
export default {
  'External task': '外部任务',
  'External task topic': '外部任务主题',
  'The name workers of other systems fetch this task by, such as budget.check':
    '外部系统的工作进程按此名称领取任务，如 budget.check',
  'Empty: the Camunda/Flowable topic {topic} applies': '留空：沿用 Camunda/Flowable 属性中的主题 {topic}',
  Retries: '重试次数',
  'Failed attempts before the task becomes an incident, 1–100; empty: 3':
    '失败多少次后转为异常（incident），1–100；留空为 3 次',
  'Lock duration': '锁定时长',
  'How long a worker holds the task before it is offered again; ISO 8601 such as PT5M or PT1H; empty: PT5M':
    '工作进程领取后锁定多久，到期未完成即重新分派；ISO 8601 时长，如 PT5M、PT1H；留空为 PT5M',
  'Retry backoff': '重试间隔',
  'How long after a failure the task is offered again; ISO 8601 such as PT1M; empty: PT1M':
    '失败后隔多久再次分派；ISO 8601 时长，如 PT1M；留空为 PT1M',
  Outputs: '返回变量',
  'Variables a worker may send back: name:type, comma-separated (string, number, integer, boolean, object, array; the type may be left out); empty: any':
    '工作进程可回传的变量：名称:类型，以逗号分隔（类型为 string、number、integer、boolean、object、array，可省略）；留空则不限',
};
