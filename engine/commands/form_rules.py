"""Making a form's declared checks (``engine.formats.form_checks``) when a task is completed, and its
declared prefills when it opens.

Each check is evaluated in the scripts' restricted environment over the project's data at the task with
the submission on top (and, in a list, the row's fields on top of that), so a rule may compare this form's
fields with each other and with what earlier stages recorded: ``award_amount <= budget`` on the award,
``contract_amount <= award_amount`` on the contract. A check reading a value nobody has given (an optional
field left empty, a stage not reached) is not made: "required" is a different rule. A check that cannot be
evaluated at all is reported on its field too, never as a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..calendars.calendar import WorkingCalendar
from ..errors import ExecutionError, InvalidDataError
from ..formats.form_checks import FieldCheck, field_checks, field_prefills
from ..spiff.runtime import evaluate
from ..spiff.scripting import environment_names


def days_between(start: Any, end: Any) -> int:
    """Calendar days from ``start`` to ``end`` (dates or ``YYYY-MM-DD``), as statutory periods count them."""
    return (_day(end) - _day(start)).days


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


#: The functions rules may call beside the scripts' own (``working_days_between`` needs the calendar).
HELPER_NAMES = frozenset({"days_between", "working_days_between"})


def _helpers(calendar: Callable[[], WorkingCalendar] | None) -> dict[str, Any]:
    return {"days_between": days_between, "working_days_between": _working_days(calendar)}


def check(
    form: dict[str, Any] | None,
    submitted: dict[str, Any],
    project: dict[str, Any],
    calendar: Callable[[], WorkingCalendar] | None = None,
) -> None:
    """Raise ``InvalidDataError`` naming each field whose check does not hold. ``calendar`` gives the
    project locality's working days, for ``working_days_between`` (loaded only when a rule asks)."""
    if not form:
        return
    errors: dict[str, list[str]] = {}
    scope = {**project, **submitted, **_helpers(calendar)}
    for rule in field_checks(form.get("components") or []):
        if rule.list_path is None:
            _make(rule, scope, rule.key, errors)
            continue
        rows = submitted.get(rule.list_path) or []
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            if isinstance(row, dict):
                _make(rule, {**scope, **row}, f"{rule.list_path}[{index}].{rule.key}", errors)
    if errors:
        raise InvalidDataError(f"提交的数据有误 / Invalid data: {', '.join(sorted(errors))}", errors=errors)


def _working_days(calendar: Callable[[], WorkingCalendar] | None) -> Callable[[Any, Any], int]:
    """Working days in (start, end] on the locality's calendar, as statutory 工作日 periods count them."""

    def count(start: Any, end: Any) -> int:
        if calendar is None:
            raise ExecutionError("no working-day calendar here")
        return calendar().working_days_between(_day(start), _day(end))

    return count


def _make(rule: FieldCheck, scope: dict[str, Any], name: str, errors: dict[str, list[str]]) -> None:
    data_names = rule.names - environment_names() - HELPER_NAMES
    if any(scope.get(n) is None for n in data_names):
        return
    try:
        holds = evaluate(rule.expression, scope)
    except ExecutionError as exc:
        errors.setdefault(name, []).append(f"规则无法计算 / The rule cannot be evaluated: {exc.message}")
        return
    if not holds:
        errors.setdefault(name, []).append(rule.message)


def prefilled(form: dict[str, Any] | None, project: dict[str, Any]) -> dict[str, Any]:
    """The values a task's form proposes from the project's data (``prefill``), for the fields that have
    none yet; an expression that finds nothing (no candidates ranked, say) proposes nothing."""
    if not form:
        return {}
    proposed = {}
    for key, expression in field_prefills(form.get("components") or []):
        if project.get(key) not in (None, "", []):
            continue
        try:
            value = evaluate(expression, {**project, **_helpers(None)})
        except ExecutionError:
            continue
        if value is not None:
            proposed[key] = value
    return proposed
