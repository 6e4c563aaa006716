"""What the identity tests share besides fixtures: the mapping rules they sign in with, and the directory's
administrator connection (a module of its own: conftest modules are not imported by name)."""

from __future__ import annotations

from identity.slapd_server import ADMIN_DN, ADMIN_PASSWORD, Slapd

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


def directory_admin(server: Slapd):
    """A connection bound as the directory's administrator, to change people and groups as an IT desk would."""
    from ldap3 import Connection

    return Connection(server.url, user=ADMIN_DN, password=ADMIN_PASSWORD, auto_bind=True)
