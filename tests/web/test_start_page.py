"""Starting a project in the browser: a purchaser picks the locality and the process, names the project,
and lands on the application form; the project is numbered by the locality's pattern, one after another;
a missing name is shown on its field; who may not start gets 403. Where a guidance catalogue applies, the
purchaser picks the service from the items in effect there this year (or 目录外服务), which fills in the
application's catalogue fields."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from engine.calendars.deadlines import local_date
from engine.catalogue import entries
from engine.commands.business_keys import next_business_key
from engine.demo.catalogue import CITY_ITEMS, catalogue_rows, seed_catalogue
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


# --------------------------------------------------------------------------- the guidance catalogue


@pytest.fixture
def catalogued(shipped: Engine) -> Engine:
    """The demo catalogue (the region's, Urumqi's own item) and one item of Karamay's own."""
    seed_catalogue(shipped)
    karamay = {**catalogue_rows(CITY_ITEMS["650100"])[0], "code": "E0309", "name": "油田社区供热巡检服务"}
    shipped.write(entries.import_entries, "650200", [karamay], "test", shipped.clock())
    return shipped


def _item_id(engine: Engine, locality: str, code: str) -> str:
    year = local_date(engine.clock()).year
    return str(next(e.id for e in engine.read(entries.offered, locality, year) if e.code == code))


def test_the_page_offers_the_catalogue_in_effect_for_the_locality(client: FlaskClient, catalogued: Engine) -> None:
    login(client, "purchaser_urumqi")
    page = client.get("/projects/new").get_data(as_text=True)
    assert "A0501 居家和社区养老服务" in page and "A 基本公共服务 › A05 养老服务" in page  # grouped by category, class
    assert "E0304 老旧小区物业托管服务" in page  # Urumqi's own item
    assert "E0309" not in page  # Karamay's own item is Karamay's
    assert "A0104" not in page  # 教辅材料征订服务 ended in 2024
    assert "目录外服务（须经财政部门批准）" in page and "basic_public" not in page
    client.get("/lang/en?next=/")
    assert "Outside the catalogue" in client.get("/projects/new").get_data(as_text=True)


def test_starting_from_a_catalogue_item_fills_in_the_application(client: FlaskClient, catalogued: Engine) -> None:
    login(client, "purchaser_urumqi")
    started = _start(client, catalogue=_item_id(catalogued, "650100", "E0304"))
    assert started.status_code == 302
    task_id = int(started.headers["Location"].rsplit("/", 1)[1])
    data = catalogued.task_data(task_id)
    assert (data["in_catalogue"], data["catalogue_code"], data["category"]) == (True, "E0304", "auxiliary")
    assert data["department"] == "乌鲁木齐市民政局"
    assert '"catalogue_code": "E0304"' in client.get(started.headers["Location"]).get_data(as_text=True)

    outside = _start(client, title="乡村学校心理健康辅导服务", catalogue="outside")
    data = catalogued.task_data(int(outside.headers["Location"].rsplit("/", 1)[1]))
    assert data["in_catalogue"] is False and "catalogue_code" not in data


def test_a_missing_or_foreign_catalogue_choice_is_refused_on_its_field(client: FlaskClient, catalogued: Engine) -> None:
    login(client, "purchaser_urumqi")
    missing = _start(client)
    assert missing.status_code == 422
    assert 'data-field="catalogue">请选择目录中的服务，或选择目录外服务' in missing.get_data(as_text=True)
    foreign = _start(client, catalogue=_item_id(catalogued, "650200", "E0309"))
    assert foreign.status_code == 422
    assert 'data-field="catalogue">该服务不在本地区今年有效的指导性目录中' in foreign.get_data(as_text=True)
    with catalogued.unit_of_work() as uow:
        assert uow.session.query(ProcessInstance).count() == 0
