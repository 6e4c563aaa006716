"""Two people complete the same task at the same moment: exactly one wins, the other hears why."""

from __future__ import annotations

import threading

from engine.compose import build_engine
from engine.errors import ConflictError
from engine.service import Engine
from support import fixture_bytes


def test_concurrent_completions_of_one_task(engine: Engine, database_url: str) -> None:
    engine.deploy(fixture_bytes("bpmn/approval.bpmn", "forms/application.form.json"), "650000")
    instance = engine.start("approval", locality="650000", business_key="RACE-1")
    (task,) = engine.open_tasks(instance.id)
    engines = [build_engine(database_url, deadlines=False), build_engine(database_url, deadlines=False)]
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(name: str, other: Engine) -> None:
        barrier.wait()
        try:
            other.complete(task.id, {"project_name": name, "budget": 3_000_000}, actor=name)
            outcomes[name] = "ok"
        except ConflictError as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=attempt, args=(n, e)) for n, e in zip(("alice", "bob"), engines, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [name for name, result in outcomes.items() if result == "ok"]
    losers = [result for result in outcomes.values() if isinstance(result, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1
    assert f"completed by {winners[0]}" in losers[0].message
    done = engine.get_task(task.id)
    assert (done.state, done.completed_by) == ("completed", winners[0])
    (review,) = engine.open_tasks(instance.id)
    assert review.element_id == "review_large"
    completions = [e for e in engine.history(instance.id) if e.action == "task_completed"]
    assert [e.actor for e in completions] == winners
    for other in engines:
        other.dispose()
