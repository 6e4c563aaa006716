// Marks a process instance's progress on an imported diagram: done and current steps as CSS
// markers, and per-element waiting/overdue counts as overlay badges.

const HEAT_OVERLAY = 'sf-heat';

function badge(className, count, title) {
  const span = document.createElement('span');
  span.className = className;
  span.textContent = String(count);
  span.title = title;
  return span;
}

function heatBadge({ waiting = 0, overdue = 0 }) {
  const box = document.createElement('div');
  box.className = 'sf-heat';
  if (waiting) {
    box.append(badge('sf-heat-waiting', waiting, `待办 Waiting: ${waiting}`));
  }
  if (overdue) {
    box.append(badge('sf-heat-overdue', overdue, `逾期 Overdue: ${overdue}`));
  }
  return box;
}

/**
 * @param {import('bpmn-js/lib/BaseViewer').default} viewer
 * @param {{current?: string[], done?: string[], counts?: Object<string, number>,
 *   heat?: Object<string, {waiting?: number, overdue?: number}>}} status
 * @return {string[]} element ids in `status` that the diagram does not contain
 */
export function applyStatus(viewer, { current = [], done = [], counts = {}, heat = {} } = {}) {
  const canvas = viewer.get('canvas');
  const overlays = viewer.get('overlays');
  const registry = viewer.get('elementRegistry');
  const unknown = new Set();

  const mark = (id, marker) => {
    if (registry.get(id)) {
      canvas.addMarker(id, marker);
    } else {
      unknown.add(id);
    }
  };

  done.forEach((id) => mark(id, 'sf-done'));
  current.forEach((id) => mark(id, 'sf-current'));

  // How many times a step in a loop was done (a monthly report: ×12).
  for (const [id, count] of Object.entries(counts)) {
    if (registry.get(id) && count > 1) {
      overlays.add(id, HEAT_OVERLAY, {
        position: { bottom: 12, right: 12 },
        html: badge('sf-heat-count', `×${count}`, `已办 Done: ${count}`),
      });
    }
  }

  for (const [id, counts] of Object.entries(heat)) {
    if (!registry.get(id)) {
      unknown.add(id);
      continue;
    }
    if (!counts || !(counts.waiting || counts.overdue)) {
      continue;
    }
    if (counts.overdue) {
      canvas.addMarker(id, 'sf-overdue');
    }
    overlays.add(id, HEAT_OVERLAY, { position: { top: -12, right: 12 }, html: heatBadge(counts) });
  }
  return [...unknown];
}

export function clearStatus(viewer) {
  const canvas = viewer.get('canvas');
  viewer.get('overlays').remove({ type: HEAT_OVERLAY });
  viewer.get('elementRegistry').forEach((element) => {
    ['sf-done', 'sf-current', 'sf-overdue'].forEach((marker) => canvas.removeMarker(element, marker));
  });
}
