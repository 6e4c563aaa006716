// Shows validation problems reported by the server on the modeler's canvas.

const PROBLEM_OVERLAY = 'sf-problem';
const PROBLEM_MARKER = 'sf-problem';

function problemBadge(messages) {
  const box = document.createElement('div');
  box.className = 'sf-problem-badge';
  box.textContent = messages.length > 1 ? `! ${messages.length}` : '!';
  box.title = messages.join('\n');
  return box;
}

/**
 * @param {import('bpmn-js/lib/Modeler').default} modeler
 */
export function createProblemMarkers(modeler) {
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  const registry = modeler.get('elementRegistry');
  let marked = [];

  function clear() {
    overlays.remove({ type: PROBLEM_OVERLAY });
    marked.forEach((id) => registry.get(id) && canvas.removeMarker(id, PROBLEM_MARKER));
    marked = [];
  }

  /**
   * @param {{element_id: string, message: string}[]} problems
   * @return {{element_id: string, message: string}[]} problems whose element is not on the canvas
   */
  function mark(problems) {
    clear();
    const byElement = new Map();
    const unplaced = [];
    for (const problem of problems) {
      if (problem.element_id && registry.get(problem.element_id)) {
        const messages = byElement.get(problem.element_id) || [];
        byElement.set(problem.element_id, [...messages, problem.message]);
      } else {
        unplaced.push(problem);
      }
    }
    for (const [id, messages] of byElement) {
      canvas.addMarker(id, PROBLEM_MARKER);
      overlays.add(id, PROBLEM_OVERLAY, { position: { top: -10, left: -10 }, html: problemBadge(messages) });
      marked.push(id);
    }
    return unplaced;
  }

  return { mark, clear };
}
