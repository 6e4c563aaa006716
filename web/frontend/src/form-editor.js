import { Form, FormEditor } from '@bpmn-io/form-js';

import './css/form-editor.css';
import { expose } from './util/expose';
import { resolveElement, showError } from './util/dom';

const PREVIEW_DELAY_MS = 300;

function child(parent, className) {
  const element = document.createElement('div');
  element.className = className;
  parent.append(element);
  return element;
}

/** Keeps a read-write form viewer in sync with the editor's schema. */
function attachPreview(editor, previewContainer) {
  const preview = new Form({ container: previewContainer });
  let timer = null;
  const refresh = () => preview.importSchema(editor.getSchema()).catch((error) => {
    console.warn('form preview:', error);
  });
  editor.on('changed', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  });
  refresh();
  return preview;
}

/**
 * Opens the form-js editor with a live preview beside it (options.preview = false to omit it).
 * Resolves to {editor, getSchema(), destroy()}.
 */
async function openFormEditor(container, schema, options = {}) {
  const parent = resolveElement(container);
  parent.classList.add('sf-form-editor');
  const editorContainer = child(parent, 'sf-form-editor-canvas');
  const editor = new FormEditor({ container: editorContainer });
  try {
    await editor.importSchema(schema || { type: 'default', components: [] });
  } catch (error) {
    showError(parent, '表单无法打开 Cannot open the form', error);
    throw error;
  }
  let preview = null;
  if (options.preview !== false) {
    const previewBox = child(parent, 'sf-form-preview');
    child(previewBox, 'sf-form-preview-title').textContent = '预览 Preview';
    preview = attachPreview(editor, child(previewBox, 'sf-form-preview-body'));
  }
  return {
    editor,
    getSchema: () => editor.getSchema(),
    destroy() {
      if (preview) {
        preview.destroy();
      }
      editor.destroy();
    },
  };
}

expose({ openFormEditor });
