"""Read-only numbers for managers, the finance bureau and the public, scoped by locality.

Everything here is a query over the projection tables (human tasks, instances, disclosures, and the
open-task tally of ``engine.store.tally``), never over workflow state, so a dashboard costs the same however
long projects have run. "Today" is always passed in — the China date of the engine's clock — so tests
can move time and every page agrees with the inbox about what is overdue: a task is overdue when its
due date is before today (:func:`engine.calendars.deadlines.is_overdue`), and due soon when it falls within the
next ``days`` days.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from ..calendars.deadlines import CHINA
from ..definitions.settings import locality_settings
from ..definitions.versions import current_version, source_of
from ..formats.settings import BundleSettings, StageLimit
from ..formats.xmlsafe import parse_xml
from ..identity.localities import descendants, lineage
from ..identity.users import Principal
from ..spiff.parsing import BPMN_NS
from ..store.models import OPEN, Disclosure, HumanTask, OpenTaskTally, PersonTaskTally, ProcessInstance, ProcessVersion
from ..store.open_tasks import by_due_date, is_open
from .option_labels import OptionLabels, label_of, labels_by_instance

#: What open tasks are counted by and filtered on; ``organization`` is the project's party a task went to.
DIMENSIONS = ("stage", "locality", "department", "assignee", "role", "organization")
BUCKETS = ("overdue", "due_soon", "open")
MAX_DAYS = 366
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Scope:
    """The localities someone may see; ``None`` means every locality (administrators)."""

    localities: frozenset[str] | None

    def allows(self, code: str | None) -> bool:
        return self.localities is None or code in self.localities

    def restrict(self, column: Any, query: Select) -> Select:
        return query if self.localities is None else query.where(column.in_(self.localities))


def oversight_scope(session: Session, principal: Principal, roles: Collection[str] = ("manager", "auditor")) -> Scope:
    """Where a manager or auditor looks: each of their grant's locality and everything below it."""
    if principal.is_admin:
        return Scope(None)
    codes: set[str] = set()
    for grant in principal.grants:
        if grant.role in roles:
            codes.update(descendants(session, grant.locality))
    return Scope(frozenset(codes))


def reading_scope(principal: Principal) -> Scope:
    """Where anyone may read projects: the localities their grants make readable."""
    return Scope(None if principal.is_admin else principal.readable_localities)


@dataclass
class Page:
    """One page of a longer list, with what a pager needs."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


# --- overdue and due-soon tasks -----------------------------------------------------------------


@dataclass(frozen=True)
class TaskQuery:
    """Which open tasks to count or list: a scope, a day window and equality filters on dimensions.

    ``where`` maps a dimension (see :data:`DIMENSIONS`) to a value (an organization's id for
    ``organization``); ``None`` as a value means "has none" (an unclaimed task, a project without a
    department, a task that went to no party).
    """

    scope: Scope
    today: date
    days: int = 3
    where: Mapping[str, str | int | None] = field(default_factory=dict)

    @property
    def horizon(self) -> date:
        return self.today + timedelta(days=self.days)


@dataclass(frozen=True)
class GroupCount:
    key: str | None
    overdue: int
    due_soon: int
    open: int


@dataclass(frozen=True)
class TaskRow:
    id: int
    name: str
    element_id: str
    stage: str
    role: str | None
    locality: str
    assignee: str | None
    due_date: date | None
    created_at: datetime
    instance_id: int
    business_key: str
    title: str
    department: str | None
    overdue: bool


def _column(dimension: str) -> Any:
    return {
        "stage": HumanTask.process_key,
        "locality": HumanTask.locality_code,
        "department": HumanTask.department,
        "assignee": HumanTask.assignee,
        "role": HumanTask.role,
        "organization": HumanTask.organization_id,
    }[dimension]


# The dimensions each tally is keyed by (with the due date): counts that group and filter by these alone
# add up its few thousand rows instead of every open task (engine.store.tally).
TALLIED = {
    "stage": OpenTaskTally.process_key,
    "locality": OpenTaskTally.locality_code,
    "department": OpenTaskTally.department,
}
PEOPLE_TALLIED = {"assignee": PersonTaskTally.assignee, "locality": PersonTaskTally.locality_code}
# Role and party are in the person tally for unclaimed tasks only.
UNCLAIMED_TALLIED = {**PEOPLE_TALLIED, "role": PersonTaskTally.role, "organization": PersonTaskTally.organization_id}


@dataclass(frozen=True)
class _Source:
    """Where a count is read from: a tally (summing ``n``) or the open tasks themselves (counting rows)."""

    table: Any
    column: Callable[[str], Any]
    locality: Any
    due: Any
    total: Any


def _source(query: TaskQuery, grouping: Sequence[str]) -> _Source:
    """The smallest table that can answer a count grouped by ``grouping`` under the query's filters."""
    dimensions = {*query.where, *grouping}
    unclaimed = "assignee" in query.where and query.where["assignee"] is None
    if dimensions <= TALLIED.keys():
        return _tally_source(OpenTaskTally, TALLIED)
    if dimensions <= (UNCLAIMED_TALLIED if unclaimed else PEOPLE_TALLIED).keys():
        return _tally_source(PersonTaskTally, UNCLAIMED_TALLIED)
    return _Source(None, _column, HumanTask.locality_code, HumanTask.due_date, func.count())


def _tally_source(table: Any, columns: Mapping[str, Any]) -> _Source:
    return _Source(table, columns.__getitem__, table.locality_code, table.due_date, func.sum(table.n))


def _open_tasks(query: TaskQuery, *columns: Any) -> Select:
    """Open tasks in scope matching the query's filters, from ``human_task`` alone (``ix_task_open_due``)."""
    stmt = select(*columns).select_from(HumanTask).where(is_open())
    return _filtered(query, stmt, HumanTask.locality_code, _column)


def _filtered(query: TaskQuery, stmt: Select, locality: Any, column: Callable[[str], Any]) -> Select:
    stmt = query.scope.restrict(locality, stmt)
    for dimension, value in query.where.items():
        stmt = stmt.where(column(dimension).is_(None) if value is None else column(dimension) == value)
    return stmt


def _due_condition(query: TaskQuery, bucket: str, due: Any) -> Any:
    if bucket == "overdue":
        return due < query.today
    return and_(due >= query.today, due <= query.horizon)


def _bucket_condition(query: TaskQuery, bucket: str) -> Any:
    if bucket == "open":
        return HumanTask.id.is_not(None)
    return _due_condition(query, bucket, HumanTask.due_date)


def _sum_of(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _counted(query: TaskQuery, by: Sequence[str] = ()) -> Select:
    """Overdue, due soon and open (after the ``by`` columns, if any), from the tally when it can answer.

    Counted with ``FILTER`` (PostgreSQL, SQLite ≥ 3.30), cheaper than CASE: ``count(*)`` of open tasks,
    or ``sum(n)`` of tally rows — where a bucket whose tasks have all left sums to 0 and is dropped.
    """
    source = _source(query, by)
    key = [source.column(dimension) for dimension in by]
    total = source.total
    counts = [*key, *(total.filter(_due_condition(query, b, source.due)) for b in ("overdue", "due_soon")), total]
    if source.table is None:
        stmt = _open_tasks(query, *counts)
    else:
        stmt = _filtered(query, select(*counts).select_from(source.table), source.locality, source.column)
    return stmt.group_by(*key).having(total != 0) if key else stmt


def due_counts(session: Session, query: TaskQuery, by: str) -> list[GroupCount]:
    """Open tasks per value of ``by``: how many are overdue, due within ``days`` days, open at all."""
    found = session.execute(_counted(query, (by,)))
    rows = [GroupCount(key, int(o or 0), int(s or 0), int(n)) for key, o, s, n in found]
    settings = locality_settings(session)
    rows.sort(key=lambda r: (-r.overdue, -r.due_soon, _sort_key(settings, by, r.key)))
    return rows


def due_totals(session: Session, query: TaskQuery) -> GroupCount:
    """The same three numbers over every task the query covers."""
    overdue, soon, total = session.execute(_counted(query)).one()
    return GroupCount(None, int(overdue or 0), int(soon or 0), int(total or 0))


@dataclass(frozen=True)
class UnclaimedCount:
    """Unclaimed open tasks of one group: a role in a locality, for one party (``organization_id``) or
    for whoever holds the role there (``None``) — whom to ask when unclaimed work piles up."""

    role: str | None
    locality: str
    organization_id: int | None
    overdue: int
    due_soon: int
    open: int


def unclaimed_counts(session: Session, query: TaskQuery) -> list[UnclaimedCount]:
    """The query's unclaimed tasks per (role, locality, organization), most overdue first."""
    unclaimed = TaskQuery(query.scope, query.today, query.days, {**query.where, "assignee": None})
    stmt = _counted(unclaimed, ("role", "locality", "organization"))
    rows = [
        UnclaimedCount(role, locality, organization, int(o or 0), int(s or 0), int(n))
        for role, locality, organization, o, s, n in session.execute(stmt)
    ]
    rows.sort(key=lambda r: (-r.overdue, -r.due_soon, -r.open, r.locality, r.role or "", r.organization_id or 0))
    return rows


def task_list(session: Session, query: TaskQuery, bucket: str = "open", *, limit: int = 500) -> list[TaskRow]:
    """The tasks behind a count: most overdue first, then by due date, undated last."""
    if bucket not in BUCKETS:
        raise ValueError(f"unknown bucket {bucket!r}")
    ids = _open_tasks(query, HumanTask.id).where(_bucket_condition(query, bucket)).order_by(*by_due_date()).limit(limit)
    stmt = (
        select(HumanTask, ProcessInstance.business_key, ProcessInstance.title, ProcessInstance.department)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.id.in_(ids.scalar_subquery()))
        .order_by(*by_due_date())
    )
    return [
        TaskRow(
            id=row.id,
            name=row.name,
            element_id=row.element_id,
            stage=row.process_key,
            role=row.role,
            locality=row.locality_code,
            assignee=row.assignee,
            due_date=row.due_date,
            created_at=row.created_at,
            instance_id=row.instance_id,
            business_key=business_key,
            title=title,
            department=department,
            overdue=row.due_date is not None and row.due_date < query.today,
        )
        for row, business_key, title, department in session.execute(stmt)
    ]


def _sort_key(settings: BundleSettings, dimension: str, key: str | None) -> tuple[int, str]:
    """Stages in the lifecycle order the region's bundle names; other dimensions by name, none last."""
    if dimension == "stage":
        return settings.stage_rank(key)
    return (key is None, key or "")


# --- lifecycle heatmap --------------------------------------------------------------------------


def deployed_processes(session: Session, locality: str) -> list[tuple[str, str]]:
    """(key, name) of every process the locality runs, its own or inherited, lifecycle order first."""
    chain = lineage(session, locality)
    names: dict[str, str] = {}
    stmt = (
        select(ProcessVersion.process_key, ProcessVersion.name, ProcessVersion.locality_code)
        .where(ProcessVersion.locality_code.in_(chain))
        .order_by(ProcessVersion.version)
    )
    rank = {code: i for i, code in enumerate(chain)}
    best: dict[str, int] = {}
    for key, name, code in session.execute(stmt):
        if key not in best or rank[code] <= best[key]:
            best[key] = rank[code]
            names[key] = name or key
    settings = locality_settings(session, locality)
    return sorted(names.items(), key=lambda kv: (kv[0] != "lifecycle", settings.stage_rank(kv[0])))


def process_names(session: Session) -> dict[str, str]:
    """The newest deployed name of every process key, to label stages."""
    stmt = select(ProcessVersion.process_key, ProcessVersion.name).order_by(ProcessVersion.id)
    return {key: name or key for key, name in session.execute(stmt)}


def diagram_source(session: Session, key: str, locality: str) -> str | None:
    """The BPMN XML of the version of ``key`` the locality runs now, or ``None`` if none is deployed."""
    version = current_version(session, key, locality, required=False)
    return source_of(session, version) if version is not None else None


@dataclass(frozen=True)
class Outline:
    """What the dashboard needs to know about a diagram: element names and which stage each call starts."""

    names: dict[str, str]
    calls: dict[str, str]


def diagram_outline(bpmn_xml: str) -> Outline:
    """Element id → name for every named element, and call activity id → called process key."""
    root = parse_xml(bpmn_xml, "diagram").getroot()
    names, calls = {}, {}
    for el in root.iter(f"{{{BPMN_NS}}}*"):
        element_id = el.get("id")
        if element_id and el.get("name"):
            names[element_id] = el.get("name")
        if element_id and el.tag == f"{{{BPMN_NS}}}callActivity" and el.get("calledElement"):
            calls[element_id] = el.get("calledElement")
    return Outline(names, calls)


def element_heat(
    session: Session, query: TaskQuery, process_key: str, calls: Mapping[str, str] | None = None
) -> dict[str, dict[str, int]]:
    """Per diagram element, how many projects wait there and how many of those are overdue.

    Tasks of ``process_key`` count at their own element; tasks of a called process count at the call
    activity that calls it (``calls``, from :func:`diagram_outline`), so the lifecycle diagram shows
    which stage each project is in.
    """
    calls = dict(calls or {})
    callers: dict[str, list[str]] = defaultdict(list)
    for element, called in calls.items():
        callers[called].append(element)
    keys = {process_key, *callers}
    stmt = _open_tasks(query, HumanTask.process_key, HumanTask.element_id, HumanTask.instance_id, HumanTask.due_date)
    stmt = stmt.where(HumanTask.process_key.in_(keys))
    waiting: dict[str, set[int]] = defaultdict(set)
    late: dict[str, set[int]] = defaultdict(set)
    for key, element, instance_id, due in session.execute(stmt):
        targets = [element] if key == process_key else []
        targets += callers.get(key, [])
        for target in targets:
            waiting[target].add(instance_id)
            if due is not None and due < query.today:
                late[target].add(instance_id)
    return {el: {"waiting": len(ids), "overdue": len(late.get(el, ()))} for el, ids in waiting.items()}


# --- stage durations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StageDuration:
    locality: str
    stage: str
    count: int
    median: float
    p90: float
    longest: float
    limit: int | None
    over_limit: int


def stage_limit(session: Session, stage: str, locality: str) -> StageLimit | None:
    """The statutory limit of a stage in a locality: the one its current bundle's settings name (its own
    deployment's or the nearest ancestor's), so a locality's designer can change it."""
    return locality_settings(session, locality).stage_limits.get(stage)


def stage_limits(session: Session, locality: str | None = None) -> list[tuple[str, StageLimit]]:
    """Every stage limit of the locality's (default: the region's) settings, in lifecycle order."""
    settings = locality_settings(session, locality)
    return sorted(settings.stage_limits.items(), key=lambda kv: settings.stage_rank(kv[0]))


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (p90 of ten values is the ninth): always a value that occurred."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def stage_durations(session: Session, scope: Scope) -> list[StageDuration]:
    """Median and 90th-percentile days each finished stage took, per locality, against its limit.

    A stage of a project is finished when it has no open task and the project has moved on; it lasted
    from its first task's creation to its last task's completion (a revision loop counts in full).
    """
    stmt = (
        select(
            HumanTask.locality_code,
            HumanTask.process_key,
            func.min(HumanTask.created_at),
            func.max(HumanTask.completed_at),
            _sum_of(HumanTask.state == OPEN),
            ProcessInstance.stage,
        )
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .group_by(HumanTask.instance_id, HumanTask.locality_code, HumanTask.process_key, ProcessInstance.stage)
    )
    stmt = scope.restrict(HumanTask.locality_code, stmt)
    spans: dict[tuple[str, str], list[float]] = defaultdict(list)
    for locality, stage, started, finished, still_open, current in session.execute(stmt):
        if still_open or stage == current or started is None or finished is None:
            continue
        spans[(locality, stage)].append(max(0.0, (finished - started).total_seconds() / 86400))
    result = []
    for (locality, stage), days in spans.items():
        limit = stage_limit(session, stage, locality)
        limit_days = limit.days if limit else None
        result.append(
            StageDuration(
                locality=locality,
                stage=stage,
                count=len(days),
                median=round(statistics.median(days), 1),
                p90=round(percentile(days, 0.9), 1),
                longest=round(max(days), 1),
                limit=limit_days,
                over_limit=sum(1 for d in days if limit_days is not None and d > limit_days),
            )
        )
    settings = locality_settings(session)
    result.sort(key=lambda r: (r.locality, _sort_key(settings, "stage", r.stage)))
    return result


# --- project register ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilter:
    locality: str | None = None
    stage: str | None = None
    status: str | None = None
    department: str | None = None
    category: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class RegisterRow:
    id: int
    business_key: str
    name: str
    locality: str
    status: str
    stage: str | None
    department: str | None
    category: str | None  # as the forms label it (基本公共服务); ``category_code`` as recorded
    catalogue_code: str | None
    procurement_method: str | None  # as labelled (公开招标)
    budget: Decimal | None
    contract_amount: Decimal | None
    provider: str | None
    started_at: datetime
    category_code: str | None = None

    @property
    def stage_key(self) -> str:
        """The stage, or the status once the project has left every stage (completed, cancelled)."""
        return self.stage or self.status


@dataclass
class Total:
    count: int = 0
    budget: Decimal = Decimal("0.00")
    contract_amount: Decimal = Decimal("0.00")

    def add(self, row: RegisterRow) -> None:
        self.count += 1
        self.budget += row.budget or 0
        self.contract_amount += row.contract_amount or 0


@dataclass
class Register:
    page: Page
    total: Total
    by_category: dict[str | None, Total]
    by_stage: dict[str, Total]
    by_department: dict[str | None, Total]


def to_money(value: Any) -> Decimal | None:
    """A money value from process data as Decimal with two places; ``None`` when blank or not a number."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        return None
    return amount.quantize(CENT, rounding=ROUND_HALF_UP) if amount.is_finite() else None


def _text_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def register(
    session: Session,
    scope: Scope,
    filters: RegisterFilter,
    *,
    page: int = 1,
    per_page: int = 50,
    only: ColumnElement[bool] | None = None,
) -> Register:
    """Every project with its money and place in the lifecycle, filtered, paged, with totals.

    ``only`` is a further condition on the projects, such as ``access.readable_instances`` — the
    project-reading rule, which a locality scope alone is wider than. Totals cover every matching
    project, not just the page. Category lives in the instance summary (JSON), so that filter and the
    totals are applied in Python over the SQL-filtered rows.
    """
    stmt = select(ProcessInstance).order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc())
    stmt = scope.restrict(ProcessInstance.locality_code, stmt)
    if only is not None:
        stmt = stmt.where(only)
    if filters.locality:
        stmt = stmt.where(ProcessInstance.locality_code.in_(descendants(session, filters.locality)))
    if filters.stage:
        stmt = stmt.where(ProcessInstance.stage == filters.stage)
    if filters.status:
        stmt = stmt.where(ProcessInstance.status == filters.status)
    if filters.department:
        stmt = stmt.where(ProcessInstance.department == filters.department)
    if filters.text:
        pattern = f"%{filters.text}%"
        stmt = stmt.where(ProcessInstance.title.ilike(pattern) | ProcessInstance.business_key.ilike(pattern))
    instances = list(session.scalars(stmt))
    labels = labels_by_instance(session, instances)
    rows = [_register_row(instance, labels[instance.id]) for instance in instances]
    if filters.category:
        rows = [r for r in rows if filters.category in (r.category, r.category_code, r.catalogue_code)]
    total = Total()
    by_category: dict[str | None, Total] = defaultdict(Total)
    by_stage: dict[str, Total] = defaultdict(Total)
    by_department: dict[str | None, Total] = defaultdict(Total)
    for row in rows:
        total.add(row)
        by_category[row.category].add(row)
        by_stage[row.stage_key].add(row)
        by_department[row.department].add(row)
    start = (page - 1) * per_page
    stage_rank = locality_settings(session).stage_rank
    return Register(
        page=Page(rows[start : start + per_page], len(rows), page, per_page),
        total=total,
        by_category=dict(sorted(by_category.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))),
        by_stage=dict(sorted(by_stage.items(), key=lambda kv: stage_rank(kv[0]))),
        by_department=dict(sorted(by_department.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))),
    )


def _register_row(instance: ProcessInstance, labels: OptionLabels) -> RegisterRow:
    """A project's line of the register, its recorded choices shown as the forms label them."""
    summary = instance.summary or {}

    def labelled(key: str) -> str | None:
        return _text_or_none(label_of(labels, key, summary.get(key)))

    return RegisterRow(
        id=instance.id,
        business_key=instance.business_key,
        name=str(summary.get("project_name") or instance.title),
        locality=instance.locality_code,
        status=instance.status,
        stage=instance.stage,
        department=instance.department or _text_or_none(summary.get("department")),
        category=labelled("category"),
        catalogue_code=_text_or_none(summary.get("catalogue_code")),
        procurement_method=labelled("procurement_method"),
        budget=to_money(summary.get("budget")),
        contract_amount=to_money(summary.get("contract_amount")),
        provider=_text_or_none(summary.get("winner_name") or summary.get("provider_name") or summary.get("provider")),
        started_at=instance.started_at,
        category_code=_text_or_none(summary.get("category")),
    )


def register_choices(
    session: Session, scope: Scope, *, only: ColumnElement[bool] | None = None
) -> dict[str, list[str]]:
    """The values the register's filters offer: stages, statuses and departments that occur (among the
    projects ``only`` admits, as in :func:`register`)."""
    stmt = scope.restrict(
        ProcessInstance.locality_code,
        select(ProcessInstance.stage, ProcessInstance.status, ProcessInstance.department).distinct(),
    )
    if only is not None:
        stmt = stmt.where(only)
    stages, statuses, departments = set(), set(), set()
    for stage, status, department in session.execute(stmt):
        stages.add(stage)
        statuses.add(status)
        departments.add(department)
    return {
        "stage": sorted((s for s in stages if s), key=locality_settings(session).stage_rank),
        "status": sorted(s for s in statuses if s),
        "department": sorted(d for d in departments if d),
    }


# --- public disclosures -------------------------------------------------------------------------

DISCLOSURE_KINDS = ("intent", "single_source", "result", "contract", "acceptance")


@dataclass(frozen=True)
class DisclosureFilter:
    locality: str | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def china_day_start(day: date) -> datetime:
    """Midnight in China at the start of ``day``, in UTC (for comparing stored timestamps)."""
    return datetime.combine(day, time.min, CHINA).astimezone(UTC)


def disclosures(session: Session, filters: DisclosureFilter, *, page: int = 1, per_page: int = 20) -> Page:
    """Published announcements, newest first; the locality filter includes the places below it."""
    stmt = select(Disclosure)
    if filters.locality:
        stmt = stmt.where(Disclosure.locality_code.in_(descendants(session, filters.locality)))
    if filters.kind:
        stmt = stmt.where(Disclosure.kind == filters.kind)
    if filters.date_from:
        stmt = stmt.where(Disclosure.published_at >= china_day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(Disclosure.published_at < china_day_start(filters.date_to + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(
        session.scalars(
            stmt.order_by(Disclosure.published_at.desc(), Disclosure.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return Page(items, int(total), page, per_page)
