"""A project's own parties: which organization is the project's purchaser, provider, agent …

A lane's role resolves to the project's party of that role when it has one, so a purchaser-lane task goes
to the purchasing department that applied, not to every purchaser of the locality. Parties are bound as
the project goes, each binding an audit event; ``tasks.sync`` copies a task's party onto its row.

Bound so far: the purchaser, from the purchasing department the person who starts the project works for
in its locality (when they work for exactly one there). A project started by a trusted caller, or by
someone of no department, has no purchaser party: its purchaser tasks go to every purchaser of the
locality, as before parties existed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import audit
from ..store.models import Membership, Organization, ProcessInstance, User

PURCHASER = "purchaser"
PURCHASING_DEPARTMENT = "purchasing_department"


def party_of(instance: ProcessInstance, role: str | None) -> int | None:
    """The organization the project's tasks of ``role`` go to, or ``None`` (everyone of the role)."""
    return (instance.parties or {}).get(role) if role else None


def bind_applicant(session: Session, instance: ProcessInstance, username: str, now: datetime) -> None:
    """Make the starter's purchasing department (of the project's locality) the project's purchaser."""
    found = list(
        session.execute(
            select(Organization.id, Organization.name)
            .join(Membership, Membership.organization_id == Organization.id)
            .join(User, User.id == Membership.user_id)
            .where(
                User.username == username,
                Organization.kind == PURCHASING_DEPARTMENT,
                Organization.locality_code == instance.locality_code,
                Organization.is_active.is_(True),
            )
        )
    )
    if len(found) != 1:
        return
    organization_id, name = found[0]
    instance.parties = {**(instance.parties or {}), PURCHASER: organization_id}
    audit.record(
        session,
        "party_bound",
        username,
        now,
        instance_id=instance.id,
        data={"role": PURCHASER, "organization_id": organization_id, "organization": name},
    )
