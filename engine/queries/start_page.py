"""What the "发起项目" page offers a purchaser: where they may start, which processes each place runs (those
no other process calls — the lifecycle, not its stages), and which of their departments may apply there."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..identity import access
from ..identity.localities import lineage, locality_codes
from ..identity.users import Principal
from ..store.models import Membership, Organization, ProcessVersion

APPLYING_KIND = "purchasing_department"


@dataclass(frozen=True)
class StartChoices:
    localities: list[str]
    processes: dict[str, list[tuple[str, str]]]  # locality → [(process key, name)], by name
    departments: dict[str, list[tuple[int, str]]]  # locality → [(organization id, name)] of the person


def start_choices(session: Session, principal: Principal) -> StartChoices:
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
    )


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
