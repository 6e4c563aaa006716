"""The OpenID providers people may sign in with, from ``SERVFLOW_OIDC_*`` settings, and their discovery.

``SERVFLOW_OIDC_PROVIDERS=gov,dept`` names them; each has ``SERVFLOW_OIDC_<NAME>_ISSUER``, ``_CLIENT_ID``,
``_CLIENT_SECRET``, the button's ``_LABEL_ZH`` / ``_LABEL_EN``, and optionally ``_SCOPE`` (``openid profile
email``), ``_USERNAME_CLAIM`` (``preferred_username``) and ``_GROUPS_CLAIM`` (``groups``, what the mapping
rules match). The endpoints come from the issuer's discovery document, fetched when first needed and kept
for the process (a provider that is down at start-up does not stop the app).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Flask, current_app, url_for

from .i18n import current_language

KEY = "servflow_oidc"
OIDC_KEY = "oidc"  # in the cookie's session after an OpenID sign-in: the provider's name and the ID token
TIMEOUT_SECONDS = 5


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense: nobody is signed in, nothing is written."""


@dataclass(frozen=True)
class Provider:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    label_zh: str
    label_en: str
    scope: str = "openid profile email"
    username_claim: str = "preferred_username"
    groups_claim: str = "groups"

    def label(self) -> str:
        return self.label_en if current_language() == "en" else self.label_zh


def init_app(app: Flask) -> None:
    names = [n.strip() for n in str(app.config.get("OIDC_PROVIDERS") or "").split(",") if n.strip()]
    providers = {}
    for name in names:
        prefix = f"OIDC_{name.upper()}_"

        def setting(key: str, default: str | None = None, prefix: str = prefix) -> str:
            value = app.config.get(prefix + key, default)
            if value is None:
                raise ValueError(f"SERVFLOW_{prefix}{key} is not set")
            return str(value)

        providers[name] = Provider(
            name=name,
            issuer=setting("ISSUER").rstrip("/"),
            client_id=setting("CLIENT_ID"),
            client_secret=setting("CLIENT_SECRET"),
            label_zh=setting("LABEL_ZH", name),
            label_en=setting("LABEL_EN", setting("LABEL_ZH", name)),
            scope=setting("SCOPE", Provider.scope),
            username_claim=setting("USERNAME_CLAIM", Provider.username_claim),
            groups_claim=setting("GROUPS_CLAIM", Provider.groups_claim),
        )
    app.extensions[KEY] = {"providers": providers, "metadata": {}}


def oidc_providers() -> list[Provider]:
    return list(current_app.extensions[KEY]["providers"].values())


def provider(name: str) -> Provider | None:
    return current_app.extensions[KEY]["providers"].get(name)


def metadata(chosen: Provider) -> dict[str, Any]:
    """The provider's discovery document (cached once fetched)."""
    cache = current_app.extensions[KEY]["metadata"]
    if chosen.name not in cache:
        document = fetch_json(chosen.issuer + "/.well-known/openid-configuration")
        if document.get("issuer", "").rstrip("/") != chosen.issuer:
            raise ProviderUnavailable(f"discovery names issuer {document.get('issuer')!r}, not {chosen.issuer!r}")
        cache[chosen.name] = document
    return cache[chosen.name]


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


def oidc_logout_url(signed_in: Any) -> str | None:
    """Where to send the browser to end its session at the provider too (RP-initiated logout), or ``None``
    when the person did not come through a provider or the provider cannot be reached now."""
    if not isinstance(signed_in, dict) or (chosen := provider(str(signed_in.get("provider")))) is None:
        return None
    try:
        endpoint = metadata(chosen).get("end_session_endpoint")
    except ProviderUnavailable:
        current_app.logger.warning("OpenID provider %s unreachable at logout", chosen.name)
        return None
    if not endpoint:
        return None
    query = {
        "id_token_hint": signed_in.get("id_token", ""),
        "client_id": chosen.client_id,
        "post_logout_redirect_uri": url_for("auth.login", _external=True),
    }
    return f"{endpoint}?{urlencode(query)}"
