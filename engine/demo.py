"""Demo users and projects for ``make run``: every role in three localities, projects in every stage.

All demo users share the password ``DEMO_PASSWORD``; ``seed_users`` is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .models import User
from .roles import ROLES
from .service import Engine
from .users import create_user, grant, hash_password

DEMO_PASSWORD = "demo123"
DEMO_LOCALITIES = (("650000", "region", "自治区"), ("650100", "urumqi", "乌鲁木齐"), ("650200", "karamay", "克拉玛依"))
DEPARTMENTS = {"650000": "自治区文化和旅游厅", "650100": "乌鲁木齐市民政局", "650200": "克拉玛依市社保局"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    locality: str
    display_name: str


def demo_logins() -> list[DemoLogin]:
    logins = []
    for code, suffix, place in DEMO_LOCALITIES:
        for role in ROLES:
            logins.append(DemoLogin(f"{role.code}_{suffix}", role.code, code, f"{place}{role.zh}"))
        logins.append(DemoLogin(f"finance_reviewer2_{suffix}", "finance_reviewer", code, f"{place}财政部门（二）"))
    return logins


def seed_users(engine: Engine) -> list[DemoLogin]:
    logins = demo_logins()
    with engine.unit_of_work(write=True) as uow:
        existing = set(uow.session.scalars(select(User.username)))
        shared_hash = hash_password(DEMO_PASSWORD)  # one slow hash for all demo accounts
        if "admin" not in existing:
            create_user(uow.session, "admin", None, "系统管理员", password_hash=shared_hash, is_admin=True)
        for login in logins:
            if login.username in existing:
                continue
            user = create_user(
                uow.session,
                login.username,
                None,
                login.display_name,
                password_hash=shared_hash,
                email=f"{login.username}@example.test",
                department=DEPARTMENTS[login.locality] if login.role == "purchaser" else None,
            )
            grant(uow.session, user, login.role, login.locality, is_lead=login.role in ("finance_reviewer", "manager"))
        uow.commit()
    return logins
