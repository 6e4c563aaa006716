"""The reviewers' inbox: three tabs with counts, filters and sorting in the URL, one page at a time.

All scoping lives in ``engine.queries.inbox``; this module only turns the URL into an ``InboxQuery`` and the
answer into a page — or, with ``?format=csv`` or ``?format=xlsx``, into a download of every task of the tab
and filters (not only the page shown). The claim/assign/delegate buttons post to the ``tasks`` blueprint.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from flask import Blueprint, render_template, request

from engine.queries import inbox

from . import exports
from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import CHINA, t
from .labels import locality_label

EXPORT_LIMIT = 10_000

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def china_now() -> datetime:
    """The engine's clock, on China's wall clock (the day "today" means to a reviewer)."""
    return get_engine().clock().astimezone(CHINA)


def waiting_label(since: datetime | None, until: datetime) -> str:
    """How long a task has been waiting, in the largest unit that is not zero."""
    if since is None:
        return ""
    seconds = max(0, int((until - since).total_seconds()))
    if seconds >= 86400:
        return t("wait.days", n=seconds // 86400)
    if seconds >= 3600:
        return t("wait.hours", n=seconds // 3600)
    return t("wait.minutes", n=seconds // 60)


def due_badge(due: date | None, today: date, is_open: bool = True) -> tuple[str, str] | None:
    """(css class, text) of the marker next to a due date, or None when no marker is needed."""
    if due is None or not is_open:
        return None
    if due < today:
        return "overdue", t("inbox.badge.overdue", days=(today - due).days)
    if due == today:
        return "due-soon", t("inbox.badge.today")
    return None


@bp.get("/")
@login_required
def index() -> Any:
    principal = current_principal()
    query = inbox.InboxQuery.clean(request.args.to_dict())
    now = china_now()
    fmt = exports.requested_format()
    if fmt:
        return download(principal, query, now.date(), fmt)
    view = get_engine().read(inbox.inbox_view, principal, query, now.date())
    return render_template(
        "inbox/index.html",
        query=query,
        page=view.page,
        counts=view.counts,
        tabs=inbox.TABS,
        processes=sorted(view.processes.items(), key=lambda item: item[1]),
        localities=view.localities,
        due_filters=inbox.DUE_FILTERS,
        sorts=inbox.SORTS,
        now=now,
        today=now.date(),
        waiting_label=waiting_label,
        due_badge=due_badge,
        me=principal,
    )


def download(principal: Any, query: inbox.InboxQuery, today: date, fmt: str) -> Any:
    """The tab's tasks under the same filters and order as the page, every page of them."""
    everything = replace(query, page=1, per_page=EXPORT_LIMIT)
    rows = get_engine().read(inbox.list_tasks, principal, everything, today).rows
    columns = [
        ("dash.col.task_id", lambda r: r.task.id),
        ("dash.col.project_no", lambda r: r.business_key),
        ("inbox.col.project", lambda r: r.title),
        ("inbox.col.stage", lambda r: r.stage_name),
        ("inbox.col.task", lambda r: r.task.name),
        ("inbox.col.locality", lambda r: locality_label(r.task.locality_code)),
        ("inbox.col.assignee", lambda r: r.task.assignee),
        ("inbox.col.due", lambda r: r.task.due_date),
        ("inbox.col.created", lambda r: r.task.created_at),
    ]
    if query.tab == inbox.DONE:
        columns.append(("inbox.col.completed", lambda r: r.task.completed_at))
    return exports.table(f"inbox-{query.tab}-{today.isoformat()}", fmt, columns, rows)
