"""An application's choice from the guidance catalogue, checked against the catalogue in effect.

The bundle's ``catalogue`` setting names the fields (``formats.settings.CatalogueFields``): when a project
starts, or a task is completed, with data saying the service is in the catalogue (``flag`` true, or a code
given when the bundle has no flag), the code must be an item in effect for the project's locality — its
own or inherited — in the project's year (the year it started, the year its number carries). Anything else
is refused on the code's field, with the reason: no such item, or the item's years.

A locality with no catalogue loaded at all (none of its own, none above it) has nothing to check against:
its codes are taken as given, so a new installation runs before finance imports its catalogue. Once any
catalogue applies, every code is checked.

An accepted code is recorded as used by the project (``CatalogueUse``): such an item is never deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ..catalogue import entries
from ..errors import InvalidDataError
from ..formats.settings import CatalogueFields
from ..store.models import CatalogueEntry, Locality


def chosen_entry(
    session: Session, rules: CatalogueFields | None, locality: str, year: int, data: Mapping[str, Any]
) -> CatalogueEntry | None:
    """The catalogue item ``data`` names, if it says the service is in the catalogue; a refusal on the code's
    field when that item is not in effect there that year."""
    if rules is None or not _claims_catalogue(rules, data):
        return None
    if not entries.has_catalogue(session, locality):
        return None
    value = data.get(rules.code)
    code = value.strip() if isinstance(value, str) else ""
    if not code:
        _refuse(rules.code, "属于指导性目录的服务须填写目录编码 / A service in the catalogue needs its catalogue code")
    found = entries.entry_in_effect(session, locality, code, year)
    if found is None:
        _refuse(rules.code, _not_in_effect(session, locality, code, year))
    return found


def record(session: Session, entry: CatalogueEntry | None, instance_id: int) -> None:
    if entry is not None:
        entries.record_use(session, entry, instance_id)


def _claims_catalogue(rules: CatalogueFields, data: Mapping[str, Any]) -> bool:
    if rules.flag is not None:
        return data.get(rules.flag) is True
    return bool(data.get(rules.code))


def _not_in_effect(session: Session, locality: str, code: str, year: int) -> str:
    place = session.get(Locality, locality)
    zh, en = (place.name_zh, place.name_en) if place is not None else (locality, locality)
    others = entries.entries_of_code(session, locality, code)
    if others:
        periods = "、".join(entries.period_text(e.from_year, e.until_year) for e in others)
        return (
            f"目录条目{code}「{others[0].name}」{year}年度不在有效期内（有效年度：{periods}） / The catalogue item "
            f"{code} ({others[0].name}) is not in effect in {year} (in effect: {periods})"
        )
    return (
        f"目录编码{code}不在{zh}{year}年度的政府购买服务指导性目录中 / {code} is not an item of the guidance "
        f"catalogue in effect in {en} in {year}"
    )


def _refuse(field: str, message: str) -> None:
    raise InvalidDataError(f"{field}: {message}", errors={field: [message]})
