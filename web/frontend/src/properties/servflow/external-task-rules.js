// The deploy rules of an external service task (engine/spiff/service_tasks.py: ExternalTaskParser and
// _problem), checked as the designer types so the panel says what a deploy would refuse — in the
// engine's own words, Chinese and English, so the panel and the validate button tell the same story.

const TOPIC = /^[A-Za-z0-9_.:-]{1,200}$/;
const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export const MISSING_TOPIC = '服务任务没有主题：请在属性面板填写“外部任务主题”(servflow:topic)，由外部系统的工作进程完成 / '
  + 'a service task needs a topic (servflow:topic, or camunda:type="external" with camunda:topic) '
  + 'so that a worker of another system can do it';

/** The engine's refusal of `topic` (`inherited`: a Camunda/Flowable topic the engine falls back to), or null. */
export function topicProblem(topic, inherited = '') {
  if (!topic) {
    return inherited ? null : MISSING_TOPIC;
  }
  if (!TOPIC.test(topic)) {
    return `外部任务主题 '${topic}' 只能含字母、数字和 . _ - : / `
      + `the topic '${topic}' may hold only letters, digits and . _ - : (at most 200)`;
  }
  return null;
}

/** Empty is the engine's default; otherwise a whole number from 1 to 100. */
export function retriesProblem(retries) {
  const text = retries === undefined || retries === null ? '' : String(retries);
  if (!text || (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 100)) {
    return null;
  }
  return `重试次数 '${text}' 应为 1–100 的整数 / retries '${text}' must be a whole number from 1 to 100`;
}

/** Like the engine's `duration()`: ISO 8601 days/hours/minutes/seconds, at least one of them, no bare "T". */
function isDuration(text) {
  const upper = text.trim().toUpperCase();
  const match = DURATION.exec(upper);
  return Boolean(match) && match.slice(1).some(Boolean) && !upper.endsWith('T');
}

/** Empty is the engine's default; otherwise an ISO 8601 duration such as PT5M. `name` as the engine says it. */
export function durationProblem(name, value) {
  if (!value || isDuration(value)) {
    return null;
  }
  return `${name} '${value}' 不是 ISO 8601 时长（如 PT5M）/ ${name} '${value}' is not an ISO 8601 duration such as PT5M`;
}
