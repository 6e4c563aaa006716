"""What a drawn flow runs into, judged from the diagram as the modeler holds it: the other flows it crosses
or runs along, and the shapes it passes through — what a designer sees as a tangle. Computed here on
its own (not with the modeler's routing code) so the tests judge the drawing, not the router."""

from __future__ import annotations

from collections.abc import Sequence

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x, y, width, height

SLACK = 1.0  # pixels: touching a shape's outline or ending on it is not running into it


def _inside(point: Point, box: Box, pad: float = SLACK) -> bool:
    x, y, width, height = box
    return x - pad <= point[0] <= x + width + pad and y - pad <= point[1] <= y + height + pad


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _meeting(a1: Point, a2: Point, b1: Point, b2: Point) -> list[Point]:
    """Where two segments meet: the point they cross at, both ends of the stretch they share, or nothing."""
    d1, d2, d3, d4 = _cross(b1, b2, a1), _cross(b1, b2, a2), _cross(a1, a2, b1), _cross(a1, a2, b2)
    if abs(d1) < 1e-9 and abs(d2) < 1e-9:  # on one line: do they share a stretch?
        axis = 0 if abs(a2[0] - a1[0]) >= abs(a2[1] - a1[1]) else 1
        low = max(min(a1[axis], a2[axis]), min(b1[axis], b2[axis]))
        high = min(max(a1[axis], a2[axis]), max(b1[axis], b2[axis]))
        if high - low <= SLACK:
            return []
        points = sorted([a1, a2, b1, b2], key=lambda p: p[axis])
        return [points[1], points[2]]
    if (d1 > 0) == (d2 > 0) and abs(d1) > 1e-9 and abs(d2) > 1e-9:
        return []
    if (d3 > 0) == (d4 > 0) and abs(d3) > 1e-9 and abs(d4) > 1e-9:
        return []
    t = d1 / (d1 - d2)
    return [(a1[0] + t * (a2[0] - a1[0]), a1[1] + t * (a2[1] - a1[1]))]


def _segments(points: Sequence[Point]) -> list[tuple[Point, Point]]:
    return [(tuple(points[i]), tuple(points[i + 1])) for i in range(len(points) - 1)]  # type: ignore[misc]


def flows_crossed(flow: Sequence[Point], others: dict[str, Sequence[Point]], ends: Sequence[Box]) -> list[str]:
    """The other flows `flow` crosses or runs along, away from the shapes it joins (`ends`), where flows meet."""
    crossed = []
    for name, other in others.items():
        for a1, a2 in _segments(flow):
            met = [m for b1, b2 in _segments(other) for m in [_meeting(a1, a2, b1, b2)] if m]
            if any(not any(all(_inside(p, box) for p in points) for box in ends) for points in met):
                crossed.append(name)
                break
    return crossed


def _samples(a: Point, b: Point) -> list[Point]:
    """Points along a segment, one a pixel."""
    steps = max(2, int(max(abs(b[0] - a[0]), abs(b[1] - a[1]))))
    return [(a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps) for i in range(steps + 1)]


def shapes_passed(flow: Sequence[Point], shapes: dict[str, Box]) -> list[str]:
    """The shapes `flow` runs through (pass the shapes it joins separately: it starts and ends on them)."""
    passed = []
    for name, (x, y, width, height) in shapes.items():
        inner = (x + SLACK, y + SLACK, width - 2 * SLACK, height - 2 * SLACK)
        if any(_inside(point, inner, 0) for a, b in _segments(flow) for point in _samples(a, b)):
            passed.append(name)
    return passed


def orthogonal(flow: Sequence[Point]) -> bool:
    return all(abs(a[0] - b[0]) < SLACK or abs(a[1] - b[1]) < SLACK for a, b in _segments(flow))
