"""The engine's deadline hook: a new user task's due, reminder and escalation dates from its BPMN settings.

``tasks.sync`` calls the hook for every task that becomes ready; the hook reads the task's
``servflow:task`` attributes (``dueIn``, ``dueUnit``, ``dueFrom``, ``remindBefore``, ``escalateAfter``),
counts on the task locality's working-day calendar, and returns the three dates for the human-task row.

A period that reaches a year nobody entered a calendar for raises :class:`CalendarError` (HTTP 422): the
command that would have created the task is rolled back and the person sees which year and locality
are missing. A date is never guessed; the scheduler warns administrators ahead of the year's end
(``scheduler.Scheduler.check_calendars``) so this should only ever be seen by someone who ignored it.

Calendars are cached per locality for ``ttl`` seconds: they change a few times a year and a busy
server creates many tasks a minute.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import sessionmaker

from ..errors import CalendarError, ExecutionError
from ..spiff.runtime import ReadyTask, evaluate
from ..store.unit_of_work import UnitOfWork
from .calendar import WorkingCalendar
from .calendar_store import load_calendar
from .deadlines import DeadlineDataError, DeadlineRule, date_given

DUE_DATE, FOLLOW_UP_DATE = "dueDate", "followUpDate"

Dates = tuple[date | None, date | None, date | None]
# A new READY user task, the time it became ready and its locality → (due, remind on, escalate on).
DeadlineFn = Callable[[ReadyTask, datetime, str], Dates]


class CalendarCache:
    """Locality code → WorkingCalendar, reloaded from the database after ``ttl`` seconds (thread-safe)."""

    def __init__(
        self, session_factory: sessionmaker, ttl: float = 60.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._factory = session_factory
        self._ttl = ttl
        self._monotonic = monotonic
        self._items: dict[str, tuple[float, WorkingCalendar]] = {}
        self._lock = threading.Lock()

    def get(self, locality: str) -> WorkingCalendar:
        now = self._monotonic()
        with self._lock:
            cached = self._items.get(locality)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        with UnitOfWork(self._factory) as uow:
            calendar = load_calendar(uow.session, locality)
        with self._lock:
            self._items[locality] = (now, calendar)
        return calendar

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def make_deadline_fn(session_factory: sessionmaker, *, ttl: float = 60.0) -> DeadlineFn:
    """A DeadlineFn for ``Engine(deadline=…)`` counting on the calendars stored in the database."""
    cache = CalendarCache(session_factory, ttl)

    def deadline(task: ReadyTask, now: datetime, locality: str) -> Dates:
        attrs = task.extensions.get("servflow:task", {}) or {}
        rule = DeadlineRule.from_attributes(attrs, element_id=task.element_id)
        try:
            if rule is None:
                return _dates_given(task, attrs, now, cache.get(locality))
            result = rule.compute(now, task.data, cache.get(locality))
        except CalendarError as exc:
            raise CalendarError(
                f"task {task.name} ({task.element_id}): {exc.message}",
                element_id=task.element_id,
                **exc.details,
            ) from None
        return result.due, result.remind_on, result.escalate_on

    deadline.cache = cache  # type: ignore[attr-defined]
    return deadline


def _dates_given(task: ReadyTask, attrs: dict[str, str], now: datetime, calendar: WorkingCalendar) -> Dates:
    """Due and reminder dates from a Camunda/Flowable model's ``dueDate``/``followUpDate`` expressions
    (``engine.spiff.foreign_tasks``): the follow-up date is the day the reminder goes out."""
    found: list[date | None] = []
    for field in (DUE_DATE, FOLLOW_UP_DATE):
        try:
            value = evaluate(attrs[field], task.data) if attrs.get(field) else None
        except ExecutionError as exc:
            raise DeadlineDataError(f"{field} {attrs[field]!r}: {exc.message}", field=field,
                                    element_id=task.element_id) from None  # fmt: skip
        given = value not in (None, "")
        found.append(date_given(value, now, calendar, field=field, element_id=task.element_id) if given else None)
    return found[0], found[1], None
