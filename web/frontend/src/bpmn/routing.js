// Orthogonal routes for a new connection that keep clear of what is already drawn. bpmn-js lays a new
// sequence flow out by the shortest Manhattan path, which happily runs through a task or along another
// flow (a return path drawn straight back over the tasks it returns past). Given that proposal and the
// scene, chooseRoute tries a small set of orthogonal alternatives — an L, or a Z/U through a channel
// beside the source, the target or an obstacle — and keeps the one that passes through the fewest
// shapes, then crosses the fewest connections, then keeps furthest from shapes, bends least and is
// shortest. A proposal that is already clear stays as it is, so ordinary flows look as bpmn-js draws them.
//
// Pure geometry: points {x, y}, rectangles {x, y, width, height}; no bpmn-js here (see crossing-free-layout.js).

/** How far a channel keeps from the shape it passes. */
const MARGIN = 20;
/** Obstacles this far beyond the source and target still offer channels to go round them. */
const REACH = 120;
/** Within this distance a point counts as on a line or at a shape's edge. */
const EPSILON = 1;

const right = (rect) => rect.x + rect.width;
const bottom = (rect) => rect.y + rect.height;

function grow(rect, by) {
  return { x: rect.x - by, y: rect.y - by, width: rect.width + 2 * by, height: rect.height + 2 * by };
}

function contains(rect, point) {
  return point.x >= rect.x && point.x <= right(rect) && point.y >= rect.y && point.y <= bottom(rect);
}

function overlaps(a, b) {
  return a.x < right(b) && b.x < right(a) && a.y < bottom(b) && b.y < bottom(a);
}

/**
 * Where segment a→b is inside rect, as parameters [t0, t1] of a + t(b - a) (Liang–Barsky), or null.
 */
function clip(a, b, rect) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  let t0 = 0;
  let t1 = 1;
  const sides = [[-dx, a.x - rect.x], [dx, right(rect) - a.x], [-dy, a.y - rect.y], [dy, bottom(rect) - a.y]];
  for (const [p, q] of sides) {
    if (p === 0) {
      if (q < 0) { return null; }
    } else {
      const t = q / p;
      if (p < 0) { t0 = Math.max(t0, t); } else { t1 = Math.min(t1, t); }
      if (t0 > t1) { return null; }
    }
  }
  return [t0, t1];
}

const at = (a, b, t) => ({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) });
const length = (a, b) => Math.hypot(b.x - a.x, b.y - a.y);

/** Whether segment a→b runs through the inside of rect (touching its outline does not count). */
function segmentHitsRect(a, b, rect) {
  if (rect.width <= 2 * EPSILON || rect.height <= 2 * EPSILON) { return false; }
  const span = clip(a, b, grow(rect, -EPSILON));
  return Boolean(span) && (span[1] - span[0]) * length(a, b) > EPSILON;
}

const cross = (o, a, b) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/**
 * How segments a1→a2 and b1→b2 meet: {point} where they cross or touch, {overlap: [p, q]} where they run
 * along each other, or null.
 */
export function segmentMeeting(a1, a2, b1, b2) {
  const r = { x: a2.x - a1.x, y: a2.y - a1.y };
  const s = { x: b2.x - b1.x, y: b2.y - b1.y };
  const q = { x: b1.x - a1.x, y: b1.y - a1.y };
  const lengthA = Math.hypot(r.x, r.y);
  const lengthB = Math.hypot(s.x, s.y);
  if (!lengthA || !lengthB) { return null; }
  const denominator = r.x * s.y - r.y * s.x;
  if (Math.abs(denominator) < 1e-9 * lengthA * lengthB) {
    if (Math.abs(q.x * r.y - q.y * r.x) / lengthA > EPSILON) { return null; }
    const project = (p) => ((p.x - a1.x) * r.x + (p.y - a1.y) * r.y) / (lengthA * lengthA);
    const from = Math.max(0, Math.min(project(b1), project(b2)));
    const to = Math.min(1, Math.max(project(b1), project(b2)));
    return (to - from) * lengthA > EPSILON ? { overlap: [at(a1, a2, from), at(a1, a2, to)] } : null;
  }
  const t = (q.x * s.y - q.y * s.x) / denominator;
  const u = (q.x * r.y - q.y * r.x) / denominator;
  const slackA = EPSILON / lengthA;
  const slackB = EPSILON / lengthB;
  return t < -slackA || t > 1 + slackA || u < -slackB || u > 1 + slackB ? null : { point: at(a1, a2, t) };
}

/** The path from where it leaves `source` to where it enters `target` (the part anyone sees). */
export function visiblePart(path, source, target) {
  const leave = (points, rect) => {
    if (!contains(rect, points[0])) { return points; }
    for (let i = 0; i < points.length - 1; i += 1) {
      if (!contains(rect, points[i + 1])) {
        const span = clip(points[i], points[i + 1], rect);
        return [at(points[i], points[i + 1], span ? span[1] : 0), ...points.slice(i + 1)];
      }
    }
    return [points[points.length - 1]];
  };
  return leave(leave(path, source).reverse(), target).reverse();
}

/**
 * How bad a path is: `hits` shapes it runs through (source and target too, once it has left them),
 * `crossings` with the other connections' segments (meeting them inside source or target does not count:
 * flows start and end there; running along one does), and `grazes`, the other shapes it passes closer
 * than half a MARGIN.
 */
export function conflicts(path, { source, target, connections = [], shapes = [] }) {
  const seen = visiblePart(path, source, target);
  const ends = [grow(source, EPSILON), grow(target, EPSILON)];
  const atEnds = (point) => ends.some((rect) => contains(rect, point));
  let hits = 0;
  let crossings = 0;
  let grazes = 0;
  for (let i = 0; i < seen.length - 1; i += 1) {
    const [a, b] = [seen[i], seen[i + 1]];
    hits += [...shapes, source, target].filter((rect) => segmentHitsRect(a, b, rect)).length;
    grazes += shapes.filter((rect) => segmentHitsRect(a, b, grow(rect, MARGIN / 2))).length;
    for (const waypoints of connections) {
      for (let j = 0; j < waypoints.length - 1; j += 1) {
        const meeting = segmentMeeting(a, b, waypoints[j], waypoints[j + 1]);
        const hidden = meeting && (meeting.overlap
          ? ends.some((rect) => meeting.overlap.every((point) => contains(rect, point)))
          : atEnds(meeting.point));
        if (meeting && !hidden) {
          crossings += 1;
        }
      }
    }
  }
  return { hits, crossings, grazes };
}

/** Without repeated points and points in the middle of a straight run. */
export function simplify(path) {
  const points = path.filter((point, i) => i === 0 || length(point, path[i - 1]) > EPSILON);
  return points.filter((point, i) => i === 0 || i === points.length - 1
    || Math.abs(cross(points[i - 1], point, points[i + 1])) > EPSILON);
}

const pathLength = (path) => path.slice(1).reduce((sum, point, i) => sum + length(path[i], point), 0);

/**
 * The orthogonal alternatives from `start` (in source) to `end` (in target): both L shapes, and a Z or U
 * through every channel — a vertical line at x, or a horizontal one at y — beside the source, the target,
 * between them, or beside an obstacle near them.
 */
function candidateRoutes(start, end, { source, target, shapes = [] }) {
  const near = grow({
    x: Math.min(source.x, target.x),
    y: Math.min(source.y, target.y),
    width: Math.max(right(source), right(target)) - Math.min(source.x, target.x),
    height: Math.max(bottom(source), bottom(target)) - Math.min(source.y, target.y),
  }, REACH);
  const around = [source, target, ...shapes.filter((rect) => overlaps(rect, near))];
  const xs = new Set([(right(source) + target.x) / 2, (right(target) + source.x) / 2]);
  const ys = new Set([(bottom(source) + target.y) / 2, (bottom(target) + source.y) / 2]);
  around.forEach((rect) => {
    xs.add(rect.x - MARGIN);
    xs.add(right(rect) + MARGIN);
    ys.add(rect.y - MARGIN);
    ys.add(bottom(rect) + MARGIN);
  });
  const routes = [
    [start, { x: end.x, y: start.y }, end],
    [start, { x: start.x, y: end.y }, end],
  ];
  xs.forEach((x) => routes.push([start, { x, y: start.y }, { x, y: end.y }, end]));
  ys.forEach((y) => routes.push([start, { x: start.x, y }, { x: end.x, y }, end]));
  return routes.map(simplify);
}

/** Worse first: shapes run through, connections crossed, shapes grazed, then points (bends) and length. */
function rank(path, scene) {
  const { hits, crossings, grazes } = conflicts(path, scene);
  return [hits, crossings, grazes, path.length, pathLength(path)];
}

/** Whether rank a comes before rank b, comparing their first `count` measures. */
function before(a, b, count = a.length) {
  for (let i = 0; i < count; i += 1) {
    if (a[i] !== b[i]) { return a[i] < b[i]; }
  }
  return false;
}

/**
 * The route for a new connection: `proposed` (the layouter's waypoints, from a point in the source to a
 * point in the target) when it runs through no shape and crosses no connection; else the best of the
 * alternatives that keep inside `scene.area` (the pool's lanes, when there is one), if it is clearer.
 *
 * scene: {source, target: rects; shapes: the other shapes' rects; connections: the other connections'
 * waypoints; area?: rect}
 */
export function chooseRoute(proposed, scene) {
  if (!proposed || proposed.length < 2 || overlaps(grow(scene.source, MARGIN), scene.target)) { return proposed; }
  const proposedRank = rank(proposed, scene);
  if (!proposedRank[0] && !proposedRank[1]) { return proposed; }
  const inArea = (path) => !scene.area || path.every((point) => contains(scene.area, point));
  let best = null;
  let bestRank = null;
  for (const route of candidateRoutes(proposed[0], proposed[proposed.length - 1], scene)) {
    const routeRank = inArea(route) ? rank(route, scene) : null;
    if (routeRank && (!bestRank || before(routeRank, bestRank))) {
      best = route;
      bestRank = routeRank;
    }
  }
  return best && before(bestRank, proposedRank, 2) ? best : proposed;
}
