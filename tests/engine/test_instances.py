"""Projects run end to end with every wait state committed, across fresh engine objects."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.compose import build_engine
from engine.errors import ConflictError, ExecutionError, InvalidStateError, PermissionDeniedError
from engine.identity import users
from engine.service import Engine
from support import REPO, fixture_bytes


def only_task(engine: Engine, instance_id: int):
    (task,) = engine.open_tasks(instance_id)
    return task


@pytest.mark.parametrize(("budget", "expected"), [(3_000_000, "review_large"), (500_000, "review_small")])
def test_gateway_branches_by_data_across_fresh_engines(
    engine: Engine, database_url: str, budget: int, expected: str
) -> None:
    engine.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    instance = engine.start("approval", locality="650000", business_key="XJ-2026-001", actor="alice")
    apply = only_task(engine, instance.id)
    assert (apply.element_id, apply.role, apply.form_key) == ("apply", "purchaser", "application")

    second = build_engine(database_url, deadlines=False)
    second.complete(apply.id, {"project_name": "社区养老服务", "budget": budget}, actor="alice")
    review = only_task(second, instance.id)
    assert review.element_id == expected
    assert review.role == "finance_reviewer"

    third = build_engine(database_url, deadlines=False)
    finished = third.complete(review.id, {"opinion": "同意"}, actor="bob")
    assert finished.status == "completed"
    assert third.open_tasks(instance.id) == []
    actions = [(e.action, e.actor, e.element_id) for e in third.history(instance.id)]
    assert actions == [
        ("started", "alice", None),
        ("task_completed", "alice", "apply"),
        ("task_completed", "bob", expected),
        ("completed", "engine", None),
    ]
    done = third.get_task(review.id)
    assert (done.state, done.completed_by) == ("completed", "bob")
    completed = [e for e in third.history(instance.id) if e.action == "task_completed"]
    assert completed[0].data["budget"] == budget
    for other in (second, third):
        other.dispose()


def test_a_fresh_interpreter_continues_an_instance(engine: Engine, database_url: str) -> None:
    engine.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    instance = engine.start("approval", locality="650000", business_key="XJ-2026-002")
    task = only_task(engine, instance.id)
    script = (
        "from engine.compose import build_engine\n"
        f"e = build_engine({database_url!r}, deadlines=False)\n"
        f"i = e.complete({task.id}, {{'project_name': 'p', 'budget': 5000000}}, actor='carol')\n"
        "print(i.stage, [t.element_id for t in e.open_tasks(i.id)])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "approval ['review_large']"
    assert only_task(engine, instance.id).element_id == "review_large"


def test_script_error_rolls_back_to_last_wait_state_and_is_recorded(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/failing_script.bpmn"), "650000")
    instance = engine.start("failing", locality="650000", business_key="F-1")
    task = only_task(engine, instance.id)
    before = engine.get_instance(instance.id).state

    with pytest.raises(ExecutionError) as failure:
        engine.complete(task.id, {"amount": 10, "divisor": 0}, actor="dave")
    assert failure.value.element_id == "compute_ratio"
    assert "division by zero" in failure.value.message

    after = engine.get_instance(instance.id)
    assert after.state == before
    assert after.error["element_id"] == "compute_ratio"
    assert only_task(engine, instance.id).id == task.id
    assert [e.action for e in engine.history(instance.id)] == ["started", "error"]

    engine.complete(task.id, {"amount": 10, "divisor": 2}, actor="dave")
    assert only_task(engine, instance.id).element_id == "after"
    assert engine.get_instance(instance.id).error is None


def test_gateway_without_a_valid_path_is_a_clear_error(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/failing_script.bpmn"), "650000")
    instance = engine.start("failing", locality="650000", business_key="F-2")
    task = only_task(engine, instance.id)
    with pytest.raises(ExecutionError) as failure:
        engine.complete(task.id, {"amount": 1, "divisor": 2}, actor="dave")
    assert failure.value.element_id == "route"
    assert only_task(engine, instance.id).id == task.id


def test_cancel_suspend_resume(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    instance = engine.start("approval", locality="650000", business_key="S-1")
    task = only_task(engine, instance.id)
    engine.suspend(instance.id, actor="mgr")
    with pytest.raises(InvalidStateError):
        engine.complete(task.id, {"project_name": "p", "budget": 1}, actor="alice")
    with pytest.raises(InvalidStateError):
        engine.suspend(instance.id, actor="mgr")
    engine.resume(instance.id, actor="mgr")
    engine.cancel(instance.id, actor="mgr", reason="预算取消")
    assert engine.get_instance(instance.id).status == "cancelled"
    assert engine.open_tasks(instance.id) == []
    assert engine.get_task(task.id).state == "cancelled"
    with pytest.raises(ConflictError):
        engine.complete(task.id, {"project_name": "p", "budget": 1}, actor="alice")
    assert [e.action for e in engine.history(instance.id)][-3:] == ["suspended", "resumed", "cancelled"]


def test_duplicate_business_key_is_a_conflict(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    engine.start("approval", locality="650000", business_key="DUP-1")
    with pytest.raises(ConflictError):
        engine.start("approval", locality="650000", business_key="DUP-1")


def test_claim_assign_delegate(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    instance = engine.start("approval", locality="650000", business_key="C-1")
    task = only_task(engine, instance.id)
    with engine.unit_of_work(write=True) as uow:
        users.grant(uow.session, users.create_user(uow.session, "frank", "pw-frank-1", "Frank"), task.role, "650000")
        uow.commit()
    assert engine.claim(task.id, actor="alice").assignee == "alice"
    with pytest.raises(PermissionDeniedError, match="zoe"):  # only to a colleague of the task's group
        engine.delegate(task.id, "zoe", actor="alice")
    with pytest.raises(ConflictError):
        engine.claim(task.id, actor="eve")
    with pytest.raises(ConflictError):
        engine.complete(task.id, {"project_name": "p", "budget": 1}, actor="eve")
    assert engine.delegate(task.id, "frank", actor="alice").assignee == "frank"
    assert engine.take_back(task.id, actor="alice").assignee == "alice"
    assert engine.unclaim(task.id, actor="alice").assignee is None
    engine.save_draft(task.id, {"project_name": "草稿"}, actor="alice")
    assert engine.task_data(task.id)["project_name"] == "草稿"
