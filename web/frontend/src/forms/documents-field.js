// A form-js file field (type "filepicker") that keeps its files on the server: each chosen file is
// uploaded at once to the task's field, and the field's value is the list of stored documents
// [{id, name, size, type, sha256}] — so a saved draft, a completed task and a reviewer's read-only copy
// show the same files with download links. The server checks kind (by content), size and count again.
import { h } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { Description, Errors, FilePicker, Label } from '@bpmn-io/form-js';

const MEGABYTE = 1024 * 1024;
const DEFAULT_MAX_MB = 20;
const DEFAULT_MAX_FILES = 20;

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MEGABYTE) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / MEGABYTE).toFixed(1)} MB`;
}

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : ''));
}

/** The field's limits, read as the server reads them (engine/formats/file_fields.py). */
function limitsOf(field) {
  const properties = field.properties || {};
  const multiple = field.multiple === true;
  return {
    maxBytes: (parseInt(properties.maxSizeMB, 10) || DEFAULT_MAX_MB) * MEGABYTE,
    maxFiles: parseInt(properties.maxFiles, 10) || (multiple ? DEFAULT_MAX_FILES : 1),
    multiple,
  };
}

async function upload(options, field, file) {
  const url = `${options.uploadUrl}/${encodeURIComponent(field.key)}?name=${encodeURIComponent(file.name)}`;
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/octet-stream',
      'X-CSRFToken': options.csrfToken || '',
    },
    body: file,
  });
  let body = {};
  try {
    body = await response.json();
  } catch (error) {
    body = {};
  }
  if (!response.ok) {
    const messages = (body.errors && body.errors[field.key]) || [body.message || options.texts.failed];
    throw new Error(messages.join(' '));
  }
  return body;
}

function documentsField(options) {
  function DocumentsField(props) {
    const { field, value, onChange, domId, errors = [], disabled, readonly } = props;
    const documents = Array.isArray(value) ? value : [];
    const [busy, setBusy] = useState(0);
    const [problems, setProblems] = useState([]);
    const input = useRef(null);
    const texts = options.texts;
    const limits = limitsOf(field);
    const editable = !disabled && !readonly && Boolean(options.uploadUrl);
    const label = field.label || field.key;

    async function chosen(event) {
      const files = Array.from(event.target.files || []);
      event.target.value = '';
      const found = [];
      let kept = documents.slice();
      for (const file of files) {
        if (kept.length >= limits.maxFiles) {
          found.push(fill(texts.tooMany, { label, count: limits.maxFiles }));
          break;
        }
        if (file.size > limits.maxBytes) {
          found.push(`${file.name}：${fill(texts.tooBig, { label, size: limits.maxBytes / MEGABYTE })}`);
          continue;
        }
        setBusy((n) => n + 1);
        try {
          kept = kept.concat([await upload(options, field, file)]);
          onChange({ value: kept });
        } catch (error) {
          found.push(`${file.name}：${error.message}`);
        } finally {
          setBusy((n) => n - 1);
        }
      }
      setProblems(found);
    }

    function remove(id) {
      onChange({ value: documents.filter((d) => d.id !== id) });
    }

    const list = documents.length
      ? h(
          'ul',
          { class: 'sf-documents' },
          documents.map((d) =>
            h('li', { key: d.id, 'data-document-id': d.id }, [
              h('a', { href: `${options.downloadUrl}/${d.id}`, download: d.name }, d.name),
              h('span', { class: 'sf-document-size' }, ` ${formatSize(d.size || 0)}`),
              editable
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: 'fjs-button sf-document-remove',
                      'aria-label': `${texts.remove} ${d.name}`,
                      onClick: () => remove(d.id),
                    },
                    texts.remove
                  )
                : null,
            ])
          )
        )
      : h('span', { class: 'sf-documents-none' }, texts.none);

    const classes = ['fjs-form-field', 'fjs-form-field-filepicker', 'sf-documents-field'];
    if (errors.length || problems.length) classes.push('fjs-has-errors');
    if (readonly) classes.push('fjs-readonly');
    if (disabled) classes.push('fjs-disabled');
    return h('div', { class: classes.join(' '), 'data-field-key': field.key }, [
      h(Label, { htmlFor: domId, label, required: field.validate && field.validate.required }),
      list,
      editable
        ? h('div', { class: 'fjs-filepicker-container' }, [
            h('input', {
              type: 'file',
              class: 'fjs-hidden',
              id: domId,
              ref: input,
              multiple: limits.multiple || undefined,
              accept: field.accept || undefined,
              onChange: chosen,
            }),
            h(
              'button',
              { type: 'button', class: 'fjs-button fjs-filepicker-button', onClick: () => input.current.click() },
              texts.choose
            ),
            busy ? h('span', { class: 'sf-documents-busy', role: 'status' }, ` ${texts.uploading}`) : null,
          ])
        : null,
      h(Description, { description: field.description }),
      h(Errors, { id: `${domId}-error-message`, errors: problems.concat(errors) }),
    ]);
  }
  DocumentsField.config = { ...FilePicker.config, emptyValue: null };
  return DocumentsField;
}

const ZH_TEXTS = {
  choose: '选择文件',
  uploading: '正在上传…',
  remove: '移除',
  none: '未上传文件',
  tooBig: '「{label}」每个文件不能超过 {size} MB',
  tooMany: '「{label}」最多 {count} 个文件',
  failed: '上传失败，请重试',
};

/** A form-js module replacing the file picker; `options`: {uploadUrl, downloadUrl, csrfToken, texts}. */
export function documentsModule(options = {}) {
  const settings = { downloadUrl: '/documents', ...options, texts: { ...ZH_TEXTS, ...(options.texts || {}) } };
  function Register(formFields) {
    formFields.register('filepicker', documentsField(settings));
  }
  Register.$inject = ['formFields'];
  return { __init__: ['servflowDocuments'], servflowDocuments: ['type', Register] };
}
