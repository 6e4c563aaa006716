"""Shared helpers for benchmarks: timing loops and printing ratio tables.

Benchmarks print ratios against a baseline measured in the same run, because the machines they run on
are noisy; absolute numbers are printed too, for the record, but never asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def time_each(action: Callable[[], object], repeat: int, prepare: Callable[[], object] | None = None) -> list[float]:
    """Seconds per call, one sample per call; ``prepare`` runs untimed after each call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
        if prepare is not None:
            prepare()
    return samples


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def print_table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def machine() -> str:
    """What the figures were measured on: CPUs, memory, CPU model, load, date (for bench/RESULTS.md)."""
    import datetime
    import os
    import platform
    from pathlib import Path

    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{datetime.date.today().isoformat()} — {os.cpu_count()} CPUs ({first('/proc/cpuinfo', 'model name')}), "
        f"memory {first('/proc/meminfo', 'MemTotal')}, Python {platform.python_version()}, load average {load}"
    )
