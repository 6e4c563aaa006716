"""One project as a whole (项目详情): where it is, who acts next, what every task submitted, its parties,
announcements and history — everything the project page shows, read in one call under the project's
reading rule (someone who may not read it gets "not found", as for every project read).

"Who acts next" names, for each open task, the organization it went to (the project's party of the task's
role), the person holding it if claimed, and the due date — the question people otherwise answered by
signing in as every role in turn. The diagrams are the lifecycle, with its stages done and current, and
the current stage's own diagram with the steps taken and the ones waiting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendars.deadlines import local_date
from ..definitions.settings import deployment_settings
from ..definitions.versions import source_of, task_form
from ..formats.settings import BundleSettings, StageLimit
from ..formats.xmlsafe import parse_xml
from ..identity import access
from ..identity.users import Principal
from ..store.models import (
    COMPLETED,
    OPEN,
    AuditEvent,
    Disclosure,
    ExternalTask,
    HumanTask,
    Organization,
    ProcessInstance,
    ProcessVersion,
    User,
)
from . import incidents as incident_rows

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
COMPLETED_EVENT = "task_completed"
MAX_SUBMISSIONS = 60  # the last ones; a three-year contract's monthly reports beyond that are in the history


@dataclass(frozen=True)
class NextStep:
    """An open task: what, in which stage, for whom, held by whom, due when."""

    task: HumanTask
    organization: str | None
    assignee: str | None
    overdue: bool


@dataclass(frozen=True)
class TaskRecord:
    """A task of the project with who completed it and what they submitted (``None`` while open)."""

    task: HumanTask
    completed_by: str | None
    submitted: dict[str, Any] | None


@dataclass(frozen=True)
class Submission:
    """What a completed task submitted, with the form it was filled in (``None``: a task without a form)."""

    task: HumanTask
    form: dict[str, Any] | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Diagram:
    """A BPMN diagram with the elements done and current (ids), and how many times each was done."""

    title: str
    xml: str
    done: list[str]
    current: list[str]
    counts: dict[str, int]


@dataclass(frozen=True)
class StageSpan:
    """A stage the project went or goes through: from its first task to its last, in China calendar days,
    against the stage's statutory limit when the bundle names one (``stage_limits``)."""

    stage: str
    started: date
    ended: date | None  # None while the stage is current
    days: int
    limit: StageLimit | None

    @property
    def over(self) -> bool:
        return self.limit is not None and self.days > self.limit.days


@dataclass(frozen=True)
class ProjectView:
    instance: ProcessInstance
    stages: list[tuple[str, str]]  # (stage key, "done" | "current" | "waiting")
    timeline: list[StageSpan]
    next_steps: list[NextStep]
    tasks: list[TaskRecord]
    parties: list[tuple[str, Organization]]  # (role, organization)
    disclosures: list[Disclosure]
    history: list[AuditEvent]
    names: dict[str, str]  # username → display name
    diagrams: list[Diagram]
    submissions: list[Submission]
    #: Service tasks the project waits on (another system acts next) and its incidents, open first.
    waiting_systems: list[ExternalTask] = field(default_factory=list)
    incidents: list[incident_rows.IncidentRow] = field(default_factory=list)


def project_view(session: Session, principal: Principal, instance_id: int, today: date) -> ProjectView:
    """Everything the project page shows about one project the person may read."""
    instance = access.readable_instance(session, principal, instance_id)
    settings = _settings(session, instance)
    rows = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id).order_by(HumanTask.id)))
    history = list(
        session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id))
    )
    submitted = {e.human_task_id: e.data or {} for e in history if e.action == COMPLETED_EVENT}
    organizations = _organizations(session, instance, rows)
    people = {e.actor for e in history} | {r.assignee or "" for r in rows} | {r.completed_by or "" for r in rows}
    known = session.execute(select(User.username, User.display_name).where(User.username.in_(people - {""})))
    names = {username: display for username, display in known}
    open_rows = [r for r in rows if r.state == OPEN]
    systems = incident_rows.waiting_on_systems(session, instance.id)
    return ProjectView(
        instance=instance,
        stages=_stages(instance, rows, settings.stages),
        timeline=_timeline(rows, today, settings.stage_limits),
        next_steps=[
            NextStep(r, _name(organizations.get(r.organization_id or 0)), r.assignee, _overdue(r, today))
            for r in open_rows
        ],
        tasks=[TaskRecord(r, r.completed_by, submitted.get(r.id) if r.state == COMPLETED else None) for r in rows],
        parties=[
            (role, organizations[org_id])
            for role, org_id in sorted((instance.parties or {}).items())
            if org_id in organizations
        ],
        disclosures=list(
            session.scalars(select(Disclosure).where(Disclosure.instance_id == instance.id).order_by(Disclosure.id))
        ),
        history=history,
        names=names,
        diagrams=_diagrams(session, instance, rows, systems),
        submissions=_submissions(session, instance, rows, submitted),
        waiting_systems=systems,
        incidents=incident_rows.of_project(session, instance.id),
    )


def _organizations(session: Session, instance: ProcessInstance, rows: list[HumanTask]) -> dict[int, Organization]:
    ids = {r.organization_id for r in rows if r.organization_id} | set((instance.parties or {}).values())
    found = session.scalars(select(Organization).where(Organization.id.in_([i for i in ids if isinstance(i, int)])))
    return {o.id: o for o in found}


def _overdue(task: HumanTask, today: date) -> bool:
    return task.due_date is not None and task.due_date < today


def _name(organization: Organization | None) -> str | None:
    return organization.name if organization is not None else None


def _settings(session: Session, instance: ProcessInstance) -> BundleSettings:
    """The settings of the deployment the project runs (its stages' order and statutory limits)."""
    version = session.get(ProcessVersion, instance.process_version_id)
    return deployment_settings(session, version.deployment_id if version else None)


def _stages(instance: ProcessInstance, rows: list[HumanTask], order: tuple[str, ...]) -> list[tuple[str, str]]:
    """The bundle's stages in order, each done, current or waiting; a finished project has every stage it
    went through done."""
    seen = {r.process_key for r in rows}
    current = instance.stage
    result = []
    for key in order:
        if key == current:
            result.append((key, "current"))
        elif key in seen or instance.status == COMPLETED:
            result.append((key, "done"))
        else:
            result.append((key, "waiting"))
    return result


def _timeline(rows: list[HumanTask], today: date, limits: Mapping[str, StageLimit]) -> list[StageSpan]:
    """Each stage's span, in the order the project entered them: a stage entered again (a re-tender)
    counts from its first task to its last."""
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    current: set[str] = set()
    for row in rows:
        key = row.process_key
        started = local_date(row.created_at)
        first[key] = min(first.get(key, started), started)
        if row.state == OPEN:
            current.add(key)
            continue
        ended = local_date(row.completed_at or row.created_at)  # a cancelled task ended where it began
        last[key] = max(last.get(key, ended), ended)
    spans = []
    for key, began in first.items():
        ended = None if key in current else last[key]
        spans.append(StageSpan(key, began, ended, ((ended or today) - began).days, limits.get(key)))
    return spans


def _diagrams(
    session: Session, instance: ProcessInstance, rows: list[HumanTask], systems: list[ExternalTask]
) -> list[Diagram]:
    """The project's own process (the lifecycle, its stages marked by their call activities), then the
    current (or last) stage's diagram with its steps — a service task another system is working on is
    current too."""
    diagrams = []
    top = session.get(ProcessVersion, instance.process_version_id)
    if top is not None:
        xml = source_of(session, top)
        calls = _call_activities(xml, top.source_file)
        stages_seen = {r.process_key for r in rows}
        done = [calls[k] for k in stages_seen if k in calls and k != instance.stage]
        current = [calls[instance.stage]] if instance.stage in calls else []
        current += [job.element_id for job in systems if job.process_key == top.process_key]
        diagrams.append(_marked(top.name or top.process_key, xml, [r for r in rows if r.process_key == top.process_key],
                                done, current))  # fmt: skip
    stage = instance.stage or (rows[-1].process_key if rows else None)
    version_id = (instance.bound_versions or {}).get(stage) if stage and stage != instance.process_key else None
    version = session.get(ProcessVersion, version_id) if version_id else None
    if version is not None:
        of_stage = [r for r in rows if r.process_key == stage]
        at_work = [job.element_id for job in systems if job.process_key == stage]
        diagrams.append(_marked(version.name or str(stage), source_of(session, version), of_stage, [], at_work))
    return [d for d in diagrams if "BPMNDiagram" in d.xml]


def _marked(title: str, xml: str, rows: list[HumanTask], done: list[str], current: list[str]) -> Diagram:
    """A diagram with its own tasks marked: done (with a count when done more than once) and current."""
    counts = Counter(r.element_id for r in rows if r.state == COMPLETED)
    waiting = [r.element_id for r in rows if r.state == OPEN]
    return Diagram(
        title,
        xml,
        [*done, *counts],
        list(dict.fromkeys([*current, *waiting])),
        {element: count for element, count in counts.items() if count > 1},
    )


def _call_activities(xml: str, source: str) -> dict[str, str]:
    """calledElement → the call activity's id, to mark a lifecycle's stages."""
    root = parse_xml(xml, source).getroot()
    return {
        element.get("calledElement", ""): element.get("id", "")
        for element in root.iter(f"{{{BPMN_NS}}}callActivity")
        if element.get("calledElement")
    }


def submissions(
    session: Session, principal: Principal, instance_id: int, *, before: int | None = None
) -> list[Submission]:
    """The completed tasks of a project the person may read (those before task ``before``, when given)
    with what they submitted, newest last — what a reviewer reads before deciding."""
    instance = access.readable_instance(session, principal, instance_id)
    query = select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == COMPLETED)
    if before is not None:
        query = query.where(HumanTask.id < before)
    rows = list(session.scalars(query.order_by(HumanTask.id)))
    events = session.execute(
        select(AuditEvent.human_task_id, AuditEvent.data).where(
            AuditEvent.instance_id == instance.id, AuditEvent.action == COMPLETED_EVENT
        )
    )
    return _submissions(session, instance, rows, {task_id: data or {} for task_id, data in events})


def _submissions(
    session: Session, instance: ProcessInstance, rows: list[HumanTask], submitted: dict[int | None, dict[str, Any]]
) -> list[Submission]:
    forms: dict[tuple[str, str], dict[str, Any] | None] = {}
    found = []
    for row in [r for r in rows if r.state == COMPLETED and r.id in submitted][-MAX_SUBMISSIONS:]:
        key = (row.process_key, row.form_key or "")
        if key not in forms:
            forms[key] = task_form(session, row) if row.form_key else None
        found.append(Submission(row, forms[key], submitted[row.id]))
    return found


def completed_values(session: Session, task_id: int) -> dict[str, Any] | None:
    """What a completed task submitted (its completion's audit data), for showing it read-only; ``None``
    for a task not completed."""
    return session.scalar(
        select(AuditEvent.data)
        .where(AuditEvent.human_task_id == task_id, AuditEvent.action == COMPLETED_EVENT)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
