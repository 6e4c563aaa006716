// bpmn-js/dmn-js `translate` in the page's language: Chinese from bpmn-js-i18n (the canvas, palette,
// context pad, replace menu) plus the properties panel's words; English pages keep the originals.
import zn from 'bpmn-js-i18n/translations/zn';

import table from './decision-table-zh';
import panel from './properties-panel-zh';
import servflowPanel from './servflow-panel-zh';

const ZH = { ...zn, ...panel, ...servflowPanel, ...table };

function chinese() {
  return (document.documentElement.lang || 'zh-CN').toLowerCase().startsWith('zh');
}

const known = (key) => Object.prototype.hasOwnProperty.call(ZH, key);

/** The Chinese of `template`; the panel's header asks in Title Case ("User Task") what bpmn-js-i18n has as "User task". */
function chineseOf(template) {
  const sentenceCase = template.charAt(0) + template.slice(1).toLowerCase();
  if (known(template)) { return ZH[template]; }
  return known(sentenceCase) ? ZH[sentenceCase] : template;
}

export function translate(template, replacements = {}) {
  const text = chinese() ? chineseOf(template) : template;
  return text.replace(/{([^}]+)}/g, (whole, key) => (key in replacements ? replacements[key] : whole));
}

/** A diagram-js module replacing the editors' `translate` service. */
export const translateModule = { translate: ['value', translate] };
