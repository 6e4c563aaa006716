"""Fixtures of the identity tests: a real slapd per test, the mapping rules, and the app configured for them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from slapd_server import ADMIN_DN, ADMIN_PASSWORD, Slapd, available, running_slapd

RULES = {
    "rules": [
        {
            "group": "minzheng-purchasers",
            "locality": "650100",
            "organization": "乌鲁木齐市民政局",
            "roles": ["purchaser"],
        },
        {
            "group": "chengguan-purchasers",
            "locality": "乌鲁木齐市",
            "organization": "乌鲁木齐市城市管理委员会",
            "roles": ["purchaser"],
        },
        {
            "group": "finance-urumqi",
            "locality": "650100",
            "organization": "乌鲁木齐市财政局",
            "roles": ["finance_reviewer"],
            "lead": True,
        },
    ]
}


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


def directory_admin(server: Slapd):
    """A connection bound as the directory's administrator, to change people and groups as an IT desk would."""
    from ldap3 import Connection

    return Connection(server.url, user=ADMIN_DN, password=ADMIN_PASSWORD, auto_bind=True)
