"""The reviewers' inbox: who may see which task, the three tabs, filters, sorting and paging.

Every query here is scoped by the caller's ``Principal`` before anything else is applied, so a
filter, a guessed id or a crafted URL can never widen what a person sees: a task is visible to the
people holding its (role, locality) grant, to whoever it is assigned to, delegated from or was
completed by, and to administrators. Counting and paging read ``human_task`` alone (its partial
open-task indexes, ``ix_task_assignee``) unless a filter is about the project; a page's ids are chosen
first, so only the page's rows are joined to their projects, however deep the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import Session

from .. import definitions
from ..commands.tasks import get_task
from ..definitions.settings import instance_settings
from ..definitions.versions import owning_version, task_form
from ..errors import InvalidDataError, NotFoundError
from ..identity import access
from ..identity.users import Principal
from ..store.models import (
    COMPLETED,
    OPEN,
    AuditEvent,
    HumanTask,
    Locality,
    ProcessInstance,
    ProcessVersion,
    User,
)
from ..store.open_tasks import by_due_date, is_open
from .option_labels import OptionLabels, instance_option_labels
from .projects import title_or_key_contains

MINE, GROUP, DONE = "mine", "group", "done"
TABS = (MINE, GROUP, DONE)
SORTS = ("due", "created", "priority")
DUE_FILTERS = ("overdue", "today", "week")
MAX_PER_PAGE = 100
MAX_TEXT = 100


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox asks for; ``clean`` turns a page's raw values into a safe query.

    ``tab=None`` is the API's view: every task the person may see in ``state``, narrowed by ``role`` and
    ``assignee`` ("me" for themselves) — the same rules and filters as the tabs, one query.
    """

    tab: str | None = MINE
    state: str = OPEN
    role: str | None = None
    assignee: str | None = None
    stage: str | None = None
    locality: str | None = None
    process: str | None = None
    due: str | None = None
    text: str | None = None
    sort: str = "due"
    page: int = 1
    per_page: int = 25

    @classmethod
    def clean(cls, raw: dict[str, str]) -> InboxQuery:
        """Unknown tab/sort/due values are refused (a clear 4xx), blanks mean "no filter"."""

        def pick(name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
            value = (raw.get(name) or "").strip() or default
            if value is not None and value not in allowed:
                raise InvalidDataError(f"unknown {name} {value!r}", errors={name: [f"not one of {allowed}"]})
            return value

        def number(name: str, default: int, high: int) -> int:
            value = (raw.get(name) or "").strip()
            if not value:
                return default
            if not value.isdigit() or not 1 <= int(value) <= high:
                raise InvalidDataError(f"bad {name} {value!r}", errors={name: [f"a whole number 1..{high}"]})
            return int(value)

        text = (raw.get("q") or "").strip()[:MAX_TEXT] or None
        return cls(
            tab=pick("tab", TABS, MINE) or MINE,
            stage=(raw.get("stage") or "").strip() or None,
            locality=(raw.get("locality") or "").strip() or None,
            process=(raw.get("process") or "").strip() or None,
            due=pick("due", DUE_FILTERS, None),
            text=text,
            sort=pick("sort", SORTS, "due") or "due",
            page=number("page", 1, 1_000_000),
            per_page=number("per_page", 25, MAX_PER_PAGE),
        )

    def params(self, **changes: Any) -> dict[str, Any]:
        """The URL parameters of this query (defaults left out), with ``changes`` applied."""
        query = replace(self, **changes)
        values = {
            "tab": query.tab,
            "stage": query.stage,
            "locality": query.locality,
            "process": query.process,
            "due": query.due,
            "q": query.text,
            "sort": None if query.sort == "due" else query.sort,
            "page": None if query.page == 1 else query.page,
            "per_page": None if query.per_page == 25 else query.per_page,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass(frozen=True)
class InboxRow:
    task: HumanTask
    title: str
    business_key: str
    process_key: str
    stage_name: str


@dataclass
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class TaskView:
    """One task with its project and the form it is rendered and validated with."""

    task: HumanTask
    instance: ProcessInstance
    form: dict[str, Any] | None


@dataclass(frozen=True)
class TaskPage:
    """The task page's reading: the task in its context, the colleagues it can go to, option labels."""

    context: TaskContext
    team: list[tuple[str, str]]
    labels: OptionLabels
    summary_keys: tuple[str, ...]


@dataclass
class TaskContext:
    """Everything the task page shows beside the form."""

    task: HumanTask
    instance: ProcessInstance
    version: ProcessVersion | None
    form: dict[str, Any] | None
    bpmn_xml: str | None
    done_ids: list[str]
    current_ids: list[str]
    history: list[AuditEvent]
    stage_name: str
    steps: list[tuple[str, str, str]] = field(default_factory=list)
    actors: dict[str, str] = field(default_factory=dict)
    task_names: dict[int, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- visibility


def can_work_on(principal: Principal, task: HumanTask) -> bool:
    """May claim it (unassigned, in scope) or complete it (assigned to them); only while it is open."""
    return task.state == OPEN and access.can_work_task(principal, task)


# --------------------------------------------------------------------------- inbox queries


def _tab_condition(principal: Principal, query: InboxQuery) -> ColumnElement[bool]:
    tab = query.tab
    if tab is None:
        return and_(access.visible_tasks(principal), HumanTask.state == query.state)
    if tab == MINE:
        return and_(HumanTask.assignee == principal.username, is_open())
    if tab == GROUP:
        scope = true() if principal.is_admin else access.in_groups(principal)
        return and_(HumanTask.assignee.is_(None), is_open(), scope)
    return and_(HumanTask.completed_by == principal.username, HumanTask.state == COMPLETED)


def tab_counts(session: Session, principal: Principal) -> dict[str, int]:
    return {
        tab: session.scalar(
            select(func.count()).select_from(HumanTask).where(_tab_condition(principal, InboxQuery(tab=tab)))
        )
        or 0
        for tab in TABS
    }


def week_end(today: date) -> date:
    """Sunday of the current (Monday-first, as in China) week."""
    return today + timedelta(days=6 - today.weekday())


def _filters(principal: Principal, query: InboxQuery, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.role:
        conditions.append(HumanTask.role == query.role)
    if query.assignee:
        conditions.append(HumanTask.assignee == (principal.username if query.assignee == "me" else query.assignee))
    if query.stage:
        conditions.append(HumanTask.process_key == query.stage)
    if query.locality:
        conditions.append(HumanTask.locality_code == query.locality)
    if query.process:
        conditions.append(ProcessInstance.process_key == query.process)
    if query.due == "overdue":
        conditions.append(HumanTask.due_date < today)
    elif query.due == "today":
        conditions.append(HumanTask.due_date == today)
    elif query.due == "week":
        conditions.append(and_(HumanTask.due_date >= today, HumanTask.due_date <= week_end(today)))
    if query.text:
        conditions.append(title_or_key_contains(query.text))
    return conditions


def _ordering(query: InboxQuery) -> list[Any]:
    if query.sort == "created":
        return [HumanTask.created_at.desc(), HumanTask.id.desc()]
    if query.sort == "priority":
        return [HumanTask.priority.desc(), *by_due_date()]
    if query.tab == DONE:
        return [HumanTask.completed_at.desc(), HumanTask.id.desc()]
    return by_due_date()


def list_tasks(
    session: Session, principal: Principal, query: InboxQuery, today: date, *, clamp_page: bool = True
) -> InboxPage:
    """One page of the tab, filtered and sorted; ``today`` is the China calendar day.

    A page past the last is the last page for a person paging (``clamp_page``), and empty for a program
    reading pages until one is empty.
    """
    conditions = [_tab_condition(principal, query), *_filters(principal, query, today)]

    def matching(*columns: Any) -> Select:
        stmt = select(*columns).select_from(HumanTask).where(*conditions)
        if query.process or query.text:  # the only filters about the project
            stmt = stmt.join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        return stmt

    total = session.scalar(matching(func.count())) or 0
    page = min(query.page, max(1, -(-total // query.per_page))) if clamp_page else query.page
    ordering = _ordering(query)
    page_ids = matching(HumanTask.id).order_by(*ordering).limit(query.per_page).offset((page - 1) * query.per_page)
    rows = session.execute(
        select(
            HumanTask,
            ProcessInstance.title,
            ProcessInstance.business_key,
            ProcessInstance.process_key,
            ProcessInstance.bound_versions,
        )
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.id.in_(page_ids.scalar_subquery()))
        .order_by(*ordering)
    ).all()
    # A stage's name comes from the version the project runs on: localities name their versions differently.
    version_ids = {bound.get(task.process_key) for task, *_, bound in rows} - {None}
    names: dict[int, str] = {
        vid: name
        for vid, name in session.execute(
            select(ProcessVersion.id, ProcessVersion.name).where(ProcessVersion.id.in_(version_ids))
        )
    }
    return InboxPage(
        rows=[
            InboxRow(task, title, key, process, names.get(bound.get(task.process_key)) or task.process_key)
            for task, title, key, process, bound in rows
        ],
        total=total,
        page=page,
        per_page=query.per_page,
    )


@dataclass(frozen=True)
class InboxView:
    """The inbox page's reading: the tab's page, every tab's count, and what the filters offer."""

    page: InboxPage
    counts: dict[str, int]
    processes: dict[str, str]
    localities: list[str]


def inbox_view(session: Session, principal: Principal, query: InboxQuery, today: date) -> InboxView:
    return InboxView(
        list_tasks(session, principal, query, today),
        tab_counts(session, principal),
        process_names(session, principal),
        filter_localities(session, principal),
    )


def process_names(session: Session, principal: Principal) -> dict[str, str]:
    """Display name of each deployed process key, for the filters; the principal's own localities name it."""
    own = {g.locality for g in principal.grants}
    names: dict[str, str] = {}
    for key, name, locality in session.execute(
        select(ProcessVersion.process_key, ProcessVersion.name, ProcessVersion.locality_code).order_by(
            ProcessVersion.id
        )
    ):
        if key not in names or locality in own:
            names[key] = name or key
    return names


def filter_localities(session: Session, principal: Principal) -> list[str]:
    """Locality codes offered in the filter: those the principal has tasks in (all for admins)."""
    if principal.is_admin:
        return list(session.scalars(select(Locality.code).order_by(Locality.code)))
    return sorted({g.locality for g in principal.grants})


# --------------------------------------------------------------------------- task page


def task_view(session: Session, principal: Principal | None, task_id: int) -> TaskView:
    """A task the person may see (else "does not exist"), its project and its form.

    ``principal=None`` skips the seeing rule, for answering a command the caller was allowed to run on the
    task (a manager reassigning stuck work need not be of the task's group).
    """
    task = access.visible_task(session, principal, task_id) if principal is not None else get_task(session, task_id)
    instance = session.get(ProcessInstance, task.instance_id)
    return TaskView(task, instance, task_form(session, task))


def task_page(session: Session, principal: Principal, task_id: int) -> TaskPage:
    """Everything the task page shows, for a task the person may see (else "does not exist")."""
    task = access.visible_task(session, principal, task_id)
    context = task_context(session, task)
    return TaskPage(
        context,
        access.colleagues(session, task, exclude=principal.username),
        instance_option_labels(session, context.instance),
        instance_settings(session, context.instance).summary,
    )


def display_name(session: Session, username: str) -> str:
    """The person's name as the pages show it; the username itself for someone unknown."""
    return session.scalar(select(User.display_name).where(User.username == username)) or username


def task_context(session: Session, task: HumanTask) -> TaskContext:
    """The task's project, its form and diagram (with progress) and the project's history."""
    instance = session.get(ProcessInstance, task.instance_id)
    if instance is None:
        raise NotFoundError(f"project (instance) {task.instance_id} does not exist")
    version = owning_version(session, instance, task)
    form = task_form(session, task)
    stage_tasks = select(HumanTask.id).where(
        HumanTask.instance_id == instance.id, HumanTask.process_key == task.process_key
    )
    done_ids = list(
        dict.fromkeys(
            session.scalars(
                select(AuditEvent.element_id)
                .where(
                    AuditEvent.instance_id == instance.id,
                    AuditEvent.action == "task_completed",
                    AuditEvent.human_task_id.in_(stage_tasks),
                )
                .order_by(AuditEvent.id)
            )
        )
    )
    instance_tasks = list(
        session.execute(
            select(HumanTask.id, HumanTask.element_id, HumanTask.name, HumanTask.state, HumanTask.process_key)
            .where(HumanTask.instance_id == instance.id)
            .order_by(HumanTask.id)
        )
    )
    stage_rows = [row for row in instance_tasks if row[4] == task.process_key]
    current_ids = [element for _, element, _, state, _ in stage_rows if state == OPEN]
    history = list(
        session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id))
    )
    actor_names = {e.actor for e in history} | {task.assignee or "", task.delegated_from or ""}
    actors: dict[str, str] = {
        name: display
        for name, display in session.execute(
            select(User.username, User.display_name).where(User.username.in_(actor_names - {""}))
        )
    }
    return TaskContext(
        task=task,
        instance=instance,
        version=version,
        form=form,
        bpmn_xml=definitions.source_of(session, version) if version is not None else None,
        done_ids=[i for i in done_ids if i],
        current_ids=current_ids,
        history=history,
        stage_name=(version.name if version is not None and version.name else task.process_key),
        steps=[(element, name, state) for _, element, name, state, _ in stage_rows],
        actors=actors,
        task_names={task_id: name for task_id, _, name, _, _ in instance_tasks},
    )
