// Earlier submissions: each rendered read-only in its own form (form-js) when its section is first opened.
(function () {
  'use strict';

  const source = document.getElementById('submissions-data');
  if (!source || !window.Servflow || !window.Servflow.renderForm) {
    return;
  }
  const submissions = JSON.parse(source.textContent);
  const documents = { texts: { none: source.dataset.noFiles } };
  const pending = [];

  function render(details) {
    const holder = details.querySelector('.submission-form');
    if (!holder || holder.dataset.rendered) {
      return;
    }
    holder.dataset.rendered = 'true';
    const item = submissions[Number(holder.dataset.index)];
    pending.push(window.Servflow.renderForm(holder, item.form, item.data || {}, { readOnly: true, documents }));
  }

  document.querySelectorAll('details.submission').forEach((details) => {
    if (details.open) {
      render(details);
    }
    details.addEventListener('toggle', () => details.open && render(details));
  });
  Promise.allSettled(pending).then(() => {
    document.body.dataset.submissionsReady = 'true';
  });
}());
