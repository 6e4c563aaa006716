"""The shipped processes come with scenario checks, and those checks pass — and catch a broken redesign.

A locality's designer who edits the procurement-method table or the grading script must be stopped
before deploying if the change breaks the flows the shipped scenarios describe (e.g. ¥3,000,000 in
乌鲁木齐 must still go to 公开招标). These tests run the scenarios exactly as the designer's
"validate" button and the checked deploy do (``engine.definitions.validation.validate_bundle``).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine import definitions
from engine.definitions import workspace
from engine.definitions.shipped import shipped_bundle
from engine.definitions.validation import ValidationReport, validate_bundle
from engine.service import Engine
from engine.spiff.scenarios import ScenarioResult, scenario_file_name
from web import cli

STAGES = ("apply", "review", "procure", "sign", "supervise", "accept", "evaluate", "pay")
PROCESSES = ("lifecycle", *STAGES)
OPEN_TENDER_ROW = "<outputEntry id=\"Output_auto_over_threshold\"><text>'open_tender'</text></outputEntry>"
GOOD_FROM_80 = "elif total_score >= 80:"


@pytest.fixture(scope="module")
def report() -> ValidationReport:
    return validate_bundle(shipped_bundle())


def broken(file: str, old: str, new: str) -> ValidationReport:
    files = shipped_bundle()
    text = files[file].decode("utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {file}"
    return validate_bundle({**files, file: text.replace(old, new).encode("utf-8")})


def failed(report: ValidationReport) -> dict[tuple[str, str], ScenarioResult]:
    return {(s.process, s.name): s for s in report.failed_scenarios}


def test_every_shipped_process_has_scenarios_in_the_bundle() -> None:
    files = shipped_bundle()
    assert sorted(n for n in files if n.startswith("scenarios/")) == sorted(scenario_file_name(k) for k in PROCESSES)


def test_the_shipped_bundle_has_no_errors_and_every_scenario_passes(report: ValidationReport) -> None:
    assert [p.message for p in report.errors] == []
    assert [f"{s.process}: {s.name}: {s.message}" for s in report.failed_scenarios] == []
    assert report.deployable
    assert {s.process for s in report.scenarios} == set(PROCESSES)
    assert len(report.scenarios) >= 35


@pytest.mark.parametrize("process", STAGES)
def test_each_stages_scenarios_work_every_user_task_of_that_stage(report: ValidationReport, process: str) -> None:
    """No branch of a stage goes unchecked: each user task is completed by at least one scenario."""
    assert report.bundle is not None
    user_tasks = set(report.bundle.processes[process].task_config)
    worked = {task for s in report.scenarios if s.process == process for task in s.tasks}
    assert user_tasks - worked == set()


def test_the_lifecycle_scenarios_name_the_main_paths(report: ValidationReport) -> None:
    names = " ".join(s.name for s in report.scenarios if s.process == "lifecycle")
    for path in ("公开招标", "竞争性磋商", "流标", "退回", "不予立项", "拒签", "尾款暂缓"):
        assert path in names


def test_a_method_table_that_sends_3_million_to_consultation_fails_the_open_tender_scenarios() -> None:
    report = broken(
        "processes/procurement_method.dmn", OPEN_TENDER_ROW, OPEN_TENDER_ROW.replace("'open_tender'", "'consultation'")
    )
    assert report.errors == [], "the table is still valid DMN: only the scenarios can catch the mistake"
    assert not report.deployable
    failures = failed(report)
    urumqi = failures[("procure", "乌鲁木齐 300万元 → 公开招标 / Urumqi ¥3,000,000 → open tender")]
    assert urumqi.waiting_at == ["approve_method"]
    assert "停在 ['approve_method']" in urumqi.message and "it waits at ['approve_method']" in urumqi.message
    assert any(process == "lifecycle" and "300万元 → 公开招标" in name for process, name in failures)
    assert not any("→ 竞争性磋商" in name for _, name in failures), "the consultation paths are unaffected"


def test_a_grading_script_with_a_higher_bar_for_good_fails_the_grade_scenarios() -> None:
    report = broken("processes/evaluate.bpmn", GOOD_FROM_80, "elif total_score >= 88:")
    (good,) = [s for (process, name), s in failed(report).items() if process == "evaluate" and "良" in name]
    assert "evaluation_grade" in good.message and "'良'" in good.message and "'中'" in good.message
    assert good.tasks == ["plan_evaluation", "third_party_evaluation", "confirm_evaluation"], "same path, wrong grade"


def test_cli_deploy_ships_the_scenarios_where_the_designer_finds_and_runs_them(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVFLOW_DATABASE_URL", database_url)
    deployed = CliRunner().invoke(cli.main, ["deploy"])
    assert deployed.exit_code == 0, deployed.output
    assert "deployed lifecycle v1 for 650000" in deployed.output
    with engine.unit_of_work() as uow:
        files = definitions.effective_files(uow.session, "650100")
        assert scenario_file_name("procure") in files, "the designer's scenario editor opens this name"
        check = workspace.check(uow.session, "650100", {})
    assert check.deployable and len(check.scenarios) == len(validate_bundle(shipped_bundle()).scenarios)
    again = CliRunner().invoke(cli.main, ["deploy"])
    assert "deployed" not in again.output and "unchanged lifecycle" in again.output
