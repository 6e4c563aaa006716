"""The project page (项目详情): one project as a whole — where it is, who acts next, every task with what
it submitted, its parties, announcements and history, with the lifecycle and stage diagrams.

Everyone who may read the project may open it (its parties' people, managers and auditors of its
locality); anyone else gets 404, as for every project read. Linked from the inbox, the task pages (and
the answer to a completed task), and the register.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from engine.calendars.deadlines import local_date
from engine.queries.project_page import project_view

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .tasks_page import submission_blocks

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.get("/<int:instance_id>")
@login_required
def show(instance_id: int) -> Any:
    engine = get_engine()
    view = engine.read(project_view, current_principal(), instance_id, local_date(engine.clock()))
    diagrams = [
        {"title": d.title, "xml": d.xml, "done": d.done, "current": d.current, "counts": d.counts}
        for d in view.diagrams
    ]
    return render_template(
        "projects/show.html", view=view, diagrams=diagrams, submissions=submission_blocks(view.submissions)
    )
