"""Each loop shape's cost per turn and stored state, early and late in a 1,000-turn run (issue 18).

A shape (``bench/loop_shapes.py``) is turned 1,000 times, loading and saving its state at every step as a
command does. Its stored state is measured at turns 65 and 1,000, and one turn from the state at the start of turn
65 and one from the state at the start of turn 965 (the same phase: every shape's pattern repeats every 60 turns)
are timed alternately; the fastest of each is compared, since a busy machine only ever adds time.

Target: late / early ≤ 1.5 and state at turn 1,000 ≤ 1.1 × turn 65's, for every shape.
Run: ``make bench`` or ``python -m bench loops``.
"""

from __future__ import annotations

import time

from bench.common import print_table
from bench.loop_shapes import EARLY, LATE, SHAPES, Run, Shape

TURNS = 1000
SAMPLES = 15


def _turn_ms(snapshot: Run, turn: int) -> float:
    run = snapshot.copy()
    start = time.perf_counter()
    run.shape.turn(run, turn)
    return (time.perf_counter() - start) * 1000


def measure(shape: Shape) -> tuple[str, ...]:
    run = Run.start(shape, TURNS)
    snapshots: dict[int, Run] = {}
    started = time.perf_counter()
    for turn in range(1, TURNS + 1):
        if turn in (EARLY, LATE, TURNS):
            snapshots[turn] = run.copy()
        shape.turn(run, turn)
    whole = time.perf_counter() - started
    if not run.finished():
        raise SystemExit(f"{shape.name}: not finished after {TURNS} turns")
    early_ms, late_ms = [], []
    for _ in range(SAMPLES):  # alternately, so both see the same machine moments
        early_ms.append(_turn_ms(snapshots[EARLY], EARLY))
        late_ms.append(_turn_ms(snapshots[LATE], LATE))
    early, late = min(early_ms), min(late_ms)
    early_size, last_size = len(snapshots[EARLY].state), len(snapshots[TURNS].state)
    return (
        shape.name,
        f"{whole:.1f}",
        f"{early:.2f}",
        f"{late:.2f}",
        f"{late / early:.2f}",
        f"{early_size:,}",
        f"{last_size:,}",
        f"{last_size / early_size:.2f}",
    )


def main() -> None:
    rows = [measure(shape) for shape in SHAPES]
    print_table(
        f"Loop shapes, {TURNS} turns each (one turn, fastest of {SAMPLES}, from the start of turn {EARLY} / {LATE})",
        rows,
        (
            "shape",
            "1,000 turns s",
            f"turn {EARLY} ms",
            f"turn {LATE} ms",
            "late / early (target <= 1.5)",
            f"state turn {EARLY} B",
            "state turn 1000 B",
            "ratio (target <= 1.1)",
        ),
    )


if __name__ == "__main__":
    main()
