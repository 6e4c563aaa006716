"""API tokens: each user creates, lists and revokes their own; the plain token is shown once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from engine.identity import users
from engine.store.models import ApiToken, User

from .common import blueprint, me, reading, writing
from .schemas import MAX_ID, TokenCreatedSchema, TokenCreateSchema, TokenSchema

bp = blueprint("tokens", "/tokens", "API tokens of the signed-in user (send as `Authorization: Bearer <token>`).")


@bp.route("", methods=["GET"])
@bp.response(200, TokenSchema(many=True))
def list_tokens() -> list[ApiToken]:
    """The caller's tokens (never their values)."""
    user_id = me().id
    with reading() as session:
        return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


@bp.route("", methods=["POST"])
@bp.arguments(TokenCreateSchema)
@bp.response(201, TokenCreatedSchema)
def create_token(args: dict[str, Any]) -> dict[str, Any]:
    """Create a token for the caller (signed in, or with an existing token); keep the value, it is shown once."""
    user_id = me().id

    def create(session: Any) -> dict[str, Any]:
        value = users.issue_token(session, session.get(User, user_id), args["name"])
        token = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        ).first()
        fields = ("id", "name", "created_at", "last_used_at", "revoked_at")
        return {**{name: getattr(token, name) for name in fields}, "token": value}

    return writing(create)


@bp.route(f"/<int(max={MAX_ID}):token_id>", methods=["DELETE"])
@bp.response(204)
def revoke_token(token_id: int) -> None:
    """Revoke one of the caller's tokens; someone else's token id answers 404."""
    user_id = me().id
    writing(lambda session: users.revoke_token(session, session.get(User, user_id), token_id, datetime.now(UTC)))
