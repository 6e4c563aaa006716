"""Browser sessions kept on the server, so that signing out really ends them.

A session cookie (Flask's, signed but kept by the browser) carries only a random session id; the database
keeps its SHA-256 and whose it is. Each request signs in with the id only while its row is there and not
older than the session lifetime; signing out deletes the row, so a copy of the cookie taken before — from a
shared computer, a proxy log, a stolen backup — no longer signs anyone in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..store.models import User, WebSession
from .users import Principal, authenticate, principal


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def open_session(session: Session, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new session id for ``user`` (returned once, only its hash is stored); expired sessions go here."""
    session.execute(
        delete(WebSession).where(WebSession.created_at <= now - lifetime),
        execution_options={"synchronize_session": False},
    )
    value = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(value), user_id=user.id, created_at=now))
    session.flush()
    return value


def session_user(session: Session, value: str, now: datetime, lifetime: timedelta) -> User | None:
    """The user a live session id signs in, or ``None`` (signed out, expired, or never issued)."""
    if not value:
        return None
    return session.scalars(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.token_hash == _hash(value), WebSession.created_at > now - lifetime)
    ).first()


def close_session(session: Session, value: str) -> None:
    """Sign the session out: its id signs no one in from now on, whoever holds a copy."""
    if value:
        session.execute(
            delete(WebSession).where(WebSession.token_hash == _hash(value)),
            execution_options={"synchronize_session": False},
        )


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    session_id: str


def sign_in(
    session: Session,
    username: str,
    password: str,
    now: datetime,
    lifetime: timedelta,
    *,
    max_attempts: int,
    lock_seconds: int,
) -> SignedIn | None:
    """Check the password (counting failures, locking after too many) and open a session on success."""
    user = authenticate(session, username, password, now, max_attempts=max_attempts, lock_seconds=lock_seconds)
    if user is None:
        return None
    return SignedIn(user.id, open_session(session, user, now, lifetime))


def session_principal(session: Session, value: str, now: datetime, lifetime: timedelta) -> Principal | None:
    """Who a live session id signs in, with their grants; ``None`` when signed out, expired or inactive."""
    user = session_user(session, value, now, lifetime)
    if user is None or not user.is_active:
        return None
    return principal(session, user)
