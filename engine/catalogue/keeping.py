"""Who keeps a locality's guidance catalogue, and the catalogue's commands that check it.

The finance bureau of a locality keeps its catalogue: its finance reviewers and managers (``OWN`` reach —
the region's bureau keeps the region's catalogue, a city's bureau the city's additions), and
administrators everywhere. Everyone signed in may read a catalogue: it is published policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..errors import PermissionDeniedError
from ..identity import access
from ..identity.localities import get_locality
from ..identity.users import Principal
from ..store.models import CatalogueEntry
from . import entries

ACTION = "catalogue.manage"


def may_keep(session: Session, principal: Principal, locality: str) -> bool:
    """Whether the person keeps the catalogue of ``locality`` (a code or a name)."""
    return access.allowed(session, principal, ACTION, get_locality(session, locality).code)


def add(
    session: Session, principal: Principal, locality: str, values: Mapping[str, Any], *, now: datetime
) -> CatalogueEntry:
    """Add an item to the catalogue of a locality the person keeps."""
    code = _kept(session, principal, locality)
    return entries.add_entry(session, code, values, principal.username, now)


def change(
    session: Session, principal: Principal, entry_id: int, values: Mapping[str, Any], *, now: datetime
) -> CatalogueEntry:
    entry = _kept_entry(session, principal, entry_id)
    return entries.change_entry(session, entry, values, principal.username, now)


def end(session: Session, principal: Principal, entry_id: int, until_year: Any, *, now: datetime) -> CatalogueEntry:
    entry = _kept_entry(session, principal, entry_id)
    return entries.end_entry(session, entry, until_year, principal.username, now)


def delete(session: Session, principal: Principal, entry_id: int, *, now: datetime) -> None:
    entry = _kept_entry(session, principal, entry_id)
    entries.delete_entry(session, entry, principal.username, now)


def import_rows(
    session: Session, principal: Principal, locality: str, rows: Iterable[Mapping[str, Any]], *, now: datetime
) -> entries.Imported:
    """Import a sheet's rows into the catalogue of a locality the person keeps, all or none."""
    code = _kept(session, principal, locality)
    return entries.import_entries(session, code, rows, principal.username, now)


def _kept(session: Session, principal: Principal, locality: str) -> str:
    code = get_locality(session, locality).code
    if not access.allowed(session, principal, ACTION, code):
        raise PermissionDeniedError(
            f"你不能维护{code}的指导性目录 / you may not keep the guidance catalogue of locality {code}"
        )
    return code


def _kept_entry(session: Session, principal: Principal, entry_id: int) -> CatalogueEntry:
    entry = entries.get_entry(session, entry_id)
    _kept(session, principal, entry.locality_code)
    return entry
