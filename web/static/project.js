// Project page: draws the lifecycle and the current stage's diagram with the steps done and current
// (and how many times a step in a loop was done).
(function () {
  'use strict';

  const diagrams = JSON.parse(document.getElementById('project-diagrams').textContent);
  const shown = diagrams.map((diagram, index) =>
    window.Servflow.showDiagram(`#project-diagram-${index}`, diagram.xml, {
      current: diagram.current,
      done: diagram.done,
      counts: diagram.counts,
    }),
  );
  Promise.allSettled(shown).then(() => {
    document.body.dataset.diagramReady = 'true';
  });
})();
