"""Service tasks wait for workers of other systems: fetch and lock, complete once, fail, throw, retry."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from engine.commands.external_tasks import TopicRequest
from engine.compose import build_engine
from engine.errors import ConflictError, DefinitionError, ExecutionError, InvalidDataError, InvalidStateError
from engine.jobs.scheduler import Scheduler
from engine.service import Engine
from engine.store.models import ExternalTask, Incident, utcnow
from support import fixture_bytes

CHECK = [TopicRequest("budget.check", timedelta(minutes=1))]
PAY = [TopicRequest("treasury.pay", timedelta(minutes=1))]


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(engine: Engine) -> Clock:
    clock = Clock()
    engine.clock = clock
    engine.deploy(fixture_bytes("bpmn/budget_check.bpmn"), "650000")
    return clock


def start(engine: Engine, key: str, amount: int = 100, divisor: int = 1) -> int:
    return engine.start(
        "budget_check", locality="650000", business_key=key, data={"amount": amount, "divisor": divisor}
    ).id


def rows(engine: Engine, instance_id: int) -> list[ExternalTask]:
    with engine.unit_of_work() as uow:
        return list(uow.session.query(ExternalTask).filter_by(instance_id=instance_id).order_by(ExternalTask.id))


def incidents(engine: Engine, instance_id: int) -> list[Incident]:
    with engine.unit_of_work() as uow:
        return list(uow.session.query(Incident).filter_by(instance_id=instance_id).order_by(Incident.id))


def test_a_service_task_waits_for_a_worker_and_its_answer_moves_the_project(engine: Engine, clock: Clock) -> None:
    project = start(engine, "EXT-1", amount=1500)
    (row,) = rows(engine, project)
    assert (row.topic, row.element_id, row.state, row.variables["amount"]) == (
        "budget.check",
        "check_budget",
        "open",
        1500,
    )
    assert engine.open_tasks(project) == []

    (locked,) = engine.fetch_and_lock("budget-1", CHECK, actor="budget-system")
    assert (locked["id"], locked["activityId"], locked["businessKey"]) == (row.id, "check_budget", "EXT-1")
    assert locked["variables"]["amount"] == 1500
    assert engine.fetch_and_lock("budget-2", CHECK, actor="budget-system") == []  # locked: not offered twice

    with pytest.raises(ConflictError, match="locked by worker 'budget-1'"):
        engine.complete_external(row.id, "budget-2", {"budget_available": True}, actor="budget-system")
    engine.complete_external(row.id, "budget-1", {"budget_available": True, "budget_line": "2026-001"}, actor="x")
    engine.complete_external(row.id, "budget-1", {"budget_available": True}, actor="x")  # a lost answer, repeated
    check, pay = rows(engine, project)
    assert (check.state, check.completed_by, pay.topic, pay.state) == ("completed", "budget-1", "treasury.pay", "open")
    assert pay.variables["budget_line"] == "2026-001"
    actions = [event.action for event in engine.history(project)]
    assert actions.count("external_task_completed") == 1

    (locked,) = engine.fetch_and_lock("treasury-1", PAY, actor="treasury")
    engine.complete_external(locked["id"], "treasury-1", {"paid": True}, actor="treasury")
    assert engine.get_instance(project).status == "completed"


def test_a_worker_that_dies_loses_its_lock_and_another_completes_the_task_once(engine: Engine, clock: Clock) -> None:
    project = start(engine, "EXT-2")
    (first,) = engine.fetch_and_lock("dies", CHECK, actor="budget-system")
    clock.now += timedelta(seconds=61)
    assert Scheduler(engine).sweep().locks_released == 1
    (second,) = engine.fetch_and_lock("survives", CHECK, actor="budget-system")
    assert second["id"] == first["id"]
    engine.complete_external(second["id"], "survives", {"budget_available": True}, actor="budget-system")
    with pytest.raises(ConflictError, match="completed by worker 'survives'"):
        engine.complete_external(first["id"], "dies", {"budget_available": False}, actor="budget-system")
    assert [row.state for row in rows(engine, project)] == ["completed", "open"]
    assert [e.action for e in engine.history(project)].count("external_task_completed") == 1


def test_one_fetch_locks_each_topics_tasks_for_that_topics_duration_oldest_first(engine: Engine, clock: Clock) -> None:
    checks = [start(engine, f"EXT-L{n}") for n in range(3)]
    (paying,) = engine.fetch_and_lock("budget-1", CHECK, max_tasks=1, actor="budget-system")
    engine.complete_external(paying["id"], "budget-1", {"budget_available": True}, actor="budget-system")
    both = [TopicRequest("budget.check", timedelta(minutes=1)), TopicRequest("treasury.pay", timedelta(minutes=5))]

    locked = engine.fetch_and_lock("both-1", both, max_tasks=10, actor="systems")
    assert [task["topicName"] for task in locked] == ["budget.check", "budget.check", "treasury.pay"]
    assert [task["id"] for task in locked] == sorted(task["id"] for task in locked), "oldest first"
    held = {row.topic: row for project in checks for row in rows(engine, project) if row.state == "open"}
    assert held["budget.check"].lock_expires_at == clock.now + timedelta(minutes=1)
    assert held["treasury.pay"].lock_expires_at == clock.now + timedelta(minutes=5)
    assert engine.fetch_and_lock("both-2", both, actor="systems") == [], "locked tasks are not offered twice"

    clock.now += timedelta(minutes=2)  # the checks' locks ran out, the payment's did not
    again = engine.fetch_and_lock("both-2", both, max_tasks=10, actor="systems")
    assert [task["topicName"] for task in again] == ["budget.check", "budget.check"]
    counts = {row.id: (row.worker_id, row.attempts) for project in checks for row in rows(engine, project)}
    assert {counts[task["id"]] for task in again} == {("both-2", 2)}


def test_completing_after_the_lock_expired_is_refused_and_changes_nothing(engine: Engine, clock: Clock) -> None:
    project = start(engine, "EXT-3")
    (locked,) = engine.fetch_and_lock("slow", CHECK, actor="budget-system")
    clock.now += timedelta(minutes=2)
    with pytest.raises(ConflictError, match="expired"):
        engine.complete_external(locked["id"], "slow", {"budget_available": True}, actor="budget-system")
    assert [row.state for row in rows(engine, project)] == ["open"]


def test_a_bpmn_error_takes_the_boundary_path_and_an_uncaught_code_changes_nothing(
    engine: Engine, clock: Clock
) -> None:
    project = start(engine, "EXT-4")
    (locked,) = engine.fetch_and_lock("budget-1", CHECK, actor="budget-system")
    with pytest.raises(InvalidDataError, match="no error boundary event on check_budget catches error code 'OTHER'"):
        engine.throw_external_error(locked["id"], "budget-1", "OTHER", actor="budget-system")
    assert [row.state for row in rows(engine, project)] == ["open"]
    engine.throw_external_error(locked["id"], "budget-1", "NO_BUDGET", message="指标已用完", actor="budget-system")
    (task,) = engine.open_tasks(project)
    assert task.element_id == "adjust_budget"
    assert engine.task_data(task.id)["error_message"] == "指标已用完"
    assert rows(engine, project)[0].state == "error"


def test_failures_back_off_then_open_an_incident_that_a_retry_resolves(engine: Engine, clock: Clock) -> None:
    project = start(engine, "EXT-5")
    (locked,) = engine.fetch_and_lock("budget-1", CHECK, actor="budget-system")
    engine.fail_external(locked["id"], "budget-1", message="budget system timed out", actor="budget-system")
    (row,) = rows(engine, project)
    assert (row.retries, row.error_message) == (1, "budget system timed out")  # the model allows 2 attempts
    assert engine.fetch_and_lock("budget-1", CHECK, actor="budget-system") == []  # backing off (PT2M)
    clock.now += timedelta(minutes=2, seconds=1)
    (again,) = engine.fetch_and_lock("budget-1", CHECK, actor="budget-system")
    engine.fail_external(again["id"], "budget-1", message="still down", details="HTTP 503", actor="budget-system")
    (incident,) = incidents(engine, project)
    assert (incident.kind, incident.element_id, incident.message, incident.resolved_at) == (
        "external_task",
        "check_budget",
        "still down",
        None,
    )
    clock.now += timedelta(hours=2)
    assert engine.fetch_and_lock("budget-1", CHECK, actor="budget-system") == []  # no retries left

    engine.retry_incident(incident.id, retries=1, variables={"amount": 90}, actor="ops")
    (retried,) = engine.fetch_and_lock("budget-1", CHECK, actor="budget-system")
    assert retried["variables"]["amount"] == 90
    engine.complete_external(retried["id"], "budget-1", {"budget_available": True}, actor="budget-system")
    (incident,) = incidents(engine, project)
    assert (incident.resolution, incident.resolved_by) == ("retried", "ops")
    with pytest.raises(InvalidStateError, match="already resolved"):
        engine.retry_incident(incident.id, actor="ops")


def test_a_failing_script_after_the_answer_keeps_the_task_and_opens_an_incident(engine: Engine, clock: Clock) -> None:
    project = start(engine, "EXT-6", divisor=0)
    (check,) = engine.fetch_and_lock("b", CHECK, actor="budget-system")
    engine.complete_external(check["id"], "b", {"budget_available": True}, actor="budget-system")
    (pay,) = engine.fetch_and_lock("t", PAY, actor="treasury")
    with pytest.raises(ExecutionError, match="record"):
        engine.complete_external(pay["id"], "t", {}, actor="treasury")
    assert rows(engine, project)[1].state == "open"  # the step rolled back: nothing half done
    (incident,) = incidents(engine, project)
    assert (incident.kind, incident.element_id) == ("step_failed", "record")
    with pytest.raises(ExecutionError):
        engine.complete_external(pay["id"], "t", {}, actor="treasury")
    assert incidents(engine, project)[0].attempts == 2
    engine.retry_incident(incident.id, variables={"divisor": 4}, actor="ops")
    engine.complete_external(pay["id"], "t", {}, actor="treasury")
    assert engine.get_instance(project).status == "completed"


def test_what_a_worker_sends_back_is_checked_against_the_models_outputs(engine: Engine, clock: Clock) -> None:
    project = start(engine, "EXT-7")
    (locked,) = engine.fetch_and_lock("b", CHECK, actor="budget-system")
    with pytest.raises(InvalidDataError) as refused:
        engine.complete_external(
            locked["id"], "b", {"budget_available": "yes", "surprise": 1, "locality": "x"}, actor="budget-system"
        )
    assert set(refused.value.errors) == {"budget_available", "surprise", "locality"}
    assert "must be of type boolean" in refused.value.errors["budget_available"][0]
    assert [row.state for row in rows(engine, project)] == ["open"]
    with pytest.raises(InvalidDataError, match=r"no deployed service task uses topic 'budget\.chek'"):
        engine.fetch_and_lock("b", [TopicRequest("budget.chek", timedelta(minutes=1))], actor="budget-system")


def test_cancelling_the_project_withdraws_its_external_tasks(engine: Engine, clock: Clock) -> None:
    project = start(engine, "EXT-8")
    engine.cancel(project, actor="admin", reason="test")
    assert [row.state for row in rows(engine, project)] == ["cancelled"]
    assert engine.fetch_and_lock("b", CHECK, actor="budget-system") == []


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ("", "a service task needs a topic"),
        ('servflow:topic="budget check"', "may hold only letters"),
        ('servflow:topic="a" servflow:retries="0"', "retries '0' must be a whole number"),
        ('servflow:topic="a" servflow:lockDuration="5 minutes"', "lockDuration '5 minutes' is not an ISO 8601"),
    ],
)
def test_a_service_task_without_a_usable_topic_is_refused_at_deploy(
    engine: Engine, attributes: str, message: str
) -> None:
    model = f"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:servflow="http://servflow.org/schema/bpmn/1.0" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="call"/>
    <bpmn:serviceTask id="call" {attributes}/><bpmn:sequenceFlow id="g" sourceRef="call" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
    with pytest.raises(DefinitionError, match=message) as refused:
        engine.deploy({"p.bpmn": model.encode()}, "650000")
    assert refused.value.element_id == "call"


def test_two_workers_complete_every_task_exactly_once(engine: Engine, clock: Clock, database_url: str) -> None:
    projects = [start(engine, f"EXT-RACE-{n}") for n in range(60)]
    workers = [build_engine(database_url, deadlines=False) for _ in range(2)]
    for worker in workers:
        worker.clock = clock
    done: dict[str, list[int]] = {"w0": [], "w1": []}

    def work(name: str, worker: Engine) -> None:
        while True:
            batch = worker.fetch_and_lock(name, CHECK, max_tasks=5, actor="budget-system")
            if not batch:
                return
            for task in batch:
                worker.complete_external(task["id"], name, {"budget_available": False}, actor="budget-system")
                done[name].append(task["id"])

    threads = [threading.Thread(target=work, args=(f"w{n}", w)) for n, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    completed = done["w0"] + done["w1"]
    assert len(completed) == len(set(completed)) == len(projects)
    for project in projects:
        (task,) = engine.open_tasks(project)
        assert task.element_id == "adjust_budget"
    for worker in workers:
        worker.dispose()


def test_the_designers_check_says_each_language_once() -> None:
    from engine.definitions.validation import validate_bundle

    model = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="call"/><bpmn:serviceTask id="call"/>
    <bpmn:sequenceFlow id="g" sourceRef="call" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>
</bpmn:definitions>"""
    (problem,) = validate_bundle({"p.bpmn": model}, scenarios=False).problems
    assert problem.element_id == "call"
    assert "服务任务没有主题" in problem.zh and "a service task needs a topic" not in problem.zh
    assert problem.en.startswith("a service task needs a topic") and "服务任务" not in problem.en
