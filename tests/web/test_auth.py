"""Sign-in, CSRF, language and the security basics every page shares."""

from __future__ import annotations

from flask.testing import FlaskClient

from support import csrf_token, login


def test_login_logout_and_scope_of_the_session(client: FlaskClient) -> None:
    assert client.get("/").status_code == 302
    login(client, "finance_reviewer_urumqi")
    home = client.get("/").get_data(as_text=True)
    assert "乌鲁木齐财政部门" in home
    assert "乌鲁木齐市" in home
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_wrong_password_is_refused_and_repeated_failures_lock(client: FlaskClient) -> None:
    for _ in range(5):
        response = client.post(
            "/login", data={"username": "purchaser_region", "password": "nope", "csrf_token": csrf_token(client)}
        )
        assert response.status_code == 401
        assert "用户名或密码错误" in response.get_data(as_text=True)
    locked = client.post(
        "/login", data={"username": "purchaser_region", "password": "demo123", "csrf_token": csrf_token(client)}
    )
    assert locked.status_code == 401


def test_post_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "admin", "password": "demo123"})
    assert response.status_code == 400


def test_english_switch_and_security_headers(client: FlaskClient) -> None:
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en?next=/login")
    page = client.get("/login")
    assert "Sign in" in page.get_data(as_text=True)
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
