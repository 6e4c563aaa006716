"""The bell in the top bar counts a person's unread notices and goes down as they read them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from support import queue_sample_notices

pytestmark = pytest.mark.browser


def test_bell_counts_unread_notices_and_marking_one_read(live_app, page: Page) -> None:
    queue_sample_notices(live_app.engine)
    live_app.login(page, "manager_region")
    bell = page.locator("#notification-bell .bell-count")
    expect(bell).to_have_text("2")
    page.goto(f"{live_app.url}/notifications/")
    expect(page.get_by_text("【逾期督办】「财政审核」已超过办理期限2025-10-10")).to_be_visible()
    page.locator(".notice.unread form button").first.click()
    expect(bell).to_have_text("1")
    assert page.console_errors == []
