"""A person's own API tokens, as the token API manages them: list, create (the value shown once), revoke.

Every function takes the owner's user id, so nobody lists or revokes another person's tokens; the token
rules themselves (hashing, signing in with one) are in :mod:`engine.identity.users`. Reads run through
``Engine.read``, the changes through ``Engine.write``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import ApiToken, User
from . import users


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    """The person's tokens, oldest first (rows carry only the value's hash)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


@dataclass(frozen=True)
class NewToken:
    """A token just created and its plain value — the only time the value exists outside the caller."""

    token: ApiToken
    value: str


def create_token(session: Session, user_id: int, name: str) -> NewToken:
    value = users.issue_token(session, session.get(User, user_id), name)
    token = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())).first()
    return NewToken(token, value)


def revoke_own_token(session: Session, user_id: int, token_id: int, now: datetime) -> None:
    """Revoke one of the person's tokens; someone else's token id is "does not exist"."""
    users.revoke_token(session, session.get(User, user_id), token_id, now)
