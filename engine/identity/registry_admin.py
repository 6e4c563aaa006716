"""Who may keep the register of organizations, and the registry commands that check it.

Managers of a finance bureau keep the organizations of their locality and the places below it (the
departments, agents, providers and evaluators registered there); administrators everywhere. Every row of
an import must lie where the person may register, or nothing is imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from ..errors import InvalidDataError, NotFoundError, PermissionDeniedError
from ..formats.sheets import row_number
from ..store.models import Membership, Organization
from . import access, organizations
from .localities import get_locality
from .users import Principal, get_user

ACTION = "organization.manage"


def _require_in(session: Session, principal: Principal, locality_code: str) -> None:
    if not access.allowed(session, principal, ACTION, locality_code):
        raise PermissionDeniedError(
            f"你不能登记{locality_code}的机构 / you may not register organizations of locality {locality_code}"
        )


def register(
    session: Session, principal: Principal, *, kind: str, locality: str, name: str, credit_code: str | None
) -> Organization:
    """Register one organization where the person keeps the register."""
    _require_in(session, principal, get_locality(session, locality).code)
    return organizations.create_organization(session, kind, locality, name, credit_code)


def import_rows(session: Session, principal: Principal, rows: Iterable[Mapping[str, Any]]) -> list[Organization]:
    """Import a sheet's rows, all or none; a row outside the person's localities is an error of that row."""
    rows = list(rows)
    allowed = access.localities_for(session, principal, ACTION)
    if allowed is not None and not allowed:
        raise PermissionDeniedError("你不能登记机构 / you may not register organizations")
    outside: dict[str, list[str]] = {}
    for position, row in enumerate(rows, start=2):
        number = row_number(row, position)
        try:
            code = get_locality(session, str(row.get("locality") or "").strip()).code
        except NotFoundError:
            continue  # the import names the unknown locality itself
        if allowed is not None and code not in allowed:
            outside[f"row {number}: locality"] = [
                f"你不能登记{code}的机构 / you may not register organizations of locality {code}"
            ]
    if outside:
        raise InvalidDataError(
            f"{len(outside)}行不在你可登记的地区，未导入任何机构 / {len(outside)} rows lie outside your "
            "localities; nothing was imported",
            outside,
        )
    return organizations.import_organizations(session, rows)


def organization(session: Session, organization_id: int) -> Organization:
    found = session.get(Organization, organization_id)
    if found is None:
        raise NotFoundError(f"organization {organization_id} does not exist")
    return found


def add_member(session: Session, principal: Principal, organization_id: int, username: str) -> Membership:
    """Make a person a member of an organization of the person's localities."""
    found = organization(session, organization_id)
    _require_in(session, principal, found.locality_code)
    try:
        user = get_user(session, username)
    except NotFoundError:
        message = f"没有用户{username} / there is no user {username!r}"
        raise InvalidDataError(message, {"username": [message]}) from None
    return organizations.add_member(session, found, user)


def remove_member(session: Session, principal: Principal, organization_id: int, username: str) -> None:
    """Take a person out of an organization of the person's localities (not while they hold its tasks)."""
    found = organization(session, organization_id)
    _require_in(session, principal, found.locality_code)
    organizations.remove_member(session, found, get_user(session, username))


def deactivate(session: Session, principal: Principal, organization_id: int) -> Organization:
    """Take an organization of the person's localities off the register (not while it holds tasks)."""
    found = organization(session, organization_id)
    _require_in(session, principal, found.locality_code)
    organizations.deactivate_organization(session, found)
    return found


def members(session: Session, organization_id: int) -> tuple[Organization, list[str]]:
    """An organization and the usernames of its people."""
    found = organization(session, organization_id)
    return found, [user.username for user in organizations.members_of(session, found)]
