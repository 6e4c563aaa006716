"""Per-address sliding-window limits, kept in memory (sign-in attempts from one remote address).

The per-account lockout (``engine.identity.users.authenticate``) stops guessing one account's password; it does
not stop one address trying a few passwords on each of many accounts. This counts failed sign-ins per
remote address over a sliding window. It is per process: behind several workers each keeps its own
count, which still bounds guessing to workers × limit per window.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_TRACKED = 10_000  # addresses remembered at once; the least recently seen are forgotten first


class SlidingWindowLimiter:
    """At most ``limit`` recorded events per key within the last ``window`` seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_tracked: int = MAX_TRACKED) -> None:
        self._clock = clock
        self._max_tracked = max_tracked
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str, limit: int, window: float) -> float:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        with self._lock:
            events = self._events.get(key)
            if events is None:
                return 0.0
            self._prune(events, window)
            if len(events) < limit:
                return 0.0
            return max(events[len(events) - limit] + window - self._clock(), 0.0)

    def record(self, key: str, window: float) -> None:
        with self._lock:
            events = self._events.setdefault(key, deque())
            self._prune(events, window)
            events.append(self._clock())
            self._events.move_to_end(key)
            while len(self._events) > self._max_tracked:
                self._events.popitem(last=False)

    def _prune(self, events: deque[float], window: float) -> None:
        cutoff = self._clock() - window
        while events and events[0] <= cutoff:
            events.popleft()
