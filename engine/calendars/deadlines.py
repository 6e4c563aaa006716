"""Deadline arithmetic for user tasks, counted the way the law counts periods.

民法典 Art.201: the day a period starts is not counted; counting begins the next day.
民法典 Art.203: when the last day of a period is a statutory day off, the period ends on the first working
day after it; the last day lasts until 24:00.  Procurement limits are written either in calendar days
("30 days after the award notice") or in working days ("2 working days"), so both units exist here.

A task's deadline is declared on its BPMN element as extension attributes, e.g.
``dueIn="30" dueUnit="workingDays" dueFrom="award_date" remindBefore="2" escalateAfter="1"``;
:class:`DeadlineRule` validates them at deploy time and computes dates when the task becomes ready.

All dates are dates in China (Asia/Shanghai); a due date is the last whole day the task may be done on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, cast, get_args
from zoneinfo import ZoneInfo

from engine.calendars.calendar import WorkingCalendar
from engine.errors import DefinitionError, ExecutionError
from engine.spiff.timer_values import iso_duration, iso_moment

Unit = Literal["days", "workingDays"]
UNITS: tuple[str, ...] = get_args(Unit)

CHINA = ZoneInfo("Asia/Shanghai")

# Ten years: longer than any limit the procurement rules set, short enough that a typo such as
# dueIn="3000000" is refused at deploy time instead of overflowing a date when a task starts.
MAX_AMOUNT = 3660

ATTR_DUE_IN = "dueIn"
ATTR_DUE_UNIT = "dueUnit"
ATTR_DUE_FROM = "dueFrom"
ATTR_REMIND_BEFORE = "remindBefore"
ATTR_ESCALATE_AFTER = "escalateAfter"
DEADLINE_ATTRIBUTES = (ATTR_DUE_IN, ATTR_DUE_UNIT, ATTR_DUE_FROM, ATTR_REMIND_BEFORE, ATTR_ESCALATE_AFTER)

_DIGITS = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DeadlineDataError(ExecutionError):
    """The process data a deadline counts from is unusable; names the field and the task element.

    An :class:`ExecutionError`: it surfaces while the process runs (when the task becomes ready), and
    the command that got there is rolled back to the last wait state.
    """

    code = "invalid_deadline_data"

    def __init__(self, reason: str, *, field: str, element_id: str | None = None) -> None:
        # Built here rather than by ExecutionError, whose message wants a process name we do not have.
        where = f"element {element_id}: " if element_id else ""
        super().__init__(f"{where}{reason}")
        self.element_id = element_id
        self.reason = reason
        self.field = field
        self.details.update({"field": field, "reason": reason, "element_id": element_id})


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unknown deadline unit {unit!r}; expected one of {', '.join(UNITS)}")


def _check_amount(amount: int) -> None:
    if amount < 0:
        raise ValueError(f"a deadline amount cannot be negative, got {amount}")


def due_date(start: date, amount: int, unit: Unit, calendar: WorkingCalendar) -> date:
    """The last day of a period of ``amount`` days or working days that starts on ``start``.

    The start day is not counted (Art.201). In calendar days the last day, if it is not a working day,
    moves to the next working day (Art.203); in working days the count itself skips days off. A period
    of 0 ends on ``start``, moved to a working day like any other last day.
    """
    _check_unit(unit)
    _check_amount(amount)
    last = calendar.add_working_days(start, amount) if unit == "workingDays" else start + timedelta(days=amount)
    return calendar.working_day_on_or_after(last)


def earliest_allowed(start: date, amount: int, unit: Unit, calendar: WorkingCalendar) -> date:
    """The first day a step guarded by "at least ``amount`` days after ``start``" may happen.

    This is a *minimum gap* (e.g. ≥ 20 days from tender documents to the bid deadline, 公示 ≥ 5 working
    days), not a due date: it is the day on which the required number of days has run, start day not
    counted, so the step may fall on that day or any later one. Unlike :func:`due_date` it is *not* moved
    off a day off: Art.203 extends a period so that someone with a duty is not cut short, whereas here
    the days have simply elapsed — whether the office acts on a Sunday is a separate question.
    """
    _check_unit(unit)
    _check_amount(amount)
    if unit == "workingDays":
        return calendar.add_working_days(start, amount)
    return start + timedelta(days=amount)


def reminder_date(
    due: date,
    before: int,
    unit: Unit,
    calendar: WorkingCalendar,
    *,
    not_before: date | None = None,
) -> date:
    """The day to remind the assignee: ``before`` days or working days ahead of ``due``.

    A calendar-day reminder that lands on a day off moves *earlier* to a working day, so that it reaches
    someone at work ahead of the due date. It never goes before ``not_before`` (the day the period
    started): a reminder longer than the period simply fires at the start.
    """
    _check_unit(unit)
    _check_amount(before)
    floor = min(not_before, due) if not_before is not None else date.min
    if unit == "workingDays":
        return _count_back_working_days(due, before, calendar, floor)
    day = max(due - timedelta(days=before), floor)
    while day > floor and not calendar.is_working(day):
        day -= timedelta(days=1)
    return day


def _count_back_working_days(due: date, n: int, calendar: WorkingCalendar, floor: date) -> date:
    """Like ``add_working_days(due, -n)`` but stopping at ``floor``, never asking about days before it."""
    day = due
    while n and day > floor:
        day -= timedelta(days=1)
        if calendar.is_working(day):
            n -= 1
    return day


def escalation_date(due: date, after: int, unit: Unit, calendar: WorkingCalendar) -> date:
    """The day to escalate an unfinished task to a manager: ``after`` days or working days past ``due``.

    This is itself a period that starts on the due date, so it is counted by the same rules as
    :func:`due_date` (and lands on a working day). ``after=0`` escalates on the due date itself.
    """
    return due_date(due, after, unit, calendar)


def local_date(moment: datetime) -> date:
    """The calendar date of ``moment`` in China; refuses naive datetimes rather than guess their zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; pass an aware datetime (e.g. UTC)")
    return moment.astimezone(CHINA).date()


def is_overdue(due: date, now: datetime) -> bool:
    """Whether a task due on ``due`` is overdue at ``now``: the due day lasts until 24:00 in China."""
    return local_date(now) > due


@dataclass(frozen=True)
class Deadline:
    """The dates computed for one task: when it is due, when to remind, when to escalate."""

    due: date
    remind_on: date | None = None
    escalate_on: date | None = None


@dataclass(frozen=True)
class DeadlineRule:
    """A task's deadline as declared on its BPMN element, validated at deploy time.

    ``remind_before`` and ``escalate_after`` are counted in the same ``unit`` as the deadline itself.
    ``due_from`` names a 'YYYY-MM-DD' field of the process data to count from; without it, or when the
    field is absent or blank when the task starts, the period counts from the day the task was created.
    """

    amount: int
    unit: Unit = "days"
    due_from: str | None = None
    remind_before: int | None = None
    escalate_after: int | None = None
    element_id: str | None = None

    @classmethod
    def from_attributes(cls, attrs: Mapping[str, str], *, element_id: str) -> DeadlineRule | None:
        """Read the deadline attributes of one element; ``None`` when it declares no deadline.

        Blank attributes count as absent (a modeler's cleared field). Anything malformed raises
        :class:`DefinitionError` naming the element, so a bad diagram is refused at deploy time rather
        than failing when a project reaches the task.
        """
        given = {key: attrs[key].strip() for key in DEADLINE_ATTRIBUTES if (attrs.get(key) or "").strip()}
        if not given:
            return None
        if ATTR_DUE_IN not in given:
            others = ", ".join(sorted(given))
            raise DefinitionError(f"{others} given without {ATTR_DUE_IN}", element_id=element_id)
        unit = given.get(ATTR_DUE_UNIT, "days")
        if unit not in UNITS:
            raise DefinitionError(
                f"{ATTR_DUE_UNIT}={unit!r} is not a known unit; use one of {', '.join(UNITS)}",
                element_id=element_id,
            )
        rule = cls(
            amount=_parse_count(given, ATTR_DUE_IN, element_id),
            unit=cast(Unit, unit),
            due_from=given.get(ATTR_DUE_FROM),
            remind_before=_parse_optional_count(given, ATTR_REMIND_BEFORE, element_id),
            escalate_after=_parse_optional_count(given, ATTR_ESCALATE_AFTER, element_id),
            element_id=element_id,
        )
        if rule.remind_before is not None and rule.remind_before > rule.amount:
            raise DefinitionError(
                f"{ATTR_REMIND_BEFORE}={rule.remind_before} is longer than {ATTR_DUE_IN}={rule.amount}: "
                "the reminder would come before the period starts",
                element_id=element_id,
            )
        return rule

    def start_date(self, created: datetime, data: Mapping[str, object]) -> date:
        """The day the period starts: the ``due_from`` field's date, else the task's creation day."""
        value = data.get(self.due_from) if self.due_from else None
        if value is None or value == "":
            return local_date(created)
        return self._parse_start(value)

    def compute(self, created: datetime, data: Mapping[str, object], calendar: WorkingCalendar) -> Deadline:
        """The task's due, reminder and escalation dates on ``calendar`` (the task's locality)."""
        start = self.start_date(created, data)
        due = due_date(start, self.amount, self.unit, calendar)
        remind_on = (
            reminder_date(due, self.remind_before, self.unit, calendar, not_before=start)
            if self.remind_before is not None
            else None
        )
        escalate_on = (
            escalation_date(due, self.escalate_after, self.unit, calendar) if self.escalate_after is not None else None
        )
        return Deadline(due, remind_on, escalate_on)

    def _parse_start(self, value: object) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise DeadlineDataError(
            f"the deadline counts from field {self.due_from!r}, whose value {value!r} is not a date (YYYY-MM-DD)",
            field=str(self.due_from),
            element_id=self.element_id,
        )


def date_given(value: object, created: datetime, calendar: WorkingCalendar, *, field: str, element_id: str) -> date:
    """The day a Camunda/Flowable ``dueDate`` or ``followUpDate`` value means: a date or date-time (as such,
    or ISO 8601 text) is that day in China; an ISO 8601 duration (``P3D``, ``PT36H``) is a period from the
    task's creation, counted like any servflow period (whole days, a last day off moves to the next
    working day, 民法典 Art.203)."""
    if isinstance(value, datetime):
        return local_date(value if value.tzinfo else value.replace(tzinfo=CHINA))
    if isinstance(value, date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    period = iso_duration(text) if text else None
    if period is not None:
        days = -(-int(period.total_seconds()) // 86400)
        return due_date(local_date(created), min(max(days, 0), MAX_AMOUNT), "days", calendar)
    moment = iso_moment(text) if text else None
    if moment is not None:
        return date_given(moment, created, calendar, field=field, element_id=element_id)
    raise DeadlineDataError(
        f"{field} is {value!r}, neither a date, a date-time nor an ISO 8601 duration such as P3D",
        field=field,
        element_id=element_id,
    )


def _parse_count(given: Mapping[str, str], key: str, element_id: str) -> int:
    text = given[key]
    if not _DIGITS.fullmatch(text) or int(text) > MAX_AMOUNT:
        raise DefinitionError(f"{key}={text!r} must be a whole number from 0 to {MAX_AMOUNT}", element_id=element_id)
    return int(text)


def _parse_optional_count(given: Mapping[str, str], key: str, element_id: str) -> int | None:
    return _parse_count(given, key, element_id) if key in given else None
