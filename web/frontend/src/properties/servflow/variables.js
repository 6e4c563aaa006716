// The names an expression can use at a point of the diagram: the fields of the forms filled before it in
// this process (and what earlier scripts set), then the rest of the project's data (the other stages'
// forms), so a designer writing a condition or a script sees what there is and a typo is flagged at once.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import { getExtension } from './extension';

const PYTHON_WORDS = new Set(('and or not in is if else elif for while None True False lambda return pass break continue '
  + 'len sum round min max abs int float str bool list dict set tuple sorted any all range enumerate zip isinstance '
  + 'date datetime timedelta Decimal math provider_ban').split(' '));

function formFields(text) {
  let schema;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    return [];
  }
  const names = [];
  const walk = (components) => (components || []).forEach((component) => {
    if (component.key) names.push(component.key);
    if (component.path) names.push(component.path);
    if (component.type !== 'dynamiclist') walk(component.components);
  });
  walk(schema.components);
  return names;
}

/** {formKey: [field names]} from the designer's forms ({"forms/x.form.json": json}). */
export function fieldsByForm(forms) {
  const result = {};
  Object.entries(forms || {}).forEach(([name, text]) => {
    const key = name.split('/').pop().replace(/\.form\.json$/, '');
    result[key] = formFields(text);
  });
  return result;
}

function assignedNames(script) {
  return Array.from(String(script || '').matchAll(/^\s*([A-Za-z_]\w*)\s*=(?!=)/gm), (match) => match[1]);
}

/** The flow nodes from which `element` can be reached, nearest first. */
function predecessors(element) {
  const start = is(element, 'bpmn:SequenceFlow') ? [getBusinessObject(element).get('sourceRef')] : [getBusinessObject(element)];
  const seen = new Set();
  const queue = [...start];
  const found = [];
  while (queue.length) {
    const node = queue.shift();
    if (!node || seen.has(node)) continue;
    seen.add(node);
    found.push(node);
    (node.get('incoming') || []).forEach((flow) => queue.push(flow.get('sourceRef')));
  }
  return is(element, 'bpmn:SequenceFlow') ? found : found.slice(1);
}

/** {before: names set earlier in this process, project: the rest of the project's data}. */
export function variablesAt(element, forms) {
  const byForm = fieldsByForm(forms);
  const before = new Set();
  predecessors(element).forEach((node) => {
    if (is(node, 'bpmn:UserTask')) {
      const task = getExtension(node, 'servflow:Task');
      (byForm[task && task.get('formKey')] || []).forEach((name) => before.add(name));
    } else if (is(node, 'bpmn:ScriptTask')) {
      assignedNames(node.get('script')).forEach((name) => before.add(name));
    }
  });
  const project = new Set(Object.values(byForm).flat().filter((name) => !before.has(name)));
  return { before: [...before].sort(), project: [...project].sort() };
}

/** Names an expression or script reads that nothing at this point provides (strings and attributes aside). */
export function unknownNames(code, known) {
  const text = String(code || '').replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, '""').replace(/#.*$/gm, '');
  const assigned = new Set(assignedNames(text));
  const comprehension = new Set(Array.from(text.matchAll(/\bfor\s+([A-Za-z_]\w*)/g), (m) => m[1]));
  const unknown = new Set();
  for (const match of text.matchAll(/(\.)?\b([A-Za-z_]\w*)\b/g)) {
    const name = match[2];
    if (match[1] || PYTHON_WORDS.has(name) || known.has(name) || assigned.has(name) || comprehension.has(name)) continue;
    if (/^\d/.test(name)) continue;
    unknown.add(name);
  }
  return [...unknown];
}
