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

export function translate(template, replacements = {}) {
  const text = chinese() && Object.prototype.hasOwnProperty.call(ZH, template) ? ZH[template] : template;
  return text.replace(/{([^}]+)}/g, (whole, key) => (key in replacements ? replacements[key] : whole));
}

/** A diagram-js module replacing the editors' `translate` service. */
export const translateModule = { translate: ['value', translate] };
