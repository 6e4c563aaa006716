"""The bell: a person's notifications (reminders, escalations, warnings), unread count, mark as read.

The outbox rows are written by the scheduler (``engine.jobs.scheduler``); this blueprint only shows them to
their recipient — every query is filtered by the signed-in username, so nobody sees or marks another
person's notices. ``notifications/_bell.html`` is the topbar bell (server-rendered count, refreshed by
polling ``/notifications/unread``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from engine.jobs import notifications
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
        with get_engine().unit_of_work() as uow:
            return notifications.unread_count(uow.session, principal.username)

    return {"unread_notifications": unread_notifications, "notification_link": _task_link}


def _task_link(row: Notification) -> str | None:
    if row.human_task_id and "tasks.show" in current_app.view_functions:
        return url_for("tasks.show", task_id=row.human_task_id)
    return None


@bp.get("/")
@login_required
def index() -> Any:
    me = current_principal()
    unread_only = request.args.get("unread") == "1"
    with get_engine().unit_of_work() as uow:
        rows = notifications.for_user(uow.session, me.username, unread_only=unread_only)
        unread = notifications.unread_count(uow.session, me.username)
    return render_template("notifications/index.html", rows=rows, unread=unread, unread_only=unread_only)


@bp.get("/unread")
@login_required
def unread() -> Any:
    with get_engine().unit_of_work() as uow:
        return {"unread": notifications.unread_count(uow.session, current_principal().username)}


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> Any:
    me = current_principal()
    engine = get_engine()
    with engine.unit_of_work(write=True) as uow:
        row = uow.session.get(Notification, notification_id)
        if row is None or row.recipient != me.username:
            abort(404, description="no such notification")
        notifications.mark_read(uow.session, me.username, engine.clock(), [notification_id])
        uow.commit()
        unread_left = notifications.unread_count(uow.session, me.username)
    return _answer(unread_left)


@bp.post("/read-all")
@login_required
def mark_all_read() -> Any:
    me = current_principal()
    engine = get_engine()
    with engine.unit_of_work(write=True) as uow:
        notifications.mark_read(uow.session, me.username, engine.clock())
        uow.commit()
    return _answer(0)


def _answer(unread_left: int) -> Any:
    if wants_json() or request.headers.get("X-CSRFToken"):
        return {"unread": unread_left}
    return redirect(url_for("notifications.index"))
