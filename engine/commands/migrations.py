"""Move one project to another version of a process, judge whether it can, and move it back.

``judge`` is the dry run of one project: its state is loaded and re-pointed at the target's specs
(``spiff.repoint``) and thrown away. ``migrate`` does the same under the instance lock and keeps it: the
state (same task ids, so the project's task rows keep their id, assignee, claim, draft, due date and
reminders, and its timer jobs and external tasks stay as they are), the bindings, and a ``migrated``
audit event naming from, to, who and the mapping. ``revert`` moves a project back while that event is
still the last thing that happened to it. The caller's unit of work commits; a refusal keeps nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..definitions.versions import current_version_calls
from ..errors import ConflictError, InvalidStateError
from ..spiff import runtime
from ..spiff.repoint import Outcome, repoint
from ..spiff.runtime import SpecSet
from ..store import audit
from ..store.models import OPEN, AuditEvent, HumanTask, ProcessInstance, ProcessVersion
from .instances import CANCELLED, COMPLETED, Context, lock, specs_for
from .migration_plan import CheckedPlan, Plan, check

MIGRATED = "migrated"


@dataclass
class Verdict:
    """One project in a dry run or a batch: can it move (or did it), and why not."""

    instance_id: int
    business_key: str
    locality: str
    stage: str | None
    status: str
    can_move: bool
    reasons: list[dict[str, str]] = field(default_factory=list)
    moved: dict[str, str] = field(default_factory=dict)
    ahead: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def judge(session: Session, ctx: Context, checked: CheckedPlan, instance: ProcessInstance) -> Verdict:
    """Whether ``instance`` can move as planned, without changing anything."""
    verdict, _, _ = _try(session, ctx, checked, instance)
    return verdict


def migrate(session: Session, ctx: Context, checked: CheckedPlan, instance_id: int, actor: str) -> Verdict:
    """Move one project under its lock; refused (nothing written) when it cannot move."""
    instance = lock(session, instance_id)
    return _move(session, ctx, checked, instance, actor, revert_of=None)


def revert(session: Session, ctx: Context, instance_id: int, actor: str) -> Verdict:
    """Move a project back to the versions it was migrated from, if nothing happened to it since."""
    instance = lock(session, instance_id)
    last = session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    if last is None or last.action != MIGRATED:
        done = last.action if last is not None else "nothing"
        raise InvalidStateError(
            f"project {instance.id} cannot be moved back: the last thing that happened to it is {done}, not a migration"
        )
    data = last.data or {}
    plan = Plan(
        sources=(int(data["to_version"]),),
        target=int(data["from_version"]),
        mapping={new: old for old, new in (data.get("mapping") or {}).items()},
        statuses=(instance.status,),
    )
    return _move(session, ctx, check(session, plan), instance, actor, revert_of=last.id)


def _move(
    session: Session,
    ctx: Context,
    checked: CheckedPlan,
    instance: ProcessInstance,
    actor: str,
    *,
    revert_of: int | None,
) -> Verdict:
    verdict, workflow, new = _try(session, ctx, checked, instance)
    if not verdict.can_move:
        first = verdict.reasons[0]["message"]
        raise InvalidStateError(f"project {instance.id} cannot move: {first}", reasons=verdict.reasons)
    now = ctx.now()
    key, plan = checked.process_key, checked.plan
    source = instance.bound_versions[key]
    bound = _rebound(session, instance, key, plan.target)
    instance.state = runtime.save(workflow)
    instance.bound_versions = bound
    if instance.process_key == key:
        instance.process_version_id = plan.target
    instance.updated_at = now
    _retarget_rows(session, instance, workflow, new)
    data = {"from_version": source, "to_version": plan.target, "process": key, "mapping": dict(plan.mapping)}
    if revert_of is not None:
        data["revert_of"] = revert_of
    audit.record(session, MIGRATED, actor, now, instance_id=instance.id, data=data)
    return verdict


def _try(
    session: Session, ctx: Context, checked: CheckedPlan, instance: ProcessInstance
) -> tuple[Verdict, Any, SpecSet]:
    """Load the project and re-point it at the target: the verdict, the re-pointed workflow, the new specs."""
    verdict = Verdict(
        instance.id, instance.business_key, instance.locality_code, instance.stage, instance.status, can_move=False
    )
    key, plan = checked.process_key, checked.plan
    old = specs_for(session, ctx, instance.process_key, instance.bound_versions)
    new = specs_for(session, ctx, instance.process_key, _rebound(session, instance, key, plan.target))
    refusal = _refusal(instance, key, plan)
    if refusal is not None:
        verdict.reasons.append(refusal)
        return verdict, None, new
    workflow = runtime.load(instance.state, old)
    moving = {name for name, vid in old.owner.items() if new.owner.get(name) != vid}
    outcome: Outcome = repoint(workflow, old, new, moving, plan.mapping)
    verdict.can_move = outcome.can_move
    verdict.reasons = [o.to_dict() for o in outcome.obstacles]
    verdict.moved, verdict.ahead, verdict.passed = outcome.moved, outcome.ahead, outcome.passed
    return verdict, workflow, new


def _refusal(instance: ProcessInstance, key: str, plan: Plan) -> dict[str, str] | None:
    if instance.status in (COMPLETED, CANCELLED):
        return {"code": instance.status, "element_id": "", "message": f"the project is {instance.status}"}
    bound = instance.bound_versions.get(key)
    if bound == plan.target:
        raise ConflictError(f"project {instance.id} is already on version {plan.target}")
    if bound not in plan.sources:
        raise ConflictError(f"project {instance.id} is on version {bound}, not on one the plan moves from")
    return None


def _rebound(session: Session, instance: ProcessInstance, key: str, target: int) -> dict[str, int]:
    """The bindings after the move: ``key`` on the target, and whatever the target calls that the project
    did not call before bound as a new project would bind it (the locality's current version)."""
    bound = {**instance.bound_versions, key: target}
    row = session.get(ProcessVersion, target)
    pending = list(row.calls) if row is not None else []
    while pending:
        called = pending.pop()
        if called in bound:
            continue
        bound[called], calls = current_version_calls(session, called, instance.locality_code)
        pending.extend(calls)
    return bound


def _retarget_rows(session: Session, instance: ProcessInstance, workflow: Any, specs: SpecSet) -> None:
    """Open task rows name their element, its name and form as the new version has them; everything
    a person did with the row (claim, draft, due date, reminders) stays."""
    ready = {task.task_uuid: task for task in runtime.ready_tasks(workflow)}
    owner_key = {vid: key for key, vid in instance.bound_versions.items()}
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == OPEN))
    for row in rows:
        task = ready.get(row.task_uuid)
        if task is None:
            continue
        row.element_id = task.element_id
        row.name = task.name
        row.form_key = task.extensions.get("servflow:task", {}).get("formKey") or None
        row.process_key = owner_key.get(specs.owner.get(task.spec_name, -1), row.process_key)
