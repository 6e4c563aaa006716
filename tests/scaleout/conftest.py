"""The scale-out test drives real processes with the benchmarks' launchers (``bench.servers``)."""

from __future__ import annotations

import sys

from support import REPO

if str(REPO) not in sys.path:  # `bench` is a top-level folder, not an installed package
    sys.path.insert(0, str(REPO))
