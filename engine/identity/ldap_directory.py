"""Checking a name and password against an LDAP directory or Active Directory (ldap3).

The usual two-step sign-in: bind with a service account, search the person by ``uid`` (OpenLDAP) or
``sAMAccountName`` (Active Directory) — the typed name escaped, so ``*`` or ``)(uid=*`` matches nothing — then
bind as the entry found with the typed password. Their groups are read with the service account (groups whose
``member`` is the person's DN), and a *disabled filter* says whether the directory has switched the account
off (Active Directory's ``ACCOUNTDISABLE`` bit by default; on OpenLDAP whatever the operator marks, e.g.
``(employeeType=disabled)``), checked before the password so a disabled person learns nothing new.

TLS is an ``ldaps://`` URL (TLS from the first byte) or ``start_tls`` on an ``ldap://`` one; either way the
server's certificate is verified — against ``ca_file`` when given, else the system's trusted CAs — and its
name must be the URL's host. A certificate that fails, or a server that refuses StartTLS, is
``DirectoryTlsFailed`` before any bind: no name or password ever goes out in the clear once TLS is asked for.

Nothing here writes to servflow's database: the result is a ``DirectoryPerson`` for ``external``.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from ldap3 import NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPBindError, LDAPCertificateError, LDAPException, LDAPStartTLSError
from ldap3.utils.conv import escape_filter_chars

from .external import DirectoryPerson

SOURCE = "ldap"
AD_DISABLED = "(userAccountControl:1.2.840.113556.1.4.803:=2)"


class DirectoryUnavailable(Exception):
    """The directory could not be asked (down, refused the service account, TLS failed): no sign-in."""


class DirectoryTlsFailed(DirectoryUnavailable):
    """TLS was asked for and could not be had (certificate not trusted or not the host's, StartTLS refused)."""


@dataclass(frozen=True)
class LdapSettings:
    url: str  # ldap://host:389 or ldaps://host:636
    base_dn: str
    bind_dn: str | None = None
    bind_password: str | None = None
    user_attr: str = "uid"
    start_tls: bool = False
    ca_file: str | None = None
    group_base_dn: str | None = None
    group_filter: str = "(&(objectClass=groupOfNames)(member={dn}))"
    group_name_attr: str = "cn"
    disabled_filter: str | None = None
    timeout: int = 5

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LdapSettings | None:
        """The settings of ``LDAP_*`` entries (``SERVFLOW_LDAP_*`` in the environment); ``None`` without a URL."""
        url = config.get("LDAP_URL")
        if not url:
            return None
        user_attr = config.get("LDAP_USER_ATTR") or "uid"
        disabled = config.get("LDAP_DISABLED_FILTER")
        if disabled is None and user_attr.lower() == "samaccountname":
            disabled = AD_DISABLED
        start_tls = str(config.get("LDAP_START_TLS", "")).lower() in {"1", "true", "yes", "on"}
        ldaps = str(url).lower().startswith("ldaps://")
        if start_tls and ldaps:
            raise ValueError("SERVFLOW_LDAP_START_TLS is for an ldap:// URL; an ldaps:// one is TLS already")
        if config.get("LDAP_CA_FILE") and not (start_tls or ldaps):
            raise ValueError("SERVFLOW_LDAP_CA_FILE is set but the URL is ldap:// without SERVFLOW_LDAP_START_TLS")
        return cls(
            url=url,
            base_dn=config["LDAP_BASE_DN"],
            bind_dn=config.get("LDAP_BIND_DN"),
            bind_password=config.get("LDAP_BIND_PASSWORD"),
            user_attr=user_attr,
            start_tls=start_tls,
            ca_file=config.get("LDAP_CA_FILE"),
            group_base_dn=config.get("LDAP_GROUP_BASE_DN"),
            group_filter=config.get("LDAP_GROUP_FILTER") or cls.group_filter,
            group_name_attr=config.get("LDAP_GROUP_NAME_ATTR") or cls.group_name_attr,
            disabled_filter=disabled or None,
            timeout=int(config.get("LDAP_TIMEOUT", 5)),
        )


def check_password(settings: LdapSettings, username: str, password: str) -> DirectoryPerson | None:
    """The person if the directory knows ``username``, with ``enabled=False`` when it disabled them;
    ``None`` for an unknown name or a wrong password. ``DirectoryUnavailable`` when it cannot be asked."""
    if not username or not password:  # an empty password would be an anonymous bind that "succeeds"
        return None
    server = _server(settings)
    service = _connection(server, settings, settings.bind_dn, settings.bind_password)
    try:
        entry = _find(service, settings, username)
        if entry is None:
            return None
        dn, attributes = entry
        if settings.disabled_filter and _matches(service, dn, settings.disabled_filter):
            return DirectoryPerson(SOURCE, username, _first(attributes, "displayName", "cn") or username, enabled=False)
        if not _password_ok(server, settings, dn, password):
            return None
        return DirectoryPerson(
            SOURCE,
            _first(attributes, settings.user_attr) or username,
            _first(attributes, "displayName", "cn") or username,
            _first(attributes, "mail"),
            frozenset(_groups(service, settings, dn)),
        )
    except LDAPException as error:
        raise _unavailable(error) from error
    finally:
        service.unbind()


def still_there(settings: LdapSettings, usernames: list[str]) -> dict[str, bool]:
    """Whether the directory still knows each of ``usernames`` as an enabled person (one service bind for
    all): what a sync reads to stop the accounts of people who left or were disabled without signing in
    again. ``DirectoryUnavailable`` when it cannot be asked (nothing is then concluded)."""
    if not usernames:
        return {}
    service = _connection(_server(settings), settings, settings.bind_dn, settings.bind_password)
    try:
        found = {}
        for username in usernames:
            entry = _find(service, settings, username)
            disabled = (
                entry is not None
                and bool(settings.disabled_filter)
                and _matches(service, entry[0], settings.disabled_filter or "")
            )
            found[username] = entry is not None and not disabled
        return found
    except LDAPException as error:
        raise _unavailable(error) from error
    finally:
        service.unbind()


def _server(settings: LdapSettings) -> Server:
    tls = None
    if settings.url.lower().startswith("ldaps://") or settings.start_tls:
        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.ca_file)
    return Server(settings.url, tls=tls, get_info=NONE, connect_timeout=settings.timeout)


def _connection(server: Server, settings: LdapSettings, dn: str | None, password: str | None) -> Connection:
    """A bound connection; any failure of the service account is the directory being unavailable."""
    try:
        connection = _opened(server, settings, dn, password)
        if not connection.bind():
            raise DirectoryUnavailable(f"service account bind refused: {connection.result.get('description')}")
    except LDAPException as error:
        raise _unavailable(error) from error
    return connection


def _opened(server: Server, settings: LdapSettings, dn: str | None = None, password: str | None = None) -> Connection:
    """An open connection, not bound yet, on TLS when the settings ask for it (StartTLS done and checked)."""
    connection = Connection(server, user=dn, password=password, receive_timeout=settings.timeout)
    try:
        connection.open()
        if settings.start_tls and not connection.start_tls(read_server_info=False):
            raise DirectoryTlsFailed(f"StartTLS did not start: {connection.last_error}")
    except BaseException:
        with suppress(LDAPException):  # the socket may be broken already; the first error is the one to tell
            connection.unbind()
        raise
    return connection


def _unavailable(error: LDAPException) -> DirectoryUnavailable:
    """What an ldap3 failure means here: TLS not to be had (ldap3 keeps the ssl error as text), or the
    directory not to be asked."""
    text = str(error)
    if isinstance(error, LDAPStartTLSError | LDAPCertificateError) or "ssl wrapping error" in text:
        return DirectoryTlsFailed(text)
    return DirectoryUnavailable(text)


def _find(service: Connection, settings: LdapSettings, username: str) -> tuple[str, dict[str, Any]] | None:
    """The single entry whose user attribute is ``username`` exactly (escaped), else ``None``."""
    search = f"({settings.user_attr}={escape_filter_chars(username)})"
    service.search(
        settings.base_dn, search, SUBTREE, attributes=[settings.user_attr, "cn", "displayName", "mail"], size_limit=2
    )
    if len(service.entries) != 1:
        return None
    found = service.entries[0]
    return found.entry_dn, found.entry_attributes_as_dict


def _matches(service: Connection, dn: str, search: str) -> bool:
    service.search(dn, search, attributes=[], size_limit=1, search_scope="BASE")
    return bool(service.entries)


def _password_ok(server: Server, settings: LdapSettings, dn: str, password: str) -> bool:
    connection = _opened(server, settings, dn, password)
    try:
        return bool(connection.bind())
    except LDAPBindError:
        return False
    finally:
        connection.unbind()


def _groups(service: Connection, settings: LdapSettings, dn: str) -> list[str]:
    search = settings.group_filter.replace("{dn}", escape_filter_chars(dn))
    service.search(settings.group_base_dn or settings.base_dn, search, SUBTREE, attributes=[settings.group_name_attr])
    return [str(value) for entry in service.entries for value in entry[settings.group_name_attr].values]


def _first(attributes: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        values = attributes.get(name) or []
        if values:
            return str(values[0])
    return None
