"""The API's dashboard figures: open and overdue tasks by stage and by locality, projects by status.

Managers and auditors see their locality and everything below it (``figures.read``), administrators
everything; "overdue" is the inbox's rule — due before ``today``, the China date of the engine's clock,
which the caller passes in. One call through ``Engine.read``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..identity import access
from ..identity.users import Principal
from ..store.models import OPEN, HumanTask, ProcessInstance


def figures(session: Session, principal: Principal, locality: str | None, today: date) -> dict[str, Any]:
    """The counts, as the API's ``FiguresSchema`` shows them (narrowed to ``locality`` and below it)."""
    codes = access.allowed_localities(
        session,
        principal,
        "figures.read",
        locality,
        refused="only managers, auditors and administrators see dashboard figures",
        outside="you do not oversee locality",
    )
    overdue = func.sum(case((HumanTask.due_date < today, 1), else_=0))
    tasks = select(func.count(), overdue).where(
        HumanTask.state == OPEN, access.in_localities(HumanTask.locality_code, codes)
    )

    def grouped(column: Any) -> list[dict[str, Any]]:
        rows = session.execute(tasks.add_columns(column).group_by(column).order_by(column))
        return [{"key": key or "", "open": count, "overdue": late or 0} for count, late, key in rows]

    total, late = session.execute(tasks).one()
    statuses = session.execute(
        select(ProcessInstance.status, func.count())
        .where(access.in_localities(ProcessInstance.locality_code, codes))
        .group_by(ProcessInstance.status)
    )
    return {
        "today": today,
        "open": total or 0,
        "overdue": late or 0,
        "by_stage": grouped(HumanTask.process_key),
        "by_locality": grouped(HumanTask.locality_code),
        "instances": {status: count for status, count in statuses},
    }
