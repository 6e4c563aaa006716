"""A clock the tests set and move: the engine's ``clock=`` for deadlines, reminders and timers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.calendars.deadlines import CHINA


class Clock:
    """A settable clock: ``clock()`` is the engine's now (aware UTC)."""

    def __init__(self) -> None:
        self.now = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> None:
        """Set the time to a local time in China."""
        self.now = datetime(year, month, day, hour, minute, tzinfo=CHINA).astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
