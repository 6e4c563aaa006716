"""What the "发起项目" page offers a purchaser: where they may start, which processes each place runs (those
no other process calls — the lifecycle, not its stages), which of their departments may apply there, and
the services of each place's guidance catalogue in effect this year, grouped by category (大类) and class
(款), besides "outside the catalogue" — and what the chosen one fills in on the application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalogue import entries
from ..definitions.settings import locality_settings
from ..errors import InvalidDataError
from ..identity import access
from ..identity.localities import lineage, locality_codes
from ..identity.users import Principal
from ..store.models import Membership, Organization, ProcessVersion

APPLYING_KIND = "purchasing_department"
OUTSIDE = "outside"  # the choice of a service outside the catalogue
CHOOSE_SERVICE = "请选择目录中的服务，或选择目录外服务 / Choose a service of the catalogue, or one outside it"
NOT_OFFERED = "该服务不在本地区今年有效的指导性目录中 / This service is not in the locality's catalogue this year"


@dataclass(frozen=True)
class CatalogueItem:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class CatalogueGroup:
    """The items of one class (款) of one category (大类), as the start page groups them."""

    category_code: str
    category_name: str
    class_code: str
    class_name: str
    items: list[CatalogueItem] = field(default_factory=list)


@dataclass(frozen=True)
class StartChoices:
    localities: list[str]
    processes: dict[str, list[tuple[str, str]]]  # locality → [(process key, name)], by name
    departments: dict[str, list[tuple[int, str]]]  # locality → [(organization id, name)] of the person
    #: locality → its catalogue in effect this year, by code; empty where none applies (nothing to choose).
    catalogue: dict[str, list[CatalogueGroup]] = field(default_factory=dict)


def start_choices(session: Session, principal: Principal, year: int | None = None) -> StartChoices:
    """What the person may start where; with ``year``, the catalogue in effect that year too."""
    allowed = access.localities_for(session, principal, "instance.start")
    codes = [c for c in locality_codes(session) if allowed is None or c in allowed]
    mine = session.execute(
        select(Organization.id, Organization.name, Organization.locality_code)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.user_id == principal.id, Organization.kind == APPLYING_KIND, Organization.is_active)
        .order_by(Organization.name)
    ).all()
    return StartChoices(
        localities=codes,
        processes={code: startable_processes(session, code) for code in codes},
        departments={code: [(i, name) for i, name, at in mine if at == code] for code in codes},
        catalogue={code: catalogue_groups(session, code, year) for code in codes} if year is not None else {},
    )


def catalogue_groups(session: Session, locality: str, year: int) -> list[CatalogueGroup]:
    """The catalogue items a project of ``locality`` may name in ``year``, by category and class — none when
    the locality's bundle does not ask for a catalogue code."""
    if locality_settings(session, locality).catalogue is None:
        return []
    groups: dict[tuple[str, str], CatalogueGroup] = {}
    for entry in entries.offered(session, locality, year):
        key = (entry.category_code, entry.class_code)
        group = groups.get(key)
        if group is None:
            group = groups[key] = CatalogueGroup(
                entry.category_code, entry.category_name, entry.class_code, entry.class_name
            )
        group.items.append(CatalogueItem(entry.id, entry.code, entry.name))
    return [groups[key] for key in sorted(groups)]


def catalogue_answers(session: Session, locality: str, choice: str, year: int) -> dict[str, Any]:
    """The application's fields a start-page choice fills in: for an item of the catalogue in effect, that
    it is in the catalogue, its code, and its category where the bundle maps it; for ``OUTSIDE``, that it is
    not. Nothing where no catalogue applies; a refusal on ``catalogue`` for a missing or foreign choice."""
    rules = locality_settings(session, locality).catalogue
    offered = {entry.id: entry for entry in entries.offered(session, locality, year)} if rules else {}
    if rules is None or (not offered and not choice):
        return {}
    if choice == OUTSIDE:
        return {rules.flag: False} if rules.flag else {}
    if not choice:
        raise InvalidDataError(CHOOSE_SERVICE, {"catalogue": [CHOOSE_SERVICE]})
    entry = offered.get(int(choice)) if choice.isdigit() else None
    if entry is None:
        raise InvalidDataError(NOT_OFFERED, {"catalogue": [NOT_OFFERED]})
    answers: dict[str, Any] = {rules.code: entry.code}
    if rules.flag:
        answers[rules.flag] = True
    category = rules.categories.get(entry.category_code)
    if rules.category and category:
        answers[rules.category] = category
    return answers


def startable_processes(session: Session, locality: str) -> list[tuple[str, str]]:
    """The processes a locality runs (its own or inherited, newest version) that no other one calls."""
    newest: dict[str, tuple[str, list[str]]] = {}  # key → (name, calls)
    for code in lineage(session, locality):  # nearest first: a city's own version wins over the region's
        rows = session.execute(
            select(ProcessVersion.process_key, ProcessVersion.name, ProcessVersion.calls)
            .where(ProcessVersion.locality_code == code)
            .order_by(ProcessVersion.version.desc())
        )
        for key, name, calls in rows:
            newest.setdefault(key, (name or key, list(calls or [])))
    called = {key for _, calls in newest.values() for key in calls}
    return sorted(((key, name) for key, (name, _) in newest.items() if key not in called), key=lambda kv: kv[1])
