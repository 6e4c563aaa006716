"""Dashboard figures: open and overdue tasks by stage and by locality, projects by status.

Managers and auditors see their locality and everything below it, administrators everything.
"Overdue" is the inbox's rule: due before today's date in China.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.calendars.deadlines import local_date
from engine.queries import figures as counts

from ..engine_ext import get_engine
from .common import blueprint, json_response, me
from .schemas import FiguresQuery, FiguresSchema

bp = blueprint("figures", "/figures", "Counts for dashboards: open and overdue work by stage and locality.")


@bp.route("", methods=["GET"])
@bp.arguments(FiguresQuery, location="query")
@bp.response(200, FiguresSchema)
def figures(args: dict[str, Any]) -> Response:
    """Open/overdue task counts by stage and locality, and projects by status (managers, auditors)."""
    engine = get_engine()
    body = engine.read(counts.figures, me(), args.get("locality"), local_date(engine.clock()))
    return json_response(FiguresSchema().dump(body))
