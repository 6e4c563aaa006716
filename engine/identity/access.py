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
from ..store.models import (
    OPEN,
    AuditEvent,
    HumanTask,
    Membership,
    Organization,
    ProcessInstance,
    RoleGrant,
    User,
)
from .localities import descendants, get_locality, lineage
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
    "task.reassign": _rule("manager", reach=BELOW),
    "organization.manage": _rule("manager", reach=BELOW),
    "audit.read_all": _rule("auditor", reach=BELOW),
    "registry.read": _rule("finance_reviewer", "manager", "auditor", "purchaser", "agent", reach=BELOW),
    "registry.manage": _rule("finance_reviewer", "manager", reach=BELOW),
    "catalogue.manage": _rule("finance_reviewer", "manager"),
    "external_task.work": _rule("worker", reach=BELOW),
    "incident.manage": _rule("manager", reach=BELOW),
    "webhook.manage": _rule("manager", reach=BELOW),
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


def require(session: Session, principal: Principal, action: str, locality: str) -> str:
    """The code of ``locality`` (a code or a name) if ``action`` is allowed there, else a refusal."""
    code = get_locality(session, locality).code
    if not allowed(session, principal, action, code):
        raise PermissionDeniedError(f"you may not {action.split('.')[1].replace('_', ' ')} in locality {code}")
    return code


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


def allowed_localities(
    session: Session, principal: Principal, action: str, locality: str | None, *, refused: str, outside: str
) -> set[str] | None:
    """Where ``principal`` may do ``action`` (None: everywhere), narrowed to the ``locality`` asked for
    (a code or a name).

    Refused with ``refused`` when nowhere, or with ``outside`` and the code when the asked-for locality
    is not among them; an unknown locality is "does not exist".
    """
    allowed = localities_for(session, principal, action)
    if allowed is not None and not allowed:
        raise PermissionDeniedError(refused)
    if locality:
        code = get_locality(session, locality).code
        if allowed is not None and code not in allowed:
            raise PermissionDeniedError(f"{outside} {code}")
        allowed = {code}
    return allowed


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
    instance = readable_instance_or_none(session, principal, instance_id)
    if instance is None:
        raise NotFoundError(f"project (instance) {instance_id} does not exist")
    return instance


def readable_instance_or_none(session: Session, principal: Principal, instance_id: int) -> ProcessInstance | None:
    instance = session.get(ProcessInstance, instance_id)
    return instance if instance is not None and can_read_instance(session, principal, instance) else None


def can_cancel(session: Session, principal: Principal, instance: ProcessInstance) -> bool:
    """Managers over the locality, and the purchaser who started it."""
    return instance.started_by == principal.username or allowed(
        session, principal, "instance.cancel", instance.locality_code
    )


# --------------------------------------------------------------------------- tasks


def in_groups(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``HumanTask``: tasks the person's groups may see unclaimed and claim.

    A task without a party goes to everyone holding its (role, locality); a task with one (the project's
    provider, purchasing department …) to the people of that organization who hold its role — wherever
    their grant is, as a provider of 乌鲁木齐 that wins a region project works it."""
    scopes = sorted(principal.task_scopes())
    if not scopes:
        return false()
    unbound = and_(
        HumanTask.organization_id.is_(None),
        or_(*(and_(HumanTask.role == role, HumanTask.locality_code == loc) for role, loc in scopes)),
    )
    if not principal.organizations:
        return unbound
    bound = and_(
        HumanTask.organization_id.in_(sorted(principal.organizations)),
        HumanTask.role.in_(sorted({role for role, _ in scopes})),
    )
    return or_(unbound, bound)


def _task_involves(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on ``HumanTask``: tasks of the person's groups, or that they hold or held."""
    mine = or_(
        HumanTask.assignee == principal.username,
        HumanTask.delegated_from == principal.username,
        HumanTask.completed_by == principal.username,
    )
    return or_(mine, in_groups(principal)) if principal.task_scopes() else mine


def visible_tasks(principal: Principal) -> ColumnElement[bool]:
    return true() if principal.is_admin else _task_involves(principal)


def can_see_task(principal: Principal, task: HumanTask) -> bool:
    if in_group(principal, task):
        return True
    return principal.username in (task.assignee, task.delegated_from, task.completed_by)


def visible_task(session: Session, principal: Principal, task_id: int) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None or not can_see_task(principal, task):
        raise NotFoundError(f"task {task_id} does not exist")
    return task


def in_group(principal: Principal, task: HumanTask) -> bool:
    """Holds the task's (role, locality), and works for the task's party if it has one: may see it unclaimed
    and claim it."""
    if principal.is_admin:
        return True
    if task.organization_id is not None:
        return task.organization_id in principal.organizations and principal.has_role(task.role)
    return (task.role, task.locality_code) in principal.task_scopes()


def can_work_task(principal: Principal, task: HumanTask) -> bool:
    """Complete it or save a draft: assigned to them, or unassigned and in one of their groups."""
    if task.state != OPEN:
        return True  # let the engine answer "already completed" (409) rather than "forbidden"
    if task.assignee:
        return task.assignee == principal.username
    return in_group(principal, task)


def is_lead_for(principal: Principal, task: HumanTask) -> bool:
    """Group leads (and administrators) hand a task to someone of its group: the same role and locality, or
    for a task with a party the same role in that organization."""
    bound = task.organization_id is not None
    return principal.is_admin or (
        in_group(principal, task)
        and any(
            g.is_lead and g.role == task.role and (bound or g.locality == task.locality_code) for g in principal.grants
        )
    )


def may_assign(session: Session, principal: Principal, task: HumanTask) -> bool:
    """Group leads, and managers over the task's locality (reassigning stuck work from the dashboard)."""
    return is_lead_for(principal, task) or allowed(session, principal, "task.reassign", task.locality_code)


def require_task(session: Session, principal: Principal, task: HumanTask, action: str) -> None:
    """Claim, unclaim, assign, delegate, take back, save a draft or complete — or a clear refusal.

    A task the person may not see is "does not exist"; one they see but may not act on is refused. Who
    holds a task is the engine's answer, not a permission: claiming or completing a task someone else
    holds is a conflict (409), so the rules for claim and complete ask only whether it is their group's.
    """
    reassigning = action == "assign" and may_assign(session, principal, task)
    if not (reassigning or can_see_task(principal, task)):
        raise NotFoundError(f"task {task.id} does not exist")
    mine = task.assignee == principal.username
    ok = {
        "claim": mine or in_group(principal, task),
        "complete": mine or in_group(principal, task),
        "draft": task.state != OPEN or can_work_task(principal, task),
        "unclaim": mine or is_lead_for(principal, task),
        "assign": reassigning,
        "delegate": mine,
        "take_back": task.delegated_from == principal.username,
    }[action]
    if not ok:
        raise PermissionDeniedError(f"you may not {action.replace('_', ' ')} task {task.id}")


def colleagues(session: Session, task: HumanTask, *, exclude: str | None = None) -> list[tuple[str, str]]:
    """(username, display name) of active people of the task's group: holding its role in its locality, or
    for a task with a party holding its role and working for that organization (as ``in_group``)."""
    if task.role is None:
        return []
    query = (
        select(User.username, User.display_name)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == task.role, User.is_active == true())
        .order_by(User.username)
    )
    if task.organization_id is not None:
        members = select(Membership.user_id).where(Membership.organization_id == task.organization_id)
        query = query.where(User.id.in_(members))
    else:
        query = query.where(RoleGrant.locality_code == task.locality_code)
    rows = session.execute(query.distinct()).all()
    return [(name, display) for name, display in rows if name != exclude]


def require_colleague(session: Session, task: HumanTask, username: str) -> None:
    """Assign/delegate only inside the group, so a task never leaves its locality's or its party's people."""
    if username not in {name for name, _ in colleagues(session, task)}:
        where = f"organization {task.organization_id}" if task.organization_id is not None else task.locality_code
        raise PermissionDeniedError(
            f"{username!r} does not hold role {task.role} in {where}", field="assignee", user=username
        )


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
    """SQL condition on ``AuditEvent`` for the global audit trail (auditors: their localities and below) —
    the events of their projects, and the registry's events (bans, credit) about their organizations."""
    if principal.is_admin:
        return true()
    codes = localities_for(session, principal, "audit.read_all") or set()
    if not codes:
        return false()
    projects = select(ProcessInstance.id).where(ProcessInstance.locality_code.in_(codes))
    organizations = select(Organization.id).where(Organization.locality_code.in_(codes))
    return or_(
        AuditEvent.instance_id.in_(projects),
        and_(AuditEvent.instance_id.is_(None), AuditEvent.data["organization_id"].as_integer().in_(organizations)),
    )


def in_localities(column: ColumnElement[str], codes: Iterable[str] | None) -> ColumnElement[bool]:
    """``column IN codes``, or no restriction for ``None`` (administrators)."""
    return true() if codes is None else column.in_(sorted(codes))
