"""Files in Chromium: the purchaser attaches files to the application (one refused for its kind, one
removed again), submits; the finance reviewer reads the application with its files and downloads one;
the project page lists them by stage with the dossier to download."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from document_samples import APPLICATION, EXE, PDF, PNG
from playwright.sync_api import Page, expect

from engine.demo.seed import shipped_bundle
from support import systems_agree

pytestmark = pytest.mark.browser

FIELD = "[data-field-key='application_files']"


def test_files_go_with_the_application_to_the_reviewer_and_the_project_page(
    live_app: Any, page: Page, tmp_path: Path
) -> None:
    engine = live_app.engine
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-FILES-1", actor="purchaser_urumqi",
                            title="社区居家养老服务")  # fmt: skip
    (apply,) = engine.open_tasks(instance.id)
    engine.save_draft(apply.id, APPLICATION, actor="purchaser_urumqi")
    files = {"实施方案.pdf": PDF, "现场照片.png": PNG, "病毒.pdf": EXE}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)

    live_app.login(page, "purchaser_urumqi")
    page.goto(f"{live_app.url}/tasks/{apply.id}")
    page.wait_for_function("() => document.body.dataset.formReady === 'true'")
    field = page.locator(f"#task-form {FIELD}")
    expect(field).to_contain_text("未上传文件")
    field.locator("input[type=file]").set_input_files([str(tmp_path / n) for n in files])
    expect(field.locator("li[data-document-id]")).to_have_count(2)
    expect(field.locator(".fjs-form-field-error")).to_contain_text("病毒.pdf")  # a program is not a PDF
    field.get_by_role("button", name="移除 现场照片.png").click()
    expect(field.locator("li[data-document-id]")).to_have_count(1)
    page.locator("#submit-task").click()
    page.wait_for_url(f"**/projects/{instance.id}")
    expect(page.locator("#project-documents")).to_contain_text("实施方案.pdf")
    expect(page.locator("#project-documents")).not_to_contain_text("现场照片.png")

    systems_agree(engine, instance.id)  # the budget system confirms the line before finance reviews
    live_app.logout(page)
    live_app.login(page, "finance_reviewer_urumqi")
    (review,) = engine.open_tasks(instance.id)
    page.goto(f"{live_app.url}/tasks/{review.id}")
    page.wait_for_function("() => document.body.dataset.submissionsReady === 'true'")
    attached = page.locator(f"details.submission {FIELD}")
    expect(attached.get_by_role("button")).to_have_count(0)  # read-only: no choosing, no removing
    with page.expect_download() as download:
        attached.get_by_role("link", name="实施方案.pdf").click()
    assert download.value.suggested_filename == "实施方案.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    page.goto(f"{live_app.url}/projects/{instance.id}")
    expect(page.locator("#project-documents h3")).to_have_text(["项目申报"])
    with page.expect_download() as dossier:
        page.locator("#project-dossier").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(dossier.value.path()).read_bytes()))
    assert sorted(archive.namelist()) == ["01 项目申报/填报项目申报书/实施方案.pdf", "目录.csv"]
    refused = [e for e in page.console_errors if "415" in e]  # the browser logs the refused upload
    assert len(refused) == 1 and [e for e in page.console_errors if e not in refused] == []
