"""Who may do what where: the role × locality × action rules, as data, and the checks built on them.

Pages and the HTTP API ask the same questions here, so a rule changes in one place. An action is
allowed when the person is an administrator or holds one of the action's roles with a grant that
*reaches* the locality: ``OWN`` reaches only the grant's locality, ``BELOW`` also every locality
under it (a 克拉玛依 manager oversees 白碱滩区). Reading a project is wider: its participants (who
started it, who holds or held one of its tasks) may read it too.

Checks that answer "no" for something the person may not even see raise ``NotFoundError`` (ids
reveal nothing); a "no" for something visible raises ``PermissionDeniedError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from ..errors import NotFoundError, PermissionDeniedError
from ..store.models import OPEN, AuditEvent, HumanTask, ProcessInstance
from .localities import descendants, lineage
from .users import Principal

OWN, BELOW = "own", "below"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    reach: str = OWN


def _rule(*roles: str, reach: str = OWN) -> Rule:
    return Rule(frozenset(roles), reach)


#: The matrix. Task work (claim, complete …) is not here: it follows each task's own role and lane.
RULES: dict[str, Rule] = {
    "instance.start": _rule("purchaser"),
    "instance.cancel": _rule("manager", reach=BELOW),
    "instance.suspend": _rule("manager", reach=BELOW),
    "instance.read_all": _rule("manager", "auditor", reach=BELOW),
    "definition.deploy": _rule("designer"),
    "definition.validate": _rule("designer"),
    "message.correlate": _rule("agent", "finance_reviewer", "purchaser"),
    "figures.read": _rule("manager", "auditor", reach=BELOW),
    "audit.read_all": _rule("auditor", reach=BELOW),
}


def allowed(session: Session, principal: Principal, action: str, locality: str) -> bool:
    """Whether ``action`` is allowed in ``locality`` by the matrix (administrators always)."""
    if principal.is_admin:
        return True
    rule = RULES[action]
    holding = {g.locality for g in principal.grants if g.role in rule.roles}
    if not holding:
        return False
    if rule.reach == OWN:
        return locality in holding
    return bool(holding & set(lineage(session, locality)))


def require(session: Session, principal: Principal, action: str, locality: str) -> None:
    if not allowed(session, principal, action, locality):
        raise PermissionDeniedError(f"you may not {action.split('.')[1].replace('_', ' ')} in locality {locality}")


def may_anywhere(principal: Principal, action: str) -> bool:
    """Whether the person could do ``action`` somewhere (to refuse a whole endpoint early)."""
    return principal.is_admin or any(g.role in RULES[action].roles for g in principal.grants)


def localities_for(session: Session, principal: Principal, action: str) -> set[str] | None:
    """Every locality where ``action`` is allowed; ``None`` for administrators (everywhere)."""
    if principal.is_admin:
        return None
    rule = RULES[action]
    codes: set[str] = set()
    for grant in principal.grants:
        if grant.role in rule.roles:
            codes.update(descendants(session, grant.locality) if rule.reach == BELOW else [grant.locality])
    return codes


# --------------------------------------------------------------------------- projects


def can_start(session: Session, principal: Principal, process_key: str, locality: str) -> bool:
    """Purchasers start projects of their own locality (any deployed process it can use)."""
    return allowed(session, principal, "instance.start", locality)


def readable_instances(session: Session, principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``ProcessInstance``: the projects this person may read."""
    if principal.is_admin:
        return true()
    overseen = localities_for(session, principal, "instance.read_all") or set()
    return or_(
        ProcessInstance.locality_code.in_(overseen) if overseen else false(),
        ProcessInstance.started_by == principal.username,
        exists().where(HumanTask.instance_id == ProcessInstance.id, _task_involves(principal)),
    )


def can_read_instance(session: Session, principal: Principal, instance: ProcessInstance) -> bool:
    if principal.is_admin or allowed(session, principal, "instance.read_all", instance.locality_code):
        return True
    if instance.started_by == principal.username:
        return True
    involved = session.scalar(
        select(HumanTask.id).where(HumanTask.instance_id == instance.id, _task_involves(principal)).limit(1)
    )
    return involved is not None


def readable_instance(session: Session, principal: Principal, instance_id: int) -> ProcessInstance:
    """The project if this person may read it, else "does not exist" (ids reveal nothing)."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or not can_read_instance(session, principal, instance):
        raise NotFoundError(f"project (instance) {instance_id} does not exist")
    return instance


def can_cancel(session: Session, principal: Principal, instance: ProcessInstance) -> bool:
    """Managers over the locality, and the purchaser who started it."""
    return instance.started_by == principal.username or allowed(
        session, principal, "instance.cancel", instance.locality_code
    )


# --------------------------------------------------------------------------- tasks


def _task_involves(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``HumanTask``: tasks of the person's groups, or that they hold or held."""
    scopes = sorted(principal.task_scopes())
    mine = or_(
        HumanTask.assignee == principal.username,
        HumanTask.delegated_from == principal.username,
        HumanTask.completed_by == principal.username,
    )
    if not scopes:
        return mine
    return or_(mine, *(and_(HumanTask.role == role, HumanTask.locality_code == loc) for role, loc in scopes))


def visible_tasks(principal: Principal) -> ColumnElement[bool]:
    return true() if principal.is_admin else _task_involves(principal)


def can_see_task(principal: Principal, task: HumanTask) -> bool:
    if principal.is_admin or (task.role, task.locality_code) in principal.task_scopes():
        return True
    return principal.username in (task.assignee, task.delegated_from, task.completed_by)


def visible_task(session: Session, principal: Principal, task_id: int) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None or not can_see_task(principal, task):
        raise NotFoundError(f"task {task_id} does not exist")
    return task


def can_work_task(principal: Principal, task: HumanTask) -> bool:
    """Complete it: assigned to them, or unassigned and in one of their (role, locality) groups."""
    if task.state != OPEN:
        return True  # let the engine answer "already completed" (409) rather than "forbidden"
    if task.assignee:
        return task.assignee == principal.username
    return principal.is_admin or (task.role, task.locality_code) in principal.task_scopes()


def is_lead_for(principal: Principal, task: HumanTask) -> bool:
    """Group leads (and administrators) hand a task to someone of the same role and locality."""
    return principal.is_admin or any(
        g.is_lead and g.role == task.role and g.locality == task.locality_code for g in principal.grants
    )


def require_task(principal: Principal, task: HumanTask, action: str) -> None:
    """Claim, unclaim, assign, delegate, take back or complete — or a clear refusal."""
    ok = {
        "claim": can_work_task(principal, task),
        "complete": can_work_task(principal, task),
        "unclaim": task.assignee == principal.username or is_lead_for(principal, task),
        "assign": is_lead_for(principal, task),
        "delegate": task.assignee == principal.username,
        "take_back": task.delegated_from == principal.username,
    }[action]
    if not ok:
        raise PermissionDeniedError(f"you may not {action.replace('_', ' ')} task {task.id}")


# --------------------------------------------------------------------------- definitions and audit


def readable_definition_localities(session: Session, principal: Principal) -> set[str] | None:
    """Localities whose deployed processes the person may read: their own and those they inherit from,
    plus everything below where they oversee or design. ``None`` for administrators."""
    if principal.is_admin:
        return None
    codes: set[str] = set()
    for grant in principal.grants:
        codes.update(lineage(session, grant.locality))
        if grant.role in ("designer", "manager", "auditor"):
            codes.update(descendants(session, grant.locality))
    return codes


def audit_scope(session: Session, principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``AuditEvent`` for the global audit trail (auditors: their localities and below)."""
    if principal.is_admin:
        return true()
    codes = localities_for(session, principal, "audit.read_all") or set()
    if not codes:
        return false()
    return AuditEvent.instance_id.in_(select(ProcessInstance.id).where(ProcessInstance.locality_code.in_(codes)))


def in_localities(column: ColumnElement[str], codes: Iterable[str] | None) -> ColumnElement[bool]:
    """``column IN codes``, or no restriction for ``None`` (administrators)."""
    return true() if codes is None else column.in_(sorted(codes))
