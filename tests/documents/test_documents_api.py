"""Documents through the API, as another system sends them: the raw file as the request body under a
bearer token, the document's id named in the completion, the project's list and the download; a refusal
is the API's JSON error with the field named, and a caller who may not read the project gets 404."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from urllib.parse import quote

from document_samples import APPLICATION, EXE, PDF
from flask import Flask
from flask.testing import FlaskClient

from engine.identity import users
from engine.service import Engine
from support import systems_agree

FIELD = "application_files"


def _bearer(engine: Engine) -> Callable[[str], dict[str, str]]:
    def token(username: str) -> dict[str, str]:
        with engine.unit_of_work(write=True) as uow:
            value = users.issue_token(uow.session, users.get_user(uow.session, username), "tests")
            uow.commit()
        return {"Authorization": f"Bearer {value}"}

    return token


def test_another_system_uploads_lists_and_downloads_documents(
    client: FlaskClient, engine: Engine, app: Flask, application_task: int
) -> None:
    token = _bearer(engine)
    purchaser = token("purchaser_urumqi")
    url = f"/api/v1/tasks/{application_task}/documents/{FIELD}?name={quote('需求说明.pdf')}"
    sent = client.post(url, data=PDF, headers={**purchaser, "Content-Type": "application/pdf"})
    assert sent.status_code == 201 and sent.json["sha256"] == hashlib.sha256(PDF).hexdigest()

    refused = client.post(url, data=EXE, headers=purchaser)
    assert refused.status_code == 415 and refused.json["code"] == "file_kind" and FIELD in refused.json["errors"]
    outsider = client.post(url, data=PDF, headers=token("provider_urumqi"))
    assert outsider.status_code == 404

    done = client.post(
        f"/api/v1/tasks/{application_task}/complete",
        json={"data": {**APPLICATION, FIELD: [{"id": sent.json["id"]}]}},
        headers=purchaser,
    )
    assert done.status_code == 200, done.json
    instance_id = engine.get_task(application_task).instance_id
    systems_agree(engine, instance_id)  # the budget system answers before finance reviews
    finance = token("finance_reviewer_urumqi")
    listed = client.get(f"/api/v1/instances/{instance_id}/documents", headers=finance).json["items"]
    assert [(d["name"], d["stage"], d["field"], d["uploaded_by"]) for d in listed] == [
        ("需求说明.pdf", "apply", FIELD, "purchaser_urumqi")
    ]
    got = client.get(f"/api/v1/documents/{sent.json['id']}", headers=finance)
    assert got.status_code == 200 and got.data == PDF
    assert client.get(f"/api/v1/documents/{sent.json['id']}", headers=token("purchaser_karamay")).status_code == 404
    assert client.get(f"/api/v1/instances/{instance_id}/documents", headers=token("provider_urumqi")).status_code == 404
