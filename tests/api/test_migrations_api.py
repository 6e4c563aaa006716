"""``POST /api/v1/migrations`` and ``servflow migrate``: a designer of the city judges and moves its running
projects; another city's designer is refused; bad plans are 422 and a project that cannot move or was
moved by someone else first is 409, with nothing written; the OpenAPI document describes the endpoint."""

from __future__ import annotations

import pytest
from api_client import Api
from click.testing import CliRunner
from migration_models import V1, V2, bundle

from engine.service import Engine
from web.cli_migrate import migrate

URUMQI = "650100"


def _two_versions(engine: Engine) -> tuple[int, int, list[int]]:
    engine.deploy(bundle(V1), URUMQI)
    v1 = engine.current_version("mreview", URUMQI).id
    ids = [engine.start("mreview", locality=URUMQI, business_key=f"API-{i}", data={}).id for i in range(3)]
    engine.complete(engine.open_tasks(ids[2])[0].id, {}, actor="system")
    engine.deploy(bundle(V2), URUMQI)
    return v1, engine.current_version("mreview", URUMQI).id, ids


def test_a_designer_dry_runs_then_migrates_and_reads_the_batch(api: Api, engine: Engine) -> None:
    v1, v2, ids = _two_versions(engine)
    plan = {"from": [v1], "to": v2, "locality": URUMQI}
    dry = api.post("designer_urumqi", "/migrations", {**plan, "dry_run": True})
    assert dry.status_code == 200, dry.json
    assert (dry.json["can_move"], dry.json["cannot_move"]) == (3, 0)
    assert [p["ahead"] for p in dry.json["projects"]] == [["expert_review"], ["expert_review"], []]
    assert api.post("designer_karamay", "/migrations", {**plan, "dry_run": True}).status_code == 403

    ran = api.post("designer_urumqi", "/migrations", plan)
    assert ran.status_code == 201, ran.json
    assert (ran.json["total"], ran.json["moved"], ran.json["failed"]) == (3, 3, 0)
    again = api.get("designer_urumqi", f"/migrations/{ran.json['id']}")
    assert again.status_code == 200 and again.json["finished_at"]

    back = api.post("designer_urumqi", f"/migrations/instances/{ids[0]}/revert")
    assert back.status_code == 200, back.json
    assert engine.get_instance(ids[0]).bound_versions["mreview"] == v1
    twice = api.post("designer_urumqi", f"/migrations/instances/{ids[0]}/revert")
    assert twice.status_code == 200, "a revert is a migration: it may be moved back again"
    assert engine.get_instance(ids[0]).bound_versions["mreview"] == v2


def test_bad_plans_are_422_and_a_project_moved_first_is_409(api: Api, engine: Engine) -> None:
    v1, v2, ids = _two_versions(engine)
    mapped = api.post("designer_urumqi", "/migrations", {"from": [v1], "to": v2, "mapping": {"APPROVE": "nowhere"}})
    assert mapped.status_code == 422 and "nowhere" in mapped.json["message"]
    assert api.post("designer_urumqi", "/migrations", {"from": [], "to": v2}).status_code == 422
    assert api.post("designer_urumqi", "/migrations", {"from": [v1], "to": 999999}).status_code == 404
    one = {"from": [v1], "to": v2, "instance": ids[0]}
    assert api.post("designer_urumqi", "/migrations", one).status_code == 202
    second = api.post("designer_urumqi", "/migrations", one)
    assert second.status_code == 409 and "already on version" in second.json["message"]
    engine.cancel(ids[1], actor="system")
    cancelled = api.post("designer_urumqi", "/migrations", {**one, "instance": ids[1]})
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json["message"]
    assert engine.get_instance(ids[1]).bound_versions["mreview"] == v1


def test_the_openapi_document_describes_migrations(api: Api) -> None:
    document = api.get(None, "/openapi.json").json
    operation = document["paths"]["/api/v1/migrations"]["post"]
    assert {"200", "201", "202"} <= set(operation["responses"])
    assert "/api/v1/migrations/instances/{instance_id}/revert" in document["paths"]


@pytest.mark.usefixtures("app")
def test_servflow_migrate_dry_run_then_moves(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1, v2, _ = _two_versions(engine)
    monkeypatch.setenv("SERVFLOW_DATABASE_URL", database_url)
    runner = CliRunner()
    dry = runner.invoke(migrate, ["--from", str(v1), "--to", str(v2), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 of 3 projects can move" in dry.output and "adds expert_review" in dry.output
    assert runner.invoke(migrate, ["--from", str(v1), "--to", str(v2), "--map", "bad"]).exit_code != 0
    ran = runner.invoke(migrate, ["--from", str(v1), "--to", str(v2), "--map", "APPROVE=APPROVE"])
    assert ran.exit_code == 0, ran.output
    assert "moved 3 of 3, 0 not moved" in ran.output
