// Dashboard behaviour: "select all" on the drill-down list and the heatmap diagram.
(function () {
  'use strict';

  const selectAll = document.getElementById('select-all');
  if (selectAll) {
    selectAll.addEventListener('change', () => {
      document.querySelectorAll('#task-table input[name="task_id"]').forEach((box) => {
        box.checked = selectAll.checked;
      });
    });
  }

  const data = document.getElementById('heat-data');
  const container = document.getElementById('heat-diagram');
  if (data && container && window.Servflow) {
    const { xml, heat } = JSON.parse(data.textContent);
    window.Servflow.showDiagram(container, xml, { heat }).then(({ unknownIds }) => {
      container.dataset.ready = 'true';
      const note = document.getElementById('heat-unplaced');
      if (note && unknownIds.length) {
        note.textContent = note.dataset.template
          .replace('{count}', String(unknownIds.length))
          .replace('{ids}', unknownIds.join(', '));
        note.hidden = false;
      }
    }).catch(() => {
      container.dataset.ready = 'error';
    });
  }
})();
