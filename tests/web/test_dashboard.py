"""Managers' dashboard and project register: counts, drill-down, reassign, heatmap, durations, CSV and Excel
downloads, scoping."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta

import pytest
from dashboard_seed import NOW, TODAY, Seeded, seed, set_due
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.demo import DEMO_PASSWORD
from engine.identity import users
from engine.identity.users import principal
from engine.queries import inbox
from engine.service import Engine
from engine.store.models import User
from support import csrf_token, login


@pytest.fixture
def seeded(app: Flask, engine: Engine) -> Seeded:
    data = seed(engine)
    app.extensions["servflow_engine"].clock = lambda: NOW
    return data


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def csv_rows(client: FlaskClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def workbook_rows(client: FlaskClient, url: str) -> tuple[list[list[object]], list[list[str]]]:
    """An Excel download's cell values and number formats, row by row."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows())
    return [[c.value for c in row] for row in rows], [[c.number_format for c in row] for row in rows]


def totals(html: str) -> dict[str, int]:
    return {
        name: int(re.search(rf'id="total-{name}".*?class="number">(\d+)<', html, re.S).group(1))
        for name in ("overdue", "due-soon", "open")
    }


def listed_tasks(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="task-(\d+)"', html)]


def test_a_manager_sees_overdue_and_due_soon_counts_of_their_locality_only(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "manager_urumqi")
    html = page(client, "/dashboard/")
    assert totals(html) == {"overdue": 1, "due-soon": 1, "open": 2}
    assert "乌鲁木齐市民政局" in html
    assert "克拉玛依" not in html.split('name="under"')[1].split("</select>")[0]  # not even offered
    assert "克拉玛依市社保局" not in html and "白碱滩区民政局" not in html
    by_stage = csv_rows(client, "/dashboard/?format=csv&table=stage")
    assert by_stage == [["阶段", "代码", "逾期", "临期", "在办"], ["项目申报", "apply", "1", "1", "2"]]
    by_assignee = csv_rows(client, "/dashboard/?format=csv&table=assignee")
    assert by_assignee[1:] == [  # unclaimed work per role and group, not one lump
        ["未认领 · 购买主体 · 乌鲁木齐市", "", "1", "0", "1"],
        ["未认领 · 财政部门 · 乌鲁木齐市财政局", "", "0", "1", "1"],
    ]
    # another locality is refused, not silently emptied
    assert client.get("/dashboard/?under=650200").status_code == 403
    assert client.get("/dashboard/tasks?locality=650200").status_code == 403


def test_a_city_manager_sees_its_districts_and_the_window_is_in_the_url(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "manager_karamay")
    html = page(client, "/dashboard/")
    assert totals(html) == {"overdue": 1, "due-soon": 0, "open": 2}  # 白碱滩区 (650204) is below 克拉玛依
    by_locality = {row[1]: row[2:] for row in csv_rows(client, "/dashboard/?format=csv&table=locality")[1:]}
    assert by_locality == {"650204": ["1", "0", "1"], "650200": ["0", "0", "1"]}
    # P3 is due on 03-20: 18 days ahead
    assert totals(page(client, "/dashboard/?days=18"))["due-soon"] == 1
    assert totals(page(client, "/dashboard/?days=17"))["due-soon"] == 0
    assert totals(page(client, "/dashboard/?under=650204"))["open"] == 1
    for bad in ("days=abc", "days=-1", "days=9999", "format=csv&table=nonsense"):
        response = client.get(f"/dashboard/?{bad}")
        assert response.status_code == 400, bad
    assert client.get("/dashboard/tasks?bucket=late").status_code == 400


def test_admin_sees_every_locality_and_moving_the_clock_makes_tasks_overdue(
    app: Flask, client: FlaskClient, seeded: Seeded
) -> None:
    login(client, "admin")
    assert totals(page(client, "/dashboard/")) == {"overdue": 2, "due-soon": 1, "open": 4}
    app.extensions["servflow_engine"].clock = lambda: NOW + timedelta(days=3)  # 03-05: P2 (due 03-04) now late
    html = page(client, "/dashboard/")
    assert totals(html) == {"overdue": 3, "due-soon": 0, "open": 4}
    assert "2026-03-05" in html
    # the due day itself lasts until midnight in China: 15:59 UTC on 03-04 is still 03-04 23:59 there
    app.extensions["servflow_engine"].clock = lambda: NOW.replace(day=4, hour=15, minute=59)
    assert totals(page(client, "/dashboard/"))["overdue"] == 2
    app.extensions["servflow_engine"].clock = lambda: NOW.replace(day=4, hour=16, minute=0)
    assert totals(page(client, "/dashboard/"))["overdue"] == 3


def test_people_without_oversight_get_no_dashboard_and_auditors_only_read(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "purchaser_urumqi")
    for url in ("/dashboard/", "/dashboard/tasks", "/dashboard/heatmap", "/dashboard/durations"):
        assert client.get(url).status_code == 403, url
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "auditor_urumqi")
    html = page(client, "/dashboard/tasks?bucket=open")
    assert listed_tasks(html) == [seeded.tasks["P1"], seeded.tasks["P2"]]
    assert 'name="task_id"' not in html and "批量改派" not in html
    response = client.post(
        "/dashboard/tasks/reassign",
        data={"csrf_token": csrf_token(client, "/"), "task_id": seeded.tasks["P1"], "assignee": "purchaser_urumqi"},
    )
    assert response.status_code == 403


def test_each_number_drills_down_to_the_same_tasks(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "admin")
    html = page(client, "/dashboard/")
    links = re.findall(r'href="(/dashboard/tasks\?[^"]*bucket=overdue[^"]*locality=650204[^"]*)"', html)
    assert links, "the overdue count of 白碱滩区 links to its tasks"
    drill = page(client, links[0].replace("&amp;", "&"))
    assert listed_tasks(drill) == [seeded.tasks["P4"]]
    assert "逾期 29 天" in drill
    unclaimed = page(client, "/dashboard/tasks?bucket=open&assignee=__none__&department=乌鲁木齐市民政局")
    assert listed_tasks(unclaimed) == [seeded.tasks["P1"], seeded.tasks["P2"]]
    rows = csv_rows(client, "/dashboard/tasks?bucket=overdue&format=csv")
    assert [r[0] for r in rows[1:]] == [str(seeded.tasks["P4"]), str(seeded.tasks["P1"])]
    assert rows[1][9:] == ["2026-02-01", "29"]


def reassign(client: FlaskClient, task_ids: list[int], assignee: str) -> str:
    back = "/dashboard/tasks?bucket=open"
    response = client.post(
        "/dashboard/tasks/reassign",
        data={"csrf_token": csrf_token(client, "/"), "task_id": task_ids, "assignee": assignee, "next": back},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_bulk_reassign_hands_each_task_over_and_reports_each_refusal(
    client: FlaskClient, engine: Engine, seeded: Seeded
) -> None:
    login(client, "manager_urumqi")
    html = page(client, "/dashboard/tasks?bucket=open")
    assert 'value="purchaser_urumqi"' in html and 'value="finance_reviewer2_urumqi"' in html
    assert 'value="purchaser_karamay"' not in html  # only people of the tasks' role and locality

    p1, p2, p3, p5, done = (seeded.tasks[k] for k in ("P1", "P2", "P3", "P5", "P2_fill"))
    result = reassign(client, [p1, p2, p3, p5, done], "purchaser_urumqi")
    assert "已将 1 个任务改派给" in result
    assert f"任务 {p2}（财政审定）" in result and "不具备该任务的角色" in result  # a purchaser cannot review
    assert f"任务 {p3} 不存在或不在您的管辖范围内" in result  # 克拉玛依's task is not the manager's
    assert f"任务 {p5} 不存在或不在您的管辖范围内" in result  # nor is the region's
    assert f"任务 {done}（填写申报书）已办结或已取消" in result
    assert engine.get_task(p1).assignee == "purchaser_urumqi"
    assert engine.get_task(p2).assignee is None and engine.get_task(p3).assignee is None
    history = engine.history(seeded.instances["P1"])
    assert (history[-1].action, history[-1].actor) == ("assigned", "manager_urumqi")

    assert "purchaser_urumqi" in page(client, "/dashboard/tasks?bucket=overdue&assignee=purchaser_urumqi")
    assert "请先勾选" in reassign(client, [], "purchaser_urumqi")
    assert "请选择改派对象" in reassign(client, [p1], "")


def inbox_ids(engine: Engine, username: str, tab: str) -> list[int]:
    """The overdue tasks ``username`` sees in that inbox tab (engine.inbox is what the inbox page renders)."""
    with engine.unit_of_work() as uow:
        person = principal(uow.session, uow.session.scalars(select(User).where(User.username == username)).one())
        query = inbox.InboxQuery(tab=tab, due="overdue", per_page=100)
        return [row.task.id for row in inbox.list_tasks(uow.session, person, query, TODAY).rows]


def test_dashboard_overdue_counts_match_what_each_inbox_shows(
    client: FlaskClient, engine: Engine, seeded: Seeded
) -> None:
    # more overdue work in 乌鲁木齐, one task claimed by a reviewer so it leaves the group queue
    set_due(engine, seeded.tasks["P2"], TODAY - timedelta(days=1))
    engine.claim(seeded.tasks["P2"], actor="finance_reviewer_urumqi")
    login(client, "admin")
    for role, locality, member in (
        ("purchaser", "650100", "purchaser_urumqi"),
        ("finance_reviewer", "650100", "finance_reviewer2_urumqi"),
        ("purchaser", "650200", "purchaser_karamay"),
    ):
        drill = page(client, f"/dashboard/tasks?bucket=overdue&role={role}&locality={locality}&assignee=__none__")
        assert listed_tasks(drill) == inbox_ids(engine, member, inbox.GROUP), (role, locality)
    # the claimed one: on the dashboard under its assignee, in the assignee's own inbox tab
    mine = listed_tasks(page(client, "/dashboard/tasks?bucket=overdue&assignee=finance_reviewer_urumqi"))
    assert mine == inbox_ids(engine, "finance_reviewer_urumqi", inbox.MINE) == [seeded.tasks["P2"]]
    # and the headline number is the sum of what the people of 乌鲁木齐 see
    login(client, "manager_urumqi")
    seen = {
        *inbox_ids(engine, "purchaser_urumqi", inbox.GROUP),
        *inbox_ids(engine, "finance_reviewer_urumqi", inbox.MINE),
    }
    assert totals(page(client, "/dashboard/"))["overdue"] == len(seen) == 2


def heat_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="heat-data">(.*?)</script>', html, re.S).group(1))


def test_heatmap_counts_projects_per_step_and_per_stage(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "manager_urumqi")
    lifecycle = heat_data(page(client, "/dashboard/heatmap"))
    assert "<bpmn:callActivity" in lifecycle["xml"]
    assert lifecycle["heat"] == {"call_apply": {"waiting": 2, "overdue": 1}}
    stage = heat_data(page(client, "/dashboard/heatmap?locality=650100&process=apply"))
    assert stage["heat"] == {"fill": {"waiting": 1, "overdue": 1}, "approve": {"waiting": 1, "overdue": 0}}
    rows = csv_rows(client, "/dashboard/heatmap?locality=650100&process=apply&format=csv")
    assert rows[1:] == [["fill", "填写申报书", "1", "1"], ["approve", "财政审定", "1", "0"]]
    assert client.get("/dashboard/heatmap?process=nope").status_code == 404
    assert client.get("/dashboard/heatmap?locality=650200").status_code == 403


def test_stage_durations_are_compared_with_the_statutory_limit(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "manager_region")
    html = page(client, "/dashboard/durations")
    assert "<svg" in html and 'class="limit"' in html
    rows = csv_rows(client, "/dashboard/durations?format=csv")
    assert rows[1:] == [
        ["自治区本级", "项目申报", "1", "5.0", "5.0", "5.0", "", "0"],
        ["自治区本级", "合同签订", "1", "34.0", "34.0", "34.0", "30", "1"],
    ]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "manager_urumqi")
    assert "暂无已结束的阶段" in page(client, "/dashboard/durations")  # 自治区本级's project is not theirs


def test_the_register_lists_projects_with_money_and_totals(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "admin")
    html = page(client, "/dashboard/register")
    assert re.findall(r'data-project="([^"]+)"', html) == [f"XJ-2026-P{i}" for i in (5, 4, 3, 2, 1)]
    assert "¥1,200,000.00" in html and "¥1,980,000.50" in html
    total = re.search(r'id="register-total".*?</tr>', html, re.S).group(0)
    assert "¥4,610,000.50" in total and "¥1,980,000.50" in total
    by_category = csv_rows(client, "/dashboard/register?format=csv&table=category")
    assert ["养老服务", "2", "1460000.00", "0.00"] in by_category
    by_stage = csv_rows(client, "/dashboard/register?format=csv&table=stage")
    assert by_stage[1:] == [["项目申报", "4", "2610000.50", "0.00"], ["已办结", "1", "2000000.00", "1980000.50"]]
    projects = csv_rows(client, "/dashboard/register?format=csv&per_page=1")  # the CSV is never paged
    assert len(projects) == 6 and projects[5][:2] == ["XJ-2026-P1", "社区居家养老服务"]
    assert projects[1][9:11] == ["2000000.00", "1980000.50"]

    filtered = page(client, "/dashboard/register?category=养老服务&locality=650200")
    assert re.findall(r'data-project="([^"]+)"', filtered) == ["XJ-2026-P4"]
    assert "¥260,000.00" in filtered
    first = page(client, "/dashboard/register?per_page=2")
    second = page(client, "/dashboard/register?per_page=2&page=2")
    assert re.findall(r'data-project="([^"]+)"', second) == ["XJ-2026-P3", "XJ-2026-P2"]
    assert ("第 1 / 3 页" in first and "page=2&amp;per_page=2" in first) or "per_page=2&amp;page=2" in first
    assert client.get("/dashboard/register?page=0").status_code == 400
    assert client.get("/dashboard/register?status=unknown").status_code == 400


def test_the_register_shows_only_readable_localities(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "purchaser_urumqi")
    html = page(client, "/dashboard/register")
    assert re.findall(r'data-project="([^"]+)"', html) == ["XJ-2026-P2", "XJ-2026-P1"]
    assert "克拉玛依" not in html.split("<main")[1]
    assert client.get("/dashboard/register?locality=650200").status_code == 403
    rows = csv_rows(client, "/dashboard/register?format=csv&table=department")
    assert rows[1:] == [["乌鲁木齐市民政局", "2", "1550000.50", "0.00"]]


# A project whose one task is the provider's (承接主体): no purchaser's group works on it.
DELIVER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_deliver"
    targetNamespace="http://servflow.org/test">
  <bpmn:process id="deliver" name="服务交付" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_v" name="承接主体"><bpmn:flowNodeRef>deliver_service</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="deliver_service" name="提供服务">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="deliver_service"/>
    <bpmn:sequenceFlow id="f1" sourceRef="deliver_service" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
EDUCATION = "乌鲁木齐市教育局"


def add_purchaser(session: Session, username: str, department: str, locality: str) -> None:
    user = users.create_user(session, username, DEMO_PASSWORD, f"{department}购买主体", department=department)
    users.grant(session, user, "purchaser", locality)


def registered(client: FlaskClient, url: str = "/dashboard/register") -> list[str]:
    return re.findall(r'data-project="([^"]+)"', page(client, url))


def test_the_register_lists_only_the_projects_each_person_may_read(
    client: FlaskClient, engine: Engine, seeded: Seeded
) -> None:
    """Not every project of the person's locality: the project-reading rule (``access.readable_instances``).

    In 乌鲁木齐 (650100): P1 and P2 of 民政局, whose purchaser tasks 乌鲁木齐's purchasers share, and P6 of
    教育局, started by its purchaser and waiting on the provider.
    """
    engine.write(add_purchaser, "purchaser_edu_urumqi", EDUCATION, "650100")
    engine.deploy({"deliver.bpmn": DELIVER.encode()}, "650100")
    engine.start(
        "deliver",
        locality="650100",
        business_key="XJ-2026-P6",
        data={"project_name": "学生课后托管服务", "department": EDUCATION, "category": "教育服务", "budget": 90_000},
        actor="purchaser_edu_urumqi",
    )

    def projects_csv() -> list[str]:
        return [row[0] for row in csv_rows(client, "/dashboard/register?format=csv")[1:]]

    # the provider: only the project they work on, not the locality's others
    login(client, "provider_urumqi")
    assert registered(client) == ["XJ-2026-P6"]
    assert projects_csv() == ["XJ-2026-P6"]
    assert registered(client, "/dashboard/register?locality=650100") == ["XJ-2026-P6"]
    by_department = csv_rows(client, "/dashboard/register?format=csv&table=department")
    assert by_department[1:] == [[EDUCATION, "1", "90000.00", "0.00"]]

    # 民政局's purchaser: their projects, not 教育局's in the same locality (nor its department as a choice)
    login(client, "purchaser_urumqi")
    html = page(client, "/dashboard/register")
    assert re.findall(r'data-project="([^"]+)"', html) == ["XJ-2026-P2", "XJ-2026-P1"]
    assert EDUCATION not in html
    assert projects_csv() == ["XJ-2026-P2", "XJ-2026-P1"]
    assert registered(client, "/dashboard/register?q=P6") == []

    # 教育局's purchaser: the project they started, and the ones their purchaser group works on
    login(client, "purchaser_edu_urumqi")
    assert registered(client) == ["XJ-2026-P6", "XJ-2026-P2", "XJ-2026-P1"]
    assert projects_csv() == ["XJ-2026-P6", "XJ-2026-P2", "XJ-2026-P1"]

    # the locality's manager: every project of 乌鲁木齐, and nothing of elsewhere
    login(client, "manager_urumqi")
    assert registered(client) == ["XJ-2026-P6", "XJ-2026-P2", "XJ-2026-P1"]
    assert projects_csv() == ["XJ-2026-P6", "XJ-2026-P2", "XJ-2026-P1"]


def test_pages_switch_to_english(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "admin")
    client.get("/lang/en")
    html = page(client, "/dashboard/")
    assert "Overdue" in html and "By stage" in html and "Application" in html
    assert "Project register" in page(client, "/dashboard/register")


def test_unclaimed_work_is_counted_per_role_and_organization(client: FlaskClient, seeded: Seeded) -> None:
    """Not one 未认领 row: whose group the work waits in, each row drilling down to that group's tasks."""
    login(client, "manager_urumqi")
    html = page(client, "/dashboard/")
    people = html[html.index('id="by-assignee"') : html.index("</section>", html.index('id="by-assignee"'))]
    rows = re.findall(r'<th scope="row">([^<]+)</th>.*?href="([^"]*bucket=open[^"]*)"', people, re.S)
    assert [label for label, _ in rows] == ["未认领 · 购买主体 · 乌鲁木齐市", "未认领 · 财政部门 · 乌鲁木齐市财政局"]
    purchasers, finance = (page(client, href.replace("&amp;", "&")) for _, href in rows)
    assert listed_tasks(purchasers) == [seeded.tasks["P1"]]
    assert listed_tasks(finance) == [seeded.tasks["P2"]]
    assert "机构：乌鲁木齐市财政局" in finance and "角色：财政部门" in finance
    assert client.get("/dashboard/tasks?organization=x").status_code == 400


def test_task_rows_open_the_project_and_the_task_for_who_may_open_them(
    app: Flask, client: FlaskClient, seeded: Seeded
) -> None:
    """A manager reads the locality's projects but works no task of it; an administrator opens both."""
    p1, task = seeded.instances["P1"], seeded.tasks["P1"]
    login(client, "manager_urumqi")
    html = page(client, "/dashboard/tasks?bucket=overdue")
    row = re.search(rf'<tr id="task-{task}".*?</tr>', html, re.S).group(0)
    assert f'href="/projects/{p1}"' in row and f'href="/tasks/{task}"' not in row
    assert client.get(f"/projects/{p1}").status_code == 200
    admin = app.test_client()
    login(admin, "admin")
    row = re.search(rf'<tr id="task-{task}".*?</tr>', page(admin, "/dashboard/tasks?bucket=overdue"), re.S).group(0)
    assert f'href="/projects/{p1}"' in row and f'href="/tasks/{task}"' in row
    assert admin.get(f"/tasks/{task}").status_code == 200


def test_the_register_and_the_task_lists_download_as_excel(client: FlaskClient, engine: Engine, seeded: Seeded) -> None:
    """Money as numbers formatted ¥#,##0.00, dates as dates, a title that looks like a formula kept as text."""
    engine.start(
        "lifecycle",
        locality="650100",
        business_key="XJ-2026-P7",
        data={"project_name": '=HYPERLINK("http://evil.example","点击")', "budget": 12_345.6},
        actor="seed",
    )
    login(client, "admin")
    values, formats = workbook_rows(client, "/dashboard/register?format=xlsx")
    assert values[0][:3] == ["项目编号", "项目名称", "地区"] and values[0][9] == "预算金额"
    evil = next(row for row in values if row[0] == "XJ-2026-P7")
    assert evil[1] == '\'=HYPERLINK("http://evil.example","点击")'
    p1_at = next(n for n, row in enumerate(values) if row[0] == "XJ-2026-P1")
    assert values[p1_at][9] == 1_200_000 and formats[p1_at][9] == '"¥"#,##0.00'
    assert isinstance(values[p1_at][11], datetime) and formats[p1_at][11] == "yyyy-mm-dd hh:mm"
    csv_evil = next(r for r in csv_rows(client, "/dashboard/register?format=csv") if r[0] == "XJ-2026-P7")
    assert csv_evil[1] == evil[1]  # the CSV neutralises the same way

    by_category, _ = workbook_rows(client, "/dashboard/register?format=xlsx&table=category")
    assert ["养老服务", 2, 1_460_000, 0] in by_category

    tasks, task_formats = workbook_rows(client, "/dashboard/tasks?bucket=overdue&format=xlsx")
    assert [row[0] for row in tasks[1:]] == [seeded.tasks["P4"], seeded.tasks["P1"]]
    assert tasks[1][9] == datetime(2026, 2, 1) and task_formats[1][9] == "yyyy-mm-dd" and tasks[1][10] == 29
    counts, _ = workbook_rows(client, "/dashboard/?format=xlsx&table=stage")
    assert counts[0] == ["阶段", "代码", "逾期", "临期", "在办"]

    client.get("/lang/en")
    english, _ = workbook_rows(client, "/dashboard/register?format=xlsx")
    assert english[0][:2] == ["Project no.", "Project"]
