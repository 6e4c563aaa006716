"""Deployed process versions as a reader sees them: their own localities', the ones they inherit, and
everything below where they oversee or design (``access.readable_definition_localities``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..definitions.versions import source_of
from ..errors import NotFoundError
from ..identity import access
from ..identity.users import Principal
from ..store.models import ProcessVersion

MAX_LISTED = 1000


def readable_versions(
    session: Session, principal: Principal, *, locality: str | None = None, key: str | None = None
) -> list[ProcessVersion]:
    """Versions the person may read, by process, locality and version number."""
    codes = access.readable_definition_localities(session, principal)
    query = select(ProcessVersion).where(access.in_localities(ProcessVersion.locality_code, codes))
    if locality:
        query = query.where(ProcessVersion.locality_code == locality)
    if key:
        query = query.where(ProcessVersion.process_key == key)
    query = query.order_by(ProcessVersion.process_key, ProcessVersion.locality_code, ProcessVersion.version)
    return list(session.scalars(query.limit(MAX_LISTED)))


def readable_version(session: Session, principal: Principal, version_id: int) -> ProcessVersion:
    """One version the person may read; any other "does not exist"."""
    version = session.get(ProcessVersion, version_id)
    codes = access.readable_definition_localities(session, principal)
    if version is None or (codes is not None and version.locality_code not in codes):
        raise NotFoundError(f"process version {version_id} does not exist")
    return version


@dataclass(frozen=True)
class VersionSource:
    version: ProcessVersion
    xml: str


def readable_source(session: Session, principal: Principal, version_id: int) -> VersionSource:
    """A readable version with the BPMN XML it was deployed from."""
    version = readable_version(session, principal, version_id)
    return VersionSource(version, source_of(session, version))
