import { Form } from '@bpmn-io/form-js';
import flatpickr from 'flatpickr';
import { Mandarin } from 'flatpickr/dist/esm/l10n/zh.js';

import './css/forms.css';
import { documentsModule } from './forms/documents-field';
import { errorsByFieldId, errorsByKey } from './forms/errors';
import { pageIsChinese } from './forms/texts';
import { expose } from './util/expose';
import { resolveElement, showError } from './util/dom';

/**
 * Renders a form-js form. Resolves to {form, submit(), setErrors(errors), getData(), destroy()};
 * errors are keyed by field key: {key: [message, …]}. `documents` ({uploadUrl, csrfToken, texts}) lets
 * file fields upload to a task; without it they only list their files.
 */
async function renderForm(container, schema, data = {}, { readOnly = false, documents = {} } = {}) {
  const parent = resolveElement(container);
  parent.classList.add('sf-form');
  // No input debounce: a submit right after typing must see what was typed.
  const form = new Form({
    container: parent,
    properties: { readOnly },
    debounce: false,
    additionalModules: [documentsModule(documents)],
  });
  try {
    await form.importSchema(schema, data || {});
  } catch (error) {
    showError(parent, '表单无法显示 Cannot display the form', error);
    throw error;
  }
  let ruleIds = new Set();
  return {
    form,
    /** Validates in the browser; the server validates again. */
    submit() {
      if (readOnly) {
        return { data: form._getSubmitData(), errors: {} };
      }
      const { data: submitted, errors } = form.submit();
      return { data: submitted, errors: errorsByKey(form, errors) };
    },
    /** Shows server-side errors inline, replacing the current ones. */
    setErrors(errors) {
      // form-js has no public setter for errors; its own validation writes them the same way.
      form._setState({ errors: errorsByFieldId(form, errors) });
    },
    /** Marks the form's rules across fields (from the server while typing), replacing the last ones. */
    setRuleErrors(errors) {
      const marked = errorsByFieldId(form, errors);
      const current = { ...form._getState().errors };
      ruleIds.forEach((id) => { delete current[id]; });
      ruleIds = new Set(Object.keys(marked));
      form._setState({ errors: { ...current, ...marked } });
    },
    getData: () => form._getSubmitData(),
    destroy: () => form.destroy(),
  };
}

if (pageIsChinese()) {
  flatpickr.localize(Mandarin); // the date picker's months and weekdays
}

expose({ renderForm });
