"""Open-task counts and lists read ``human_task`` alone: the department they count by follows the project,
and undated tasks still come last in every list and page (migration 0002's indexes, engine.open_tasks)."""

from __future__ import annotations

from datetime import date

from dashboard_seed import set_due

from engine.identity.users import Grant, Principal
from engine.queries import inbox, reporting
from engine.queries.reporting import GroupCount, Scope, TaskQuery
from engine.service import Engine
from support import fixture_bytes

TODAY = date(2025, 6, 16)
REVIEWER = Principal(7, "purchaser_1", "采购人", None, False, (Grant("purchaser", "650100"),))


def by_department(engine: Engine) -> list[GroupCount]:
    with engine.unit_of_work() as uow:
        return reporting.due_counts(uow.session, TaskQuery(Scope(frozenset({"650100"})), TODAY), "department")


def test_open_tasks_take_the_department_the_project_gets_later(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/parallel_department.bpmn"), "650100")
    instance = engine.start("parallel_department", locality="650100", business_key="BM-2025-001")
    assert by_department(engine) == [GroupCount(None, 0, 0, 2)]

    fill_in = next(t for t in engine.open_tasks(instance.id) if t.element_id == "fill_in")
    engine.complete(fill_in.id, {"department": "民政局"}, actor="purchaser_1")

    assert by_department(engine) == [GroupCount("民政局", 0, 0, 1)]
    with engine.unit_of_work() as uow:
        query = TaskQuery(Scope(None), TODAY, where={"department": "民政局"})
        (row,) = reporting.task_list(uow.session, query, "open")
    assert (row.element_id, row.department, row.business_key) == ("attach", "民政局", "BM-2025-001")


def test_a_project_started_with_a_department_counts_there_at_once(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/parallel_department.bpmn"), "650100")
    engine.start("parallel_department", locality="650100", business_key="BM-2025-002", data={"department": "教育局"})
    assert by_department(engine) == [GroupCount("教育局", 0, 0, 2)]


def test_undated_tasks_come_last_in_lists_and_pages(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/parallel_department.bpmn"), "650100")
    dues = {"BM-1": date(2025, 6, 20), "BM-2": None, "BM-3": date(2025, 6, 1)}
    for key, due in dues.items():
        instance = engine.start("parallel_department", locality="650100", business_key=key)
        for task in engine.open_tasks(instance.id):
            set_due(engine, task.id, due)

    with engine.unit_of_work() as uow:
        listed = reporting.task_list(uow.session, TaskQuery(Scope(None), TODAY), "open")
        pages = [
            inbox.list_tasks(uow.session, REVIEWER, inbox.InboxQuery(tab=inbox.GROUP, per_page=4, page=n), TODAY)
            for n in (1, 2)
        ]
    assert [r.business_key for r in listed] == ["BM-3", "BM-3", "BM-1", "BM-1", "BM-2", "BM-2"]
    order = [(r.due_date is None, r.due_date or TODAY, r.id) for r in listed]
    assert order == sorted(order)
    assert [p.total for p in pages] == [6, 6]
    assert [[r.business_key for r in p.rows] for p in pages] == [["BM-3", "BM-3", "BM-1", "BM-1"], ["BM-2", "BM-2"]]
    assert [r.task.due_date for r in pages[1].rows] == [None, None]
