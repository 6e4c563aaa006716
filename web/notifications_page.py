"""The bell: a person's notifications (reminders, escalations, warnings), unread count, mark as read.

The outbox rows are written by the scheduler (``engine.jobs.scheduler``); this blueprint only shows them to
their recipient, through ``engine.jobs.bell`` — every look-up is by the signed-in username, so nobody sees
or marks another person's notices. ``notifications/_bell.html`` is the topbar bell (server-rendered count,
refreshed by polling ``/notifications/unread``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from engine.jobs import bell, notifications
from engine.store.models import Notification

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .errors import wants_json

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def _bell_helpers() -> dict[str, Any]:
    def unread_notifications() -> int:
        principal = g.get("principal")
        if principal is None:
            return 0
        return get_engine().read(notifications.unread_count, principal.username)

    return {
        "unread_notifications": unread_notifications,
        "notification_link": _task_link,
        "project_link": _project_link,
    }


def _task_link(row: Notification) -> str | None:
    if row.human_task_id and "tasks.show" in current_app.view_functions:
        return url_for("tasks.show", task_id=row.human_task_id)
    return None


def _project_link(row: Notification) -> str | None:
    if row.instance_id and "projects.show" in current_app.view_functions:
        return url_for("projects.show", instance_id=row.instance_id)
    return None


@bp.get("/")
@login_required
def index() -> Any:
    me = current_principal()
    unread_only = request.args.get("unread") == "1"
    found = get_engine().read(bell.inbox, me.username, unread_only=unread_only)
    return render_template("notifications/index.html", rows=found.rows, unread=found.unread, unread_only=unread_only)


@bp.get("/unread")
@login_required
def unread() -> Any:
    return {"unread": get_engine().read(notifications.unread_count, current_principal().username)}


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> Any:
    me = current_principal()
    engine = get_engine()
    unread_left = engine.write(bell.mark_one_read, me.username, notification_id, engine.clock())
    if unread_left is None:
        abort(404, description="no such notification")
    return _answer(unread_left)


@bp.post("/read-all")
@login_required
def mark_all_read() -> Any:
    me = current_principal()
    engine = get_engine()
    engine.write(notifications.mark_read, me.username, engine.clock())
    return _answer(0)


def _answer(unread_left: int) -> Any:
    if wants_json() or request.headers.get("X-CSRFToken"):
        return {"unread": unread_left}
    return redirect(url_for("notifications.index"))
