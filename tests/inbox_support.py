"""Projects for the inbox and task-page tests: the approval fixture deployed for 乌鲁木齐 and 克拉玛依."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update

from engine.service import Engine
from engine.store.models import HumanTask
from support import fixture_bytes

URUMQI, KARAMAY = "650100", "650200"


def deploy_approval(engine: Engine) -> None:
    engine.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), URUMQI)
    engine.deploy(fixture_bytes("bpmn/approval_karamay.bpmn", "forms/application.form.json"), KARAMAY)


def start(engine: Engine, locality: str, key: str, title: str, **data: Any) -> HumanTask:
    """Start a project and return its first (apply) task."""
    instance = engine.start("approval", locality=locality, business_key=key, title=title, data=data, actor="seed")
    (task,) = engine.open_tasks(instance.id)
    return task


def set_task(engine: Engine, task_id: int, **values: Any) -> None:
    """Test set-up only: give a task a due date, priority or creation time the engine would compute."""
    with engine.unit_of_work(write=True) as uow:
        uow.session.execute(update(HumanTask).where(HumanTask.id == task_id).values(**values))
        uow.commit()


def china_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()
