"""Files in forms: a purchaser attaches them to the application, the finance reviewer reads them, the
project page lists them by stage, and its dossier holds each with its checksum; an upload over the
field's limit or of a kind the field does not take is refused with a message naming the field, and then
nothing is stored; someone who may not read the project gets 404 for its files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any

from document_samples import APPLICATION, EXE, PDF, PNG
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.demo.driver import Driver
from engine.demo.seed import party_actor
from engine.documents import blob_store
from engine.jobs.scheduler import Scheduler
from engine.service import Engine
from engine.store.models import Blob, BlobChunk, Document
from support import csrf_token, login, systems_agree

FIELD = "application_files"


def _upload(client: FlaskClient, task_id: int, name: str, content: bytes, field: str = FIELD) -> Any:
    return client.post(
        f"/tasks/{task_id}/documents/{field}",
        query_string={"name": name},
        data=content,
        headers={
            "X-CSRFToken": csrf_token(client, f"/tasks/{task_id}"),
            "Accept": "application/json",
            "Content-Type": "application/octet-stream",
        },
    )


def _complete(client: FlaskClient, task_id: int, data: dict[str, Any]) -> Any:
    return client.post(
        f"/tasks/{task_id}/complete",
        json=data,
        headers={"X-CSRFToken": csrf_token(client, f"/tasks/{task_id}"), "Accept": "application/json"},
    )


def _stored(engine: Engine) -> tuple[int, int, int]:
    with engine.unit_of_work() as uow:
        count = uow.session.scalar
        return (
            count(select(func.count()).select_from(Blob)),
            count(select(func.count()).select_from(BlobChunk)),
            count(select(func.count()).select_from(Document)),
        )


def test_the_reviewer_reads_the_files_the_purchaser_attached(
    client: FlaskClient, engine: Engine, application_task: int
) -> None:
    login(client, "purchaser_urumqi")
    plan = _upload(client, application_task, "实施方案.pdf", PDF)
    assert plan.status_code == 201, plan.json
    assert plan.json["name"] == "实施方案.pdf" and plan.json["type"] == "application/pdf"
    assert plan.json["sha256"] == hashlib.sha256(PDF).hexdigest() and plan.json["size"] == len(PDF)
    photo = _upload(client, application_task, "C:\\材料\\现场照片.png", PNG)
    assert photo.status_code == 201 and photo.json["name"] == "现场照片.png"  # the client's folders are dropped

    done = _complete(client, application_task, {**APPLICATION, FIELD: [plan.json, {"id": photo.json["id"]}]})
    assert done.status_code == 200, done.json
    instance_id = engine.get_task(application_task).instance_id
    systems_agree(engine, instance_id)  # the budget line is checked before finance reviews
    submitted = engine.task_data(application_task)[FIELD]
    assert [d["name"] for d in submitted] == ["实施方案.pdf", "现场照片.png"]

    login(client, "finance_reviewer_urumqi")
    (review,) = engine.open_tasks(instance_id)
    page = client.get(f"/tasks/{review.id}").get_data(as_text=True)
    earlier = json.loads(re.search(r'id="submissions-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    shown = earlier[-1]["data"][FIELD]  # the application, with its files, among the earlier submissions
    assert [d["name"] for d in shown] == ["实施方案.pdf", "现场照片.png"]
    got = client.get(f"/documents/{plan.json['id']}")
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    assert "filename*=UTF-8''%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88.pdf" in got.headers["Content-Disposition"]

    project = client.get(f"/projects/{instance_id}").get_data(as_text=True)
    listing = project[project.index('id="project-documents"') :]
    assert "实施方案.pdf" in listing and "现场照片.png" in listing and "项目申报" in listing


def test_who_may_not_read_the_project_gets_404_for_its_files(
    client: FlaskClient, engine: Engine, application_task: int
) -> None:
    login(client, "purchaser_urumqi")
    draft = _upload(client, application_task, "方案.pdf", PDF).json
    login(client, "finance_reviewer_urumqi")  # a file on an open task is the worker's until it is submitted
    assert client.get(f"/documents/{draft['id']}").status_code == 404
    login(client, "purchaser_urumqi")
    assert _complete(client, application_task, {**APPLICATION, FIELD: [draft]}).status_code == 200
    instance_id = engine.get_task(application_task).instance_id
    systems_agree(engine, instance_id)
    for outsider in ("purchaser2_urumqi", "provider_urumqi", "purchaser_karamay", "finance_reviewer_karamay"):
        login(client, outsider)
        assert client.get(f"/documents/{draft['id']}").status_code == 404, outsider
        assert client.get(f"/projects/{instance_id}/dossier.zip").status_code == 404, outsider
    login(client, "finance_reviewer_urumqi")
    assert client.get(f"/documents/{draft['id']}").status_code == 200
    assert client.get("/documents/999999").status_code == 404


def test_an_upload_over_the_limit_or_of_the_wrong_kind_is_refused_and_nothing_is_kept(
    client: FlaskClient, engine: Engine, application_task: int
) -> None:
    login(client, "purchaser_urumqi")
    disguised = _upload(client, application_task, "合同.pdf", EXE)  # a program renamed to .pdf
    assert disguised.status_code == 415
    (message,) = disguised.json["errors"][FIELD]
    assert "申报材料" in message and "PDF" in message and "takes" in message
    big = PDF + bytes(50 * 1024 * 1024)  # over the field's 50 MB
    too_big = _upload(client, application_task, "大文件.pdf", big)
    assert too_big.status_code == 413, too_big.json
    assert "50 MB" in too_big.json["errors"][FIELD][0]
    empty = _upload(client, application_task, "空.pdf", b"")
    assert empty.status_code == 415 and "空" in empty.json["errors"][FIELD][0]
    assert _upload(client, application_task, "x.pdf", PDF, field="no_such_field").status_code == 404
    assert _stored(engine) == (0, 0, 0)

    login(client, "purchaser2_urumqi")  # another department's purchaser may not add files to it
    assert _upload(client, application_task, "方案.pdf", PDF).status_code == 404
    assert _stored(engine) == (0, 0, 0)


def test_a_submission_may_name_only_files_uploaded_to_that_field(
    client: FlaskClient, engine: Engine, application_task: int
) -> None:
    login(client, "purchaser_urumqi")
    refused = _complete(client, application_task, {**APPLICATION, FIELD: [{"id": 424242}]})
    assert refused.status_code == 422 and FIELD in refused.json["errors"]
    assert engine.get_task(application_task).state == "open"
    kept, dropped = (_upload(client, application_task, n, PDF + n.encode()).json for n in ("留.pdf", "删.pdf"))
    assert _complete(client, application_task, {**APPLICATION, FIELD: [kept]}).status_code == 200
    with engine.unit_of_work() as uow:  # the file removed from the form before submitting is gone
        names = set(uow.session.scalars(select(Document.file_name)))
    assert names == {"留.pdf"} and dropped["id"] != kept["id"]


def test_the_dossier_holds_every_document_with_the_checksums_of_its_index(
    client: FlaskClient, engine: Engine, application_task: int
) -> None:
    login(client, "purchaser_urumqi")
    files = [("实施方案.pdf", PDF), ("测算依据.pdf", PDF + b"%more"), ("实施方案.pdf", PDF), ("照片.png", PNG)]
    uploaded = [_upload(client, application_task, name, content).json for name, content in files]
    assert _complete(client, application_task, {**APPLICATION, FIELD: uploaded}).status_code == 200
    assert _stored(engine)[0] == 3  # the same content twice is stored once

    login(client, "manager_urumqi")
    instance_id = engine.get_task(application_task).instance_id
    response = client.get(f"/projects/{instance_id}/dossier.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "UR-DOC-1" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    rows = list(csv.DictReader(io.StringIO(archive.read("目录.csv").decode("utf-8-sig"))))
    assert [r["文件名"] for r in rows] == [name for name, _ in files]
    assert {r["阶段"] for r in rows} == {"项目申报"} and {r["提交人"] for r in rows} == {"乌鲁木齐购买主体"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r["提交时间"]) for r in rows)
    paths = [r["档案内路径"] for r in rows]
    assert len(set(paths)) == 4  # a repeated name gets its own path
    for row, (_, content) in zip(rows, files, strict=True):
        member = archive.read(row["档案内路径"])
        assert member == content and hashlib.sha256(member).hexdigest() == row["SHA-256"]


def test_the_scheduler_drops_content_no_document_keeps_and_uploads_a_crash_cut_short(
    client: FlaskClient, engine: Engine, application_task: int
) -> None:
    login(client, "purchaser_urumqi")
    kept, dropped = (_upload(client, application_task, n, PDF + n.encode()).json for n in ("留.pdf", "删.pdf"))
    assert _complete(client, application_task, {**APPLICATION, FIELD: [kept]}).status_code == 200
    now = engine.clock()
    crashed = engine.write(blob_store.open_blob, now - timedelta(days=2))  # a worker died mid-upload
    streaming = engine.write(blob_store.open_blob, now)  # an upload still coming in
    engine.write(blob_store.append, streaming, 0, [b"%PDF-"])
    assert _stored(engine) == (4, 3, 1)

    report = Scheduler(engine, owner="test").sweep()
    assert report.purged == 2 and "file contents purged 2" in str(report)
    with engine.unit_of_work() as uow:
        left = set(uow.session.scalars(select(Blob.id)))
    assert crashed not in left and streaming in left and len(left) == 2
    login(client, "manager_urumqi")
    assert client.get(f"/documents/{kept['id']}").data == PDF + "留.pdf".encode()
    assert client.get(f"/documents/{dropped['id']}").status_code == 404


def test_demo_projects_carry_a_sample_document_in_each_pdf_field(
    client: FlaskClient, engine: Engine, application_task: int
) -> None:
    instance_id = engine.get_task(application_task).instance_id
    driver = Driver(engine, actor=party_actor(engine), attach_samples=True)
    driver.run(instance_id, {"submit_application": APPLICATION}, stop_at={"review_application"})
    login(client, "manager_urumqi")
    listed = client.get(f"/projects/{instance_id}").get_data(as_text=True)
    assert "申报材料（实施方案、测算依据等）.pdf" in listed
    with engine.unit_of_work() as uow:
        (document,) = uow.session.scalars(select(Document))
    content = client.get(f"/documents/{document.id}").data
    assert content.startswith(b"%PDF-1.4") and b"UR-DOC-1" in content and content.rstrip().endswith(b"%%EOF")
