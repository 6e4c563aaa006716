"""Helpers shared by tests (importable as ``support``; ``tests/`` is on pytest's python path)."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from engine.demo import DEMO_PASSWORD

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_bytes(*parts: str) -> dict[str, bytes]:
    """A bundle made of files under tests/fixtures."""
    return {Path(p).name: (FIXTURES / p).read_bytes() for p in parts}


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form (with its CSRF token)."""
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
