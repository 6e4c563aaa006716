"""The OpenID providers people may sign in with, from ``SERVFLOW_OIDC_*`` settings, and their discovery.

The settings are read by ``engine.identity.openid.providers_from_config`` (the scheduler reads the same
ones); here each provider gets its button's label in the page's language. The endpoints come from the
issuer's discovery document, fetched when first needed and kept for the process (a provider that is down
at start-up does not stop the app).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, url_for

from engine.identity.openid import ProviderSettings, ProviderUnavailable, discovery, providers_from_config

from .i18n import current_language

KEY = "servflow_oidc"
OIDC_KEY = "oidc"  # in the cookie's session after an OpenID sign-in: the provider's name and the ID token


class Provider(ProviderSettings):
    def label(self) -> str:
        return self.label_en if current_language() == "en" else self.label_zh


def init_app(app: Flask) -> None:
    app.extensions[KEY] = {"providers": providers_from_config(app.config, Provider), "metadata": {}}


def oidc_providers() -> list[Provider]:
    return list(current_app.extensions[KEY]["providers"].values())


def provider(name: str) -> Provider | None:
    return current_app.extensions[KEY]["providers"].get(name)


def metadata(chosen: Provider) -> dict[str, Any]:
    """The provider's discovery document (cached once fetched)."""
    cache = current_app.extensions[KEY]["metadata"]
    if chosen.name not in cache:
        cache[chosen.name] = discovery(chosen)
    return cache[chosen.name]


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
