// form-js keys validation errors by field *id*; servflow (and its server) speak field *keys*.

function keyedFields(form) {
  return form.get('formFieldRegistry').getAll().filter((field) => field.key || field.path);
}

function fieldName(field) {
  return field.key || field.path;
}

/** {key: [messages]} → {fieldId: [messages]}; names that match no key are tried as ids. */
export function errorsByFieldId(form, errorsByKey) {
  const fields = keyedFields(form);
  const result = {};
  for (const [name, messages] of Object.entries(errorsByKey || {})) {
    const field = fields.find((candidate) => fieldName(candidate) === name);
    const id = field ? field.id : name;
    result[id] = Array.isArray(messages) ? messages : [String(messages)];
  }
  return result;
}

/** {fieldId: [messages]} → {key: [messages]}. */
export function errorsByKey(form, errorsById) {
  const registry = form.get('formFieldRegistry');
  const result = {};
  for (const [id, messages] of Object.entries(errorsById || {})) {
    const field = registry.get(id);
    result[(field && fieldName(field)) || id] = messages;
  }
  return result;
}
