"""OpenID providers as configured, and asking one whether it still lets a person in.

``SERVFLOW_OIDC_PROVIDERS=gov,dept`` names the providers; each has ``SERVFLOW_OIDC_<NAME>_ISSUER``,
``_CLIENT_ID``, ``_CLIENT_SECRET``, the button's ``_LABEL_ZH`` / ``_LABEL_EN``, and optionally ``_SCOPE``
(``openid profile email``), ``_USERNAME_CLAIM`` (``preferred_username``), ``_GROUPS_CLAIM`` (``groups``) and
``_CHECK_ACCESS`` (on by default) and ``_PROMPT`` (none; e.g. ``consent``). The web app signs people in with
them (``web.oidc``); the scheduler reads the same settings.

**Checking access.** A provider says once, at sign-in, who someone is; an API token made afterwards would
outlive a switch-off there. So, with ``_CHECK_ACCESS`` on, the sign-in asks for ``offline_access`` and keeps
the refresh token the provider issues (Keycloak, Azure AD and Okta issue one at a plain sign-in; a provider
that follows OpenID Connect Core §11 to the letter issues it only with ``prompt=consent``, which
``_PROMPT=consent`` adds — people then see its consent page at every sign-in), *sealed* (Fernet, with a key
derived from the app's secret key: the database alone does not give it away), in ``oidc_grant``. The scheduler
spends it every few minutes (``refresh``): a provider answering ``invalid_grant`` — the account disabled, the
grant revoked or expired there — has stopped vouching for the person, and their servflow account stops
(sessions and API tokens) until they sign in through it again; a provider that cannot be reached, or answers
anything else, changes nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ..store.models import OidcGrant, User
from .users import EXTERNAL

TIMEOUT_SECONDS = 5
OFFLINE_ACCESS = "offline_access"


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense: nothing is concluded, nothing is written."""


class AccessWithdrawn(Exception):
    """The provider refused the person's refresh token (``invalid_grant``): it no longer vouches for them."""


@dataclass(frozen=True)
class ProviderSettings:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    label_zh: str
    label_en: str
    scope: str = "openid profile email"
    username_claim: str = "preferred_username"
    groups_claim: str = "groups"
    check_access: bool = True
    prompt: str = ""

    @property
    def source(self) -> str:
        """What the accounts this provider signs in are marked with (``users.password_hash``)."""
        return f"oidc:{self.name}"

    def sign_in_scope(self) -> str:
        """The scope a sign-in asks for: the configured one, with ``offline_access`` when access is checked."""
        scopes = self.scope.split()
        if self.check_access and OFFLINE_ACCESS not in scopes:
            scopes.append(OFFLINE_ACCESS)
        return " ".join(scopes)


P = TypeVar("P", bound=ProviderSettings)


def providers_from_config(config: Mapping[str, Any], make: Callable[..., P] = ProviderSettings) -> dict[str, P]:
    """The providers ``OIDC_*`` entries name (``SERVFLOW_OIDC_*`` in the environment), by name; ``ValueError``
    when one lacks a required setting."""
    names = [n.strip() for n in str(config.get("OIDC_PROVIDERS") or "").split(",") if n.strip()]
    providers = {}
    for name in names:
        prefix = f"OIDC_{name.upper()}_"

        def setting(key: str, default: str | None = None, prefix: str = prefix) -> str:
            value = config.get(prefix + key, default)
            if value is None:
                raise ValueError(f"SERVFLOW_{prefix}{key} is not set")
            return str(value)

        providers[name] = make(
            name=name,
            issuer=setting("ISSUER").rstrip("/"),
            client_id=setting("CLIENT_ID"),
            client_secret=setting("CLIENT_SECRET"),
            label_zh=setting("LABEL_ZH", name),
            label_en=setting("LABEL_EN", setting("LABEL_ZH", name)),
            scope=setting("SCOPE", ProviderSettings.scope),
            username_claim=setting("USERNAME_CLAIM", ProviderSettings.username_claim),
            groups_claim=setting("GROUPS_CLAIM", ProviderSettings.groups_claim),
            check_access=setting("CHECK_ACCESS", "1").strip().lower() not in {"0", "false", "no", "off"},
            prompt=setting("PROMPT", "").strip(),
        )
    return providers


def fetch_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {error}") from error
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return document


def discovery(provider: ProviderSettings) -> dict[str, Any]:
    """The provider's discovery document, checked to be its own."""
    document = fetch_json(provider.issuer + "/.well-known/openid-configuration")
    if str(document.get("issuer", "")).rstrip("/") != provider.issuer:
        raise ProviderUnavailable(f"discovery names issuer {document.get('issuer')!r}, not {provider.issuer!r}")
    return document


def refresh(provider: ProviderSettings, token_endpoint: str, refresh_token: str) -> str:
    """Spend ``refresh_token`` at the provider; the refresh token to keep (a new one when it rotates them).
    ``AccessWithdrawn`` on ``invalid_grant``, ``ProviderUnavailable`` on anything else that is not success."""
    client = OAuth2Session(provider.client_id, provider.client_secret)  # no scope: the one granted (RFC 6749 §6)
    try:
        tokens = client.refresh_token(token_endpoint, refresh_token=refresh_token, timeout=TIMEOUT_SECONDS)
    except OAuthError as error:
        if error.error == "invalid_grant":
            raise AccessWithdrawn(error.description or error.error) from error
        raise ProviderUnavailable(f"token endpoint refused: {error.error} {error.description or ''}") from error
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{token_endpoint}: {error}") from error
    return str(tokens.get("refresh_token") or refresh_token)


# --- sealing: refresh tokens are never stored in the clear ---------------------------------------------


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"servflow oidc refresh tokens").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, token: str) -> str:
    return _fernet(secret_key).encrypt(token.encode()).decode()


def unseal(secret_key: str, sealed: str) -> str | None:
    """The token, or ``None`` when it was sealed with another secret key (the key was changed)."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


# --- the grants kept -------------------------------------------------------------------------------------


def keep_grant(session: Session, user_id: int, provider: str, sealed: str | None, now: datetime) -> None:
    """After a sign-in: the person's sealed refresh token replaces any earlier one (``None``: none kept)."""
    session.execute(
        delete(OidcGrant).where(OidcGrant.user_id == user_id), execution_options={"synchronize_session": False}
    )
    if sealed is not None:
        session.add(OidcGrant(user_id=user_id, provider=provider, refresh_token=sealed, checked_at=now))
    session.flush()


@dataclass(frozen=True)
class DueGrant:
    grant_id: int
    username: str
    provider: str
    sealed: str


def claim_due(session: Session, now: datetime, every: timedelta, lease: timedelta, batch: int) -> list[DueGrant]:
    """Up to ``batch`` grants of active accounts not checked for ``every``, leased to the caller until
    ``now + lease`` so that another scheduler does not spend the same refresh token at the same time (a
    provider may take a token used twice for a stolen one)."""
    candidates = session.execute(
        select(OidcGrant.id, User.username, OidcGrant.provider, OidcGrant.refresh_token)
        .join(User, User.id == OidcGrant.user_id)
        .where(
            User.is_active.is_(True),
            OidcGrant.checked_at <= now - every,
            or_(OidcGrant.lease_until.is_(None), OidcGrant.lease_until < now),
        )
        .order_by(OidcGrant.checked_at)
        .limit(batch)
    ).all()
    claimed = []
    for grant_id, username, provider, sealed in candidates:
        taken = session.execute(
            update(OidcGrant)
            .where(OidcGrant.id == grant_id, or_(OidcGrant.lease_until.is_(None), OidcGrant.lease_until < now))
            .values(lease_until=now + lease),
            execution_options={"synchronize_session": False},
        )
        if taken.rowcount == 1:
            claimed.append(DueGrant(grant_id, username, provider, sealed))
    return claimed


def grant_checked(session: Session, grant_id: int, sealed: str | None, now: datetime) -> None:
    """The provider still vouches: keep the (possibly new) sealed token, checked now, lease returned."""
    values: dict[str, Any] = {"checked_at": now, "lease_until": None}
    if sealed is not None:
        values["refresh_token"] = sealed
    session.execute(
        update(OidcGrant).where(OidcGrant.id == grant_id).values(**values),
        execution_options={"synchronize_session": False},
    )


def grant_unchecked(session: Session, grant_id: int) -> None:
    """Nothing concluded (provider unreachable): the lease goes back, the next round tries again."""
    session.execute(
        update(OidcGrant).where(OidcGrant.id == grant_id).values(lease_until=None),
        execution_options={"synchronize_session": False},
    )


def access_withdrawn(session: Session, grant_id: int) -> None:
    """The provider refused the grant: the person's account stops (sessions and API tokens) and the spent
    grant goes; a new sign-in through the provider, if it lets them in, starts both again."""
    grant = session.get(OidcGrant, grant_id)
    if grant is None:
        return
    user = session.get(User, grant.user_id)
    if user is not None and user.password_hash == EXTERNAL + f"oidc:{grant.provider}":
        user.is_active = False
    session.delete(grant)
    session.flush()
