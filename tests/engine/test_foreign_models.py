"""Models written for Camunda 7, Flowable and Activiti run as written, or are refused naming what cannot.

The files are the real ones of ``shared/bpmn-corpus/foreign`` (copied to ``tests/fixtures/foreign``) and
one Camunda 7 model written for these tests to cover what they leave out: groups as roles, due and
follow-up dates, JUEL conditions, repeating ISO timers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from engine.calendars.deadlines import DeadlineDataError
from engine.compose import build_engine
from engine.definitions.validation import validate_bundle
from engine.demo.seed import seed_calendars
from engine.errors import DefinitionError
from engine.identity.localities import ensure_default_localities
from engine.identity.users import create_user
from engine.service import Engine
from engine.store.models import HumanTask
from support import FIXTURES

FOREIGN = FIXTURES / "foreign"
REGION = "650000"
START = datetime(2025, 6, 3, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in China
PEOPLE = ("demo", "kermit", "fozzie", "ada", "buyer")

#: file → (element, attribute) the refusal names: what the model needs a Java engine for.
REFUSED = {
    "camunda7_bpmn-model-api_parse-bpmn_process.bpmn": ("serviceTask", "camunda:expression"),
    "camunda7_camunda-testing-job-announcement.bpmn": ("mail", "camunda:expression"),
    "camunda7_spring-boot-starter_example-twitter_TwitterDemoProcess.bpmn": (
        "service_task_send_rejection_notification",
        "camunda:delegateExpression",
    ),
    "camunda7_usertask_task-form-embedded-json-variables_process.bpmn": ("Task_0n2pfas", "camunda:class"),
    "flowable_usertaskmodel.bpmn": ("usertask", "flowable:taskListener"),
}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dated(database_url: str, clock: Clock) -> Iterator[Engine]:
    """An engine that dates tasks on the demo calendars, with the people the models assign to."""
    instance = build_engine(database_url, clock=clock, calendar_ttl=0)
    with instance.unit_of_work(write=True) as uow:
        ensure_default_localities(uow.session)
        for username in PEOPLE:
            create_user(uow.session, username, "a-long-password", username)
        uow.commit()
    seed_calendars(instance, today=START.date())
    yield instance
    instance.dispose()


def _deploy(engine: Engine, *names: str) -> None:
    engine.deploy({name: (FOREIGN / name).read_bytes() for name in names}, REGION)


def _open(engine: Engine, instance_id: int) -> dict[str, HumanTask]:
    return {task.element_id: task for task in engine.open_tasks(instance_id)}


@pytest.mark.parametrize(("name", "where"), sorted(REFUSED.items()))
def test_java_only_models_are_refused_naming_element_attribute_and_what_to_do(
    engine: Engine, name: str, where: tuple[str, str]
) -> None:
    with pytest.raises(DefinitionError) as refused:
        _deploy(engine, name)
    element, attribute = where
    assert refused.value.file == name and refused.value.element_id == element
    assert attribute in refused.value.reason and "camunda:topic" in refused.value.reason
    assert " / " in refused.value.reason  # Chinese, then English
    assert engine.versions(locality=REGION) == []


def test_the_check_lists_every_java_construct_of_a_file_at_once() -> None:
    name = "camunda7_bpmn-model-api_parse-bpmn_process.bpmn"
    report = validate_bundle({name: (FOREIGN / name).read_bytes()})
    unsupported = [p for p in report.errors if p.code == "unsupported"]
    for element, attribute in (("serviceTask", "camunda:expression"), ("endEvent", "camunda:executionListener")):
        assert any(p.element_id == element and attribute in p.en and attribute in p.zh for p in unsupported)
    assert any(p.element_id == "scriptTask" and "'groovy'" in p.en for p in report.errors)
    job = "camunda7_camunda-testing-job-announcement.bpmn"
    problems = validate_bundle({job: (FOREIGN / job).read_bytes()}).errors
    review = next(p for p in problems if p.element_id == "review")
    assert "camunda:assignee" in review.en and "jobAnnouncementService.findRequester" in review.en


def test_flowable_conditions_take_the_right_branch_and_tasks_go_to_their_assignee(dated: Engine) -> None:
    _deploy(dated, "flowable_simplemodel.bpmn")
    for number, after in ((2, "User task 2"), (1, "User task 3")):
        instance = dated.start("simpleProcess", locality=REGION, data={"number": number})
        (first,) = _open(dated, instance.id).values()
        assert (first.name, first.assignee) == ("user task 1", "kermit")
        dated.complete(first.id, {}, actor="kermit")
        (second,) = _open(dated, instance.id).values()
        assert (second.name, second.assignee) == (after, "kermit")


@pytest.mark.parametrize(("value", "task"), [(1, "theTask1"), (2, "theTask2"), (3, "theTask3")])
def test_a_variable_named_like_a_python_builtin_is_read_as_the_variable(
    dated: Engine, value: int, task: str
) -> None:
    _deploy(dated, "flowable_ExclusiveGatewayTest.testDecisionFunctionality.bpmn20.xml")
    instance = dated.start("exclusiveGateway", locality=REGION, data={"input": value})  # ${input == 1}
    assert list(_open(dated, instance.id)) == [task]


def test_flowable_priority_due_date_and_an_iso_timer_literal(dated: Engine, clock: Clock) -> None:
    _deploy(dated, "flowable_userTaskWithTimer.bpmn20.xml")
    instance = dated.start("userTaskWithTimer", locality=REGION)
    task = _open(dated, instance.id)["userTask1"]
    assert (task.priority, task.due_date) == (60, date(2020, 1, 4))
    clock.now = START + timedelta(days=1, minutes=1)  # <timeDuration>P1D</timeDuration>, unquoted
    fired = dated.fire_timers(instance.id)  # the interrupting boundary timer has no outgoing flow: it ends
    assert _open(dated, instance.id) == {} and fired.status == "completed"


def test_an_activiti_due_date_expression(dated: Engine) -> None:
    _deploy(dated, "flowable_TaskDueDateExtensionsTest.testDueDateStringExtension.bpmn20.xml")
    instance = dated.start("dueDateExtension", locality=REGION, data={"dateVariable": "2025-07-01T17:00:00"})
    assert _open(dated, instance.id)["theTask"].due_date == date(2025, 7, 1)


def test_a_camunda_form_runs_once_its_form_file_is_in_the_bundle(dated: Engine) -> None:
    with pytest.raises(DefinitionError, match="task-form"):
        _deploy(dated, "camunda7_invoiceApproval.bpmn")
    _deploy(dated, "camunda7_invoiceApproval.bpmn", "task-form.form")
    instance = dated.start("camundaFormsQuickstart", locality=REGION)
    task = _open(dated, instance.id)["UserTask_1"]
    assert (task.assignee, task.form_key) == ("demo", "task-form")


def test_groups_become_roles_dates_and_juel_run_as_camunda_would(dated: Engine, clock: Clock) -> None:
    _deploy(dated, "camunda7_purchase_request.bpmn")
    request = {"amount": 5000, "reason": "printers", "approver": "ada", "decideBy": "2025-06-20T17:00:00"}
    instance = dated.start(
        "purchase_request", locality=REGION, data={"request": request, "urgent": False, "followUp": "2025-06-04"}
    )
    check = _open(dated, instance.id)["check"]
    # 财政部门 is the finance reviewers' label; P3D from Tuesday is Friday; the follow-up date reminds
    assert (check.role, check.assignee, check.priority) == ("finance_reviewer", None, 70)
    assert (check.due_date, check.remind_on) == (date(2025, 6, 6), date(2025, 6, 4))
    dated.complete(check.id, {}, actor="system")
    approve = _open(dated, instance.id)["approve"]  # 5000 > 1000 && !(empty reason) and not urgent
    assert (approve.role, approve.assignee, approve.due_date) == ("finance_reviewer", "ada", date(2025, 6, 20))
    dated.complete(approve.id, {}, actor="ada")
    assert _open(dated, instance.id) == {}  # P2D cooling off
    clock.now = START + timedelta(days=2, minutes=1)
    dated.fire_timers(instance.id)
    assert _open(dated, instance.id)["fulfil"].assignee == "buyer"  # the first of the candidates who exists

    small = dated.start(
        "purchase_request", locality=REGION, data={"request": {"amount": 10}, "urgent": True, "followUp": None}
    )
    dated.complete(_open(dated, small.id)["check"].id, {}, actor="system")
    assert list(_open(dated, small.id)) == ["fulfil"]  # the default flow
    with pytest.raises(DeadlineDataError, match="followUpDate 'followUp'"):  # as Camunda: no such variable
        dated.start("purchase_request", locality=REGION, data={"request": request, "urgent": False})


@pytest.mark.parametrize(
    ("old", "new", "element", "said"),
    [
        ("R6/P1D", "0 0/5 * * * ?", "remind_daily", "cron"),
        ("R6/P1D", "R6/P1X", "remind_daily", "'R6/P1X'"),
        ("request.amount > 1000", "request.getAmount() > 1000", "large", "request.getAmount"),
        ("${request.decideBy}", "${execution.getVariable('d')}", "approve", "execution"),
        ('camunda:priority="70"', 'camunda:priority="high"', "check", "camunda:priority"),
        ('camunda:dueDate="P3D"', 'camunda:dueDate="next week"', "check", "camunda:dueDate"),
    ],
)
def test_what_is_outside_the_subset_is_refused_at_deploy(
    engine: Engine, old: str, new: str, element: str, said: str
) -> None:
    text = (FOREIGN / "camunda7_purchase_request.bpmn").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(DefinitionError) as refused:
        engine.deploy({"p.bpmn": text.replace(old, new).encode()}, REGION)
    assert refused.value.element_id == element and said in refused.value.reason
