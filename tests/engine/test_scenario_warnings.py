"""A locality's redesign of one stage is judged by that stage's scenarios; the region's lifecycle scenarios
it breaks are warnings the designer acknowledges (recorded with the deploy), not a wall: 克拉玛依 makes
every approved application go to its leader, updates the review's own scenarios, and may deploy it
although the region's lifecycle scenarios (which never meet that leader) no longer pass."""

from __future__ import annotations

import json

from engine.definitions import workspace
from engine.demo.seed import shipped_bundle
from engine.service import Engine
from engine.store.models import Deployment
from support import REPO

KARAMAY = "650200"
REVIEW = "processes/review.bpmn"
SCENARIOS = "scenarios/review.scenarios.json"


def _redesign() -> dict[str, bytes]:
    """Every approval, in the catalogue or not, is signed off by the leader (领导审批)."""
    bpmn = (REPO / REVIEW).read_text(encoding="utf-8")
    changed = bpmn.replace("review_decision == 'approve' and not in_catalogue", "review_decision == 'approve'")
    assert changed != bpmn
    own = json.loads((REPO / "processes" / SCENARIOS).read_text(encoding="utf-8"))
    first = own["scenarios"][0]  # "an application inside the catalogue is approved": now by the leader too
    first["answers"]["approve_outside_catalogue"] = [{}]
    first["expect"] = {"tasks": ["review_application", "approve_outside_catalogue"], "end": True}
    return {REVIEW: changed.encode(), SCENARIOS: json.dumps(own, ensure_ascii=False).encode()}


def _deploy(engine: Engine, files: dict[str, bytes], **kwargs: bool) -> workspace.CheckedDeploy:
    return engine.write(workspace.checked_deploy, KARAMAY, files, "designer_karamay", "领导审批", **kwargs)


def test_the_lifecycle_scenarios_a_stage_breaks_are_warnings_to_acknowledge(engine: Engine) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    held = _deploy(engine, _redesign())
    assert held.result is None and held.needs_acknowledgement
    assert held.report.failed_scenarios == [] and held.report.errors == []
    warned = {s.process for s in held.report.scenario_warnings}
    assert warned == {"lifecycle"}
    body = held.report.to_dict()
    assert body["ok"] and body["warnings"] and all(s["warning"] for s in body["scenarios"] if not s["passed"])

    done = _deploy(engine, _redesign(), acknowledged=True)
    assert done.result is not None and "review" in {key for key, _number in done.result.created}
    with engine.unit_of_work() as uow:
        deployment = uow.session.get(Deployment, done.result.deployment_id)
    assert deployment.comment.startswith("领导审批") and "已确认的场景警告" in deployment.comment
    assert "lifecycle · " in deployment.comment
    assert engine.current_version("review", KARAMAY).locality_code == KARAMAY
    assert engine.current_version("review", "650100").locality_code == "650000"  # other cities keep the region's


def test_a_stage_whose_own_scenario_fails_is_refused_even_when_acknowledged(engine: Engine) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    files = _redesign()
    files[SCENARIOS] = (REPO / "processes" / SCENARIOS).read_bytes()  # the old expectations: now wrong
    refused = _deploy(engine, files, acknowledged=True)
    assert refused.result is None and not refused.needs_acknowledgement
    assert [s.process for s in refused.report.failed_scenarios] == ["review"]
    assert engine.current_version("review", KARAMAY).locality_code == "650000"
