"""The API's contract: token life cycle, error shapes and statuses, idempotent retries, messages."""

from __future__ import annotations

from api_client import Api
from flask.testing import FlaskClient

from engine.service import Engine
from support import login


def test_tokens_are_created_signed_in_listed_without_value_and_revoked(client: FlaskClient, api: Api) -> None:
    assert client.post("/api/v1/tokens", json={"name": "x"}).status_code == 401
    login(client, "agent_urumqi")
    csrf = client.get("/login").get_data(as_text=True)  # a fresh page carries the session's CSRF token
    token_page = csrf.split('name="csrf_token" value="')
    headers = {"X-CSRFToken": token_page[1].split('"')[0]} if len(token_page) > 1 else {}
    created = client.post("/api/v1/tokens", json={"name": "采购平台"}, headers=headers)
    assert created.status_code == 201, created.json
    value = created.json["token"]
    bearer = {"Authorization": f"Bearer {value}"}
    fresh = FlaskClient(client.application)
    listed = fresh.get("/api/v1/tokens", headers=bearer)
    assert listed.status_code == 200 and [t["name"] for t in listed.json] == ["采购平台"]
    assert "token" not in listed.json[0] and value not in listed.get_data(as_text=True)
    second = fresh.post("/api/v1/tokens", json={"name": "备用"}, headers=bearer)
    assert second.status_code == 201
    assert api.delete("purchaser_urumqi", f"/tokens/{created.json['id']}").status_code == 404
    assert fresh.delete(f"/api/v1/tokens/{created.json['id']}", headers=bearer).status_code == 204
    gone = fresh.get("/api/v1/tokens", headers=bearer)
    assert gone.status_code == 401 and gone.json["code"] == "unauthorized"


def test_errors_have_one_shape_and_precise_statuses(api: Api, client: FlaskClient) -> None:
    assert client.get("/api/v1/instances").status_code == 401
    malformed = api.call("POST", "purchaser_urumqi", "/instances", data="{not json", content_type="application/json")
    assert malformed.status_code == 400 and set(malformed.json) >= {"code", "message", "errors"}
    invalid = api.post(
        "purchaser_urumqi", "/instances", {"process_key": "approval", "locality": 7, "business_key": " ", "extra": 1}
    )
    assert invalid.status_code == 422
    assert set(invalid.json["errors"]) == {"locality", "business_key", "extra"}  # a blank number is not "none"
    nul = api.start("purchaser_urumqi", "650100", "A\x00B")
    assert nul.status_code == 422 and "business_key" in nul.json["errors"]
    private = api.start("purchaser_urumqi", "650100", "K-1", __builtins__={"x": 1})
    assert private.status_code == 422 and "data" in private.json["errors"]
    assert api.get("purchaser_urumqi", "/instances/999999").status_code == 404
    assert api.get("purchaser_urumqi", "/instances/99999999999999").status_code == 404
    assert api.start("purchaser_urumqi", "650200", "K-2").status_code == 403
    assert api.start("purchaser_urumqi", "650100", "K-3").status_code == 201
    duplicate = api.start("purchaser_urumqi", "650100", "K-3")
    assert duplicate.status_code == 409 and duplicate.json["code"] == "conflict"
    huge = api.post("purchaser_urumqi", "/instances", {"x": "a" * (11 * 1024 * 1024)})
    assert huge.status_code == 413 and huge.json["code"] == "request_entity_too_large"
    for response in (malformed, invalid, huge):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_idempotent_start_and_complete_replay_instead_of_acting_twice(api: Api, engine: Engine) -> None:
    key = {"Idempotency-Key": "start-UR-7"}
    body = {"process_key": "approval", "locality": "650100", "business_key": "UR-7", "data": {"project_name": "助残"}}
    first = api.post("purchaser_urumqi", "/instances", body, headers=key)
    retry = api.post("purchaser_urumqi", "/instances", body, headers=key)
    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"
    assert len(engine.instances(locality="650100")) == 1
    other = api.post("purchaser_urumqi", "/instances", {**body, "business_key": "UR-8"}, headers=key)
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    # keys belong to their user: another user's request with the same key runs, and meets the duplicate
    assert api.post("admin", "/instances", body, headers=key).status_code == 409

    task_id = first.json["tasks"][0]["id"]
    done_key = {"Idempotency-Key": "complete-apply"}
    data = {"data": {"project_name": "助残", "budget": 100}}
    completed = api.post("purchaser_urumqi", f"/tasks/{task_id}/complete", data, headers=done_key)
    replayed = api.post("purchaser_urumqi", f"/tasks/{task_id}/complete", data, headers=done_key)
    assert completed.status_code == replayed.status_code == 200 and replayed.json == completed.json
    history = [e.action for e in engine.history(first.json["id"])]
    assert history.count("task_completed") == 1
    changed = api.post("purchaser_urumqi", f"/tasks/{task_id}/complete", {"data": {"budget": 5}}, headers=done_key)
    assert changed.status_code == 422


def test_message_reaches_the_waiting_project_by_business_key(api: Api, engine: Engine) -> None:
    start = {"process_key": "bids", "locality": "650200", "business_key": "KL-BID-1", "data": {}}
    project = api.post("purchaser_karamay", "/instances", start).json
    assert project["tasks"] == []
    message = {"business_key": "KL-BID-1", "message": "bids_reported", "payload": {"bid_count": 4}}
    assert api.post("agent_urumqi", "/messages", message).status_code == 404
    wrong = api.post("agent_karamay", "/messages", {**message, "message": "contract_signed"})
    assert wrong.status_code == 409 and "bids_reported" in wrong.json["message"]
    delivered = api.post("agent_karamay", "/messages", message)
    assert delivered.status_code == 200, delivered.json
    [review] = delivered.json["tasks"]
    assert review["name"] == "审查投标"
    assert engine.task_data(review["id"])["bid_count"] == 4
    assert api.post("agent_karamay", "/messages", message).status_code == 409
    assert api.post("panel_karamay", "/messages", message).status_code == 403
