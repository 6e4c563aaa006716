"""Sign-in attempts per network address over a sliding window, counted in the database.

The per-account lockout (``users.authenticate``) stops guessing one account's password; it does not stop
one address trying a few passwords on each of many accounts. This counts those tries per address. It lives
in the database, not in a process's memory, so every worker and every app server shares one count.

A try is admitted or refused in one write transaction that holds a lock on its address (a PostgreSQL
advisory lock; SQLite's write transactions are serial anyway): count the tries in the window, and only if
there are fewer than ``limit`` record this one. Of any number of concurrent tries from one address, on any
number of servers, exactly as many as the limit allows get to check a password. A refused try is not
recorded, and a successful sign-in deletes its row, so only failures (and tries still being checked) count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..store.models import SignInAttempt

ADDRESS_LENGTH = 64


@dataclass(frozen=True)
class SignInTry:
    """A try: ``retry_after`` seconds to wait (0: recorded as ``attempt_id``, go ahead and check the password)."""

    attempt_id: int
    retry_after: float


def _key(address: str) -> str:
    return (address or "-")[:ADDRESS_LENGTH]


LOCK_CLASS = 0x5347_4E49  # "SGNI": advisory locks (class, address hash) of sign-in tries, apart from other locks


def _lock(session: Session, address: str) -> None:
    """Serialise the tries of one address until the transaction ends (two addresses may share a lock)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = int.from_bytes(hashlib.sha256(address.encode()).digest()[:4], "big", signed=True)
    session.execute(select(func.pg_advisory_xact_lock(LOCK_CLASS, digest)))


def admit(session: Session, address: str, now: datetime, *, limit: int, window: float) -> SignInTry:
    """Record a try from ``address`` if fewer than ``limit`` are in the window, else say how long to wait.
    Runs in the caller's write transaction, which commits; tries older than the window are deleted here."""
    key, cutoff = _key(address), now - timedelta(seconds=window)
    _lock(session, key)
    session.execute(
        delete(SignInAttempt).where(SignInAttempt.at <= cutoff), execution_options={"synchronize_session": False}
    )
    wait = retry_after(session, key, now, limit=limit, window=window)
    if wait:
        return SignInTry(0, wait)
    attempt = SignInAttempt(address=key, at=now)
    session.add(attempt)
    session.flush()
    return SignInTry(attempt.id, 0.0)


def retry_after(session: Session, address: str, now: datetime, *, limit: int, window: float) -> float:
    """Seconds until ``address`` may try again: 0 while fewer than ``limit`` tries are in the window, else
    until enough of them have left it."""
    limit = max(limit, 1)
    times = list(
        session.scalars(
            select(SignInAttempt.at)
            .where(SignInAttempt.address == _key(address), SignInAttempt.at > now - timedelta(seconds=window))
            .order_by(SignInAttempt.at)
        )
    )
    if len(times) < limit:
        return 0.0
    oldest_that_counts = times[len(times) - limit]
    return (oldest_that_counts + timedelta(seconds=window) - now).total_seconds()  # > 0: it is in the window


def forget(session: Session, attempt_id: int) -> None:
    """Drop a try that must not count: the password was right."""
    session.execute(
        delete(SignInAttempt).where(SignInAttempt.id == attempt_id), execution_options={"synchronize_session": False}
    )
