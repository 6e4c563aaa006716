"""Dashboard figures: open and overdue tasks by stage and by locality, projects by status.

Managers and auditors see their locality and everything below it, administrators everything.
"Overdue" is the inbox's rule: due before today's date in China.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy import case, func, select

from engine.calendars.deadlines import local_date
from engine.identity import access
from engine.store.models import OPEN, HumanTask, ProcessInstance

from ..engine_ext import get_engine
from .common import allowed_localities, blueprint, json_response, me, reading
from .schemas import FiguresQuery, FiguresSchema

bp = blueprint("figures", "/figures", "Counts for dashboards: open and overdue work by stage and locality.")


@bp.route("", methods=["GET"])
@bp.arguments(FiguresQuery, location="query")
@bp.response(200, FiguresSchema)
def figures(args: dict[str, Any]) -> Response:
    """Open/overdue task counts by stage and locality, and projects by status (managers, auditors)."""
    principal = me()
    today = local_date(get_engine().clock())
    with reading() as session:
        codes = allowed_localities(
            session,
            principal,
            "figures.read",
            args.get("locality"),
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
        body = {
            "today": today,
            "open": total or 0,
            "overdue": late or 0,
            "by_stage": grouped(HumanTask.process_key),
            "by_locality": grouped(HumanTask.locality_code),
            "instances": {status: count for status, count in statuses},
        }
    return json_response(FiguresSchema().dump(body))
