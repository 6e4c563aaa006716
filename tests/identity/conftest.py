"""Fixtures of the identity tests: a real slapd per test (one speaking TLS with certificates made for the
test), a real OpenID provider, the mapping rules, and the app configured for them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from identity.certificates import ServerFiles, server_files
from identity.directory_samples import RULES
from identity.oidc_server import OpenIdProvider, running_provider
from identity.oidc_server import available as provider_available
from identity.slapd_server import Slapd, available, running_slapd


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "identity-rules.json"
    path.write_text(json.dumps(RULES, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def slapd(tmp_path: Path) -> Iterator[Slapd]:
    if not available():
        pytest.skip("OpenLDAP's slapd is not installed (make identity-servers)")
    root = tmp_path / "slapd"
    root.mkdir()
    with running_slapd(root) as server:
        yield server


@pytest.fixture
def certificates(tmp_path: Path) -> ServerFiles:
    folder = tmp_path / "certificates"
    folder.mkdir()
    return server_files(folder)


@pytest.fixture
def tls_slapd(tmp_path: Path, certificates: ServerFiles) -> Iterator[Slapd]:
    """slapd with a certificate of a throwaway CA: StartTLS on ``url``, TLS from the first byte on ``ldaps_url``."""
    if not available():
        pytest.skip("OpenLDAP's slapd is not installed (make identity-servers)")
    root = tmp_path / "tls-slapd"
    root.mkdir()
    with running_slapd(root, certificates) as server:
        yield server


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[OpenIdProvider]:
    """node's oidc-provider on a free loopback port, with the test people (``oidc_server.PEOPLE``)."""
    if not provider_available():
        pytest.skip("node's oidc-provider is not installed (make identity-servers)")
    root = tmp_path / "op"
    root.mkdir()
    with running_provider(root) as running:
        yield running
