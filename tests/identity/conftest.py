"""Fixtures of the identity tests: a real slapd per test, the mapping rules, and the app configured for them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from identity.directory_samples import RULES
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
