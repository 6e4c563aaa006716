"""What a timer's ``timeDate``/``timeDuration``/``timeCycle`` says, as the expression SpiffWorkflow evaluates.

SpiffWorkflow evaluates every timer value as an expression, so the plain ``P7D`` or ``R6/P1D`` that the
BPMN standard, the MIWG reference models and every Camunda/Flowable model write would be read as a
Python name and fail when the project starts. Here a value is read the way its author meant it:

* an ISO 8601 literal — a duration (``P7D``, ``PT5M``), a repeating interval (``R6/P1D``,
  ``R/2025-01-01T08:00/P1D``) or a date (``2025-03-01T09:00``) — becomes a quoted string, checked now
  with SpiffWorkflow's own ISO parsers so a malformed one is refused at deploy;
* ``${…}``/``#{…}`` is JUEL, translated (``engine.spiff.juel``);
* a cron expression (``0 0/5 * * * ?``, Camunda/Quartz) is refused: servflow's timers are ISO 8601;
* anything else is servflow's own Python expression (``"P%dD" % days``), checked by the sandbox.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .juel import JuelError, is_juel, translate

DATE, DURATION, CYCLE = "timeDate", "timeDuration", "timeCycle"

_CRON = re.compile(r"^\s*\S+(\s+\S+){4,6}\s*$")
_LOOKS_ISO = re.compile(r"^(R\d*/|P|\d{4}-\d{2}-\d{2})", re.IGNORECASE)


class TimerValueError(ValueError):
    """A timer value that cannot run, in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


def timer_expression(kind: str, text: str | None) -> str:
    """The expression to store for a timer value of ``kind`` (timeDate, timeDuration, timeCycle)."""
    value = (text or "").strip()
    if not value:
        raise TimerValueError("定时器没有填写时间", f"the timer's {kind} is empty")
    if is_juel(value):
        try:
            return translate(value)
        except JuelError as exc:
            raise TimerValueError(f"定时器表达式 {value!r} 无法运行：{exc.zh}", f"timer {value!r}: {exc.en}") from None
    if _CRON.match(value) and not _LOOKS_ISO.match(value):
        raise TimerValueError(
            f"不支持 cron 格式的定时 {value!r}；请写 ISO 8601，"
            "如 R/PT5M（每 5 分钟）或 R/2025-01-01T08:00/P1D（每天 8 点）",
            f"cron timers such as {value!r} are not supported; write ISO 8601, e.g. R/PT5M (every five minutes) "
            "or R/2025-01-01T08:00/P1D (daily at 08:00)",
        )
    if not _LOOKS_ISO.match(value):
        return value  # servflow's own expression
    _check_iso(kind, value)
    return repr(value)


def _check_iso(kind: str, value: str) -> None:
    try:
        if kind == CYCLE:
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif kind == DURATION:
            TimerEventDefinition.parse_iso_duration(value)
        else:
            TimerEventDefinition.get_datetime(value)
    except Exception:  # SpiffWorkflow raises a bare Exception for a bad ISO value
        raise TimerValueError(
            f"{value!r} 不是有效的 ISO 8601 {_KIND_ZH.get(kind, kind)}",
            f"{value!r} is not a valid ISO 8601 {_KIND_EN.get(kind, kind)}",
        ) from None


_KIND_ZH = {DATE: "日期时间", DURATION: "时长（如 P7D）", CYCLE: "重复周期（如 R6/P1D）"}
_KIND_EN = {DATE: "date and time", DURATION: "duration such as P7D", CYCLE: "repeating interval such as R6/P1D"}


def iso_duration(text: str) -> timedelta | None:
    """An ISO 8601 duration (``P3D``, ``PT36H``, ``P1M``) from now, or ``None`` if ``text`` is not one."""
    if not text.strip().upper().startswith("P"):
        return None
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text.strip())
    except Exception:  # as above
        return None
    return TimerEventDefinition.get_timedelta_from_start(parsed)


def iso_moment(text: str) -> datetime | None:
    """An ISO 8601 date or date-time, or ``None`` if ``text`` is not one."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None
