"""LDAP sign-in against a real slapd: the directory's word and the mapping rules decide who someone is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from identity.directory_samples import directory_admin
from identity.slapd_server import GROUPS, PEOPLE, Slapd, free_port
from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE
from sqlalchemy import func, select

from engine.demo.seed import seed_calendars, seed_users
from engine.identity import users
from engine.identity.ldap_directory import LdapSettings
from engine.identity.organizations import organizations_of
from engine.jobs.directory_sync import DirectorySync
from engine.service import Engine
from engine.store.models import User
from support import csrf_token
from web import create_app


@pytest.fixture
def app(engine: Engine, database_url: str, slapd: Slapd, rules_file: Path) -> Iterator[Flask]:
    seed_calendars(engine)
    seed_users(engine)
    application = _app(database_url, rules_file, slapd.settings())
    yield application
    application.extensions["servflow_engine"].dispose()


def _app(database_url: str, rules_file: Path, settings: dict[str, object]) -> Flask:
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test", "IDENTITY_RULES": str(rules_file)}
    return create_app(config | settings)


def _sign_in(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    )
    return response.status_code, response.get_data(as_text=True)


def _organizations(engine: Engine, username: str) -> list[str]:
    return [o.name for o in engine.read_once(lambda s: organizations_of(s, users.get_user(s, username)))]


def _grants(engine: Engine, username: str) -> set[tuple[str, str, bool]]:
    principal = engine.read_once(lambda s: users.principal(s, users.get_user(s, username)))
    return {(g.role, g.locality, g.is_lead) for g in principal.grants}


def test_a_directory_person_signs_in_and_gets_the_rules_grants(app: Flask, engine: Engine) -> None:
    client = app.test_client()
    status, _ = _sign_in(client, "zhangwei", "zhang-pass")
    assert status == 302
    assert _organizations(engine, "zhangwei") == ["乌鲁木齐市民政局"]
    assert _grants(engine, "zhangwei") == {("purchaser", "650100", False)}
    assert client.get("/").status_code == 200
    assert "张伟" in client.get("/").get_data(as_text=True)


def test_wrong_password_and_injection_attempts_find_nobody(app: Flask, engine: Engine) -> None:
    client = app.test_client()
    before = engine.read_once(lambda s: s.scalar(select(func.count()).select_from(User)))
    for username, password in [
        ("zhangwei", "wrong"),
        ("*", "zhang-pass"),
        ("zhangwei)(uid=*", "zhang-pass"),
        ("*)(|(uid=*", "zhang-pass"),
        ("zhang*", "zhang-pass"),
        ("zhangwei", ""),
    ]:
        status, page = _sign_in(client, username, password)
        assert status == 401 and "用户名或密码错误" in page, username
    assert engine.read_once(lambda s: s.scalar(select(func.count()).select_from(User))) == before


def test_a_disabled_account_is_refused_and_its_tokens_stop(app: Flask, engine: Engine, slapd: Slapd) -> None:
    client = app.test_client()
    status, page = _sign_in(client, "wangfang", "wang-pass")
    assert status == 401 and "已在统一身份认证系统中停用" in page

    assert _sign_in(client, "lina", "li-pass")[0] == 302
    token = engine.write(lambda s: users.issue_token(s, users.get_user(s, "lina"), "script"))
    api = app.test_client()
    assert api.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    with directory_admin(slapd) as admin:
        admin.modify(f"uid=lina,{PEOPLE}", {"employeeType": [(MODIFY_REPLACE, ["disabled"])]})
    other = app.test_client()
    status, page = _sign_in(other, "lina", "li-pass")
    assert status == 401 and "停用" in page
    assert api.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/").status_code == 302  # the session opened before no longer signs her in


def test_a_move_to_another_department_replaces_memberships_at_next_sign_in(
    app: Flask, engine: Engine, slapd: Slapd
) -> None:
    assert _sign_in(app.test_client(), "zhangwei", "zhang-pass")[0] == 302
    with directory_admin(slapd) as admin:
        person = f"uid=zhangwei,{PEOPLE}"
        admin.modify(f"cn=minzheng-purchasers,{GROUPS}", {"member": [(MODIFY_DELETE, [person])]})
        admin.modify(f"cn=chengguan-purchasers,{GROUPS}", {"member": [(MODIFY_ADD, [person])]})
    assert _organizations(engine, "zhangwei") == ["乌鲁木齐市民政局"]  # nothing changes until he signs in
    assert _sign_in(app.test_client(), "zhangwei", "zhang-pass")[0] == 302
    assert _organizations(engine, "zhangwei") == ["乌鲁木齐市城市管理委员会"]
    assert _grants(engine, "zhangwei") == {("purchaser", "650100", False)}


def test_local_accounts_work_beside_the_directory_and_can_be_switched_off(
    app: Flask, engine: Engine, database_url: str, slapd: Slapd, rules_file: Path
) -> None:
    assert _sign_in(app.test_client(), "admin", "demo123")[0] == 302
    directory_only = _app(database_url, rules_file, {**slapd.settings(), "LOCAL_LOGIN": "0"})
    try:
        client = directory_only.test_client()
        assert _sign_in(client, "admin", "demo123")[0] == 401
        assert _sign_in(client, "zhangwei", "zhang-pass")[0] == 302
    finally:
        directory_only.extensions["servflow_engine"].dispose()


def test_the_directory_unreachable_is_a_clear_message_and_nothing_written(
    engine: Engine, database_url: str, rules_file: Path, slapd: Slapd
) -> None:
    settings = {**slapd.settings(), "LDAP_URL": f"ldap://127.0.0.1:{free_port()}", "LDAP_TIMEOUT": 2}
    application = _app(database_url, rules_file, settings)
    try:
        status, page = _sign_in(application.test_client(), "zhangwei", "zhang-pass")
        assert status == 401 and "暂时无法连接统一身份认证目录" in page
        assert engine.read_once(lambda s: s.scalar(select(User).where(User.username == "zhangwei"))) is None
    finally:
        application.extensions["servflow_engine"].dispose()


def test_the_scheduler_stops_a_disabled_persons_token_without_a_new_sign_in(
    app: Flask, engine: Engine, slapd: Slapd
) -> None:
    assert _sign_in(app.test_client(), "lina", "li-pass")[0] == 302
    assert _sign_in(app.test_client(), "zhangwei", "zhang-pass")[0] == 302
    token = engine.write(lambda s: users.issue_token(s, users.get_user(s, "lina"), "script"))
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    sync = DirectorySync(engine, LdapSettings.from_config(slapd.settings()))
    assert sync.run() == 0 and api.get("/api/v1/tasks", headers=headers).status_code == 200
    with directory_admin(slapd) as admin:
        admin.modify(f"uid=lina,{PEOPLE}", {"employeeType": [(MODIFY_REPLACE, ["disabled"])]})
    assert sync.run() == 1  # nobody signed in again: the sync found her disabled
    assert api.get("/api/v1/tasks", headers=headers).status_code == 401
    assert engine.read(lambda s: users.get_user(s, "zhangwei").is_active)  # the others keep their accounts
