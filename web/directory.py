"""Where people sign in from, as configured: the local accounts, an LDAP / Active Directory, OpenID providers.

Read once at start-up from ``SERVFLOW_*`` settings (``LOCAL_LOGIN``, ``LDAP_*``, ``IDENTITY_RULES`` — a rules
file's path or its JSON, see ``engine.identity.mapping``), so a broken rules file stops the app instead of
signing people in with no roles. The login form's name and password go to the directory first, when there
is one, then — unless ``SERVFLOW_LOCAL_LOGIN=0`` — to the local accounts (the embedded default's ``admin``
and demo users).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from flask import Flask, current_app

from engine.errors import ConflictError, InvalidDataError
from engine.identity import external, ldap_directory, sessions
from engine.identity.mapping import Rule, load_rules

from .engine_ext import get_engine

KEY = "servflow_directory"


@dataclass(frozen=True)
class Sources:
    local: bool
    ldap: ldap_directory.LdapSettings | None
    rules: tuple[Rule, ...]


class Refusal(Enum):
    """Why a name and password did not sign anyone in (each has its own message on the login page)."""

    INVALID = "auth.invalid"
    DISABLED = "auth.disabled"
    UNAVAILABLE = "auth.directory_unavailable"
    INSECURE = "auth.directory_tls"


@dataclass(frozen=True)
class Outcome:
    signed_in: sessions.SignedIn | None = None
    refusal: Refusal | None = None
    detail: str | None = None  # a rules or name-clash message to show as it is


def init_app(app: Flask) -> None:
    app.extensions[KEY] = Sources(
        local=str(app.config.get("LOCAL_LOGIN", "1")).strip().lower() not in {"0", "false", "no", "off"},
        ldap=ldap_directory.LdapSettings.from_config(app.config),
        rules=load_rules(app.config.get("IDENTITY_RULES")),
    )


def sources() -> Sources:
    return current_app.extensions[KEY]


def password_form() -> bool:
    """Whether the login page asks for a name and password (local accounts or the directory)."""
    configured = sources()
    return configured.local or configured.ldap is not None


def sign_in_with_password(username: str, password: str) -> Outcome:
    """Try the directory, then the local accounts; only a person found nowhere is "wrong name or password"."""
    configured = sources()
    if configured.ldap is not None:
        try:
            person = ldap_directory.check_password(configured.ldap, username, password)
        except ldap_directory.DirectoryTlsFailed as error:
            current_app.logger.error("LDAP directory refused as insecure (nothing was sent): %s", error)
            return Outcome(refusal=Refusal.INSECURE)
        except ldap_directory.DirectoryUnavailable as error:
            current_app.logger.warning("LDAP directory unavailable: %s", error)
            return Outcome(refusal=Refusal.UNAVAILABLE)
        if person is not None:
            return directory_sign_in(person)
    if not configured.local:
        return Outcome(refusal=Refusal.INVALID)
    signed_in = get_engine().write(
        sessions.sign_in,
        username,
        password,
        datetime.now(UTC),
        current_app.permanent_session_lifetime,
        max_attempts=current_app.config["LOGIN_MAX_ATTEMPTS"],
        lock_seconds=current_app.config["LOGIN_LOCK_SECONDS"],
    )
    return Outcome(signed_in) if signed_in else Outcome(refusal=Refusal.INVALID)


def directory_sign_in(person: external.DirectoryPerson) -> Outcome:
    """Apply the directory's word and the mapping rules to the local account, and open a session."""
    try:
        signed_in = get_engine().write(
            external.sign_in_directory_person,
            person,
            sources().rules,
            datetime.now(UTC),
            current_app.permanent_session_lifetime,
        )
    except (ConflictError, InvalidDataError) as error:
        return Outcome(refusal=Refusal.INVALID, detail=str(error))
    return Outcome(signed_in) if signed_in else Outcome(refusal=Refusal.DISABLED)
