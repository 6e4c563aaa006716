"""Managers' dashboard (overdue and due-soon tasks, lifecycle heatmap, stage durations) and the project register.

Views parse the URL, read what the page shows in one call (``engine.queries.dashboard_pages``, through
``Engine.read``) and render; every table is also a CSV download (``?format=csv``, with ``table=`` where a
page has several). "Today" is the China date of the engine's
clock, the same day the inbox uses, so both agree on what is overdue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from engine.calendars.deadlines import local_date
from engine.errors import ConflictError, NotFoundError, PermissionDeniedError, ServflowError
from engine.identity.users import Principal
from engine.queries import dashboard_pages as pages
from engine.queries import reporting

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import t
from .labels import locality_label, role_label
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


def task_filters() -> dict[str, str | None]:
    """The dimension filters of a drill-down (``__none__`` meaning "has none")."""
    where: dict[str, str | None] = {}
    for dimension in reporting.DIMENSIONS:
        raw = text_arg(dimension)
        if raw:
            where[dimension] = None if raw == NONE else raw
    return where


def wants_csv() -> bool:
    return request.args.get("format") == "csv"


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download Excel opens correctly (UTF-8 with BOM); money as plain numbers."""
    return Response(
        reporting.to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_table(filename: str, columns: Sequence[tuple[str, Callable[[Any], Any]]], rows: Iterable[Any]) -> Response:
    """A CSV of ``rows``, one column per (translation key of the header, value getter)."""
    return csv_response(filename, [t(key) for key, _ in columns], ([get(row) for _, get in columns] for row in rows))


# --- labels ------------------------------------------------------------------------------------


@dataclass
class Labels:
    """Names people read for the values the dashboard groups by."""

    processes: dict[str, str]
    people: dict[str, str]

    def stage(self, key: str | None) -> str:
        if not key:
            return t("dash.none")
        translated = t(f"dash.stage.{key}")
        return translated if translated != f"dash.stage.{key}" else self.processes.get(key, key)

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

    def of(self, dimension: str, key: str | None) -> str:
        if dimension == "stage":
            return self.stage(key)
        if dimension == "locality":
            return locality_label(key)
        if dimension == "assignee":
            return self.person(key)
        if dimension == "role":
            return role_label(key) if key else t("dash.none")
        return self.plain(key)


def labels(names: pages.Names) -> Labels:
    return Labels(names.processes, names.people)


def filter_value(key: str | None) -> str:
    return NONE if key is None else key


# --- dashboard ---------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index() -> Any:
    days = int_arg("days", 3, 0, reporting.MAX_DAYS)
    under = text_arg("under")
    table = choice_arg("table", GROUPINGS, None) if wants_csv() else None
    found = read(pages.overview, oversight(), under, today(), days, GROUPINGS)
    query, groups, names = found.query, found.groups, labels(found.names)
    if wants_csv():
        dim = table or "stage"
        columns = [
            (f"dash.by.{dim}", lambda g: names.of(dim, g.key)),
            ("dash.col.code", lambda g: g.key),
            ("dash.col.overdue", lambda g: g.overdue),
            ("dash.col.due_soon_csv", lambda g: g.due_soon),
            ("dash.col.open", lambda g: g.open),
        ]
        return csv_table(f"dashboard-{dim}-{query.today.isoformat()}-{days}d.csv", columns, groups[dim])
    return render_template(
        "dashboard/index.html",
        days=days,
        under=under,
        today=query.today,
        totals=found.totals,
        groups=groups,
        groupings=GROUPINGS,
        names=names,
        localities=found.localities,
        filter_value=filter_value,
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
    if wants_csv():
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
        return csv_table(f"tasks-{bucket}-{query.today.isoformat()}.csv", columns, rows)
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
    if wants_csv():
        columns = [
            ("dash.col.element", lambda kv: kv[0]),
            ("dash.col.element_name", lambda kv: outline.names.get(kv[0], "")),
            ("dash.col.waiting", lambda kv: kv[1]["waiting"]),
            ("dash.col.overdue", lambda kv: kv[1]["overdue"]),
        ]
        return csv_table(f"heatmap-{process}-{locality}.csv", columns, rows)
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
    if wants_csv():
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
        return csv_table("stage-durations.csv", columns, items)
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
    table = choice_arg("table", REGISTER_TABLES, "projects") if wants_csv() else None
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
        page, per_page = 1, 1_000_000  # the CSV holds every matching project, not one page
    found = read(pages.register_page, principal, filters, page=page, per_page=per_page)
    result, names = found.result, labels(found.names)
    if table:
        return register_csv(table, result, names)
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


def register_csv(table: str, result: reporting.Register, names: Labels) -> Response:
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
        return csv_table("project-register.csv", columns, result.page.items)
    label = names.stage_or_status if table == "stage" else names.plain
    columns = [
        (f"dash.by.{table}", lambda kv: label(kv[0])),
        ("dash.col.count", lambda kv: kv[1].count),
        ("dash.col.budget", lambda kv: kv[1].budget),
        ("dash.col.contract_amount", lambda kv: kv[1].contract_amount),
    ]
    return csv_table(f"project-register-by-{table}.csv", columns, getattr(result, f"by_{table}").items())
