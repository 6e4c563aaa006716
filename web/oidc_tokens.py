"""Checking an OpenID provider's ID token before anyone is signed in with it (joserfc, Authlib's JOSE library).

The signature must verify with one of the provider's published keys (asymmetric algorithms only: a token
"signed" with ``none`` or with the client secret as an HMAC key is not accepted), the issuer must be the
provider, the audience must include this client, the nonce must be the one this browser's sign-in sent
(a token replayed from another sign-in fails), and it must not have expired.
"""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY_SECONDS = 60  # clocks of two servers differ a little


class IdTokenRefused(Exception):
    """The ID token failed a check; the message says which (for the log, not for the person)."""


def verified_claims(raw: str, jwks: dict[str, Any], *, issuer: str, client_id: str, nonce: str) -> dict[str, Any]:
    """The claims of ``raw`` once every check passed; ``IdTokenRefused`` otherwise."""
    try:
        token = jwt.decode(raw, KeySet.import_key_set(jwks), algorithms=ALGORITHMS)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as error:
        raise IdTokenRefused(f"{type(error).__name__}: {error}") from error
    return dict(token.claims)
