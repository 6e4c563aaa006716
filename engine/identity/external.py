"""Signing in a person whom a directory (LDAP) or an OpenID provider vouched for.

The directory is the truth: at every sign-in the person's local row is brought in line with it — created on
first sign-in, marked inactive when the directory says the account is disabled (so their sessions and API
tokens stop counting, see ``sessions.session_principal`` and ``users.find_token``), and their grants and
memberships *replaced* by what the mapping rules give their groups now. Someone moved to another department
therefore loses the old department's tasks at their next sign-in: claims they held there go back to the
group, and the old organization's tasks are no longer theirs to see.

Local accounts and directory accounts never merge: a directory person whose name is taken by a local
account (password kept in servflow) is refused, so a directory cannot take over ``admin``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..errors import ConflictError, InvalidDataError, NotFoundError
from ..store.models import OPEN, HumanTask, Membership, Organization, RoleGrant, User
from .localities import get_locality
from .mapping import Rule, placement
from .sessions import SignedIn, open_session
from .users import EXTERNAL


@dataclass(frozen=True)
class DirectoryPerson:
    """A person as the directory describes them at this sign-in."""

    source: str  # "ldap" or "oidc:<provider>"
    username: str
    display_name: str
    email: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    enabled: bool = True


def sign_in_directory_person(
    session: Session, person: DirectoryPerson, rules: tuple[Rule, ...], now: datetime, lifetime: timedelta
) -> SignedIn | None:
    """Bring the person's local row in line with the directory and open a session; ``None`` when the
    directory disabled the account (the user is then marked inactive, which the caller's commit keeps).

    Raises ``ConflictError`` when a local account holds the name, and ``InvalidDataError`` when a rule names
    an unknown locality or organization.
    """
    user = _user_for(session, person)
    if not person.enabled:
        if user is not None:
            user.is_active = False
            session.flush()
        return None
    grants, organizations = _resolved(session, rules, person.groups)
    if user is None:
        user = User(username=person.username, password_hash=EXTERNAL + person.source, display_name=person.display_name)
        session.add(user)
    user.display_name = person.display_name
    user.email = person.email
    user.is_active = True
    session.flush()
    _replace_grants(session, user, grants)
    _replace_memberships(session, user, organizations)
    return SignedIn(user.id, open_session(session, user, now, lifetime))


def mark_disabled(session: Session, source: str, username: str) -> None:
    """The directory no longer knows or has disabled ``username``: its local account, if it came from
    ``source``, signs nobody in from now on (sessions and API tokens included)."""
    user = _user_for(session, DirectoryPerson(source, username, username))
    if user is not None:
        user.is_active = False
        session.flush()


def directory_accounts(session: Session, source: str) -> list[str]:
    """The active local accounts that came from ``source`` (a directory), by username."""
    query = select(User.username).where(User.password_hash == EXTERNAL + source, User.is_active.is_(True))
    return list(session.scalars(query.order_by(User.username)))


def _user_for(session: Session, person: DirectoryPerson) -> User | None:
    user = session.scalars(select(User).where(User.username == person.username)).first()
    if user is not None and user.password_hash != EXTERNAL + person.source:
        raise ConflictError(
            f"用户名「{person.username}」已被本地账户或其他身份源占用 / "
            f"The user name {person.username!r} belongs to a local account or another identity source"
        )
    return user


def _resolved(
    session: Session, rules: tuple[Rule, ...], groups: frozenset[str]
) -> tuple[dict[tuple[str, str], bool], set[int]]:
    """The grants ((role, locality code) → lead) and organization ids the groups earn, checked against the
    database: a rule naming a locality or organization that does not exist is a configuration error."""
    given = placement(rules, groups)
    grants: dict[tuple[str, str], bool] = {}
    for role, locality, lead in given.grants:
        key = (role, _locality_code(session, locality))
        grants[key] = grants.get(key, False) or lead
    organizations: set[int] = set()
    for locality, name in given.organizations:
        code = _locality_code(session, locality)
        found = session.scalars(
            select(Organization.id).where(
                Organization.locality_code == code, Organization.name == name, Organization.is_active.is_(True)
            )
        ).first()
        if found is None:
            raise _rule_error(f"机构「{name}」（{code}）未登记 / No organization {name!r} is registered in {code}")
        organizations.add(found)
    return grants, organizations


def _locality_code(session: Session, locality: str) -> str:
    try:
        return get_locality(session, locality).code
    except NotFoundError:
        raise _rule_error(f"地区「{locality}」不存在 / No locality {locality!r}") from None


def _rule_error(detail: str) -> InvalidDataError:
    message = f"身份映射规则有误，请联系管理员：{detail}"
    return InvalidDataError(message, {"rules": [detail]})


def _replace_grants(session: Session, user: User, wanted: dict[tuple[str, str], bool]) -> None:
    current = {
        (g.role, g.locality_code): g for g in session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id))
    }
    for key, row in current.items():
        if key not in wanted:
            session.delete(row)
            _release_claims(session, user, HumanTask.role == key[0], HumanTask.locality_code == key[1])
        else:
            row.is_lead = wanted[key]
    for (role, locality), lead in wanted.items():
        if (role, locality) not in current:
            session.add(RoleGrant(user_id=user.id, role=role, locality_code=locality, is_lead=lead))
    session.flush()


def _replace_memberships(session: Session, user: User, wanted: set[int]) -> None:
    current = set(session.scalars(select(Membership.organization_id).where(Membership.user_id == user.id)))
    gone = current - wanted
    if gone:
        session.execute(
            delete(Membership).where(Membership.user_id == user.id, Membership.organization_id.in_(gone)),
            execution_options={"synchronize_session": False},
        )
        _release_claims(session, user, HumanTask.organization_id.in_(gone))
    session.add_all(Membership(user_id=user.id, organization_id=org) for org in sorted(wanted - current))
    session.flush()


def _release_claims(session: Session, user: User, *where: object) -> None:
    """Open tasks the person claimed in a role or organization they no longer have go back to the group."""
    session.execute(
        update(HumanTask)
        .where(HumanTask.state == OPEN, HumanTask.assignee == user.username, *where)
        .values(assignee=None, claimed_at=None, delegated_from=None),
        execution_options={"synchronize_session": False},
    )
