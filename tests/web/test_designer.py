"""The designer's workspace over HTTP: list, validate, deploy, versions, diff, roll back, import, scope."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from flask.testing import FlaskClient

from engine.service import Engine
from support import FIXTURES, csrf_token, fixture_bytes, login

REGION, URUMQI, KARAMAY = "650000", "650100", "650200"
INTAKE = (FIXTURES / "designer" / "intake.bpmn").read_text(encoding="utf-8")
SCENARIOS = (FIXTURES / "designer" / "intake.scenarios.json").read_text(encoding="utf-8")


@pytest.fixture
def region_bundle(engine: Engine) -> Engine:
    files = fixture_bytes("designer/intake.bpmn", "forms/application.form.json", "designer/review.form.json")
    files["scenarios/intake.scenarios.json"] = SCENARIOS.encode()
    engine.deploy(files, REGION, deployed_by="region_designer")
    return engine


def _designer(client: FlaskClient, username: str = "designer_urumqi") -> str:
    login(client, username)
    return csrf_token(client, "/designer/")


def _post(client: FlaskClient, url: str, token: str, payload: dict) -> tuple[int, dict]:
    response = client.post(url, json=payload, headers={"X-CSRFToken": token, "Accept": "application/json"})
    return response.status_code, response.get_json()


def _with_review_task(xml: str) -> str:
    """The intake process with a finance review task (form + deadline) between apply and end."""
    task = (
        '<bpmn:userTask id="finance_review" name="财政审核"><bpmn:extensionElements>'
        '<servflow:task formKey="review" dueIn="3" dueUnit="workingDays" /></bpmn:extensionElements>'
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>"
    )
    return (
        xml.replace(
            '<bpmn:lane id="lane_finance" name="财政部门" />',
            '<bpmn:lane id="lane_finance" name="财政部门">'
            "<bpmn:flowNodeRef>finance_review</bpmn:flowNodeRef></bpmn:lane>",
        )
        .replace(
            '<bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="end" />',
            '<bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="finance_review" />'
            '<bpmn:sequenceFlow id="f3" sourceRef="finance_review" targetRef="end" />' + task,
        )
        .replace(
            "<bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>", "<bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>"
        )
    )


def test_process_list_marks_inherited_versions_and_needs_the_designer_role(
    client: FlaskClient, region_bundle: Engine
) -> None:
    login(client, "purchaser_urumqi")
    assert client.get("/designer/").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    _designer(client)
    page = client.get("/designer/").get_data(as_text=True)
    assert "项目受理" in page and "v1" in page and "region_designer" in page
    assert "继承自 自治区本级" in page
    assert "复制并修改" in page
    client.get("/lang/en?next=/designer/")
    assert "Inherited from Xinjiang (region level)" in client.get("/designer/").get_data(as_text=True)


def test_modeler_page_opens_the_inherited_version_with_the_bundle_forms(
    client: FlaskClient, region_bundle: Engine
) -> None:
    _designer(client)
    page = client.get(f"/designer/{URUMQI}/process/intake").get_data(as_text=True)
    assert "dist/modeler.js" in page and "dist/form-editor.js" in page and "dist/dmn.js" in page
    data = json.loads(page.split('id="designer-data">')[1].split("</script>")[0])
    assert data["file"] == "intake.bpmn"
    assert 'id="intake"' in data["bpmn"]
    assert set(data["forms"]) == {"application.form.json", "review.form.json"}
    assert json.loads(data["scenarios"])["scenarios"][0]["expect"]["tasks"] == ["apply"]
    new = client.get(f"/designer/{URUMQI}/new?key=site_visit&name=<现场检查>").get_data(as_text=True)
    data = json.loads(new.split('id="designer-data">')[1].split("</script>")[0])
    assert 'id="site_visit"' in data["bpmn"] and "&lt;现场检查&gt;" in data["bpmn"]
    assert client.get(f"/designer/{URUMQI}/new?key=1 bad").status_code == 302


def test_validate_lists_every_problem_and_stores_nothing(client: FlaskClient, region_bundle: Engine) -> None:
    token = _designer(client)
    broken = (
        _with_review_task(INTAKE)
        .replace('formKey="review"', 'formKey="no_such_form"')
        .replace('dueIn="3"', 'dueIn="three"')
        .replace("<bpmn:flowNodeRef>finance_review</bpmn:flowNodeRef>", "")
    )
    status, body = _post(client, f"/designer/{URUMQI}/validate", token, {"files": {"intake.bpmn": broken}})
    assert status == 200 and body["ok"] is False
    codes = {(p["code"], p["element_id"]) for p in body["problems"]}
    assert {("unknown_form", "finance_review"), ("deadline", "finance_review"), ("no_lane", "finance_review")} <= codes
    assert all(" / " in p["message"] for p in body["problems"])
    assert len(region_bundle.versions(locality=URUMQI)) == 0

    status, body = _post(client, f"/designer/{URUMQI}/validate", token, {"files": {"intake.bpmn": INTAKE}})
    assert status == 200 and body["ok"] is True
    assert [s["passed"] for s in body["scenarios"]] == [True]


def test_deploy_makes_a_new_version_for_the_locality_only(client: FlaskClient, region_bundle: Engine) -> None:
    token = _designer(client)
    edited = _with_review_task(INTAKE)
    scenarios = SCENARIOS.replace('"tasks": ["apply"]', '"tasks": ["apply", "finance_review"]').replace(
        '"answers": {"apply"', '"answers": {"finance_review": [{"decision": "approve"}], "apply"'
    )
    status, body = _post(
        client,
        f"/designer/{URUMQI}/deploy",
        token,
        {"files": {"intake.bpmn": edited, "scenarios/intake.scenarios.json": scenarios}, "comment": "加财政审核"},
    )
    assert status == 200, body
    assert body["created"] == [{"process": "intake", "version": 1}]
    assert region_bundle.current_version("intake", URUMQI).locality_code == URUMQI
    assert region_bundle.current_version("intake", KARAMAY).locality_code == REGION

    instance = region_bundle.start("intake", locality=URUMQI, business_key="WLMQ-1", data={})
    apply = region_bundle.open_tasks(instance.id)[0]
    region_bundle.complete(apply.id, {"project_name": "社区养老", "budget": 1000}, actor="purchaser_urumqi")
    [review] = region_bundle.open_tasks(instance.id)
    assert (review.element_id, review.role, review.form_key, review.locality_code) == (
        "finance_review",
        "finance_reviewer",
        "review",
        URUMQI,
    )
    status, body = _post(
        client,
        f"/designer/{URUMQI}/deploy",
        token,
        {"files": {"intake.bpmn": edited, "scenarios/intake.scenarios.json": scenarios}},
    )
    assert status == 200 and body["created"] == [] and "未生成新版本" in body["message"]


def test_deploy_refuses_errors_and_failing_scenarios_with_422(client: FlaskClient, region_bundle: Engine) -> None:
    token = _designer(client)
    status, body = _post(
        client, f"/designer/{URUMQI}/deploy", token, {"files": {"intake.bpmn": _with_review_task(INTAKE)}}
    )
    assert status == 422
    assert body["problems"] == [] and body["scenarios"][0]["passed"] is False
    assert "finance_review" in body["scenarios"][0]["message"]
    no_conditions = INTAKE.replace(
        '<bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="end" />',
        '<bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="gw" /><bpmn:exclusiveGateway id="gw" name="分流" />'
        '<bpmn:sequenceFlow id="g1" sourceRef="gw" targetRef="end" />'
        '<bpmn:sequenceFlow id="g2" sourceRef="gw" targetRef="end" />',
    )
    status, body = _post(client, f"/designer/{URUMQI}/deploy", token, {"files": {"intake.bpmn": no_conditions}})
    assert status == 422 and body["code"] == "invalid_definition"
    assert {p["code"] for p in body["problems"]} == {"missing_condition"}
    assert {p["element_id"] for p in body["problems"]} == {"gw"}
    assert region_bundle.versions(locality=URUMQI) == []
    assert _post(client, f"/designer/{URUMQI}/deploy", token, {"files": "nope"})[0] == 400


def test_a_designer_of_one_city_cannot_touch_another(client: FlaskClient, region_bundle: Engine) -> None:
    region_bundle.deploy(
        {"intake.bpmn": INTAKE.replace('name="项目受理" isExecutable', 'name="克拉玛依受理" isExecutable').encode()},
        KARAMAY,
        "k",
    )
    karamay_version = region_bundle.current_version("intake", KARAMAY)
    token = _designer(client)
    assert _post(client, f"/designer/{KARAMAY}/deploy", token, {"files": {"intake.bpmn": INTAKE}})[0] == 403
    assert _post(client, f"/designer/{KARAMAY}/validate", token, {"files": {"intake.bpmn": INTAKE}})[0] == 403
    assert client.get(f"/designer/{KARAMAY}/process/intake").status_code == 403
    assert client.get(f"/designer/?locality={KARAMAY}").status_code == 403
    response = client.get(f"/designer/{URUMQI}/versions/{karamay_version.id}.bpmn")
    assert response.status_code == 404 and "克拉玛依受理" not in response.get_data(as_text=True)
    rollback = client.post(f"/designer/{URUMQI}/versions/{karamay_version.id}/rollback", data={"csrf_token": token})
    assert rollback.status_code == 404
    assert region_bundle.versions(locality=URUMQI) == []


def test_admin_may_deploy_for_any_locality(client: FlaskClient, region_bundle: Engine) -> None:
    token = _designer(client, "admin")
    status, body = _post(
        client, f"/designer/{KARAMAY}/deploy", token, {"files": {"intake.bpmn": INTAKE.replace("项目申报", "申报")}}
    )
    assert status == 200 and body["created"] == [{"process": "intake", "version": 1}]


def test_versions_diff_download_and_rollback(client: FlaskClient, region_bundle: Engine) -> None:
    token = _designer(client)
    first = INTAKE.replace("项目申报", "项目申报（一）")
    second = first.replace("项目申报（一）", "项目申报（二）").replace('dueIn="5"', 'dueIn="7"')
    form = json.loads((FIXTURES / "forms" / "application.form.json").read_text(encoding="utf-8"))
    form["components"].append({"type": "textfield", "key": "contact", "label": "联系人"})
    form["components"][0]["label"] = "名称"
    for files in ({"intake.bpmn": first}, {"intake.bpmn": second, "application.form.json": json.dumps(form)}):
        assert _post(client, f"/designer/{URUMQI}/deploy", token, {"files": files})[0] == 200
    v1, v2 = (v for v in region_bundle.versions(locality=URUMQI, key="intake"))

    page = client.get(f"/designer/{URUMQI}/process/intake/versions").get_data(as_text=True)
    assert "designer_urumqi" in page and "v2" in page and "自治区本级" in page

    diff = client.get(f"/designer/{URUMQI}/process/intake/diff?a={v1.id}&b={v2.id}").get_data(as_text=True)
    assert "项目申报（一）" in diff and "项目申报（二）" in diff
    assert "servflow:task.dueIn" in diff and "contact" in diff and "联系人" in diff and "名称" in diff

    download = client.get(f"/designer/{URUMQI}/versions/{v1.id}.bpmn")
    assert download.status_code == 200 and "项目申报（一）" in download.get_data(as_text=True)
    assert "attachment" in download.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/designer/{URUMQI}/versions/{v2.id}.zip").data))
    assert {"intake.bpmn", "application.form.json", "scenarios/intake.scenarios.json"} <= set(archive.namelist())

    response = client.post(
        f"/designer/{URUMQI}/versions/{v1.id}/rollback", data={"csrf_token": token}, follow_redirects=True
    )
    assert "已部署：intake v3" in response.get_data(as_text=True)
    v3 = region_bundle.current_version("intake", URUMQI)
    assert v3.version == 3 and v3.forms == v1.forms
    same = client.get(f"/designer/{URUMQI}/process/intake/diff?a={v1.id}&b={v3.id}").get_data(as_text=True)
    assert 'id="no-changes"' in same


def test_import_zip_single_files_and_hostile_input(client: FlaskClient, region_bundle: Engine) -> None:
    token = _designer(client)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("processes/intake.bpmn", INTAKE.replace("项目申报", "导入的申报"))
    response = client.post(
        f"/designer/{URUMQI}/import",
        data={"csrf_token": token, "file": (io.BytesIO(buffer.getvalue()), "bundle.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert region_bundle.current_version("intake", URUMQI).locality_code == URUMQI

    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><bpmn:definitions xmlns:bpmn="x">&a;</bpmn:definitions>'
    )
    refused = client.post(
        f"/designer/{URUMQI}/import",
        data={"csrf_token": token, "file": (io.BytesIO(hostile), "evil.bpmn")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "DOCTYPE" in refused.get_data(as_text=True)
    wrong = client.post(
        f"/designer/{URUMQI}/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"MZ"), "tool.exe")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 400 and "tool.exe" in wrong.get_data(as_text=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/intake.bpmn", INTAKE)
    escape = client.post(
        f"/designer/{URUMQI}/import",
        data={"csrf_token": token, "file": (io.BytesIO(buffer.getvalue()), "escape.zip")},
        content_type="multipart/form-data",
    )
    assert 400 <= escape.status_code < 500 and "outside the bundle" in escape.get_data(as_text=True)

    export = zipfile.ZipFile(io.BytesIO(client.get(f"/designer/{URUMQI}/export.zip").data))
    assert "导入的申报" in export.read("processes/intake.bpmn").decode()
