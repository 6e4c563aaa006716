"""The provider registry pages: the demo's blacklisted provider shows in the list, on its entry and on the
public page; who may not read the registry does not see it in the menu and gets a 403; a lift without a
reason is refused on its field."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.demo.seed import BAN_REASON, BANNED
from support import csrf_token, login


def _entry_url(client: FlaskClient) -> str:
    html = client.get("/providers/?banned=yes").get_data(as_text=True)
    (href,) = re.findall(r'href="(/providers/\d+)"', html)
    return href


def test_the_demo_ban_shows_in_the_registry_and_to_the_public(client: FlaskClient) -> None:
    assert BANNED.name in client.get("/public/").get_data(as_text=True)  # no sign-in needed
    login(client, "purchaser_urumqi")
    assert "承接主体名录" in client.get("/inbox/").get_data(as_text=True)
    entry = client.get(_entry_url(client)).get_data(as_text=True)
    assert BANNED.credit_code in entry and BAN_REASON in entry
    assert 'id="ban-form"' not in entry  # a purchaser looks up, finance keeps


def test_who_may_not_read_the_registry_neither_sees_it_nor_opens_it(client: FlaskClient) -> None:
    login(client, "evaluator_urumqi")
    assert "承接主体名录" not in client.get("/inbox/").get_data(as_text=True)
    assert client.get("/providers/").status_code == 403


def test_lifting_a_ban_needs_a_reason_and_then_the_public_page_drops_it(client: FlaskClient) -> None:
    login(client, "finance_reviewer_urumqi")
    url = _entry_url(client)
    (lift,) = re.findall(rf'action="({url}/blacklist/\d+/lift)"', client.get(url).get_data(as_text=True))
    refused = client.post(lift, data={"reason": " ", "csrf_token": csrf_token(client, url)})
    assert refused.status_code == 422 and 'data-field="reason">必填' in refused.get_data(as_text=True)
    done = client.post(lift, data={"reason": "信用修复", "csrf_token": csrf_token(client, url)})
    assert done.status_code == 302
    assert "信用修复" in client.get(url).get_data(as_text=True)
    assert BANNED.name not in client.get("/public/").get_data(as_text=True)
