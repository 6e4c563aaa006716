"""The inbox: who sees which task, tabs and counts, hand-over buttons, filters, sorting, paging and downloads."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from inbox_support import KARAMAY, URUMQI, china_today, deploy_approval, set_task, start
from openpyxl import load_workbook
from sqlalchemy import insert

from engine.service import Engine
from engine.store.models import HumanTask
from support import csrf_token, login


def task_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-task-id="(\d+)"', html)]


def inbox(client: FlaskClient, query: str = "") -> str:
    response = client.get(f"/inbox/?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def count(html: str, tab: str) -> int:
    return int(re.search(rf'id="tab-{tab}".*?data-count="(\d+)"', html, re.S).group(1))


def post(client: FlaskClient, url: str, **form: str):
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **form})


def finance_task(engine: Engine, locality: str, key: str, budget: int = 500_000) -> HumanTask:
    apply = start(engine, locality, key, f"项目{key}")
    engine.complete(apply.id, {"project_name": f"项目{key}", "budget": budget}, actor="seed")
    (review,) = engine.open_tasks(apply.instance_id)
    return review


def test_each_reviewer_sees_only_their_localitys_tasks_even_by_guessing_urls(
    engine: Engine, client: FlaskClient
) -> None:
    deploy_approval(engine)
    urumqi = start(engine, URUMQI, "WLMQ-001", "乌鲁木齐社区养老")
    karamay = start(engine, KARAMAY, "KLMY-001", "克拉玛依社区养老")

    login(client, "purchaser_urumqi")
    page = inbox(client, "tab=group")
    assert task_ids(page) == [urumqi.id]
    assert "KLMY-001" not in page and "克拉玛依社区养老" not in page
    assert count(page, "group") == 1
    assert "KLMY-001" not in inbox(client, f"tab=group&locality={KARAMAY}")  # a filter cannot widen the scope
    assert client.get(f"/tasks/{karamay.id}").status_code == 404
    assert client.get(f"/tasks/{karamay.id + 1000}").status_code == 404  # same answer as a missing id
    assert post(client, f"/tasks/{karamay.id}/claim").status_code == 404
    token = csrf_token(client, "/")
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    complete = client.post(f"/tasks/{karamay.id}/complete", json={"project_name": "x", "budget": 1}, headers=headers)
    assert complete.status_code == 404 and complete.json["code"] == "not_found"
    assert client.post(f"/tasks/{karamay.id}/draft", json={}, headers=headers).status_code == 404
    assert engine.get_task(karamay.id).assignee is None and engine.get_task(karamay.id).state == "open"

    client.post("/logout", data={"csrf_token": token})
    login(client, "purchaser_karamay")
    assert task_ids(inbox(client, "tab=group")) == [karamay.id]
    assert client.get(f"/tasks/{urumqi.id}").status_code == 404

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "finance_reviewer_urumqi")  # right locality, wrong role
    assert task_ids(inbox(client, "tab=group")) == []
    assert client.get(f"/tasks/{urumqi.id}").status_code == 404

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "admin")
    assert sorted(task_ids(inbox(client, "tab=group"))) == sorted([urumqi.id, karamay.id])
    assert client.get(f"/tasks/{karamay.id}").status_code == 200


def test_tabs_count_claimed_unclaimed_and_completed_tasks(engine: Engine, client: FlaskClient) -> None:
    deploy_approval(engine)
    first = start(engine, URUMQI, "WLMQ-001", "项目一")
    second = start(engine, URUMQI, "WLMQ-002", "项目二")
    login(client, "purchaser_urumqi")
    page = inbox(client)
    assert (count(page, "mine"), count(page, "group"), count(page, "done")) == (0, 2, 0)

    claimed = post(client, f"/tasks/{first.id}/claim", next="/inbox/?tab=group")
    assert claimed.status_code == 302 and claimed.location.endswith("/inbox/?tab=group")
    page = inbox(client, "tab=group")
    assert "已认领任务" in page
    assert (count(page, "mine"), count(page, "group")) == (1, 1)
    assert task_ids(page) == [second.id]
    assert task_ids(inbox(client, "tab=mine")) == [first.id]

    post(client, f"/tasks/{second.id}/claim")
    post(client, f"/tasks/{second.id}/unclaim")
    assert engine.get_task(second.id).assignee is None

    engine.complete(first.id, {"project_name": "项目一", "budget": 100}, actor="purchaser_urumqi")
    page = inbox(client, "tab=done")
    assert (count(page, "mine"), count(page, "group"), count(page, "done")) == (0, 1, 1)
    assert task_ids(page) == [first.id]


def test_claiming_a_task_someone_else_claimed_says_who(engine: Engine, client: FlaskClient) -> None:
    deploy_approval(engine)
    review = finance_task(engine, URUMQI, "WLMQ-001")
    engine.claim(review.id, actor="finance_reviewer2_urumqi")
    login(client, "finance_reviewer_urumqi")
    response = post(client, f"/tasks/{review.id}/claim", next="/inbox/?tab=group")
    assert response.status_code == 302
    assert "已被 乌鲁木齐财政部门（二） 认领" in inbox(client, "tab=group")
    assert engine.get_task(review.id).assignee == "finance_reviewer2_urumqi"


def test_leads_assign_within_their_group_and_assignees_delegate_and_take_back(
    engine: Engine, client: FlaskClient
) -> None:
    deploy_approval(engine)
    review = finance_task(engine, URUMQI, "WLMQ-001")
    apply = start(engine, URUMQI, "WLMQ-002", "项目二")

    login(client, "purchaser_urumqi")  # not a group lead
    assert post(client, f"/tasks/{apply.id}/assign", assignee="purchaser_urumqi").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    login(client, "finance_reviewer_urumqi")  # lead of 乌鲁木齐 finance reviewers
    page = client.get(f"/tasks/{review.id}").get_data(as_text=True)
    assert "分派给同组人员" in page and 'value="finance_reviewer2_urumqi"' in page
    assert 'value="finance_reviewer_karamay"' not in page
    assert post(client, f"/tasks/{review.id}/assign", assignee="finance_reviewer_karamay").status_code == 403
    assert engine.get_task(review.id).assignee is None
    post(client, f"/tasks/{review.id}/assign", assignee="finance_reviewer2_urumqi")
    assert engine.get_task(review.id).assignee == "finance_reviewer2_urumqi"

    post(client, f"/tasks/{review.id}/assign", assignee="finance_reviewer_urumqi")
    assert post(client, f"/tasks/{review.id}/delegate", to="purchaser_urumqi").status_code == 403
    post(client, f"/tasks/{review.id}/delegate", to="finance_reviewer2_urumqi")
    task = engine.get_task(review.id)
    assert (task.assignee, task.delegated_from) == ("finance_reviewer2_urumqi", "finance_reviewer_urumqi")
    page = inbox(client, "tab=group")
    assert count(page, "mine") == 0
    assert "收回委托" in client.get(f"/tasks/{review.id}").get_data(as_text=True)
    post(client, f"/tasks/{review.id}/take-back")
    assert engine.get_task(review.id).assignee == "finance_reviewer_urumqi"
    assert task_ids(inbox(client, "tab=mine")) == [review.id]
    assert post(client, f"/tasks/{review.id}/explode").status_code == 404


def test_filters_sorting_and_paging_live_in_the_url(engine: Engine, client: FlaskClient) -> None:
    deploy_approval(engine)
    today = china_today()
    tasks = {}
    for n, due in enumerate([-3, 0, None, 2, 30, -1, None, 1]):
        task = start(engine, URUMQI, f"WLMQ-{n:03d}", f"社区服务项目{n}")
        due_date = today + timedelta(days=due) if due is not None else None
        created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n)
        set_task(engine, task.id, due_date=due_date, priority=n % 3, created_at=created)
        tasks[n] = task.id
    login(client, "purchaser_urumqi")

    by_due = task_ids(inbox(client, "tab=group"))
    assert by_due[:2] == [tasks[0], tasks[5]]  # nearest (most overdue) first
    assert set(by_due[-2:]) == {tasks[2], tasks[6]}  # no deadline last

    overdue = inbox(client, "tab=group&due=overdue")
    assert task_ids(overdue) == [tasks[0], tasks[5]]
    assert "逾期 3 天" in overdue and 'class="badge overdue"' in overdue
    assert task_ids(inbox(client, "tab=group&due=today")) == [tasks[1]]
    week = set(task_ids(inbox(client, "tab=group&due=week")))
    end = today + timedelta(days=6 - today.weekday())
    expected = {tasks[n] for n, d in {1: 0, 3: 2, 4: 30, 7: 1}.items() if today + timedelta(days=d) <= end}
    assert week == expected

    assert task_ids(inbox(client, "tab=group&sort=created"))[0] == tasks[7]
    priorities = task_ids(inbox(client, "tab=group&sort=priority"))
    assert priorities[:2] == [tasks[5], tasks[2]]  # priority 2 first, then by due date (none last)
    assert task_ids(inbox(client, "tab=group&q=WLMQ-004")) == [tasks[4]]
    assert task_ids(inbox(client, "tab=group&q=服务项目6")) == [tasks[6]]
    assert task_ids(inbox(client, "tab=group&q=100%25")) == []  # LIKE wildcards are literal
    assert len(task_ids(inbox(client, "tab=group&stage=approval&process=approval"))) == 8
    assert task_ids(inbox(client, "tab=group&stage=other")) == []
    assert task_ids(inbox(client, f"tab=group&locality={KARAMAY}")) == []

    first, second, third = (inbox(client, f"tab=group&per_page=3&page={p}") for p in (1, 2, 3))
    pages = [task_ids(first), task_ids(second), task_ids(third)]
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [task for one in pages for task in one] == by_due
    assert "第 2 / 3 页，共 8 条" in second
    assert 'href="/inbox/?tab=group&amp;page=3&amp;per_page=3"' in second  # the next link keeps the query

    for bad in ("sort=name", "due=yesterday", "tab=all", "page=0", "page=abc", "per_page=1000"):
        response = client.get(f"/inbox/?{bad}")
        assert response.status_code == 422, bad


@pytest.mark.parametrize("rows", [20_000])
def test_a_page_stays_fast_with_tens_of_thousands_of_tasks(engine: Engine, client: FlaskClient, rows: int) -> None:
    deploy_approval(engine)
    seed = start(engine, URUMQI, "WLMQ-BIG", "大批量项目")
    today = china_today()
    now = datetime.now(UTC)
    with engine.unit_of_work(write=True) as uow:
        uow.session.execute(
            insert(HumanTask),
            [
                {
                    "instance_id": seed.instance_id,
                    "task_uuid": f"bulk-{n}",
                    "process_key": "approval",
                    "element_id": "apply",
                    "name": "项目申报",
                    "role": "purchaser",
                    "locality_code": URUMQI if n % 2 else KARAMAY,
                    "state": "open",
                    "priority": 0,
                    "created_at": now,
                    "due_date": today + timedelta(days=n % 400 - 200),
                    "lock_version": 1,
                }
                for n in range(rows)
            ],
        )
        uow.commit()
    login(client, "purchaser_urumqi")
    inbox(client, "tab=group")  # warm-up
    started = time.perf_counter()
    page = inbox(client, "tab=group&page=200&due=overdue&q=大批量")
    elapsed = time.perf_counter() - started
    assert count(page, "group") == rows // 2 + 1
    assert len(task_ids(page)) == 25
    assert elapsed < 1.5, f"inbox page took {elapsed:.2f}s"


def test_the_inbox_downloads_every_task_of_the_tab_as_csv_or_excel(engine: Engine, client: FlaskClient) -> None:
    """Every page of the filtered tab, in the page's order; a project named like a formula stays text."""
    deploy_approval(engine)
    today = china_today()
    ids = []
    for n, title in enumerate(["社区养老服务", "=1+2", "助餐服务"]):
        task = start(engine, URUMQI, f"WLMQ-X{n}", title)
        set_task(engine, task.id, due_date=today + timedelta(days=n))
        ids.append(task.id)
    start(engine, KARAMAY, "KLMY-X1", "克拉玛依项目")
    login(client, "purchaser_urumqi")
    page = inbox(client, "tab=group&per_page=1")
    link = re.search(r'href="(/inbox/\?[^"]*format=xlsx[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "per_page=1" in link and "tab=group" in link

    sheet = load_workbook(io.BytesIO(client.get(link).get_data())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["任务号", "项目编号", "项目", "阶段", "任务"]
    assert [r[0] for r in rows[1:]] == ids  # all three, not the one page shown, and no other locality's
    assert rows[2][2] == "'=1+2" and rows[1][5] == "乌鲁木齐市"
    assert sheet.cell(row=2, column=8).number_format == "yyyy-mm-dd"

    response = client.get("/inbox/?tab=group&format=csv")
    assert response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == [str(i) for i in ids]
    assert lines[1][7] == today.isoformat()
