"""A designer moves a city's running projects to review v2 in Chromium: the page in Chinese, a dry run
(those at the first review will pass the new expert step, the one past it has passed it), a renamed-step
mapping refused, then the migration and its report; the English switch shows the same page in English."""

from __future__ import annotations

from typing import Any

import pytest
from migration_models import V1, V2, bundle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
URUMQI = "650100"


def test_designer_dry_runs_migrates_and_reads_the_report(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    engine.deploy(bundle(V1), URUMQI)
    ids = [engine.start("mreview", locality=URUMQI, business_key=f"WEB-{i}", data={}).id for i in range(3)]
    engine.complete(engine.open_tasks(ids[2])[0].id, {}, actor="system")
    engine.deploy(bundle(V2), URUMQI)
    v2 = engine.current_version("mreview", URUMQI).id

    live_app.login(page, "designer_urumqi")
    page.goto(f"{live_app.url}/designer/{URUMQI}/process/mreview/versions")
    page.click("#migrate-link")
    expect(page.locator("h1")).to_contain_text("迁移运行中的项目")

    page.fill("#migrate-mapping", "APPROVE")
    page.click("#dry-run")
    expect(page.locator("#migrate-error")).to_contain_text("旧=新")

    page.fill("#migrate-mapping", "")
    page.click("#dry-run")
    rows = page.locator("#dry-run-list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("h2")).to_contain_text("3 个项目中 3 个可以迁移")
    expect(page.locator(f"tr[data-instance='{ids[0]}']")).to_contain_text("将经过新增环节：expert_review")
    expect(page.locator(f"tr[data-instance='{ids[2]}']")).to_contain_text("已过新增环节")

    page.click("#run-migration")
    page.wait_for_function("() => document.querySelector('#migration-summary') !== null")
    summary = page.locator("#migration-summary")
    expect(summary).to_have_attribute("data-moved", "3")
    expect(summary).to_contain_text("已迁移 3 个")
    assert {engine.get_instance(i).bound_versions["mreview"] for i in ids} == {v2}

    page.fill("#revert-migration input[name=instance_id]", str(ids[0]))  # nothing happened to it since
    page.click("#revert-migration button")
    expect(page.locator(".flash.success")).to_contain_text(f"项目 {ids[0]} 已回到迁移前的版本")
    assert engine.get_instance(ids[0]).bound_versions["mreview"] != v2
    page.fill("#revert-migration input[name=instance_id]", "999999")
    page.click("#revert-migration button")
    expect(page.locator(".flash.error")).to_contain_text("未能撤销迁移")

    page.goto(f"{live_app.url}/lang/en?next=/designer/{URUMQI}/process/mreview/migrate")
    expect(page.locator("h1")).to_contain_text("Migrate running projects")
