"""Names people read: roles, localities, stages and the navigation, in the current language."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, g

from engine.identity.localities import DEFAULT_LOCALITIES
from engine.identity.roles import BY_CODE

from .i18n import current_language, t

_LOCALITIES = {code: (zh, en) for code, zh, en, _ in DEFAULT_LOCALITIES}

# (endpoint, message key, who sees it: a role, several roles, "any", or "admin")
NAV = [
    ("inbox.index", "nav.inbox", "any"),
    ("projects.new", "nav.start", "purchaser"),
    ("dashboard.index", "nav.dashboard", "manager"),
    ("dashboard.register", "nav.register", "any"),
    ("designer.index", "nav.designer", "designer"),
    ("public.index", "nav.public", "any"),
    ("organizations.index", "nav.organizations", "any"),
    ("providers.index", "nav.providers", ("finance_reviewer", "manager", "auditor", "purchaser", "agent", "provider")),
    ("catalogue.index", "nav.catalogue", "any"),
    ("webhooks.index", "nav.webhooks", "manager"),
    ("operations.index", "nav.operations", "manager"),
    ("notifications.index", "nav.notifications", "any"),
]


def role_label(code: str | None) -> str:
    role = BY_CODE.get(code or "")
    if role is None:
        return code or ""
    return role.zh if current_language() == "zh" else role.en


def locality_label(code: str | None) -> str:
    names = _LOCALITIES.get(code or "")
    if names is None:
        return code or ""
    return names[0] if current_language() == "zh" else names[1]


def stage_label(key: str | None, processes: Mapping[str, str] | None = None) -> str:
    """A lifecycle stage as people name it (组织采购), else the name of the process of that key (a stage a
    locality added), else the key."""
    if not key:
        return ""
    translated = t(f"dash.stage.{key}")
    if translated != f"dash.stage.{key}":
        return translated
    return (processes or {}).get(key, key)


def nav_links() -> list[tuple[str, str]]:
    principal = g.get("principal")
    links = []
    for endpoint, label, audience in NAV:
        if endpoint not in current_app.view_functions:
            continue
        roles = (audience,) if isinstance(audience, str) else audience
        if audience == "any" or (principal and (principal.is_admin or any(principal.has_role(r) for r in roles))):
            links.append((endpoint, label))
    return links
