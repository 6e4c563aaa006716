// form-js keeps validation errors by field *id*, nested by the indexes of the lists around the field
// ({Field_credit: {0: [...]}}); servflow and its server name fields by their data path
// ("candidates[0].credit_code", "contact.phone"). These two functions translate between them, so an
// error the server finds in a list's second row is shown on that row's field.

/** The field's data path as names, outermost first, each marked when it is a list. */
function namePath(registry, field) {
  const parts = [];
  let current = field;
  while (current) {
    const own = current.key || current.path;
    if (own) {
      parts.unshift({ name: own, list: current.type === 'dynamiclist' });
    }
    current = current._parent ? registry.get(current._parent) : null;
  }
  return parts;
}

/** "candidates[0].credit_code" → {names: "candidates.credit_code", indexes: [0]}. */
function parseName(name) {
  const names = [];
  const indexes = [];
  for (const token of String(name).split('.')) {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(token);
    if (!match) {
      return null;
    }
    names.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) {
      indexes.push(Number(index[1]));
    }
  }
  return { names: names.join('.'), indexes };
}

function keyedFields(registry) {
  return registry.getAll().filter((field) => field.key || field.path);
}

function joined(parts) {
  return parts.map((part) => part.name).join('.');
}

/** {name: [messages]} → form-js errors {fieldId: messages | {index: messages}}; unknown names are kept
 * under their own name (ids, or messages for the whole form). */
export function errorsByFieldId(form, errorsByName) {
  const registry = form.get('formFieldRegistry');
  const fields = keyedFields(registry);
  const result = {};
  for (const [name, messages] of Object.entries(errorsByName || {})) {
    const list = Array.isArray(messages) ? messages : [String(messages)];
    const parsed = parseName(name);
    const field = parsed && fields.find((candidate) => joined(namePath(registry, candidate)) === parsed.names);
    if (!field) {
      result[name] = list;
      continue;
    }
    if (!parsed.indexes.length) {
      result[field.id] = list;
      continue;
    }
    let holder = (result[field.id] = result[field.id] || {});
    parsed.indexes.slice(0, -1).forEach((index) => {
      holder = holder[index] = holder[index] || {};
    });
    holder[parsed.indexes[parsed.indexes.length - 1]] = list;
  }
  return result;
}

function isMessages(value) {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** form-js errors {fieldId: messages | {index: …}} → {name: [messages]} with list rows as "list[i].key". */
export function errorsByKey(form, errorsById) {
  const registry = form.get('formFieldRegistry');
  const result = {};
  for (const [id, value] of Object.entries(errorsById || {})) {
    const field = registry.get(id);
    const parts = field ? namePath(registry, field) : [];
    const visit = (node, indexes) => {
      if (node === undefined || node === null) {
        return;
      }
      if (isMessages(node)) {
        if (node.length) {
          result[field ? nameWith(parts, indexes) : id] = node;
        }
        return;
      }
      Object.entries(node).forEach(([index, inner]) => visit(inner, [...indexes, Number(index)]));
    };
    visit(value, []);
  }
  return result;
}

/** The data path with the row numbers put after each list: candidates[1].credit_code. */
function nameWith(parts, indexes) {
  let next = 0;
  return parts
    .map((part) => (part.list && next < indexes.length ? `${part.name}[${indexes[next++]}]` : part.name))
    .join('.');
}
