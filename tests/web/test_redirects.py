"""``next`` only ever leads back into this site (issue #12: open redirect without sign-in)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from support import csrf_token

ELSEWHERE = ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "/%0a/evil.example"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_switching_language_never_sends_anyone_to_another_site(client: FlaskClient, target: str) -> None:
    response = client.get(f"/lang/en?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_switching_language_goes_back_to_the_page_it_came_from(client: FlaskClient) -> None:
    response = client.get("/lang/en?next=/dashboard/register%3Fpage%3D2")
    assert response.headers["Location"] == "/dashboard/register?page=2"


@pytest.mark.parametrize("target", ELSEWHERE)
def test_signing_in_never_sends_anyone_to_another_site(client: FlaskClient, target: str) -> None:
    token = csrf_token(client)
    response = client.post(
        f"/login?next={target}", data={"username": "admin", "password": "demo123", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/", "refused targets fall back to the home page"
