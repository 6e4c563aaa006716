// Element ids from names: when a designer names an element that still has bpmn-js's generated id
// (Activity_0k3m9x2), the id becomes the name in pinyin (专家评审 → zhuan_jia_ping_shen), so scenarios,
// conditions and the problem list read like the diagram. An id someone chose is never changed.
import CommandInterceptor from 'diagram-js/lib/command/CommandInterceptor';
import { pinyin } from 'pinyin-pro';

const GENERATED = /^[A-Za-z]+_[0-9a-z]{7}$/;
const MAX_LENGTH = 40;

export function idFromName(name) {
  const spelled = pinyin(String(name || ''), { toneType: 'none', type: 'array', nonZh: 'consecutive' }).join('_');
  const slug = spelled.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, MAX_LENGTH);
  if (!slug) { return null; }
  return /^[a-z]/.test(slug) ? slug : `n_${slug}`;
}

export default class ReadableIds extends CommandInterceptor {
  constructor(eventBus, modeling, elementRegistry) {
    super(eventBus);
    this.postExecuted(['element.updateProperties', 'element.updateLabel'], ({ context }) => {
      const { element } = context;
      const name = element.businessObject && element.businessObject.name;
      if (!element.id || !GENERATED.test(element.id) || !name || element.type === 'label') { return; }
      const base = idFromName(name);
      if (!base) { return; }
      let id = base;
      for (let n = 2; elementRegistry.get(id); n += 1) { id = `${base}_${n}`; }
      modeling.updateProperties(element, { id });
    });
  }
}

ReadableIds.$inject = ['eventBus', 'modeling', 'elementRegistry'];

export const readableIdsModule = { __init__: ['readableIds'], readableIds: ['type', ReadableIds] };
