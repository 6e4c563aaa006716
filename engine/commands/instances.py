"""Commands on one project: start, complete a task, cancel, suspend, resume, fire a timer.

Each function runs inside the caller's unit of work: it locks the instance row, loads the workflow,
advances it to the next wait state and writes state, task rows, timer jobs and audit together. The
caller commits; if anything raises, nothing of the step is kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from ..calendars.calendar_store import load_calendar
from ..calendars.deadline_hook import DeadlineFn
from ..calendars.deadlines import local_date
from ..definitions.settings import version_settings
from ..definitions.versions import current_version_calls
from ..documents.attach import attach
from ..errors import ConflictError, InvalidDataError, InvalidStateError, NotFoundError, PermissionDeniedError
from ..formats.settings import BundleSettings
from ..identity import access
from ..spiff import runtime
from ..spiff.runtime import SpecCache, SpecSet
from ..store import audit, events
from ..store.models import COMPLETED as TASK_COMPLETED
from ..store.models import OPEN, Disclosure, ExternalTask, HumanTask, ProcessInstance, ProcessVersion, TimerJob
from ..store.open_tasks import is_open
from . import announce, catalogue_choice, external_tasks, form_rules, incidents, parties, tasks
from .business_keys import next_business_key

RUNNING, SUSPENDED, COMPLETED, CANCELLED = "running", "suspended", "completed", "cancelled"
BPMN_TIMER = "bpmn_timer"
MAX_COMMENT = 2000
TaskRow = TypeVar("TaskRow", HumanTask, ExternalTask)


@dataclass
class Context:
    """What a command needs besides the session: the clock, the spec cache, deadline computation."""

    now: Callable[[], datetime]
    specs: SpecCache
    deadline: DeadlineFn | None = None
    validate_form: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None
    #: Bundle settings by process version id (versions never change; one Engine, one database).
    settings: dict[int, BundleSettings] = field(default_factory=dict)

    def settings_of(self, session: Session, instance: ProcessInstance) -> BundleSettings:
        return self.version_settings(session, instance.process_version_id)

    def version_settings(self, session: Session, version_id: int) -> BundleSettings:
        found = self.settings.get(version_id)
        if found is None:
            found = self.settings[version_id] = version_settings(session, version_id)
        return found


def bind_versions(session: Session, key: str, locality: str) -> dict[str, int]:
    """The versions a new instance runs on: the process and, transitively, every process it calls."""
    bound: dict[str, int] = {}
    pending = [key]
    while pending:
        current = pending.pop()
        if current in bound:
            continue
        bound[current], calls = current_version_calls(session, current, locality)
        pending.extend(calls)
    return bound


def spec_set(session: Session, ctx: Context, instance: ProcessInstance) -> SpecSet:
    return specs_for(session, ctx, instance.process_key, instance.bound_versions)


def specs_for(session: Session, ctx: Context, top_key: str, bound: dict[str, int]) -> SpecSet:
    """The specs of ``bound`` versions with ``top_key`` on top (a migration builds the target's too)."""
    cache_key = tuple(sorted(bound.values()))

    def build() -> SpecSet:
        rows = {v.id: v for v in session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(bound.values())))}
        return runtime.build_spec_set(
            top_key,
            {k: (vid, rows[vid].spec) for k, vid in bound.items()},
            forms={vid: row.forms for vid, row in rows.items()},
        )

    return ctx.specs.get(cache_key, build)


def lock(session: Session, instance_id: int) -> ProcessInstance:
    instance = session.scalars(
        select(ProcessInstance)
        .where(ProcessInstance.id == instance_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if instance is None:
        raise NotFoundError(f"project (instance) {instance_id} does not exist")
    return instance


@dataclass(frozen=True)
class Locked(Generic[TaskRow]):
    """A task's instance under lock, the task as it is now, and every task of the instance still open."""

    instance: ProcessInstance
    task: TaskRow
    open_tasks: list[TaskRow]


def _lock_statements(model: type[HumanTask] | type[ExternalTask], is_open_row: ColumnElement[bool]) -> tuple[Any, Any]:
    """The instance of a task of ``model`` for update, then the task and the instance's open ones."""
    instance_for_update = (
        select(ProcessInstance)
        .join(model, model.instance_id == ProcessInstance.id)
        .where(model.id == bindparam("task_id"))
        .with_for_update(of=ProcessInstance)
        .execution_options(populate_existing=True)
    )
    task_and_open_tasks = (
        select(model)
        .where(or_(model.id == bindparam("task_id"), and_(model.instance_id == bindparam("instance_id"), is_open_row)))
        .order_by(model.id)
        .execution_options(populate_existing=True)
    )
    return instance_for_update, task_and_open_tasks


# Built once: these pairs run on every completion, and building a statement costs as much as running it.
_LOCK_STATEMENTS = {
    HumanTask: _lock_statements(HumanTask, is_open()),
    ExternalTask: _lock_statements(ExternalTask, ExternalTask.state == external_tasks.OPEN),
}


def lock_for_task(
    session: Session, task_id: int, model: type[HumanTask] | type[ExternalTask] = HumanTask
) -> Locked[Any]:
    """Lock the instance a task (a person's, or a service task's row) belongs to, in one round trip, then
    read, under the lock and in one more, the task and the instance's open tasks of its kind (their
    ``sync`` needs them after the step)."""
    instance_for_update, task_and_open_tasks = _LOCK_STATEMENTS[model]
    instance = session.scalars(instance_for_update, {"task_id": task_id}).first()
    if instance is None:
        kind = "external task" if model is ExternalTask else "task"
        raise NotFoundError(f"{kind} {task_id} does not exist")
    rows = session.scalars(task_and_open_tasks, {"task_id": task_id, "instance_id": instance.id}).all()
    (task,) = [row for row in rows if row.id == task_id]
    return Locked(instance, task, [row for row in rows if row.state == OPEN])


@dataclass(frozen=True)
class Completed:
    """A completion's result: the instance, the task as completed, and the instance's open tasks now
    (new ones get their ids at the flush)."""

    instance: ProcessInstance
    task: HumanTask
    open_tasks: list[HumanTask]


def start(
    session: Session,
    ctx: Context,
    *,
    process_key: str,
    locality: str,
    business_key: str | None,
    data: dict[str, Any],
    actor: str,
    title: str | None = None,
    from_person: bool = False,
    organization_id: int | None = None,
) -> ProcessInstance:
    """Start a project; ``from_person``: ``actor`` is a person, who must work for a purchasing department
    there (``organization_id`` names which, when several). Without a ``business_key`` the project is
    numbered by the bundle's pattern."""
    now = ctx.now()
    bound = bind_versions(session, process_key, locality)
    settings = ctx.version_settings(session, bound[process_key])
    service = catalogue_choice.chosen_entry(session, settings.catalogue, locality, local_date(now).year, data)
    if not business_key:
        business_key = next_business_key(session, settings.business_key, locality, local_date(now))
    instance = ProcessInstance(
        process_version_id=bound[process_key],
        bound_versions=bound,
        process_key=process_key,
        locality_code=locality,
        business_key=business_key,
        title=title or str(data.get("project_name") or business_key),
        status=RUNNING,
        state="",
        started_by=actor,
        started_at=now,
        updated_at=now,
    )
    session.add(instance)
    session.flush()
    catalogue_choice.record(session, service, instance.id)
    audit.record(session, "started", actor, now, instance_id=instance.id, data=data)
    rules = ctx.settings_of(session, instance).parties
    parties.bind_at_start(session, instance, rules, actor, now, from_person=from_person, chosen=organization_id)
    specs = spec_set(session, ctx, instance)
    start_data = {"locality": locality, "business_key": business_key, **data}
    workflow = runtime.new_workflow(specs, start_data, started_by=actor)
    with parties.scripts_read_registry(session):
        runtime.advance(workflow, now=now)
    write_back(session, ctx, instance, workflow, specs, now, had_timers=False, had_external=False)
    return instance


def complete(
    session: Session,
    ctx: Context,
    *,
    task_id: int,
    data: dict[str, Any],
    actor: tasks.Actor,
) -> Completed:
    """Complete a task; a person (``actor``) is checked on the task as it is under the lock.

    Refusals come in the order a person fixes them: may not, wrong input (the form's rules, for an open
    task), then the state of the task and project (409). What may be submitted is decided here: a task
    with a form takes what its form allows; a task without one takes only a comment from a person, while
    a trusted caller in the process (a scenario, the CLI) may still set the data such a model's gateways
    read.
    """
    locked = lock_for_task(session, task_id)
    instance, row = locked.instance, locked.task
    username = tasks.acting(session, row, actor, "complete")
    if row.state == OPEN and row.assignee and row.assignee != username:
        raise ConflictError(f"task {row.id} is claimed by {row.assignee}", assignee=row.assignee)
    specs = spec_set(session, ctx, instance)
    from_person = not isinstance(actor, str)
    form = _form_for(instance, specs, row)
    if row.state == OPEN:
        data = attach(session, row, form, _submission(ctx, form, data, from_person=from_person))
    tasks.require_open(row)
    require_running(instance)
    actor = username
    now = ctx.now()
    settings = ctx.settings_of(session, instance)
    year = local_date(instance.started_at).year
    service = catalogue_choice.chosen_entry(session, settings.catalogue, instance.locality_code, year, data)
    parties.bind_from_submission(session, instance, settings.parties, data, actor, now)
    catalogue_choice.record(session, service, instance.id)
    workflow = runtime.load(instance.state, specs)
    if from_person:  # a trusted caller (a scenario, the demo, the CLI) sets what its script says
        calendar = functools.partial(load_calendar, session, instance.locality_code)
        form_rules.check(form, data, runtime.task_data(workflow, row.task_uuid), calendar)
    had_timers = bool(runtime.pending_timers(workflow))
    had_external = bool(runtime.waiting_external(workflow))
    with parties.scripts_read_registry(session):
        extensions, task_data = runtime.complete(workflow, row.task_uuid, data, now=now)
    _record_disclosure(session, instance, row, extensions.get("servflow:disclose"), task_data, now)
    parties.record_failed_rectification(session, instance, settings, data, now)
    row.state = TASK_COMPLETED
    row.completed_by = actor
    row.completed_at = now
    row.draft = None
    audit.record(
        session,
        "task_completed",
        actor,
        now,
        instance_id=instance.id,
        human_task_id=row.id,
        element_id=row.element_id,
        data=data,
    )
    open_now = write_back(
        session,
        ctx,
        instance,
        workflow,
        specs,
        now,
        latest=task_data,
        had_timers=had_timers,
        had_external=had_external,
        known_open=locked.open_tasks,
        actor=actor,
    )
    return Completed(instance, row, open_now)


def fire_timers(session: Session, ctx: Context, *, instance_id: int, actor: str = "scheduler") -> ProcessInstance:
    """Fire the instance's timers that are due by the engine clock; a no-op when none is due.

    Whether anything is due is decided from the timer-job rows under the instance lock, so when two
    schedulers hold jobs of the same instance the first fires them all (and marks them done in the same
    transaction) and the second finds nothing left: each job fires once, with one ``timer_fired`` event.
    """
    instance = lock(session, instance_id)
    if instance.status != RUNNING:
        return instance
    now = ctx.now()
    due = list(
        session.scalars(
            select(TimerJob)
            .where(
                TimerJob.instance_id == instance.id,
                TimerJob.kind == BPMN_TIMER,
                TimerJob.done_at.is_(None),
                TimerJob.due_at < now,
            )
            .order_by(TimerJob.id)
        )
    )
    if not due:
        return instance
    specs = spec_set(session, ctx, instance)
    workflow = runtime.load(instance.state, specs)
    with parties.scripts_read_registry(session):
        runtime.advance(workflow, now=now)
    audit.record(session, "timer_fired", actor, now, instance_id=instance.id, data={"jobs": [job.id for job in due]})
    write_back(session, ctx, instance, workflow, specs, now)
    return instance


def deliver(
    session: Session,
    ctx: Context,
    *,
    instance_id: int,
    change: Callable[[Any], None],
    actor: str,
    action: str,
    data: dict[str, Any] | None = None,
) -> ProcessInstance:
    """Apply ``change`` to the locked, running workflow (e.g. catch a message), run on, record ``action``."""
    instance = lock(session, instance_id)
    require_running(instance)
    specs = spec_set(session, ctx, instance)
    now = ctx.now()
    workflow = runtime.load(instance.state, specs)
    with parties.scripts_read_registry(session):
        change(workflow)
        runtime.advance(workflow, now=now)
    audit.record(session, action, actor, now, instance_id=instance.id, data=data)
    write_back(session, ctx, instance, workflow, specs, now)
    return instance


def acting_on(session: Session, instance: ProcessInstance, actor: tasks.Actor, action: str) -> str:
    """The username doing ``action`` on the (locked) project; a person is checked against the rules.

    A project the person may not read "does not exist"; one they read but may not act on is refused.
    """
    if isinstance(actor, str):
        return actor
    if not access.can_read_instance(session, actor, instance):
        raise NotFoundError(f"project (instance) {instance.id} does not exist")
    if action == "cancel":
        ok = access.can_cancel(session, actor, instance)
    else:
        ok = access.allowed(session, actor, "instance.suspend", instance.locality_code)
    if not ok:
        raise PermissionDeniedError(f"you may not {action} project {instance.id}")
    return actor.username


def cancel(
    session: Session, ctx: Context, *, instance_id: int, actor: tasks.Actor, reason: str = ""
) -> ProcessInstance:
    instance = lock(session, instance_id)
    actor = acting_on(session, instance, actor, "cancel")
    if instance.status in (COMPLETED, CANCELLED):
        raise InvalidStateError(f"project {instance.id} is already {instance.status}")
    now = ctx.now()
    specs = spec_set(session, ctx, instance)
    workflow = runtime.load(instance.state, specs)
    runtime.cancel(workflow)
    instance.state = runtime.save(workflow)
    instance.status = CANCELLED
    instance.ended_at = now
    instance.updated_at = now
    tasks.sync(session, instance, [], lambda name: name, now)
    _sync_timers(session, instance, [])
    external_tasks.sync(session, instance, [], lambda name: name, now)
    incidents.resolve_failed_steps(session, instance.id, incidents.CANCELLED, actor, now)
    audit.record(session, "cancelled", actor, now, instance_id=instance.id, data={"reason": reason})
    announce.project_event(session, events.PROJECT_CANCELLED, instance, now, reason=reason)
    return instance


def set_suspended(
    session: Session, ctx: Context, *, instance_id: int, actor: tasks.Actor, suspended: bool
) -> ProcessInstance:
    instance = lock(session, instance_id)
    actor = acting_on(session, instance, actor, "suspend" if suspended else "resume")
    wanted_from = RUNNING if suspended else SUSPENDED
    if instance.status != wanted_from:
        raise InvalidStateError(f"project {instance.id} is {instance.status}, not {wanted_from}")
    now = ctx.now()
    instance.status = SUSPENDED if suspended else RUNNING
    instance.updated_at = now
    audit.record(session, "suspended" if suspended else "resumed", actor, now, instance_id=instance.id)
    return instance


def waits_of(workflow: Any) -> dict[str, Any]:
    """What a loaded workflow waits on, as ``write_back``'s hints: with no timer, no service task or no user
    task waiting before a step, the step need not read those rows (they only ever mirror waits)."""
    return {
        "had_timers": bool(runtime.pending_timers(workflow)),
        "had_external": bool(runtime.waiting_external(workflow)),
        "known_open": None if runtime.ready_tasks(workflow) else [],
    }


def require_running(instance: ProcessInstance) -> None:
    if instance.status != RUNNING:
        raise InvalidStateError(f"project {instance.id} is {instance.status}; tasks cannot be completed")


def _submission(
    ctx: Context, form: dict[str, Any] | None, data: dict[str, Any], *, from_person: bool
) -> dict[str, Any]:
    """The data a completion may carry: the form's validated fields, or a task without a form's comment."""
    if form is not None:
        return ctx.validate_form(form, data) if ctx.validate_form is not None else data
    if not from_person:
        return data
    comment = data.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        message = f"comment: text of at most {MAX_COMMENT} characters"
        raise InvalidDataError(message, errors={"comment": [message]})
    extra = sorted(set(data) - {"comment"})
    if extra:
        message = f"this task has no form: only a comment may be submitted, not {', '.join(extra)}"
        raise InvalidDataError(message, errors={name: [message] for name in extra})
    return {"comment": comment.strip()} if comment.strip() else {}


def _form_for(instance: ProcessInstance, specs: SpecSet, row: HumanTask) -> dict[str, Any] | None:
    version_id = instance.bound_versions.get(row.process_key) or instance.process_version_id
    return specs.forms.get(version_id, {}).get(row.form_key)


def write_back(
    session: Session,
    ctx: Context,
    instance: ProcessInstance,
    workflow: Any,
    specs: SpecSet,
    now: datetime,
    latest: dict[str, Any] | None = None,
    had_timers: bool = True,
    had_external: bool = True,
    known_open: list[HumanTask] | None = None,
    known_external: list[ExternalTask] | None = None,
    actor: str = "engine",
) -> list[HumanTask]:
    """Write everything a step changed and return the instance's open tasks.

    ``had_timers=False`` (the loaded state waited on no timer) lets a step that leaves no timer skip
    reading timer jobs: jobs only ever mirror waiting timers; ``had_external=False`` the same for
    external tasks. ``known_open``: see ``tasks.sync``; ``known_external``: the instance's open external-task
    rows as read under its lock, so they need not be read again."""
    ready = runtime.ready_tasks(workflow)
    owner_key = {vid: key for key, vid in instance.bound_versions.items()}

    def stage_of(spec_name: str) -> str:
        return owner_key.get(specs.owner.get(spec_name, -1), spec_name)

    synced = tasks.sync(session, instance, ready, stage_of, now, ctx.deadline, known_open=known_open)
    timers = runtime.pending_timers(workflow)
    if timers or had_timers:
        _sync_timers(session, instance, timers, now)
    waiting = runtime.waiting_external(workflow)
    if waiting or had_external:
        external_tasks.sync(session, instance, waiting, stage_of, now, known_open=known_external)
    active = runtime.active_spec_names(workflow)
    left = instance.stage
    instance.stage = stage_of(active[0]) if active else None
    completed = runtime.is_completed(workflow)
    if completed:
        instance.status = COMPLETED
        instance.ended_at = now
        instance.stage = None
        audit.record(session, "completed", "engine", now, instance_id=instance.id)
    settings = ctx.settings_of(session, instance)
    before = dict(instance.summary or {})
    summary = dict(before)
    kept = settings.summary + parties.credit_fields(settings)
    for data in (runtime.workflow_data(workflow), latest or {}):
        summary.update({k: data[k] for k in kept if data.get(k) not in (None, "")})
    instance.summary = summary
    parties.record_evaluation(session, instance, settings, before, summary, actor, now)
    if summary.get("department") != instance.department:
        instance.department = summary.get("department")
        _copy_department(session, instance, synced.created)
    instance.title = str(summary.get("project_name") or instance.title)
    instance.state = runtime.save(workflow)
    if instance.error is not None:  # it ran again: the failure it had recorded is behind it
        incidents.resolve_failed_steps(session, instance.id, incidents.MOOT, actor, now)
        instance.error = None
    instance.updated_at = now
    announce.step_taken(session, instance, now, left=left, created=synced.created, completed=completed)
    return synced.open


def _copy_department(session: Session, instance: ProcessInstance, created: list[HumanTask]) -> None:
    """Open tasks carry their project's department, so dashboards count by it without a join."""
    session.execute(
        update(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == OPEN)
        .values(department=instance.department)
    )
    for row in created:  # not flushed yet (no autoflush), so the UPDATE above did not see them
        row.department = instance.department


def _record_disclosure(
    session: Session,
    instance: ProcessInstance,
    row: HumanTask,
    setting: dict[str, str] | None,
    data: dict[str, Any],
    now: datetime,
) -> None:
    """A task marked ``servflow:disclose`` publishes the named fields of its data when it completes."""
    if not setting or not setting.get("kind"):
        return
    fields = [f.strip() for f in setting.get("fields", "").split(",") if f.strip()]
    disclosure = Disclosure(
        instance_id=instance.id,
        locality_code=instance.locality_code,
        kind=setting["kind"],
        title=instance.title,
        element_id=row.element_id,
        data={"business_key": instance.business_key, **{f: data.get(f) for f in fields}},
        published_at=now,
    )
    session.add(disclosure)
    announce.disclosed(session, instance, disclosure, now)


def _sync_timers(
    session: Session, instance: ProcessInstance, timers: list[runtime.PendingTimer], now: datetime | None = None
) -> None:
    """Make the instance's open timer jobs match the workflow's waiting timers.

    A job that is no longer waiting and was due by ``now`` has run its course (fired, or its time passed
    while the step that made it moot ran): it is kept, marked done, as the record the scheduler and
    audits read. A job that was not yet due (timer cancelled, e.g. its user task was completed) is
    deleted. Without ``now`` (cancelling a project) every open job is deleted.
    """
    jobs = {
        (job.task_uuid, job.due_at): job
        for job in session.scalars(
            select(TimerJob).where(
                TimerJob.instance_id == instance.id, TimerJob.done_at.is_(None), TimerJob.kind == BPMN_TIMER
            )
        )
    }
    wanted = {(t.task_uuid, t.due_at) for t in timers}
    for key, job in jobs.items():
        if key in wanted:
            continue
        if now is not None and job.due_at < now:
            job.done_at = now
        else:
            session.delete(job)
    for task_uuid, due_at in wanted - set(jobs):
        session.add(TimerJob(instance_id=instance.id, kind=BPMN_TIMER, task_uuid=task_uuid, due_at=due_at))
