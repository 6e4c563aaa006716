// Task page: renders the form (form-js) and the diagram (bpmn-js), submits with fetch as JSON and
// shows the server's answer in place, so nothing the user typed is lost on an error or a conflict.
(function () {
  'use strict';

  const config = JSON.parse(document.getElementById('task-config').textContent);
  const messages = JSON.parse(document.getElementById('task-messages').textContent);
  const status = document.getElementById('task-status');
  const comment = document.getElementById('task-comment');
  const commentError = document.getElementById('comment-error');
  const csrf = document.querySelector('input[name="csrf_token"]');
  let form = null;

  function show(text, kind) {
    status.textContent = text;
    status.className = 'notice ' + kind;
    status.hidden = false;
    status.focus();
  }

  function currentData(validate) {
    if (form) {
      // submit() runs form-js's own checks (marks fields at once); the server's answer replaces them.
      return validate ? form.submit().data : form.getData();
    }
    return comment ? { comment: comment.value } : {};
  }

  function showFieldErrors(errors) {
    if (form) {
      form.setErrors(errors || {});
    } else if (commentError) {
      const list = (errors && errors.comment) || [];
      commentError.textContent = list.join(' ');
      commentError.hidden = list.length === 0;
    }
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRFToken': csrf ? csrf.value : '',
      },
      body: JSON.stringify(body),
    });
    let payload = {};
    try {
      payload = await response.json();
    } catch (error) {
      payload = {};
    }
    return { status: response.status, payload };
  }

  function setBusy(busy) {
    document.querySelectorAll('.task-buttons button').forEach((button) => {
      button.disabled = busy;
    });
  }

  async function send(url, validate, onSuccess) {
    setBusy(true);
    try {
      const { status: code, payload } = await post(url, currentData(validate));
      if (code >= 200 && code < 300) {
        onSuccess(payload);
        return;
      }
      if (code === 422) {
        showFieldErrors(payload.errors);
        show(payload.message || messages.fixErrors, 'error');
      } else if (code === 409) {
        show(payload.message || messages.conflict, 'error');
      } else {
        show(payload.message || messages.network, 'error');
      }
    } catch (error) {
      show(messages.network, 'error');
    } finally {
      setBusy(false);
    }
  }

  /** The form's rules across fields, checked by the server a moment after each change (nothing is saved). */
  function watchRules(handle) {
    let timer = null;
    handle.form.on('changed', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const { status: code, payload } = await post(config.rulesUrl, handle.getData());
          if (code === 200) { handle.setRuleErrors(payload.errors || {}); }
        } catch (error) { /* offline for a moment: the submit checks everything anyway */ }
      }, 600);
    });
  }

  const submitButton = document.getElementById('submit-task');
  if (submitButton) {
    submitButton.addEventListener('click', () => send(config.completeUrl, true, (payload) => {
      window.location.assign(payload.redirect);
    }));
  }
  const draftButton = document.getElementById('save-draft');
  if (draftButton) {
    draftButton.addEventListener('click', () => send(config.draftUrl, false, (payload) => {
      showFieldErrors({});
      show(payload.message, 'success');
    }));
  }

  if (config.form && window.Servflow) {
    window.Servflow.renderForm('#task-form', config.form, config.data || {}, {
      readOnly: !config.editable, documents: config.documents,
    })
      .then((handle) => {
        form = handle;
        document.body.dataset.formReady = 'true';
        if (config.editable && config.rulesUrl) { watchRules(handle); }
      })
      .catch(() => { document.body.dataset.formReady = 'error'; });
  }
  if (config.bpmn && window.Servflow) {
    window.Servflow.showDiagram('#task-diagram', config.bpmn, { current: config.current, done: config.done })
      .then(() => { document.body.dataset.diagramReady = 'true'; })
      .catch(() => { document.body.dataset.diagramReady = 'error'; });
  }
}());
