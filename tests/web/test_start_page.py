"""Starting a project in the browser: a purchaser picks the locality and the process, names the project,
and lands on the application form; the project is numbered by the locality's pattern, one after another;
a missing name is shown on its field; who may not start gets 403."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from engine.commands.business_keys import next_business_key
from engine.demo.seed import shipped_bundle
from engine.service import Engine
from engine.store.models import ProcessInstance
from support import csrf_token, login


@pytest.fixture
def shipped(engine: Engine) -> Engine:
    engine.deploy(shipped_bundle(), "650000", "test")
    return engine


def _start(client: FlaskClient, **fields: str):
    body = {"locality": "650100", "process_key": "lifecycle", "title": "社区居家养老服务", **fields}
    return client.post("/projects/new", data={**body, "csrf_token": csrf_token(client, "/projects/new")})


def test_a_purchaser_starts_a_project_and_lands_on_its_application(client: FlaskClient, shipped: Engine) -> None:
    login(client, "purchaser_urumqi")
    page = client.get("/projects/new").get_data(as_text=True)
    assert "发起项目" in page and 'value="lifecycle"' in page and "乌鲁木齐市民政局" in page

    first = _start(client)
    assert first.status_code == 302
    task_id = int(re.search(r"/tasks/(\d+)$", first.headers["Location"]).group(1))
    task = shipped.get_task(task_id)
    assert task.element_id == "submit_application"
    instance = shipped.get_instance(task.instance_id)
    assert re.fullmatch(r"650100-\d{4}-0001", instance.business_key)
    assert (instance.title, instance.department) == ("社区居家养老服务", "乌鲁木齐市民政局")
    assert shipped.task_data(task_id)["project_name"] == "社区居家养老服务"

    second = shipped.get_task(int(_start(client, title="助餐服务").headers["Location"].rsplit("/", 1)[1]))
    assert shipped.get_instance(second.instance_id).business_key.endswith("-0002")


def test_a_missing_name_or_a_taken_number_is_shown_on_its_field(client: FlaskClient, shipped: Engine) -> None:
    login(client, "purchaser_urumqi")
    missing = _start(client, title=" ")
    assert missing.status_code == 422 and 'data-field="title"' in missing.get_data(as_text=True)
    assert _start(client, business_key="UR-1").status_code == 302
    taken = _start(client, business_key="UR-1")
    assert taken.status_code == 422 and 'data-field="business_key"' in taken.get_data(as_text=True)
    with shipped.unit_of_work() as uow:
        assert uow.session.query(ProcessInstance).count() == 1


def test_who_may_not_start_gets_403_and_no_menu_entry(client: FlaskClient, shipped: Engine) -> None:
    login(client, "finance_reviewer_urumqi")
    assert "发起项目" not in client.get("/inbox/").get_data(as_text=True)
    assert client.get("/projects/new").status_code == 403
    assert _start(client).status_code == 403


def test_numbers_follow_the_pattern_after_the_highest_taken(shipped: Engine) -> None:
    for key in ("WLMQ-2026-0007", "WLMQ-2026-0003", "WLMQ-2025-0042", "WLMQ-2026-00x1"):
        shipped.start("lifecycle", locality="650100", business_key=key, actor="seed")
    with shipped.unit_of_work() as uow:
        pattern = "WLMQ-{year}-{seq:04d}"
        assert next_business_key(uow.session, pattern, "650100", date(2026, 5, 1)) == "WLMQ-2026-0008"
        assert next_business_key(uow.session, pattern, "650100", date(2027, 1, 4)) == "WLMQ-2027-0001"
        assert next_business_key(uow.session, "{locality}{seq}号", "650200", date(2026, 5, 1)) == "6502001号"
