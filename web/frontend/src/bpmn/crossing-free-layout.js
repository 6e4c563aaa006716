// New sequence flows routed round what is already drawn: the modeler's layouter, for a flow being
// created (connected by the designer, or appended from the context pad, and the preview of either),
// takes bpmn-js's Manhattan proposal and lets routing.js pick a clearer orthogonal route when the
// proposal runs through a shape or crosses a flow. Flows already drawn are laid out as bpmn-js does
// (moving a shape keeps the bends the designer made).
import BpmnLayouter from 'bpmn-js/lib/features/modeling/BpmnLayouter';
import { isHorizontal } from 'bpmn-js/lib/util/DiUtil';
import { is } from 'bpmn-js/lib/util/ModelUtil';

import { chooseRoute } from './routing';

/** The band on a pool's (and on its lanes') leading side that holds its name. */
const NAME_BAND = 30;

const bounds = ({ x, y, width, height }) => ({ x, y, width, height });

function rootOf(element) {
  let node = element;
  while (node.parent) { node = node.parent; }
  return node;
}

function isWithin(element, ancestor) {
  for (let node = element.parent; node; node = node.parent) {
    if (node === ancestor) { return true; }
  }
  return false;
}

/** Where a flow of the pool holding `element` may run: the pool without its name bands. */
function flowArea(element) {
  let pool = element.parent;
  while (pool && !is(pool, 'bpmn:Participant')) { pool = pool.parent; }
  if (!pool) { return null; }
  const lanes = (pool.children || []).some((child) => is(child, 'bpmn:Lane'));
  const band = NAME_BAND * (lanes ? 2 : 1);
  const area = bounds(pool);
  if (isHorizontal(pool)) {
    return { ...area, x: area.x + band, width: area.width - band };
  }
  return { ...area, y: area.y + band, height: area.height - band };
}

function isObstacle(element, source, target) {
  return !element.waypoints && element.type !== 'label' && element.parent
    && !is(element, 'bpmn:Participant') && !is(element, 'bpmn:Lane')
    && element !== source && element !== target && !isWithin(source, element) && !isWithin(target, element);
}

export default class CrossingFreeLayouter extends BpmnLayouter {
  constructor(elementRegistry) {
    super(elementRegistry);
    this._registry = elementRegistry;
  }

  layoutConnection(connection, hints = {}) {
    const proposed = super.layoutConnection(connection, hints);
    const source = hints.source || connection.source;
    const target = hints.target || connection.target;
    const drawn = hints.waypoints || connection.waypoints;
    if ((drawn && drawn.length) || !is(connection, 'bpmn:SequenceFlow') || !source || !target
      || source === target || source.host) {
      return proposed;
    }
    const root = rootOf(source);
    const visible = this._registry.filter((element) => element !== connection && rootOf(element) === root);
    // bpmn-js docks the ends on the shapes' outlines and keeps the point inside the shape as `original`;
    // the routes start and end at those inner points, and the docking crops them to the outline again.
    const inner = proposed.map((point) => point.original || point);
    const route = chooseRoute(inner, {
      source: bounds(source),
      target: bounds(target),
      shapes: visible.filter((element) => isObstacle(element, source, target)).map(bounds),
      connections: visible.filter((element) => element.waypoints).map((element) => element.waypoints),
      area: flowArea(source),
    });
    return route === inner ? proposed : route;
  }
}

CrossingFreeLayouter.$inject = ['elementRegistry'];

/** Replaces bpmn-js's `layouter` service. */
export const crossingFreeLayoutModule = { layouter: ['type', CrossingFreeLayouter] };
