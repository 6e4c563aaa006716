"""What finance records about providers, and the one question awards ask: is this provider banned today?

A blacklist entry bars a provider from awards from ``starts_on`` to ``ends_on``, both days included, until
it is lifted; nothing is deleted, so the record shows what was decided, by whom and why. A project's
evaluation grade enters its provider's credit record (``record_credit``, one entry per project and source,
replaced on a re-evaluation). Finance reviewers and managers keep the registry of the localities they
reach; every write is an audit event, and a wrong field is refused naming it, in Chinese and English.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidDataError, NotFoundError, PermissionDeniedError
from ..identity import access
from ..identity.users import Principal
from ..store import audit
from ..store.models import BlacklistEntry, CreditRecord, Organization, ProviderQualification

PROVIDER = "provider"
MANAGE = "registry.manage"
MAX_REASON = 500
REQUIRED = "必填 / Required"


def active_ban(session: Session, organization_id: int, on: date) -> BlacklistEntry | None:
    """The entry barring the provider on ``on`` (not lifted, covering the day), the one ending last."""
    return session.scalars(
        select(BlacklistEntry)
        .where(
            BlacklistEntry.organization_id == organization_id,
            BlacklistEntry.lifted_at.is_(None),
            BlacklistEntry.starts_on <= on,
            BlacklistEntry.ends_on >= on,
        )
        .order_by(BlacklistEntry.ends_on.desc(), BlacklistEntry.id.desc())
    ).first()


def ban_message(entry: BlacklistEntry) -> str:
    """Why an award to the entry's provider is refused, with the reason and the period."""
    period = f"{entry.starts_on.isoformat()} 至 {entry.ends_on.isoformat()}"
    return (
        f"该承接主体在黑名单中（{period}）：{entry.reason} / "
        f"This provider is blacklisted ({entry.starts_on.isoformat()} to {entry.ends_on.isoformat()}): "
        f"{entry.reason}"
    )


def record_credit(
    session: Session,
    *,
    organization_id: int,
    instance_id: int | None,
    grade: str,
    score: float | None,
    source: str,
    recorded_by: str,
    now: datetime,
    note: str | None = None,
) -> CreditRecord:
    """Enter a grade (and score) in the provider's record; the same project and source replace theirs."""
    record = None
    if instance_id is not None:
        record = session.scalar(
            select(CreditRecord).where(
                CreditRecord.organization_id == organization_id,
                CreditRecord.instance_id == instance_id,
                CreditRecord.source == source,
            )
        )
    if record is None:
        record = CreditRecord(organization_id=organization_id, instance_id=instance_id, source=source)
        session.add(record)
    record.grade = grade[:20]
    record.score = score
    record.note = (note or "")[:MAX_REASON]
    record.recorded_by = recorded_by
    record.recorded_at = now
    session.flush()
    audit.record(
        session,
        "credit_recorded",
        recorded_by,
        now,
        instance_id=instance_id,
        data={"organization_id": organization_id, "grade": record.grade, "score": score, "source": source},
    )
    return record


def add_ban(
    session: Session,
    principal: Principal,
    organization_id: int,
    *,
    reason: Any,
    source: Any,
    starts_on: Any,
    ends_on: Any,
    now: datetime,
) -> BlacklistEntry:
    """Bar a provider from awards for a period (both days included)."""
    provider = _managed_provider(session, principal, organization_id)
    errors: dict[str, list[str]] = {}
    reason_text = _required_text(errors, "reason", reason)
    start, end = _period(errors, ("starts_on", starts_on), ("ends_on", ends_on), required=True)
    _refuse(errors, "黑名单信息有误 / The blacklist entry is not valid")
    assert start is not None and end is not None
    entry = BlacklistEntry(
        organization_id=provider.id,
        reason=reason_text,
        source=_text(source)[:200],
        starts_on=start,
        ends_on=end,
        decided_by=principal.username,
        decided_at=now,
    )
    _keep(session, entry)
    period = {"starts_on": start.isoformat(), "ends_on": end.isoformat()}
    _audit(session, "provider_banned", principal.username, now, provider.id,
           {"entry_id": entry.id, "reason": reason_text, **period})  # fmt: skip
    return entry


def lift_ban(session: Session, principal: Principal, entry_id: int, *, reason: Any, now: datetime) -> BlacklistEntry:
    """End a blacklist entry early; the entry stays in the record with who lifted it and why."""
    entry = session.get(BlacklistEntry, entry_id)
    if entry is None:
        raise NotFoundError(f"blacklist entry {entry_id} does not exist")
    _managed_provider(session, principal, entry.organization_id)
    errors: dict[str, list[str]] = {}
    reason_text = _required_text(errors, "reason", reason)
    if entry.lifted_at is not None:
        errors["reason"] = ["该黑名单记录已解除 / This blacklist entry was already lifted"]
    _refuse(errors, "无法解除 / The entry cannot be lifted")
    entry.lifted_by, entry.lifted_at, entry.lift_reason = principal.username, now, reason_text
    session.flush()
    _audit(session, "provider_ban_lifted", principal.username, now, entry.organization_id,
           {"entry_id": entry.id, "reason": reason_text})  # fmt: skip
    return entry


def add_qualification(
    session: Session,
    principal: Principal,
    organization_id: int,
    *,
    name: Any,
    number: Any = None,
    valid_from: Any = None,
    valid_until: Any = None,
    now: datetime,
) -> ProviderQualification:
    """Record a licence or certificate of a provider, with its validity when it has one."""
    provider = _managed_provider(session, principal, organization_id)
    errors: dict[str, list[str]] = {}
    name_text = _required_text(errors, "name", name, limit=200)
    start, until = _period(errors, ("valid_from", valid_from), ("valid_until", valid_until), required=False)
    _refuse(errors, "资质信息有误 / The qualification is not valid")
    qualification = ProviderQualification(
        organization_id=provider.id,
        name=name_text,
        number=_text(number)[:100],
        valid_from=start,
        valid_until=until,
        recorded_by=principal.username,
        recorded_at=now,
    )
    _keep(session, qualification)
    _audit(session, "qualification_added", principal.username, now, provider.id,
           {"qualification_id": qualification.id, "name": name_text})  # fmt: skip
    return qualification


def provider(session: Session, organization_id: int) -> Organization:
    """The provider with this id; any other organization, or none, is not found."""
    found = session.get(Organization, organization_id)
    if found is None or found.kind != PROVIDER:
        raise NotFoundError(f"provider {organization_id} does not exist")
    return found


def _managed_provider(session: Session, principal: Principal, organization_id: int) -> Organization:
    found = provider(session, organization_id)
    if not access.allowed(session, principal, MANAGE, found.locality_code):
        raise PermissionDeniedError(
            f"你不能维护{found.locality_code}的承接主体名录 / "
            f"you may not keep the provider registry of locality {found.locality_code}"
        )
    return found


def _period(
    errors: dict[str, list[str]], first: tuple[str, Any], last: tuple[str, Any], *, required: bool
) -> tuple[date | None, date | None]:
    """Two dates (field name, value) of which the second may not come before the first."""
    start = _day(errors, first[0], first[1], required=required)
    end = _day(errors, last[0], last[1], required=required)
    if start is not None and end is not None and end < start:
        errors[last[0]] = ["结束日期不能早于开始日期 / The end date cannot be before the start date"]
    return start, end


def _refuse(errors: dict[str, list[str]], message: str) -> None:
    if errors:
        raise InvalidDataError(message, errors)


def _keep(session: Session, row: object) -> None:
    session.add(row)
    session.flush()  # the row's id goes into the audit event


def _audit(
    session: Session, action: str, actor: str, now: datetime, organization_id: int, data: dict[str, Any]
) -> None:
    """A registry event: about an organization, not a project (the audit trail's scope reads
    ``organization_id``)."""
    audit.record(session, action, actor, now, data={"organization_id": organization_id, **data})


def _required_text(errors: dict[str, list[str]], field: str, value: Any, *, limit: int = MAX_REASON) -> str:
    text = _text(value)
    if not text:
        errors[field] = [REQUIRED]
    elif len(text) > limit:
        errors[field] = [f"不能超过{limit}个字符 / At most {limit} characters"]
    return text


def _day(errors: dict[str, list[str]], field: str, value: Any, *, required: bool = True) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = _text(value)
    if not text:
        if required:
            errors[field] = [REQUIRED]
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = [f"日期应为yyyy-MM-dd格式，而不是「{text}」 / A date is written yyyy-MM-dd, not {text!r}"]
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).strip()
