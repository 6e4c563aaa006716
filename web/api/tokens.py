"""API tokens: each user creates, lists and revokes their own; the plain token is shown once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.identity import tokens
from engine.store.models import ApiToken

from ..engine_ext import get_engine
from .common import blueprint, me
from .schemas import MAX_ID, TokenCreatedSchema, TokenCreateSchema, TokenSchema

bp = blueprint("tokens", "/tokens", "API tokens of the signed-in user (send as `Authorization: Bearer <token>`).")


@bp.route("", methods=["GET"])
@bp.response(200, TokenSchema(many=True))
def list_tokens() -> list[ApiToken]:
    """The caller's tokens (never their values)."""
    return get_engine().read(tokens.tokens_of, me().id)


@bp.route("", methods=["POST"])
@bp.arguments(TokenCreateSchema)
@bp.response(201, TokenCreatedSchema)
def create_token(args: dict[str, Any]) -> dict[str, Any]:
    """Create a token for the caller (signed in, or with an existing token); keep the value, it is shown once."""
    created = get_engine().write(tokens.create_token, me().id, args["name"])
    fields = ("id", "name", "created_at", "last_used_at", "revoked_at")
    return {**{name: getattr(created.token, name) for name in fields}, "token": created.value}


@bp.route(f"/<int(max={MAX_ID}):token_id>", methods=["DELETE"])
@bp.response(204)
def revoke_token(token_id: int) -> None:
    """Revoke one of the caller's tokens; someone else's token id answers 404."""
    get_engine().write(tokens.revoke_own_token, me().id, token_id, datetime.now(UTC))
