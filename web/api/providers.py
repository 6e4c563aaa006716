"""The provider registry (承接主体名录): qualifications, credit records and the blacklist.

Finance reviewers, managers, auditors, purchasers and agents read every provider's entry, a provider its
own; finance reviewers and managers of the provider's locality (or above) record qualifications and
blacklist a provider for a period or lift a ban. Dates are ``yyyy-MM-dd``; a wrong field is a 422 naming it.
"""

from __future__ import annotations

from typing import Any

from engine.calendars.deadlines import local_date
from engine.registry import credit, directory
from engine.registry.directory import ProviderEntry, ProviderRow
from engine.store.models import BlacklistEntry, ProviderQualification

from ..engine_ext import get_engine
from .common import blueprint, me
from .schemas import (
    MAX_ID,
    BlacklistEntrySchema,
    LiftSchema,
    ProviderEntrySchema,
    ProviderQuery,
    ProviderRowSchema,
    QualificationSchema,
)

bp = blueprint("providers", "/providers", "The provider registry: qualifications, credit records, blacklist.")
bans = blueprint("blacklist", "/blacklist", "Lifting a provider's ban.")
PROVIDER_URL = f"/<int(max={MAX_ID}):organization_id>"


@bp.route("", methods=["GET"])
@bp.arguments(ProviderQuery, location="query")
@bp.response(200, ProviderRowSchema(many=True))
def list_providers(args: dict[str, Any]) -> list[ProviderRow]:
    """Providers with the ban in force today, if any; filter by locality, name or code, and banned."""
    engine = get_engine()
    return engine.read(directory.list_providers, me(), local_date(engine.clock()), **args)


@bp.route(PROVIDER_URL, methods=["GET"])
@bp.response(200, ProviderEntrySchema)
def read_provider(organization_id: int) -> ProviderEntry:
    """A provider's qualifications, credit record, blacklist history and the projects it won."""
    engine = get_engine()
    return engine.read(directory.provider_entry, me(), organization_id, local_date(engine.clock()))


@bp.route(f"{PROVIDER_URL}/qualifications", methods=["POST"])
@bp.arguments(QualificationSchema)
@bp.response(201, QualificationSchema)
def add_qualification(args: dict[str, Any], organization_id: int) -> ProviderQualification:
    """Record a licence or certificate of the provider (finance reviewers and managers)."""
    engine = get_engine()
    return engine.write(credit.add_qualification, me(), organization_id, now=engine.clock(), **args)


@bp.route(f"{PROVIDER_URL}/blacklist", methods=["POST"])
@bp.arguments(BlacklistEntrySchema)
@bp.response(201, BlacklistEntrySchema)
def add_ban(args: dict[str, Any], organization_id: int) -> BlacklistEntry:
    """Bar the provider from awards from ``starts_on`` to ``ends_on`` (both included)."""
    engine = get_engine()
    return engine.write(credit.add_ban, me(), organization_id, now=engine.clock(), **args)


@bans.route(f"/<int(max={MAX_ID}):entry_id>/lift", methods=["POST"])
@bans.arguments(LiftSchema)
@bans.response(200, BlacklistEntrySchema)
def lift_ban(args: dict[str, Any], entry_id: int) -> BlacklistEntry:
    """End a ban early, with the reason; the entry stays on record."""
    engine = get_engine()
    return engine.write(credit.lift_ban, me(), entry_id, reason=args["reason"], now=engine.clock())
