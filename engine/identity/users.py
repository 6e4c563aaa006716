"""People, their role grants per locality, API tokens, and password checks.

Passwords are hashed with scrypt (slow on purpose); tokens are random and only their SHA-256 is kept.
A ``Principal`` is the read-only picture of a signed-in user that every scoping decision uses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ..errors import ConflictError, NotFoundError
from ..store.models import ApiToken, Membership, Organization, RoleGrant, User
from .localities import descendants

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
#: Stored instead of a password hash for an account a directory or an OpenID provider vouches for: no
#: password checks against it (``check_password`` knows only scrypt), and it says which source it belongs to.
EXTERNAL = "external$"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    computed = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **_SCRYPT)
    return hmac.compare_digest(computed, base64.b64decode(digest))


@dataclass(frozen=True)
class Grant:
    role: str
    locality: str
    is_lead: bool = False


@dataclass(frozen=True)
class Principal:
    id: int
    username: str
    display_name: str
    department: str | None
    is_admin: bool
    grants: tuple[Grant, ...]
    readable_localities: frozenset[str] = field(default_factory=frozenset)
    #: The organizations the person works for (memberships): a task with a party goes to its people only.
    organizations: frozenset[int] = field(default_factory=frozenset)

    def has_role(self, role: str, locality: str | None = None) -> bool:
        return any(g.role == role and (locality is None or g.locality == locality) for g in self.grants)

    def roles_in(self, locality: str) -> set[str]:
        return {g.role for g in self.grants if g.locality == locality}

    def task_scopes(self) -> set[tuple[str, str]]:
        """(role, locality) pairs whose unclaimed tasks this person may see and claim."""
        return {(g.role, g.locality) for g in self.grants}

    def can_read_locality(self, locality: str) -> bool:
        return self.is_admin or locality in self.readable_localities


def create_user(
    session: Session,
    username: str,
    password: str | None,
    display_name: str,
    *,
    password_hash: str | None = None,
    email: str | None = None,
    department: str | None = None,
    is_admin: bool = False,
) -> User:
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise ConflictError(f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=password_hash or hash_password(password or ""),
        display_name=display_name,
        email=email,
        department=department,
        is_admin=is_admin,
    )
    session.add(user)
    session.flush()
    return user


def grant(
    session: Session,
    user: User,
    role: str,
    locality: str,
    *,
    is_lead: bool = False,
    organization: Organization | None = None,
) -> None:
    """Give ``user`` ``role`` in ``locality``; with ``organization``, a grant held within that organization."""
    session.add(
        RoleGrant(
            user_id=user.id,
            role=role,
            locality_code=locality,
            is_lead=is_lead,
            organization_id=organization.id if organization is not None else None,
        )
    )
    session.flush()


def get_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    return user


def principal(session: Session, user: User) -> Principal:
    grants = tuple(
        Grant(g.role, g.locality_code, g.is_lead)
        for g in session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id).order_by(RoleGrant.id))
    )
    return _principal_of(session, user, grants)


def _principal_of(
    session: Session, user: User, grants: tuple[Grant, ...], organizations: Iterable[int] | None = None
) -> Principal:
    """``organizations``: the user's memberships when the caller read them already (``find_token``)."""
    if organizations is None:
        organizations = session.scalars(select(Membership.organization_id).where(Membership.user_id == user.id))
    readable: set[str] = set()
    for g in grants:
        readable.update(descendants(session, g.locality) if g.role in ("auditor", "manager") else [g.locality])
    return Principal(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        department=user.department,
        is_admin=user.is_admin,
        grants=grants,
        readable_localities=frozenset(readable),
        organizations=frozenset(organizations),
    )


def authenticate(
    session: Session, username: str, password: str, now: datetime, *, max_attempts: int = 5, lock_seconds: int = 300
) -> User | None:
    """The user if the password is right and the account is not locked; counts failures, locks after too many."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.is_active:
        hash_password(password)  # same cost whether or not the user exists
        return None
    if user.locked_until is not None and user.locked_until > now:
        return None
    if not check_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= max_attempts:
            user.locked_until = now + timedelta(seconds=lock_seconds)
            user.failed_logins = 0
        return None
    user.failed_logins = 0
    user.locked_until = None
    return user


def issue_token(session: Session, user: User, name: str) -> str:
    """Create an API token; the plain value is returned once and never stored."""
    value = "sf_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_token_hash(value)))
    session.flush()
    return value


TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenUse:
    """Who a live token signs in, and whether its ``last_used_at`` is stale enough to be worth a write."""

    token_id: int
    principal: Principal
    is_active: bool
    stale: bool
    source: str | None = None  # the directory or provider the account comes from (``ldap``, ``oidc:<name>``)


# Built once: every API call signs in with it. A row per grant and membership (a person has a few of each).
_TOKEN_USE = (
    select(
        ApiToken.id,
        ApiToken.last_used_at,
        User,
        RoleGrant.id,
        RoleGrant.role,
        RoleGrant.locality_code,
        RoleGrant.is_lead,
        Membership.organization_id,
    )
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(RoleGrant, RoleGrant.user_id == User.id)
    .outerjoin(Membership, Membership.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
    .order_by(RoleGrant.id)
)


def find_token(session: Session, value: str, now: datetime) -> TokenUse | None:
    """The unrevoked token with this value, its user, their grants and organizations, in one query and
    without writing (see ``touch_token``). Nothing is cached: a revoked token or a withdrawn grant counts at once."""
    rows = session.execute(_TOKEN_USE, {"token_hash": _token_hash(value)}).all()
    if not rows:
        return None
    token_id, last_used_at, user = rows[0][:3]
    by_id = {grant_id: Grant(role, locality, lead) for *_, grant_id, role, locality, lead, _ in rows if grant_id}
    organizations = {organization_id for *_, organization_id in rows if organization_id is not None}
    stale = last_used_at is None or last_used_at <= now - TOKEN_TOUCH_INTERVAL
    source = user.password_hash.removeprefix(EXTERNAL) if user.password_hash.startswith(EXTERNAL) else None
    principal = _principal_of(session, user, tuple(by_id.values()), organizations)
    return TokenUse(token_id, principal, user.is_active, stale, source)


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    """Record that a token was used. Callers do it only when ``find_token`` says the time is stale, so a busy
    client costs one write per ``TOKEN_TOUCH_INTERVAL`` instead of a commit on every request."""
    session.execute(
        update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now),
        execution_options={"synchronize_session": False},
    )


def revoke_token(session: Session, user: User, token_id: int, now: datetime) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError(f"token {token_id} does not exist")
    token.revoked_at = now


def _token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
