"""``servflow seed`` demo projects: every stage in every demo locality, worked by the right demo users."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from engine.calendars.deadlines import local_date
from engine.demo.seed import DEMO_LOCALITIES, demo_logins, seed_projects
from engine.service import Engine
from engine.store.models import AuditEvent, Document, HumanTask

STAGES = {"apply", "review", "procure", "sign", "supervise", "accept", "evaluate", "pay"}


def audit_count(engine: Engine) -> int:
    with engine.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEvent))


def test_seed_projects_fills_every_stage_once(engine: Engine) -> None:
    summary = seed_projects(engine)

    assert "projects added" in summary and "\n" not in summary
    projects = engine.instances(limit=1000)
    assert 30 <= len(projects) <= 60
    for code, _suffix, _place in DEMO_LOCALITIES:
        mine = [p for p in projects if p.locality_code == code]
        assert {p.stage for p in mine if p.status == "running"} == STAGES, code
        assert Counter(p.status for p in mine)["completed"] >= 1, code
    for project in projects:
        budget = project.summary.get("budget")
        assert budget is None or 50_000 <= budget <= 8_000_000
        assert project.title and not project.title.isascii(), "realistic Chinese project names"
    assert len({p.summary.get("procurement_method") for p in projects} - {None}) >= 5

    logins = {login.username: login for login in demo_logins()}
    done = engine.tasks(state="completed", limit=10_000)
    assert done and all(logins[t.completed_by].role == t.role for t in done), "each by a demo account of its role"
    assert {t.completed_by for t in done if t.role == "provider"} >= {"provider_urumqi", "provider2_urumqi"}
    open_tasks = engine.tasks(limit=10_000)
    claimed = [t for t in open_tasks if t.assignee]
    assert claimed and all(logins[t.assignee].role == t.role for t in claimed)
    today = local_date(engine.clock())
    assert any(t.due_date and t.due_date < today for t in open_tasks), "some tasks are overdue"
    assert any(t.due_date and t.due_date >= today for t in open_tasks), "and some are not"
    assert all(t.due_date for t in open_tasks)
    with engine.unit_of_work() as uow:  # every stage that produces documents has left some
        stages = set(
            uow.session.scalars(select(HumanTask.process_key).join(Document, Document.human_task_id == HumanTask.id))
        )
    assert {"apply", "procure", "sign", "supervise", "accept", "evaluate", "pay"} <= stages

    versions, events = len(engine.versions()), audit_count(engine)
    assert seed_projects(engine) == "already present; nothing added"
    assert len(engine.instances(limit=1000)) == len(projects)
    assert (len(engine.versions()), audit_count(engine)) == (versions, events), "the second run changes nothing"
