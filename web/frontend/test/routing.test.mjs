// Unit tests of the route geometry (src/bpmn/routing.js): `node --test test/` in web/frontend;
// tests/unit/test_frontend_geometry.py runs them with the rest of the suite.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chooseRoute, conflicts, segmentMeeting, simplify, visiblePart } from '../src/bpmn/routing.js';

const box = (x, y, width, height) => ({ x, y, width, height });
const pt = (x, y) => ({ x, y });

// The review stage as shipped: 审核 → 目录外？ → … with the leader's approval below in its lane.
const review = box(370, 140, 100, 80);
const outcome = box(545, 155, 50, 50);
const approve = box(670, 325, 100, 80);
const join = box(845, 155, 50, 50);
const flows = [
  [pt(470, 180), pt(545, 180)],
  [pt(570, 205), pt(570, 365), pt(670, 365)],
  [pt(595, 180), pt(845, 180)],
  [pt(770, 365), pt(870, 365), pt(870, 205)],
];
const pool = box(250, 80, 890, 370);

function isOrthogonal(path) {
  return path.slice(1).every((point, i) => point.x === path[i].x || point.y === path[i].y);
}

test('segments that cross, run along each other, touch, or miss', () => {
  assert.deepEqual(segmentMeeting(pt(0, 5), pt(10, 5), pt(5, 0), pt(5, 10)), { point: pt(5, 5) });
  assert.deepEqual(segmentMeeting(pt(0, 0), pt(10, 0), pt(5, 0), pt(20, 0)).overlap, [pt(5, 0), pt(10, 0)]);
  assert.equal(segmentMeeting(pt(0, 0), pt(10, 0), pt(0, 5), pt(10, 5)), null);
  assert.equal(segmentMeeting(pt(0, 0), pt(10, 0), pt(13, -5), pt(13, 5)), null);
  assert.deepEqual(segmentMeeting(pt(0, 0), pt(10, 0), pt(10, 0), pt(10, 8)), { point: pt(10, 0) });
});

test('the visible part of a path starts and ends on the shapes it joins', () => {
  const path = [pt(420, 180), pt(420, 300), pt(720, 300), pt(720, 365)];
  assert.deepEqual(visiblePart(path, review, approve), [pt(420, 220), pt(420, 300), pt(720, 300), pt(720, 325)]);
});

test('a route that is already clear is kept as the layouter drew it', () => {
  const proposed = [pt(470, 180), pt(545, 180)];
  const scene = { source: review, target: outcome, shapes: [approve, join], connections: flows.slice(1), area: pool };
  assert.equal(chooseRoute(proposed, scene), proposed);
});

test('a return path goes round the tasks it returns past instead of over them', () => {
  const expert = box(560, 140, 100, 80);
  const gateway = box(705, 155, 50, 50);
  const connections = [[pt(470, 180), pt(560, 180)], [pt(660, 180), pt(705, 180)], [pt(755, 180), pt(845, 180)]];
  const scene = { source: gateway, target: review, shapes: [expert, join], connections, area: pool };
  const proposed = [pt(730, 180), pt(420, 180)];
  assert.ok(conflicts(proposed, scene).hits > 0);

  const route = chooseRoute(proposed, scene);
  assert.deepEqual(conflicts(route, scene), { hits: 0, crossings: 0, grazes: 0 });
  assert.ok(isOrthogonal(route));
  assert.deepEqual([route[0], route[route.length - 1]], [proposed[0], proposed[1]]);
  assert.ok(route.every((point) => point.y >= pool.y && point.y <= pool.y + pool.height));
});

test('a flow back from the lower lane crosses none of the flows the shortest path would', () => {
  const scene = { source: approve, target: review, shapes: [outcome, join], connections: flows, area: pool };
  const proposed = [pt(720, 365), pt(620, 365), pt(620, 180), pt(420, 180)];
  assert.ok(conflicts(proposed, scene).crossings > 0);

  const route = chooseRoute(proposed, scene);
  assert.deepEqual(conflicts(route, scene), { hits: 0, crossings: 0, grazes: 0 });
  assert.ok(isOrthogonal(route));
});

test('no route leaves the pool, and none is taken that is no clearer than the proposal', () => {
  const walled = { source: approve, target: review, shapes: [outcome, join], connections: flows, area: box(360, 130, 420, 285) };
  const proposed = [pt(720, 365), pt(620, 365), pt(620, 180), pt(420, 180)];
  const route = chooseRoute(proposed, walled);
  assert.ok(route.every((point) => point.x >= 360 && point.x <= 780 && point.y >= 130 && point.y <= 415));
  const before = conflicts(proposed, walled);
  const after = conflicts(route, walled);
  assert.ok(after.hits < before.hits || (after.hits === before.hits && after.crossings <= before.crossings));
});

test('simplify drops repeated points and points in the middle of a straight run', () => {
  assert.deepEqual(simplify([pt(0, 0), pt(0, 0), pt(5, 0), pt(10, 0), pt(10, 10)]), [pt(0, 0), pt(10, 0), pt(10, 10)]);
});
