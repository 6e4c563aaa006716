"""People, their role grants per locality, API tokens, and password checks.

Passwords are hashed with scrypt (slow on purpose); tokens are random and only their SHA-256 is kept.
A ``Principal`` is the read-only picture of a signed-in user that every scoping decision uses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import ConflictError, NotFoundError
from .localities import descendants
from .models import ApiToken, RoleGrant, User

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


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


def grant(session: Session, user: User, role: str, locality: str, *, is_lead: bool = False) -> None:
    session.add(RoleGrant(user_id=user.id, role=role, locality_code=locality, is_lead=is_lead))
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


def user_for_token(session: Session, value: str, now: datetime) -> User | None:
    token = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(value), ApiToken.revoked_at.is_(None))
    ).first()
    if token is None:
        return None
    token.last_used_at = now
    return session.get(User, token.user_id)


def revoke_token(session: Session, user: User, token_id: int, now: datetime) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError(f"token {token_id} does not exist")
    token.revoked_at = now


def _token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
