"""What each page of the managers' dashboard and the project register reads, in one unit of work.

``web/dashboard.py`` parses the URL and renders; the look-ups behind a page — the person's oversight
narrowed to a locality, the counts or rows, the names to label them with — run here through
``Engine.read``, so a page sees one consistent state and the web app holds no SQL. The numbers
themselves come from :mod:`engine.queries.reporting`.

A locality (or process) someone asks for that does not exist, or that they do not oversee, is refused
with the errors below, which carry what was asked for so the pages can say it in their own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFoundError, PermissionDeniedError
from ..formats.settings import StageLimit
from ..identity import access
from ..identity.localities import descendants, locality_codes
from ..identity.users import Principal
from ..store.models import OPEN, HumanTask, Locality, Organization, ProcessInstance, User
from . import reporting
from .reporting import Scope, TaskQuery

# --- refusals ------------------------------------------------------------------------------------


class UnknownLocality(NotFoundError):
    """A locality code that names no locality."""

    def __init__(self, locality: str) -> None:
        super().__init__(f"locality {locality} does not exist", locality=locality)
        self.locality = locality


class LocalityNotOverseen(PermissionDeniedError):
    """A locality outside what the person may see here (``None``: "has no locality")."""

    def __init__(self, locality: str | None) -> None:
        super().__init__(f"you may not look at locality {locality}", locality=locality)
        self.locality = locality


class UnknownProcess(NotFoundError):
    """A process the locality does not run."""

    def __init__(self, process: str) -> None:
        super().__init__(f"process {process} is not deployed here", process=process)
        self.process = process


class NothingOverseen(PermissionDeniedError):
    """Nowhere to look at: the person oversees no locality."""

    def __init__(self) -> None:
        super().__init__("you oversee no locality")


# --- shared pieces -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """What the pages' labels are made of: each process key's newest name, some people's names and some
    organizations' names (by id)."""

    processes: dict[str, str]
    people: dict[str, str]
    organizations: dict[int, str] = field(default_factory=dict)


def names(session: Session, usernames: Iterable[str | None] = (), organizations: Iterable[int | None] = ()) -> Names:
    """Process names, and the names of the people and organizations a page shows."""
    wanted = {u for u in usernames if u}
    stmt = select(User.username, User.display_name).where(User.username.in_(wanted))
    people = {username: display for username, display in session.execute(stmt)} if wanted else {}
    ids = {i for i in organizations if i is not None}
    found = session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids))) if ids else []
    return Names(reporting.process_names(session), people, {org_id: name for org_id, name in found})


def localities_in(session: Session, scope: Scope) -> list[str]:
    """The scope's localities in code order: what a page's locality picker offers."""
    return [code for code in locality_codes(session) if scope.allows(code)]


def narrow(session: Session, scope: Scope, code: str | None) -> Scope:
    """The scope cut down to one locality and the places below it; another locality's code is refused."""
    if not code:
        return scope
    if session.get(Locality, code) is None:
        raise UnknownLocality(code)
    if not scope.allows(code):
        raise LocalityNotOverseen(code)
    below = frozenset(descendants(session, code))
    return Scope(below if scope.localities is None else below & scope.localities)


# --- overdue and due-soon tasks ------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """The dashboard's front page: the three totals and the counts per grouping.

    Grouped by person, the unclaimed tasks are not one row but ``unclaimed``: one per role, locality and
    organization, so the manager sees which group's work is waiting (the claimed rows stay in
    ``groups["assignee"]``).
    """

    query: TaskQuery
    totals: reporting.GroupCount
    groups: dict[str, list[reporting.GroupCount]]
    unclaimed: list[reporting.UnclaimedCount]
    names: Names
    localities: list[str]


def overview(
    session: Session, principal: Principal, under: str | None, today: date, days: int, groupings: Sequence[str]
) -> Overview:
    scope = reporting.oversight_scope(session, principal)
    query = TaskQuery(narrow(session, scope, under), today, days)
    totals = reporting.due_totals(session, query)
    groups = {dim: reporting.due_counts(session, query, dim) for dim in groupings}
    unclaimed: list[reporting.UnclaimedCount] = []
    if "assignee" in groups:
        groups["assignee"] = [g for g in groups["assignee"] if g.key is not None]
        unclaimed = reporting.unclaimed_counts(session, query)
    shown = names(session, (g.key for g in groups.get("assignee", ())), (u.organization_id for u in unclaimed))
    return Overview(query, totals, groups, unclaimed, shown, localities_in(session, scope))


@dataclass(frozen=True)
class DrillDown:
    """The tasks behind a count, whom a manager may hand them to (per role and locality), and which of
    the tasks and projects the reader may open (``openable`` task ids, ``readable`` project ids) — a
    manager oversees a locality's work without being in every task's group."""

    query: TaskQuery
    rows: list[reporting.TaskRow]
    names: Names
    candidates: dict[tuple[str, str], list[tuple[str, str]]]
    openable: frozenset[int] = frozenset()
    readable: frozenset[int] = frozenset()


def drill_down(
    session: Session,
    principal: Principal,
    under: str | None,
    where: Mapping[str, str | int | None],
    today: date,
    days: int,
    bucket: str,
    *,
    with_candidates: bool,
) -> DrillDown:
    scope = narrow(session, reporting.oversight_scope(session, principal), under)
    if "locality" in where and not scope.allows(where["locality"]):
        raise LocalityNotOverseen(where["locality"])
    query = TaskQuery(scope, today, days, dict(where))
    rows = reporting.task_list(session, query, bucket)
    candidates = reassign_candidates(session, rows) if with_candidates else {}
    organization = where.get("organization")
    shown = names(session, (r.assignee for r in rows), [organization] if isinstance(organization, int) else [])
    openable = frozenset(r.id for r in rows if access.can_see_task(principal, session.get(HumanTask, r.id)))
    projects = {r.instance_id for r in rows}
    readable = frozenset(
        session.scalars(
            select(ProcessInstance.id).where(
                ProcessInstance.id.in_(projects), access.readable_instances(session, principal)
            )
        )
        if projects
        else ()
    )
    return DrillDown(query, rows, shown, candidates, openable, readable)


def reassign_candidates(
    session: Session, rows: list[reporting.TaskRow]
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Per (role, locality) among the listed tasks, the people a manager may hand those tasks to."""
    result: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in rows:
        pair = (row.role or "", row.locality)
        if row.role and pair not in result:
            result[pair] = access.colleagues(session, session.get(HumanTask, row.id))
    return result


NOT_FOUND, CLOSED, NOT_COLLEAGUE = "not_found", "closed", "not_colleague"


@dataclass(frozen=True)
class Handover:
    """Whether a manager may hand a task to someone from the dashboard: ``refusal`` is ``None`` or why not
    (:data:`NOT_FOUND` — not there or not theirs, :data:`CLOSED`, :data:`NOT_COLLEAGUE`)."""

    name: str
    refusal: str | None


def handover(session: Session, principal: Principal, task_id: int, assignee: str) -> Handover:
    """Checked before ``Engine.assign`` so each refusal of a bulk reassign can be reported on its own."""
    scope = reporting.oversight_scope(session, principal, roles=("manager",))
    task = session.get(HumanTask, task_id)
    if task is None or not scope.allows(task.locality_code):
        return Handover("", NOT_FOUND)
    if task.state != OPEN:
        return Handover(task.name, CLOSED)
    try:
        access.require_colleague(session, task, assignee)
    except PermissionDeniedError:
        return Handover(task.name, NOT_COLLEAGUE)
    return Handover(task.name, None)


# --- heatmap -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heatmap:
    """One process diagram of one locality, with how many projects wait at each step."""

    locality: str
    localities: list[str]
    processes: list[tuple[str, str]]
    process: str | None
    xml: str | None
    outline: reporting.Outline
    heat: dict[str, dict[str, int]]
    names: Names


def heatmap(session: Session, principal: Principal, locality: str | None, process: str | None, today: date) -> Heatmap:
    """The locality asked for (else the first overseen) and its process (else the lifecycle, else the first)."""
    scope = reporting.oversight_scope(session, principal)
    localities = localities_in(session, scope)
    if not localities:
        raise NothingOverseen()
    locality = locality or localities[0]
    query = TaskQuery(narrow(session, scope, locality), today)
    processes = reporting.deployed_processes(session, locality)
    keys = [key for key, _ in processes]
    process = process or ("lifecycle" if "lifecycle" in keys else None)
    process = process or (keys[0] if keys else None)
    if process is not None and process not in keys:
        raise UnknownProcess(process)
    xml = reporting.diagram_source(session, process, locality) if process else None
    outline = reporting.diagram_outline(xml) if xml else reporting.Outline({}, {})
    heat = reporting.element_heat(session, query, process, outline.calls) if process else {}
    return Heatmap(locality, localities, processes, process, xml, outline, heat, names(session))


# --- stage durations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Durations:
    items: list[reporting.StageDuration]
    names: Names
    localities: list[str]
    limits: list[tuple[str, StageLimit]]


def durations(session: Session, principal: Principal, under: str | None) -> Durations:
    scope = reporting.oversight_scope(session, principal)
    items = reporting.stage_durations(session, narrow(session, scope, under))
    limits = reporting.stage_limits(session, under)  # the statutory limits of the locality looked at
    return Durations(items, names(session), localities_in(session, scope), limits)


# --- project register ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPage:
    result: reporting.Register
    choices: dict[str, list[str]]
    localities: list[str]
    names: Names


def register_page(
    session: Session, principal: Principal, filters: reporting.RegisterFilter, *, page: int, per_page: int
) -> RegisterPage:
    """Every project the person may read — the project-reading rule (``access.readable_instances``), not
    their localities: a provider or a purchaser sees the projects they started or work on, not every
    project of their locality; managers and auditors those of their localities and below.

    The locality filter and picker stay those of the person's localities (``reporting.reading_scope``).
    """
    scope = reporting.reading_scope(principal)
    if filters.locality:
        narrow(session, scope, filters.locality)
    readable = access.readable_instances(session, principal)
    everywhere = Scope(None)
    result = reporting.register(session, everywhere, filters, page=page, per_page=per_page, only=readable)
    choices = reporting.register_choices(session, everywhere, only=readable)
    return RegisterPage(result, choices, localities_in(session, scope), names(session))
