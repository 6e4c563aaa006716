"""Signing out ends the session on the server, and the cookie can be marked ``Secure`` (#7).

A copy of a session cookie — taken from a shared computer, a proxy log or a backup — signs its holder in
only until the owner signs out: after that the same cookie opens no page (redirect to the sign-in page)
and no API call (401), on any app server.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from support import csrf_token, login
from web import create_app


def _copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """Another browser holding the same session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _logout(client: FlaskClient) -> None:
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_a_copied_session_cookie_stops_working_after_logout(app: Flask, client: FlaskClient, database_url: str) -> None:
    login(client, "finance_reviewer_urumqi")
    copy = _copy_of(client, app)
    other_server = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    try:
        copy_elsewhere = _copy_of(client, other_server)
        assert copy.get("/").status_code == 200, "before logout the copy works (it is the same session)"
        assert copy.get("/api/v1/tasks").status_code == 200
        assert copy_elsewhere.get("/").status_code == 200

        _logout(client)

        page = copy.get("/")
        assert page.status_code == 302 and "/login" in page.headers["Location"]
        assert copy.get("/api/v1/tasks").status_code == 401
        assert "/login" in copy.get("/inbox/").headers.get("Location", "")
        elsewhere = copy_elsewhere.get("/")
        assert elsewhere.status_code == 302 and "/login" in elsewhere.headers["Location"]
        assert client.get("/").status_code == 302, "the owner is signed out too"
    finally:
        other_server.extensions["servflow_engine"].dispose()


def test_logging_out_one_session_leaves_the_users_other_sessions_signed_in(app: Flask) -> None:
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "manager_region")
    login(phone, "manager_region")
    _logout(laptop)
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200


def test_signing_in_again_does_not_revive_an_old_copied_cookie(app: Flask, client: FlaskClient) -> None:
    login(client, "purchaser_region")
    copy = _copy_of(client, app)
    _logout(client)
    login(client, "purchaser_region")
    assert client.get("/").status_code == 200
    assert copy.get("/").status_code == 302


def test_session_cookie_is_not_secure_by_default_for_plain_http(client: FlaskClient) -> None:
    login(client, "purchaser_region")
    cookie = client.get_cookie("session")
    assert cookie is not None and not cookie.secure and cookie.http_only


def test_secure_session_cookie_from_the_environment(database_url: str, monkeypatch) -> None:
    monkeypatch.setenv("SERVFLOW_SESSION_COOKIE_SECURE", "true")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    try:
        client = app.test_client()
        response = client.get("/login", base_url="https://localhost")
        set_cookie = response.headers.get("Set-Cookie", "")
        assert "session=" in set_cookie and "; Secure" in set_cookie
        assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    finally:
        app.extensions["servflow_engine"].dispose()
    monkeypatch.setenv("SERVFLOW_SESSION_COOKIE_SECURE", "no")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test"})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is False
    finally:
        app.extensions["servflow_engine"].dispose()
