"""Managers' dashboard (overdue and due-soon tasks, lifecycle heatmap, stage durations) and the project register.

Views parse the URL, read what the page shows in one call (``engine.queries.dashboard_pages``, through
``Engine.read``) and render; every table is also a download, CSV or Excel (``?format=csv`` or
``?format=xlsx``, with ``table=`` where a page has several; written by :mod:`web.exports`). "Today" is the
China date of the engine's clock, the same day the inbox uses, so both agree on what is overdue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from engine.calendars.deadlines import local_date
from engine.errors import ConflictError, NotFoundError, PermissionDeniedError, ServflowError
from engine.identity.users import Principal
from engine.queries import dashboard_pages as pages
from engine.queries import incidents, reporting

from . import exports
from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import t
from .labels import locality_label, role_label, stage_label
from .redirects import local_target

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

NONE = "__none__"  # in a filter: "has no value" (unclaimed, no department)
GROUPINGS = ("stage", "locality", "department", "assignee")
REGISTER_TABLES = ("projects", "category", "stage", "department")
STATUSES = ("running", "suspended", "completed", "cancelled")
REGISTER_PER_PAGE = 50
T = TypeVar("T")


# --- request parsing -----------------------------------------------------------------------------


def today() -> date:
    """The China date of the engine's clock (tests move the clock to make tasks overdue)."""
    return local_date(get_engine().clock())


def text_arg(name: str, *, limit: int | None = None) -> str | None:
    """A query-string value, trimmed (and cut to ``limit`` characters); ``None`` when absent or blank."""
    return (request.args.get(name) or "").strip()[:limit] or None


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = text_arg(name)
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        abort(400, description=t("dash.error.number", name=name, low=low, high=high))
    return int(raw)


def choice_arg(name: str, allowed: Sequence[str], default: str | None) -> str | None:
    value = text_arg(name) or default
    if value is not None and value not in allowed:
        abort(400, description=t("dash.error.choice", name=name, allowed=", ".join(allowed)))
    return value


def oversight() -> Principal:
    """Managers, auditors (read-only) and administrators see the dashboard (each for their localities)."""
    principal = current_principal()
    if not (principal.is_admin or principal.has_role("manager") or principal.has_role("auditor")):
        abort(403, description=t("dash.error.forbidden"))
    return principal


def may_reassign() -> bool:
    principal = current_principal()
    return principal.is_admin or principal.has_role("manager")


def read(query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``Engine.read`` of one of ``dashboard_pages``' reads, its refusals answered in the page's words."""
    try:
        return get_engine().read(query, *args, **kwargs)
    except pages.UnknownLocality as exc:
        abort(404, description=t("dash.error.locality", code=exc.locality))
    except pages.LocalityNotOverseen as exc:
        abort(403, description=t("dash.error.locality_forbidden", code=exc.locality))
    except pages.UnknownProcess as exc:
        abort(404, description=t("dash.error.process", process=exc.process[:100]))
    except pages.NothingOverseen:
        abort(403, description=t("dash.error.forbidden"))


def task_filters() -> dict[str, str | int | None]:
    """The dimension filters of a drill-down (``__none__`` meaning "has none"; an organization by its id)."""
    where: dict[str, str | int | None] = {}
    for dimension in reporting.DIMENSIONS:
        raw = text_arg(dimension)
        if not raw:
            continue
        if raw == NONE:
            where[dimension] = None
        elif dimension == "organization":
            if not raw.isdigit() or len(raw) > 12:
                abort(400, description=t("dash.error.organization", value=raw[:40]))
            where[dimension] = int(raw)
        else:
            where[dimension] = raw
    return where


# --- labels ------------------------------------------------------------------------------------


@dataclass
class Labels:
    """Names people read for the values the dashboard groups by."""

    processes: dict[str, str]
    people: dict[str, str]
    organizations: dict[int, str]

    def stage(self, key: str | None) -> str:
        return stage_label(key, self.processes) if key else t("dash.none")

    def status(self, key: str) -> str:
        translated = t(f"dash.status.{key}")
        return translated if translated != f"dash.status.{key}" else key

    def stage_or_status(self, key: str) -> str:
        return self.status(key) if key in STATUSES else self.stage(key)

    def plain(self, value: str | None) -> str:
        return value or t("dash.none")

    def person(self, username: str | None) -> str:
        if not username:
            return t("dash.unassigned")
        name = self.people.get(username)
        return f"{name}（{username}）" if name and name != username else username

    def organization(self, key: int | None) -> str:
        if key is None:
            return t("dash.no_party")
        return self.organizations.get(key, str(key))

    def unclaimed(self, group: reporting.UnclaimedCount) -> str:
        """未认领 · 财政部门 · 乌鲁木齐市财政局: whose group the work waits in (the locality when the tasks went
        to whoever holds the role there, not to one organization)."""
        where = self.organizations.get(group.organization_id or 0) or locality_label(group.locality)
        return f"{t('dash.unassigned')} · {role_label(group.role) or t('dash.none')} · {where}"

    def of(self, dimension: str, key: Any) -> str:
        if dimension == "stage":
            return self.stage(key)
        if dimension == "locality":
            return locality_label(key)
        if dimension == "assignee":
            return self.person(key)
        if dimension == "role":
            return role_label(key) if key else t("dash.none")
        if dimension == "organization":
            return self.organization(key)
        return self.plain(key)


def labels(names: pages.Names) -> Labels:
    return Labels(names.processes, names.people, names.organizations)


def filter_value(key: str | int | None) -> str:
    return NONE if key is None else str(key)


@dataclass(frozen=True)
class GroupRow:
    """A row of one of the dashboard's count tables: what people read, the value's code (for downloads),
    the filters of the tasks behind it, and the three counts."""

    label: str
    code: str
    filters: dict[str, str]
    overdue: int
    due_soon: int
    open: int


def group_rows(dim: str, found: pages.Overview, names: Labels) -> list[GroupRow]:
    """The rows of the ``dim`` table; by person, unclaimed work is one row per role, locality and
    organization, placed among the people by how overdue it is."""
    rows = [
        GroupRow(names.of(dim, g.key), g.key or "", {dim: filter_value(g.key)}, g.overdue, g.due_soon, g.open)
        for g in found.groups[dim]
    ]
    if dim == "assignee":
        rows += [
            GroupRow(
                names.unclaimed(u),
                "",
                {
                    "assignee": NONE,
                    "role": filter_value(u.role),
                    "locality": u.locality,
                    "organization": filter_value(u.organization_id),
                },
                u.overdue,
                u.due_soon,
                u.open,
            )
            for u in found.unclaimed
        ]
        rows.sort(key=lambda r: (-r.overdue, -r.due_soon))
    return rows


# --- dashboard ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index() -> Any:
    days = int_arg("days", 3, 0, reporting.MAX_DAYS)
    under = text_arg("under")
    fmt = exports.requested_format()
    table = choice_arg("table", GROUPINGS, None) if fmt else None
    found = read(pages.overview, oversight(), under, today(), days, GROUPINGS)
    query, names = found.query, labels(found.names)
    tables = {dim: group_rows(dim, found, names) for dim in GROUPINGS}
    if fmt:
        dim = table or "stage"
        columns = [
            (f"dash.by.{dim}", lambda r: r.label),
            ("dash.col.code", lambda r: r.code),
            ("dash.col.overdue", lambda r: r.overdue),
            ("dash.col.due_soon_csv", lambda r: r.due_soon),
            ("dash.col.open", lambda r: r.open),
        ]
        return exports.table(f"dashboard-{dim}-{query.today.isoformat()}-{days}d", fmt, columns, tables[dim])
    return render_template(
        "dashboard/index.html",
        days=days,
        under=under,
        today=query.today,
        totals=found.totals,
        tables=tables,
        groupings=GROUPINGS,
        localities=found.localities,
        incidents=read(incidents.open_count, current_principal()),
        tab="index",
    )


@bp.get("/tasks")
@login_required
def tasks() -> Any:
    days = int_arg("days", 3, 0, reporting.MAX_DAYS)
    bucket = choice_arg("bucket", reporting.BUCKETS, "overdue") or "overdue"
    under = text_arg("under")
    principal = oversight()
    where = task_filters()
    found = read(pages.drill_down, principal, under, where, today(), days, bucket, with_candidates=may_reassign())
    query, rows, names = found.query, found.rows, labels(found.names)
    fmt = exports.requested_format()
    if fmt:
        columns = [
            ("dash.col.task_id", lambda r: r.id),
            ("dash.col.project_no", lambda r: r.business_key),
            ("dash.col.project", lambda r: r.title),
            ("dash.col.task", lambda r: r.name),
            ("dash.by.stage", lambda r: names.stage(r.stage)),
            ("dash.by.locality", lambda r: locality_label(r.locality)),
            ("dash.by.department", lambda r: r.department),
            ("dash.col.role", lambda r: role_label(r.role)),
            ("dash.by.assignee", lambda r: names.person(r.assignee)),
            ("dash.col.due", lambda r: r.due_date),
            ("dash.col.overdue_days", lambda r: overdue_days(r, query.today)),
        ]
        return exports.table(f"tasks-{bucket}-{query.today.isoformat()}", fmt, columns, rows)
    return render_template(
        "dashboard/tasks.html",
        rows=rows,
        bucket=bucket,
        days=days,
        under=under,
        where=where,
        keep={dim: filter_value(value) for dim, value in where.items()},
        today=query.today,
        names=names,
        candidates=found.candidates,
        openable=found.openable,
        readable=found.readable,
        can_reassign=may_reassign(),
        overdue_days=overdue_days,
        tab="index",
    )


def overdue_days(row: reporting.TaskRow, on: date) -> int | None:
    return (on - row.due_date).days if row.due_date is not None and row.due_date < on else None


@bp.post("/tasks/reassign")
@login_required
def reassign() -> Any:
    """Hand the selected tasks to one person; each task is checked and reported on its own."""
    principal = current_principal()
    back = local_target(request.form.get("next"), url_for("dashboard.tasks"))
    if not may_reassign():
        abort(403, description=t("dash.error.reassign_forbidden"))
    raw_ids = request.form.getlist("task_id")
    assignee = (request.form.get("assignee") or "").strip()
    if not raw_ids:
        flash(t("dash.reassign.none_selected"), "error")
        return redirect(back)
    if not assignee:
        flash(t("dash.reassign.no_assignee"), "error")
        return redirect(back)
    if not all(raw.isdigit() for raw in raw_ids):
        abort(400, description=t("dash.error.task_ids"))
    engine = get_engine()
    done, errors = [], []
    for task_id in dict.fromkeys(int(raw) for raw in raw_ids):
        name = ""
        try:
            check = engine.read(pages.handover, principal, task_id, assignee)
            name = check.name
            if check.refusal == pages.NOT_FOUND:
                raise NotFoundError(t("dash.reassign.not_found", id=task_id))
            if check.refusal == pages.CLOSED:
                raise ConflictError(t("dash.reassign.closed", id=task_id, name=name))
            if check.refusal == pages.NOT_COLLEAGUE:
                raise PermissionDeniedError(assignee)
            engine.assign(task_id, assignee, actor=principal)
            done.append(task_id)
        except PermissionDeniedError:
            errors.append(t("dash.reassign.not_colleague", id=task_id, name=name, user=assignee))
        except ConflictError as exc:
            errors.append(exc.message if not name else t("dash.reassign.conflict", id=task_id, reason=exc.message))
        except ServflowError as exc:
            errors.append(exc.message)
    if done:
        person = labels(engine.read(pages.names, [assignee])).person(assignee)
        flash(t("dash.reassign.done", count=len(done), user=person), "success")
    for message in errors:
        flash(message, "error")
    return redirect(back)


# --- heatmap -----------------------------------------------------------------------------------


@bp.get("/heatmap")
@login_required
def heatmap() -> Any:
    found = read(pages.heatmap, oversight(), text_arg("locality"), text_arg("process"), today())
    locality, process, heat, outline = found.locality, found.process, found.heat, found.outline
    rows = sorted(heat.items(), key=lambda kv: (-kv[1]["overdue"], -kv[1]["waiting"], kv[0]))
    fmt = exports.requested_format()
    if fmt:
        columns = [
            ("dash.col.element", lambda kv: kv[0]),
            ("dash.col.element_name", lambda kv: outline.names.get(kv[0], "")),
            ("dash.col.waiting", lambda kv: kv[1]["waiting"]),
            ("dash.col.overdue", lambda kv: kv[1]["overdue"]),
        ]
        return exports.table(f"heatmap-{process}-{locality}", fmt, columns, rows)
    return render_template(
        "dashboard/heatmap.html",
        locality=locality,
        localities=found.localities,
        processes=found.processes,
        process=process,
        xml=found.xml,
        heat=heat,
        rows=rows,
        outline=outline,
        names=labels(found.names),
        tab="heatmap",
    )


# --- stage durations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    y: int
    label: str
    median_width: float
    p90_width: float
    limit_x: float | None
    item: reporting.StageDuration


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart drawn as plain SVG: one row per stage, median over p90, limit as a line."""

    locality: str
    width: int
    height: int
    left: int
    plot: int
    scale: float
    ticks: list[tuple[float, int]]
    bars: list[Bar]


CHART_WIDTH, CHART_LEFT, CHART_ROW, CHART_TOP = 640, 120, 40, 24


def chart(locality: str, items: list[reporting.StageDuration], stage_label: Callable[[str], str]) -> Chart:
    plot = CHART_WIDTH - CHART_LEFT - 70
    top = max([max(i.p90, i.limit or 0) for i in items] + [1.0])
    step = nice_step(top)
    scale_max = step * max(1, -(-top // step))
    per_day = plot / scale_max
    bars = [
        Bar(
            y=CHART_TOP + n * CHART_ROW,
            label=stage_label(item.stage),
            median_width=round(item.median * per_day, 1),
            p90_width=round(item.p90 * per_day, 1),
            limit_x=round(CHART_LEFT + item.limit * per_day, 1) if item.limit is not None else None,
            item=item,
        )
        for n, item in enumerate(items)
    ]
    ticks = [(round(CHART_LEFT + d * per_day, 1), int(d)) for d in range(0, int(scale_max) + 1, int(step))]
    height = CHART_TOP + CHART_ROW * len(items) + 28
    return Chart(locality, CHART_WIDTH, height, CHART_LEFT, plot, per_day, ticks, bars)


def nice_step(top: float) -> int:
    """A round tick interval giving about five ticks up to ``top`` days."""
    for step in (1, 2, 5, 10, 15, 30, 60, 90, 180, 365):
        if top / step <= 6:
            return step
    return 730


@bp.get("/durations")
@login_required
def durations() -> Any:
    under = text_arg("under")
    found = read(pages.durations, oversight(), under)
    items, names = found.items, labels(found.names)
    fmt = exports.requested_format()
    if fmt:
        columns = [
            ("dash.by.locality", lambda i: locality_label(i.locality)),
            ("dash.by.stage", lambda i: names.stage(i.stage)),
            ("dash.col.projects", lambda i: i.count),
            ("dash.col.median", lambda i: i.median),
            ("dash.col.p90", lambda i: i.p90),
            ("dash.col.longest", lambda i: i.longest),
            ("dash.col.limit", lambda i: i.limit),
            ("dash.col.over_limit", lambda i: i.over_limit),
        ]
        return exports.table("stage-durations", fmt, columns, items)
    by_locality: dict[str, list[reporting.StageDuration]] = {}
    for item in items:
        by_locality.setdefault(item.locality, []).append(item)
    charts = [chart(code, rows, names.stage) for code, rows in by_locality.items()]
    return render_template(
        "dashboard/durations.html",
        charts=charts,
        under=under,
        localities=found.localities,
        names=names,
        limits=found.limits,
        tab="durations",
    )


# --- project register ---------------------------------------------------------------------------


@bp.get("/register")
@login_required
def register() -> Any:
    """Every project the signed-in person may read, with money totals (the finance bureau's view)."""
    principal = current_principal()
    page = int_arg("page", 1, 1, 1_000_000)
    per_page = int_arg("per_page", REGISTER_PER_PAGE, 1, 200)
    fmt = exports.requested_format()
    table = choice_arg("table", REGISTER_TABLES, "projects") if fmt else None
    text = text_arg("q", limit=100)
    filters = reporting.RegisterFilter(
        locality=text_arg("locality"),
        stage=text_arg("stage"),
        status=choice_arg("status", STATUSES, None),
        department=text_arg("department"),
        category=text_arg("category", limit=100),
        text=text,
    )
    if table == "projects":
        page, per_page = 1, 1_000_000  # the download holds every matching project, not one page
    found = read(pages.register_page, principal, filters, page=page, per_page=per_page)
    result, names = found.result, labels(found.names)
    if fmt and table:
        return register_download(table, fmt, result, names)
    return render_template(
        "dashboard/register.html",
        result=result,
        filters=filters,
        choices=found.choices,
        localities=found.localities,
        statuses=STATUSES,
        names=names,
        args={k: v for k, v in request.args.items() if k != "page" and v},
    )


def register_download(table: str, fmt: str, result: reporting.Register, names: Labels) -> Response:
    """The projects, or one of the totals tables, as CSV or Excel."""
    if table == "projects":
        columns = [
            ("dash.col.project_no", lambda r: r.business_key),
            ("dash.col.project", lambda r: r.name),
            ("dash.by.locality", lambda r: locality_label(r.locality)),
            ("dash.by.department", lambda r: r.department),
            ("dash.col.category", lambda r: r.category),
            ("dash.col.catalogue_code", lambda r: r.catalogue_code),
            ("dash.by.stage", lambda r: names.stage_or_status(r.stage_key)),
            ("dash.col.method", lambda r: r.procurement_method),
            ("dash.col.provider", lambda r: r.provider),
            ("dash.col.budget", lambda r: r.budget),
            ("dash.col.contract_amount", lambda r: r.contract_amount),
            ("dash.col.started", lambda r: r.started_at),
        ]
        return exports.table("project-register", fmt, columns, result.page.items)
    label = names.stage_or_status if table == "stage" else names.plain
    columns = [
        (f"dash.by.{table}", lambda kv: label(kv[0])),
        ("dash.col.count", lambda kv: kv[1].count),
        ("dash.col.budget", lambda kv: kv[1].budget),
        ("dash.col.contract_amount", lambda kv: kv[1].contract_amount),
    ]
    return exports.table(f"project-register-by-{table}", fmt, columns, getattr(result, f"by_{table}").items())
