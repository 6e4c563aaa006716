"""Regression: an Idempotency-Key stayed reserved for 5 minutes after a worker died mid-request, and if the
completion had committed, the retry then answered 409 "already completed" instead of the original answer.

A worker that dies is played by calling the Engine exactly as the completion endpoint does — reserve the
key, complete with the receipt — and then never answering; the client's retry goes through the API.
"""

from __future__ import annotations

from api_client import Api
from sqlalchemy import update

from engine.identity.users import get_user
from engine.service import Engine
from engine.store.idempotency import STALE_AFTER, Receipt
from engine.store.models import IdempotencyRecord
from web.api.idempotency import fingerprint

DATA = {"data": {"project_name": "助残", "budget": 100}}
KEY = {"Idempotency-Key": "complete-after-crash"}


def _apply_task(api: Api) -> tuple[int, int]:
    started = api.start("purchaser_urumqi", "650100", "UR-CRASH", project_name="助残")
    task = started.json["tasks"][0]["id"]
    assert api.post("purchaser_urumqi", f"/tasks/{task}/claim").status_code == 200
    return started.json["id"], task


def _reserve(engine: Engine, task: int) -> Receipt:
    with engine.unit_of_work() as uow:
        user_id = get_user(uow.session, "purchaser_urumqi").id
    endpoint = f"tasks.complete:{task}"
    receipt = engine.reserve_key(KEY["Idempotency-Key"], user_id, endpoint, fingerprint(endpoint, DATA))
    assert isinstance(receipt, Receipt)
    return receipt


def test_a_retry_after_the_worker_died_past_the_commit_gets_the_original_answer(api: Api, engine: Engine) -> None:
    instance, task = _apply_task(api)
    receipt = _reserve(engine, task)
    kept = engine.complete_and_answer(
        task,
        DATA["data"],
        actor="purchaser_urumqi",
        answer=lambda i, t, open_: {"task": t.id, "state": t.state},
        receipt=receipt,
    )  # ... and the worker dies before answering

    retry = api.post("purchaser_urumqi", f"/tasks/{task}/complete", DATA, headers=KEY)
    assert retry.status_code == 200, retry.json
    assert retry.json == kept and retry.headers["Idempotent-Replayed"] == "true"
    assert [e.action for e in engine.history(instance)].count("task_completed") == 1


def test_a_reservation_whose_worker_died_before_committing_runs_again_once_stale(api: Api, engine: Engine) -> None:
    instance, task = _apply_task(api)
    _reserve(engine, task)  # ... and the worker dies before the completion commits

    busy = api.post("purchaser_urumqi", f"/tasks/{task}/complete", DATA, headers=KEY)
    assert busy.status_code == 409 and "still being processed" in busy.json["message"]
    assert engine.get_task(task).state == "open"

    with engine.unit_of_work(write=True) as uow:
        uow.session.execute(
            update(IdempotencyRecord).values(created_at=engine.clock() - STALE_AFTER - STALE_AFTER / 10)
        )
        uow.commit()
    done = api.post("purchaser_urumqi", f"/tasks/{task}/complete", DATA, headers=KEY)
    assert done.status_code == 200, done.json
    assert done.json["task"]["state"] == "completed"
    again = api.post("purchaser_urumqi", f"/tasks/{task}/complete", DATA, headers=KEY)
    assert again.json == done.json and again.headers["Idempotent-Replayed"] == "true"
    assert [e.action for e in engine.history(instance)].count("task_completed") == 1
