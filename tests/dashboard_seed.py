"""Projects in known states for the dashboard, register and disclosure tests (importable as ``dashboard_seed``).

The engine's clock is moved while seeding so task creation times (and so stage durations) are known,
and due dates are written straight onto the human-task projection, which is what makes a task
overdue without depending on the working-day calendar.

On ``TODAY`` (2026-03-02, a Monday, China time):

=====  ========  ==========================  =====================================================
key    locality  where it waits              due
=====  ========  ==========================  =====================================================
P1     650100    apply/fill (purchaser)  2026-02-27 — overdue
P2     650100    apply/approve (finance) 2026-03-04 — due within 3 days
P3     650200    apply/fill (purchaser)  2026-03-20 — open, not soon
P4     650204    apply/fill (purchaser)  2026-02-01 — overdue
P5     650000    completed; contract disclosed; sign stage took 34 days (limit 30)
=====  ========  ==========================  =====================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from engine.service import Engine
from engine.store.models import HumanTask
from support import fixture_bytes

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in China
BUNDLE = ("bpmn/dashboard/mini_life.bpmn", "bpmn/dashboard/mini_apply.bpmn", "bpmn/dashboard/mini_sign.bpmn")

PROJECTS = {
    "P1": ("650100", "乌鲁木齐市民政局", "养老服务", "社区居家养老服务", 1_200_000),
    "P2": ("650100", "乌鲁木齐市民政局", "社会救助", "困难群众走访慰问", 350_000.5),
    "P3": ("650200", "克拉玛依市社保局", "就业服务", "职业技能培训", 800_000),
    "P4": ("650204", "白碱滩区民政局", "养老服务", "老年食堂运营", 260_000),
    "P5": ("650000", "自治区文化和旅游厅", "公共文化", "公共图书馆数字服务", 2_000_000),
}


@dataclass
class Seeded:
    instances: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)


def set_due(engine: Engine, task_id: int, due: date | None) -> None:
    with engine.unit_of_work(write=True) as uow:
        uow.session.get(HumanTask, task_id).due_date = due
        uow.commit()


def only_task(engine: Engine, instance_id: int) -> HumanTask:
    (task,) = engine.open_tasks(instance_id)
    return task


def seed(engine: Engine) -> Seeded:
    """Deploy the mini lifecycle and put five projects where the table above says."""
    engine.deploy(fixture_bytes(*BUNDLE), "650000")
    seeded = Seeded()
    for key, (locality, department, category, name, budget) in PROJECTS.items():
        engine.clock = lambda: NOW - timedelta(days=40)
        instance = engine.start(
            "lifecycle",
            locality=locality,
            business_key=f"XJ-2026-{key}",
            data={"project_name": name, "department": department, "category": category, "budget": budget},
            actor="seed",
        )
        seeded.instances[key] = instance.id
        seeded.tasks[key] = only_task(engine, instance.id).id
    actor = "seed"
    seeded.tasks["P2_fill"] = seeded.tasks["P2"]
    engine.complete(seeded.tasks["P2_fill"], {}, actor=actor)
    seeded.tasks["P2"] = only_task(engine, seeded.instances["P2"]).id
    # P5 runs to the end: apply takes 5 days, sign 34 days (over the 30-day limit).
    engine.complete(seeded.tasks["P5"], {}, actor=actor)
    engine.clock = lambda: NOW - timedelta(days=35)
    engine.complete(only_task(engine, seeded.instances["P5"]).id, {}, actor=actor)
    sign = only_task(engine, seeded.instances["P5"])
    engine.clock = lambda: NOW - timedelta(days=1)
    engine.complete(
        sign.id,
        {"winner_name": "新疆数字文化有限公司", "contract_amount": 1_980_000.5, "signed_date": "2026-03-01"},
        actor=actor,
    )
    seeded.tasks["P5"] = sign.id
    engine.clock = lambda: NOW
    set_due(engine, seeded.tasks["P1"], date(2026, 2, 27))
    set_due(engine, seeded.tasks["P2"], date(2026, 3, 4))
    set_due(engine, seeded.tasks["P3"], date(2026, 3, 20))
    set_due(engine, seeded.tasks["P4"], date(2026, 2, 1))
    return seeded
