"""``servflow worker`` processes do servflow's external tasks against the finance simulator, over HTTP.

Every test runs real processes on loopback (``conftest.Stack``): servflow under gunicorn on the test's
database, ``servflow finance-sim``, and the workers. Projects are started through the Engine (fast);
what happened is read back through servflow's API (``GET /api/v1/instances/<id>``: status, open tasks,
history) and, for what the API does not show (locks, counts over a thousand projects), from the
database.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from finance_stack import Stack
from sqlalchemy import func, select

from engine.definitions.shipped import shipped_bundle
from engine.demo.driver import Driver
from engine.service import Engine
from engine.store.models import AuditEvent, ExternalTask

DEPARTMENT = "乌鲁木齐市民政局"  # a demo department: the simulator has a budget line for it
TOPICS = ("budget.check", "procurement.publish", "budget.commit", "treasury.pay")
JOBS = 1000
#: The shipped lifecycle's service tasks, in the order a project reaches them.
SHIPPED_SERVICE_TASKS = [
    "check_budget",
    "push_notice_to_platform",
    "push_award_to_platform",
    "commit_budget",
    "send_payment_instruction",
]


def start_chain(engine: Engine, key: str, **data: Any) -> int:
    """A project of ``finance_chain.bpmn``: check, publish, commit, pay — each a worker's task (the shipped
    processes' topics and declared outputs)."""
    values = {
        "department": DEPARTMENT,
        "budget": 100_000,
        "project_name": "社区居家养老服务",
        "contract_amount": 90_000,
        "requested_amount": 30_000,
        "winner_name": "乌鲁木齐市爱心养老服务有限公司",
        "winner_credit_code": "91650100MA77XXXX1X",
    }
    return engine.start("finance_chain", locality="650000", business_key=key, data=values | data).id


def external_rows(engine: Engine, instance_id: int) -> list[ExternalTask]:
    with engine.unit_of_work() as uow:
        query = select(ExternalTask).where(ExternalTask.instance_id == instance_id).order_by(ExternalTask.id)
        return list(uow.session.scalars(query))


def events(project: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [event for event in project["history"] if event["action"] == action]


def test_a_worker_killed_while_working_loses_its_lock_and_another_completes_the_task_once(stack: Stack) -> None:
    stack.finance("POST", "/_faults", {"delay_ms": 30_000})  # the budget system is slow: the handler waits
    project = start_chain(stack.engine, "KILL-1")
    dying = stack.worker("dying", "--lock-ms", "2000")
    stack.wait_for(lambda: stack.finance("GET", "/_calls").get("/budget/check"), "the worker asks the budget system")
    (held,) = external_rows(stack.engine, project)
    time.sleep(3)  # longer than the 2 s lock: the worker keeps extending it while its handler runs
    (kept,) = external_rows(stack.engine, project)
    assert (held.worker_id, kept.worker_id) == ("dying", "dying")
    assert kept.lock_expires_at > held.lock_expires_at

    dying.crash()  # SIGKILL: no answer, no more extensions
    time.sleep(0.5)
    (orphan,) = external_rows(stack.engine, project)
    stack.finance("POST", "/_faults", {})
    stack.worker("survivor", "--lock-ms", "2000")
    found = stack.wait_for(lambda: events(stack.project(project), "external_task_completed"), "the task completed")

    assert [event["data"]["worker"] for event in found] == ["survivor"]
    detail = stack.project(project)
    assert detail["status"] == "running" and events(detail, "external_task_completed") == found
    check, publish = external_rows(stack.engine, project)
    assert (check.state, check.completed_by, check.attempts) == ("completed", "survivor", 2)
    assert check.completed_at >= orphan.lock_expires_at  # taken again only once the dead worker's lock ran out
    assert (publish.topic, publish.state) == ("procurement.publish", "open")  # the project moved on


def test_two_workers_complete_a_thousand_tasks_each_exactly_once(stack: Stack) -> None:
    workers = [stack.worker(name, "--max-tasks", "20") for name in ("w1", "w2")]  # long-polling for work
    projects = {start_chain(stack.engine, f"MANY-{n}") for n in range(JOBS)}

    def completed() -> bool:
        with stack.engine.unit_of_work() as uow:
            query = select(func.count()).where(ExternalTask.topic == "budget.check", ExternalTask.state == "completed")
            return uow.session.scalar(query) == JOBS

    stack.wait_for(completed, f"{JOBS} budget checks completed", timeout=240)
    for worker in workers:
        worker.stop()
        assert worker.popen is not None and worker.popen.returncode == 0, worker.output()[-2000:]

    with stack.engine.unit_of_work() as uow:
        done = Counter(
            uow.session.scalars(select(AuditEvent.instance_id).where(AuditEvent.action == "external_task_completed"))
        )
        by_worker = Counter(
            uow.session.scalars(select(ExternalTask.completed_by).where(ExternalTask.topic == "budget.check"))
        )
        waiting = uow.session.scalar(
            select(func.count()).where(ExternalTask.topic == "procurement.publish", ExternalTask.state == "open")
        )
    assert set(done) == projects and set(done.values()) == {1}  # each project's check completed once
    assert set(by_worker) == {"w1", "w2"} and sum(by_worker.values()) == JOBS
    assert waiting == JOBS
    assert stack.finance("GET", "/_calls")["/budget/check"] == JOBS  # and no task was worked twice
    assert not any("gave up" in worker.output() or "Traceback" in worker.output() for worker in workers)


def test_a_failing_budget_system_is_retried_after_the_models_backoff_until_it_answers(stack: Stack) -> None:
    stack.finance("POST", "/_faults", {"fail": 3})
    project = start_chain(stack.engine, "RETRY-1")
    stack.worker("w1")
    found = stack.wait_for(lambda: events(stack.project(project), "external_task_completed"), "the check completed")

    detail = stack.project(project)
    failed = events(detail, "external_task_failed")
    assert [event["data"]["retries"] for event in failed] == [4, 3, 2]  # the model allows 5 attempts
    assert all("/budget/check answered 503" in event["data"]["message"] for event in failed)
    at = [datetime.fromisoformat(event["at"]) for event in [*failed, *found]]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(at)]
    assert gaps[0] >= 1 and gaps[1] >= 2 and gaps[2] >= 4  # PT1S, doubling: offered again only after it
    assert found[0]["data"]["variables"]["budget_line"].startswith("YS")
    assert stack.finance("GET", "/_calls")["/budget/check"] == 4
    assert external_rows(stack.engine, project)[0].attempts == 4


def test_the_shipped_handlers_check_publish_commit_and_pay_and_map_refusals(stack: Stack) -> None:
    (line,) = stack.finance("GET", f"/budget/lines?department={quote(DEPARTMENT)}")
    paid = start_chain(stack.engine, "CHAIN-1")
    unbudgeted = start_chain(stack.engine, "CHAIN-2", department="未编预算的单位")
    too_big = start_chain(stack.engine, "CHAIN-3", contract_amount=line["available"] + 1)
    no_department = start_chain(stack.engine, "CHAIN-4", department="")
    other_outputs = stack.engine.start(  # a model declaring other outputs than the handler answers with
        "budget_check", locality="650000", business_key="CHAIN-5", data={"department": DEPARTMENT, "budget": 1}
    ).id
    stack.worker("all", topics=TOPICS)

    stack.wait_for(lambda: stack.project(paid)["status"] == "completed", "the paid project completed")
    answers: dict[str, Any] = {}
    for event in events(stack.project(paid), "external_task_completed"):
        answers |= event["data"]["variables"]
    assert (answers["budget_line"], answers["budget_available_amount"]) == (line["code"], line["available"])
    assert answers["budget_commitment_id"].startswith("BC")
    assert answers["treasury_voucher_no"].startswith("GK") and answers["treasury_paid_date"]
    pay = external_rows(stack.engine, paid)[-1]
    assert answers["treasury_instruction_id"] == f"CHAIN-1-{pay.id}"  # the treasury's key: a redone task pays once
    published = urlsplit(answers["platform_url"])
    assert published.port == stack.finance_port  # the platform's own address for the notice
    notice = stack.finance("GET", published.path)
    assert (notice["title"], notice["business_key"]) == ("社区居家养老服务采购公告", "CHAIN-1")

    for project, element in ((unbudgeted, "check_budget"), (too_big, "commit_budget")):
        detail = stack.wait_for(lambda p=project: _adjusting(stack.project(p)), f"project {project} to adjust")
        (error,) = events(detail, "external_task_error")
        assert (error["element_id"], error["data"]["error_code"]) == (element, "NO_BUDGET")
    (after,) = stack.finance("GET", f"/budget/lines?department={quote(DEPARTMENT)}")
    assert after["available"] == line["available"] - 90_000  # committed once, and the refused one not at all

    failure = stack.wait_for(lambda: events(stack.project(no_department), "external_task_failed"), "a failure")
    assert failure[0]["data"]["retries"] == 0  # retrying cannot help: an incident for a person at once
    assert "no department" in failure[0]["data"]["message"]
    refused = stack.wait_for(lambda: events(stack.project(other_outputs), "external_task_failed"), "a refusal")
    assert refused[0]["data"]["retries"] == 0
    assert "servflow refused the complete" in refused[0]["data"]["message"]
    assert "budget_available_amount" in refused[0]["data"]["message"]


def test_the_shipped_lifecycle_runs_to_its_end_with_a_worker_answering_for_the_finance_systems(stack: Stack) -> None:
    stack.engine.deploy(shipped_bundle(), "650000", "test")
    data = {"project_name": "社区居家养老服务", "department": DEPARTMENT}
    purchaser = "purchaser_urumqi"
    project = stack.engine.start("lifecycle", locality="650100", business_key="LIFE-1", data=data, actor=purchaser).id
    stack.worker("finance", topics=TOPICS)
    people = Driver(stack.engine)  # the people's tasks; the service tasks are the worker's
    application = {"department": DEPARTMENT, "budget": 800_000, "in_catalogue": False}
    answers = {"submit_application": application, "record_bids": {"bid_count": 5}}
    deadline = time.monotonic() + 120
    while stack.engine.get_instance(project).status == "running":
        assert time.monotonic() < deadline, stack.processes[-1].output()[-3000:]  # the worker's log
        if stack.engine.open_tasks(project):
            people.run(project, answers, stop_at=SHIPPED_SERVICE_TASKS)
        else:
            time.sleep(0.2)  # waiting on the finance systems

    detail = stack.project(project)
    assert detail["status"] == "completed"
    done = events(detail, "external_task_completed")
    assert [event["element_id"] for event in done] == SHIPPED_SERVICE_TASKS
    assert {event["data"]["worker"] for event in done} == {"finance"}
    (line,) = stack.finance("GET", f"/budget/lines?department={quote(DEPARTMENT)}")
    assert done[0]["data"]["variables"]["budget_line"] == line["code"]
    assert line["available"] < line["total"]  # the contract amount committed against it
    assert done[-1]["data"]["variables"]["treasury_instruction_id"].startswith("LIFE-1-")


def test_sigterm_finishes_the_task_in_hand_an_idle_worker_stops_at_once_a_refused_one_exits(stack: Stack) -> None:
    stack.finance("POST", "/_faults", {"delay_ms": 2_000})
    project = start_chain(stack.engine, "TERM-1")
    busy = stack.worker("busy")
    stack.wait_for(lambda: stack.finance("GET", "/_calls").get("/budget/check"), "the worker asks the budget system")
    busy.stop(timeout=20)
    assert busy.popen is not None and busy.popen.returncode == 0
    assert [e["data"]["worker"] for e in events(stack.project(project), "external_task_completed")] == ["busy"]

    idle = stack.worker("idle", "--long-poll-ms", "60000")
    stack.wait_for(lambda: "worker idle on" in idle.output(), "the idle worker started")
    time.sleep(1)  # in its minute-long poll now
    started = time.monotonic()
    idle.stop(timeout=20)
    assert idle.popen is not None and idle.popen.returncode == 0
    assert time.monotonic() - started < 5 and "worker idle stopped" in idle.output()

    refused = stack.worker("refused", token="sf_not-a-token")
    stack.wait_for(lambda: refused.popen is not None and refused.popen.poll() is not None, "the refused worker exits")
    assert refused.popen is not None and refused.popen.returncode == 1
    assert "Error: servflow refused the worker: 401 unauthorized" in refused.output()


def _adjusting(project: dict[str, Any]) -> dict[str, Any] | None:
    return project if [task["element_id"] for task in project["tasks"]] == ["adjust_budget"] else None
