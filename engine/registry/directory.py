"""A provider's whole entry in the registry, as finance, departments and agents look it up before an award.

Who reads it: finance reviewers, managers, auditors, purchasers and procurement agents (anyone weighing a
provider), and a provider its own entry only — its credit record and the projects it won are its own
business, not its competitors'. Blacklist entries active today are public anyway (``public_bans``, on the
disclosure page, as 政府采购严重违法失信行为记录名单 are).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from ..errors import PermissionDeniedError
from ..identity import access
from ..identity.localities import get_locality
from ..identity.users import Principal
from ..store.models import BlacklistEntry, CreditRecord, Organization, ProcessInstance, ProviderQualification
from ..store.search import any_contains
from .credit import MANAGE, PROVIDER, active_ban, provider

READ = "registry.read"
MAX_LISTED = 500


@dataclass(frozen=True)
class ProviderRow:
    """A provider in the list: who it is and whether it is barred today."""

    organization: Organization
    ban: BlacklistEntry | None


@dataclass(frozen=True)
class ProviderEntry:
    """Everything the registry holds on one provider."""

    organization: Organization
    ban: BlacklistEntry | None
    qualifications: list[ProviderQualification]
    credit_records: list[CreditRecord]
    blacklist: list[BlacklistEntry]
    projects: list[ProcessInstance]
    may_manage: bool


@dataclass(frozen=True)
class PublicBan:
    """A ban in force today, as the public disclosure page shows it."""

    name: str
    credit_code: str | None
    locality_code: str
    reason: str
    starts_on: date
    ends_on: date


def may_read_all(principal: Principal) -> bool:
    """Whether the person reads every provider's entry (not only their own organization's)."""
    return access.may_anywhere(principal, READ)


def list_providers(
    session: Session,
    principal: Principal,
    today: date,
    *,
    locality: str | None = None,
    q: str | None = None,
    banned: bool | None = None,
) -> list[ProviderRow]:
    """Providers by locality and name, filtered by locality, a part of the name or credit code, and by
    whether they are barred today; a provider's own people see its own row only."""
    query = select(Organization).where(Organization.kind == PROVIDER, Organization.is_active.is_(True))
    if not may_read_all(principal):
        if not (principal.has_role(PROVIDER) and principal.organizations):
            raise PermissionDeniedError("你不能查阅承接主体名录 / you may not read the provider registry")
        query = query.where(Organization.id.in_(principal.organizations))
    if locality:
        query = query.where(Organization.locality_code == get_locality(session, locality).code)
    if q and q.strip():
        query = query.where(any_contains(q.strip(), Organization.name, Organization.credit_code))
    if banned is not None:
        barred = exists().where(_in_force(today), BlacklistEntry.organization_id == Organization.id)
        query = query.where(barred if banned else ~barred)
    found = session.scalars(query.order_by(Organization.locality_code, Organization.name).limit(MAX_LISTED))
    return [ProviderRow(o, active_ban(session, o.id, today)) for o in found]


def provider_entry(session: Session, principal: Principal, organization_id: int, today: date) -> ProviderEntry:
    """One provider's qualifications, credit record, blacklist history and the projects it won."""
    found = provider(session, organization_id)
    if not (may_read_all(principal) or found.id in principal.organizations):
        raise PermissionDeniedError("你只能查阅本单位的名录信息 / you may read only your own organization's entry")
    of_provider = {"organization_id": found.id}
    return ProviderEntry(
        organization=found,
        ban=active_ban(session, found.id, today),
        qualifications=list(
            session.scalars(
                select(ProviderQualification).filter_by(**of_provider).order_by(ProviderQualification.id.desc())
            )
        ),
        credit_records=list(
            session.scalars(select(CreditRecord).filter_by(**of_provider).order_by(CreditRecord.recorded_at.desc()))
        ),
        blacklist=list(
            session.scalars(select(BlacklistEntry).filter_by(**of_provider).order_by(BlacklistEntry.starts_on.desc()))
        ),
        projects=list(
            session.scalars(
                select(ProcessInstance)
                .where(ProcessInstance.parties[PROVIDER].as_integer() == found.id)
                .order_by(ProcessInstance.started_at.desc())
                .limit(MAX_LISTED)
            )
        ),
        may_manage=access.allowed(session, principal, MANAGE, found.locality_code),
    )


def public_bans(session: Session, today: date, locality: str | None = None) -> list[PublicBan]:
    """The bans in force today (of a locality's providers when one is given), latest first."""
    query = (
        select(Organization, BlacklistEntry)
        .join(BlacklistEntry, BlacklistEntry.organization_id == Organization.id)
        .where(_in_force(today))
        .order_by(BlacklistEntry.starts_on.desc(), BlacklistEntry.id.desc())
        .limit(MAX_LISTED)
    )
    if locality:
        query = query.where(Organization.locality_code == locality)
    return [
        PublicBan(o.name, o.credit_code, o.locality_code, e.reason, e.starts_on, e.ends_on)
        for o, e in session.execute(query)
    ]


def _in_force(today: date) -> ColumnElement[bool]:
    return and_(BlacklistEntry.lifted_at.is_(None), BlacklistEntry.starts_on <= today, BlacklistEntry.ends_on >= today)
