"""A project's own parties: which organization is the project's purchaser, provider, agent …

A lane's role resolves to the project's party of that role when it has one, so a purchaser-lane task goes
to the purchasing department that applied and a provider-lane task to the provider that won, not to every
purchaser or provider of the locality. How each role's party is found is the bundle's ``parties`` setting
(``engine.formats.settings.PartyRule``):

- ``from: applicant`` — at start, the starter's organization of that kind in the project's locality. A
  person starting a project must work for exactly one (or name which); a trusted caller (CLI, demo,
  scenario) or a starter of none leaves the role unbound;
- ``from: locality`` — at start, the locality's one active organization of that kind (its finance bureau);
- ``credit_code`` — when a task submits a 统一社会信用代码 in that field, the registered organization of
  that kind with that code; an unregistered code, and a provider blacklisted on the ``not_banned_on`` date,
  are refused on the field, so the award never names a party the registry does not know or has banned.

Each binding or change is an audit event (``party_bound``). A change also moves the role's open tasks of
the project to the new party; ``tasks.sync`` copies the party onto rows it creates.

The project's evaluation result (the bundle's ``credit_record`` fields) enters the bound provider's credit
record in the registry (``engine.registry.credit``) as soon as it is known, updated if it changes; a breach
grade (``差``) also tells the project's finance bureau, who decide on a blacklisting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..calendars.deadlines import local_date
from ..errors import InvalidDataError, ServflowError
from ..formats.credit_code import credit_code_problems, normalize
from ..formats.settings import APPLICANT, LOCALITY, BundleSettings, PartyRule
from ..identity.roles import is_known_role, role_for_lane
from ..registry.credit import active_ban, ban_message, record_credit
from ..spiff.registry_lookup import BanLookup, bans_from
from ..spiff.runtime import ReadyTask, evaluate
from ..store import audit
from ..store.models import OPEN, AuditEvent, HumanTask, Membership, Organization, ProcessInstance, RoleGrant, User
from ..store.outbox import Notice, notify

PROVIDER = "provider"
CANDIDATE_ATTRIBUTES = ("candidateOrganization", "candidateUser", "candidateGroups")
EVALUATION = "evaluate"  # the credit record's source: the project's performance evaluation
FINANCE = "finance_reviewer"
CREDIT_BREACH = "credit_breach"  # the notification's kind


def party_of(instance: ProcessInstance, role: str | None) -> int | None:
    """The organization the project's tasks of ``role`` go to, or ``None`` (everyone of the role)."""
    return (instance.parties or {}).get(role) if role else None


def bind_at_start(
    session: Session,
    instance: ProcessInstance,
    rules: Iterable[PartyRule],
    username: str,
    now: datetime,
    *,
    from_person: bool,
    chosen: int | None = None,
) -> None:
    """Bind the parties known when a project starts: the applicant's department, the locality's bureau.

    ``chosen`` is the organization a person starting the project named (they work for several)."""
    for rule in rules:
        if rule.source == APPLICANT:
            found = _applicant_organization(session, instance, rule, username, from_person=from_person, chosen=chosen)
        elif rule.source == LOCALITY:
            locality = _active(rule.kind).where(Organization.locality_code == instance.locality_code)
            found = _only(session, locality)
        else:
            continue
        if found is not None:
            _bind(session, instance, rule.role, found, username, now)


def bind_from_submission(
    session: Session,
    instance: ProcessInstance,
    rules: Iterable[PartyRule],
    data: Mapping[str, Any],
    username: str,
    now: datetime,
) -> None:
    """Bind (or change) the parties a task's submitted data names by credit code; refuse what cannot be."""
    errors: dict[str, list[str]] = {}
    bindings = []
    for rule in rules:
        value = data.get(rule.credit_code) if rule.credit_code else None
        if not isinstance(value, str) or not value.strip():
            continue
        problems = credit_code_problems(value)
        if problems:
            errors[rule.credit_code] = problems
            continue
        code = normalize(value)
        found = session.scalar(_active(rule.kind).where(Organization.credit_code == code))
        if found is None:
            errors[rule.credit_code] = [unregistered(code)]
            continue
        if rule.role == PROVIDER or rule.not_banned_on:
            entry = active_ban(session, found.id, _day(data.get(rule.not_banned_on or ""), now))
            if entry is not None:
                errors[rule.credit_code] = [ban_message(entry)]
                continue
        bindings.append((rule.role, found))
    if errors:
        field, messages = next(iter(errors.items()))
        raise InvalidDataError(f"{field}: {messages[0]}", errors=errors)
    for role, found in bindings:
        _bind(session, instance, role, found, username, now)


def scripts_read_registry(session: Session) -> AbstractContextManager[None]:
    """While a step runs the workflow, its credit checks (``provider_ban`` in scripts) read the registry."""
    return bans_from(registry_bans(session))


@dataclass(frozen=True)
class Candidates:
    organization_id: int | None = None
    username: str | None = None
    role: str | None = None


def named_candidates(
    session: Session, instance: ProcessInstance, task: ReadyTask, settings: Mapping[str, Any], now: datetime
) -> Candidates:
    """Who a user task's own candidate expressions name, over the task's data: ``candidateOrganization`` (a
    credit code or organization id), ``candidateUser`` (a username, or a list of them: the first active
    one) and ``candidateGroups`` (a model from Camunda/Flowable: ``groups_of``).

    What names no active organization or person, or fails to evaluate, leaves the task to its lane's party;
    the project's history says so (``candidates_unresolved``), so a designer can see why."""
    found: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for attribute in CANDIDATE_ATTRIBUTES:
        expression = str(settings.get(attribute) or "").strip()
        if not expression:
            continue
        try:
            value = evaluate(expression, task.data)
        except ServflowError as exc:
            problems[attribute] = exc.message
            continue
        if attribute == "candidateGroups":
            found["role"], organization_id = groups_of(session, value)
            found["organization_id"] = found.get("organization_id") or organization_id
        elif attribute == "candidateUser":
            found["username"] = _first_active_username(session, value)
            if found["username"] is None:
                problems[attribute] = f"{value!r} is no active user"
        else:
            found["organization_id"] = _organization_named(session, value)
            if found["organization_id"] is None:
                problems[attribute] = f"{value!r} names no active organization"
    if problems:
        audit.record(
            session,
            "candidates_unresolved",
            "engine",
            now,
            instance_id=instance.id,
            element_id=task.element_id,
            data=problems,
        )
    return Candidates(**found)


def groups_of(session: Session, value: Any) -> tuple[str | None, int | None]:
    """The role and organization a Camunda/Flowable ``candidateGroups`` value names.

    Groups (a list, or a text of comma-separated names) are read in order: a role by its code, Chinese or
    English label (``finance_reviewer``, ``财政部门``) gives the task's role — the first one does; an active
    organization's 统一社会信用代码 binds the task to that organization; any other name is a role of the
    locality's own (as an unknown lane name is) when no known role was named."""
    names = value.split(",") if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else []
    names = [str(name).strip() for name in names if str(name).strip()]
    organizations = {name: _organization_named(session, name) for name in names}
    organization_id = next((o for o in organizations.values() if o is not None), None)
    roles = [role_for_lane(name) for name, organization in organizations.items() if organization is None]
    known = [role for role in roles if is_known_role(role)]
    return (known or roles or [None])[0], organization_id


def _first_active_username(session: Session, value: Any) -> str | None:
    for candidate in value if isinstance(value, list | tuple) else [value]:
        username = _active_username(session, candidate)
        if username is not None:
            return username
    return None


def _active_username(session: Session, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return session.scalar(select(User.username).where(User.username == value.strip(), User.is_active.is_(True)))


def _organization_named(session: Session, value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        condition = Organization.id == value
    elif isinstance(value, str) and value.strip():
        condition = Organization.credit_code == normalize(value)
    else:
        return None
    return session.scalar(select(Organization.id).where(condition, Organization.is_active.is_(True)))


def registry_bans(session: Session) -> BanLookup:
    """The blacklist check scripts call (``provider_ban``), answered from the registry in this step's
    transaction: a code no active provider is registered under is refused too."""

    def lookup(code: str, on: date) -> str:
        found = session.scalar(_active(PROVIDER).where(Organization.credit_code == code))
        if found is None:
            return unregistered(code)
        entry = active_ban(session, found.id, on)
        return ban_message(entry) if entry is not None else ""

    return lookup


def credit_fields(settings: BundleSettings) -> tuple[str, ...]:
    """The data fields a project keeps in its summary for the provider's credit record."""
    fields = settings.credit_record
    return tuple(name for name in (fields.grade, fields.score) if name) if fields else ()


def record_evaluation(
    session: Session,
    instance: ProcessInstance,
    settings: BundleSettings,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    username: str,
    now: datetime,
) -> None:
    """When a project's evaluation grade is set or changes, it enters its provider's credit record
    (one entry per project: a re-evaluation replaces it)."""
    fields = settings.credit_record
    provider = party_of(instance, PROVIDER)
    if fields is None or provider is None or after.get(fields.grade) in (None, ""):
        return
    names = credit_fields(settings)
    if all(before.get(name) == after.get(name) for name in names):
        return
    score = after.get(fields.score) if fields.score else None
    grade = str(after[fields.grade])
    if grade in fields.breach:
        what = (f"绩效评价为「{grade}」", f"was graded {grade}")
        _tell_finance_of_breach(session, instance, provider, what, f"breach:{instance.id}:{grade}", now)
    record_credit(
        session,
        organization_id=provider,
        instance_id=instance.id,
        grade=grade,
        score=float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None,
        source=EVALUATION,
        recorded_by=username,
        now=now,
    )


def record_failed_rectification(
    session: Session, instance: ProcessInstance, settings: BundleSettings, data: Mapping[str, Any], now: datetime
) -> None:
    """An acceptance failed again after a rectification (``credit_record.failed_rectification``: the field
    and value of a failed acceptance, seen a second time on the project) is a serious breach: finance is
    told, as for a breach grade. Called before the completion's own audit event is written."""
    rule = settings.credit_record.failed_rectification if settings.credit_record else None
    provider = party_of(instance, PROVIDER)
    if rule is None or provider is None or data.get(rule.field) != rule.value:
        return
    events = session.scalars(
        select(AuditEvent.data).where(AuditEvent.instance_id == instance.id, AuditEvent.action == "task_completed")
    )
    if not any((earlier or {}).get(rule.field) == rule.value for earlier in events):
        return  # the first failed acceptance: the provider rectifies
    what = ("整改后验收仍不合格", "failed its acceptance again after rectifying")
    _tell_finance_of_breach(session, instance, provider, what, f"rectification:{instance.id}", now)


def _tell_finance_of_breach(
    session: Session, instance: ProcessInstance, provider_id: int, what: tuple[str, str], key: str, now: datetime
) -> None:
    """A serious breach is for finance to weigh (blacklist or not): the people of the project's finance
    bureau — or, with none bound, the finance reviewers of its locality — are told once per ``key``, with
    the provider, the project and ``what`` (Chinese, English) happened named."""
    provider = session.get(Organization, provider_id)
    if provider is None:
        return
    finance = party_of(instance, FINANCE)
    people = select(User.username).where(User.is_active.is_(True))
    if finance is not None:
        people = people.join(Membership, Membership.user_id == User.id).where(Membership.organization_id == finance)
    else:
        people = people.join(RoleGrant, RoleGrant.user_id == User.id).where(
            RoleGrant.role == FINANCE, RoleGrant.locality_code == instance.locality_code
        )
    project = instance.title or instance.business_key
    notice = Notice(
        kind=CREDIT_BREACH,
        subject=f"【信用研判】承接主体「{provider.name}」在项目「{project}」中{what[0]}",
        body=(
            f"项目：{project}（{instance.business_key}）\n承接主体：{provider.name}（{provider.credit_code}）\n"
            f"请在承接主体名录中研判是否列入黑名单。 / The provider {what[1]} on this project; "
            "decide in the provider registry whether to blacklist it."
        ),
        key=key,
        instance_id=instance.id,
    )
    notify(session, session.scalars(people.distinct()), notice, now)


def unregistered(code: str) -> str:
    return (
        f"统一社会信用代码 {code} 未在名录中登记，请先在机构名录中登记该机构 / "
        f"No organization with credit code {code} is registered; register it in the organization list first"
    )


def no_department(locality: str) -> str:
    return (
        f"你不属于{locality}的任何采购单位，不能发起项目；请联系管理员将你加入所在单位 / "
        f"You work for no purchasing department of locality {locality}; ask a manager to add you to yours"
    )


def several_departments(names: list[str]) -> str:
    return (
        f"你属于多个采购单位（{'、'.join(names)}），请选择以哪个单位发起 / "
        f"You work for several purchasing departments ({', '.join(names)}); choose the one that applies"
    )


def not_yours(organization_id: int | None) -> str:
    return (
        f"你不是所选采购单位（{organization_id}）的成员 / You do not work for the chosen department {organization_id}"
    )


def _active(kind: str) -> Any:
    return select(Organization).where(Organization.kind == kind, Organization.is_active.is_(True))


def _only(session: Session, query: Any) -> Organization | None:
    found = list(session.scalars(query.limit(2)))
    return found[0] if len(found) == 1 else None


def _applicant_organization(
    session: Session,
    instance: ProcessInstance,
    rule: PartyRule,
    username: str,
    *,
    from_person: bool,
    chosen: int | None,
) -> Organization | None:
    query = (
        _active(rule.kind)
        .join(Membership, Membership.organization_id == Organization.id)
        .join(User, User.id == Membership.user_id)
        .where(User.username == username, Organization.locality_code == instance.locality_code)
        .order_by(Organization.name)
    )
    found = list(session.scalars(query))
    picked = [o for o in found if o.id == chosen] if chosen is not None else found
    if len(picked) == 1:
        return picked[0]
    if not from_person and chosen is None:
        return None
    if not found:
        message = no_department(instance.locality_code)
    elif len(found) > 1 and chosen is None:
        message = several_departments([o.name for o in found])
    else:
        message = not_yours(chosen)
    raise InvalidDataError(message, errors={"organization_id": [message]})


def _bind(
    session: Session, instance: ProcessInstance, role: str, found: Organization, username: str, now: datetime
) -> None:
    before = party_of(instance, role)
    if before == found.id:
        return
    instance.parties = {**(instance.parties or {}), role: found.id}
    session.execute(
        update(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == OPEN, HumanTask.role == role)
        .values(organization_id=found.id)
    )
    data: dict[str, Any] = {"role": role, "organization_id": found.id, "organization": found.name}
    if before is not None:
        data["replaced_organization_id"] = before
    audit.record(session, "party_bound", username, now, instance_id=instance.id, data=data)


def _day(value: Any, now: datetime) -> date:
    """The date a submitted field names (``yyyy-MM-dd``), or today where the project is."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    return local_date(now)
