"""Role × locality × action: every endpoint called by every demo role of 乌鲁木齐 and 克拉玛依.

Each allowed call succeeds (2xx); each forbidden one is 403 or 404; and no response, allowed or not,
contains anything of the other locality (its business keys, titles, process names or people).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from api_client import Api

from engine.identity.roles import ROLES
from engine.service import Engine
from support import fixture_bytes

PLACES = {"650100": "urumqi", "650200": "karamay"}
MARKERS = {"650100": ("UR-", "乌鲁木齐", "urumqi"), "650200": ("KL-", "克拉玛依", "karamay")}
PREFIX = {"650100": "UR", "650200": "KL"}
TITLE = {"650100": "乌鲁木齐社区服务", "650200": "克拉玛依社区服务"}

#: Who may, in their own locality. Nobody may in the other one; the administrator may everywhere.
ALLOWED: dict[str, set[str]] = {
    "read_instance": {"purchaser", "finance_reviewer", "manager", "auditor"},
    "instance_history": {"purchaser", "finance_reviewer", "manager", "auditor"},
    "read_task": {"finance_reviewer"},
    "claim": {"finance_reviewer"},
    "complete": {"finance_reviewer"},
    "suspend": {"manager"},
    "cancel": {"manager", "purchaser"},
    "start": {"purchaser"},
    "message": {"agent", "finance_reviewer", "purchaser"},
    "deploy": {"designer"},
    "figures": {"manager", "auditor"},
}
ANYWHERE = {"validate": {"designer"}, "global_audit": {"auditor"}}
OPEN_TO_ALL = ("list_versions", "list_instances", "list_tasks", "list_tokens")


MUTATING = {"claim", "complete", "suspend", "cancel", "message"}


@dataclass
class World:
    """The projects calls are aimed at: a standing one per locality and process, fresh ones for allowed writes."""

    engine: Engine
    counter: int = 0
    standing: dict[tuple[str, str], tuple[int, int | None]] = field(default_factory=dict)

    def project(self, locality: str, process: str = "approval") -> tuple[int, int | None]:
        """A fresh project started by the locality's purchaser; for approval, the application is in."""
        self.counter += 1
        user = f"purchaser_{PLACES[locality]}"
        key = f"{PREFIX[locality]}-{self.counter:04d}"
        instance = self.engine.start(process, locality=locality, business_key=key, actor=user, title=TITLE[locality])
        if process != "approval":
            return instance.id, None
        [apply] = self.engine.open_tasks(instance.id)
        self.engine.complete(apply.id, {"project_name": TITLE[locality], "budget": 100}, actor=user)
        [review] = self.engine.open_tasks(instance.id)
        return instance.id, review.id


def _calls(world: World, locality: str, fresh: Callable[[str], bool]) -> dict[str, Callable[[Api, str], Any]]:
    """Each action aimed at ``locality``: a function (api, user) → response; ``fresh(action)`` says whether
    the call needs a project of its own (an allowed write) or may use the standing one."""

    def with_project(action: Callable[[Api, str, int, int | None], Any], process: str = "approval") -> Any:
        def call(api: Api, user: str) -> Any:
            name = next(n for n, c in calls.items() if c is call)
            if fresh(name):
                instance_id, task_id = world.project(locality, process)
            else:
                instance_id, task_id = world.standing[(locality, process)]
            return action(api, user, instance_id, task_id)

        return call

    bundle = fixture_bytes("bpmn/approval_karamay.bpmn")
    calls: dict[str, Callable[[Api, str], Any]] = {
        "read_instance": with_project(lambda a, u, i, t: a.get(u, f"/instances/{i}")),
        "instance_history": with_project(lambda a, u, i, t: a.get(u, f"/audit/instances/{i}")),
        "read_task": with_project(lambda a, u, i, t: a.get(u, f"/tasks/{t}")),
        "claim": with_project(lambda a, u, i, t: a.post(u, f"/tasks/{t}/claim")),
        "complete": with_project(lambda a, u, i, t: a.post(u, f"/tasks/{t}/complete", {"data": {}})),
        "suspend": with_project(lambda a, u, i, t: a.post(u, f"/instances/{i}/suspend")),
        "cancel": with_project(lambda a, u, i, t: a.post(u, f"/instances/{i}/cancel", {"reason": "test"})),
        "start": lambda a, u: a.start(u, locality, f"{PREFIX[locality]}-new-{u}", project_name=TITLE[locality]),
        "message": with_project(
            lambda a, u, i, t: a.post(
                u, "/messages", {"business_key": world.engine.get_instance(i).business_key, "message": "bids_reported"}
            ),
            process="bids",
        ),
        "deploy": lambda a, u: a.call(
            "POST",
            u,
            "/versions",
            data={"locality": locality, "file": (io.BytesIO(bundle["approval_karamay.bpmn"]), "approval.bpmn")},
            content_type="multipart/form-data",
        ),
        "figures": lambda a, u: a.get(u, "/figures", query_string={"locality": locality}),
    }
    return calls


def _general(api: Api, user: str) -> dict[str, Any]:
    approval = fixture_bytes("bpmn/approval.bpmn")["approval.bpmn"]
    return {
        "list_versions": api.get(user, "/versions"),
        "list_instances": api.get(user, "/instances", query_string={"per_page": 100}),
        "list_tasks": api.get(user, "/tasks", query_string={"per_page": 100}),
        "list_tokens": api.get(user, "/tokens"),
        "validate": api.call(
            "POST",
            user,
            "/versions/validate",
            data={"file": (io.BytesIO(approval), "approval.bpmn")},
            content_type="multipart/form-data",
        ),
        "global_audit": api.get(user, "/audit", query_string={"per_page": 100}),
    }


USERS = ["admin"] + [f"{role.code}_{place}" for place in PLACES.values() for role in ROLES]


def _role_and_locality(user: str) -> tuple[str | None, str | None]:
    if user == "admin":
        return None, None
    role, place = user.rsplit("_", 1)
    return role, {v: k for k, v in PLACES.items()}[place]


@pytest.fixture
def world(engine: Engine, api: Api) -> World:
    engine.deploy(fixture_bytes("bpmn/approval_karamay.bpmn"), "650200")
    world = World(engine)
    for locality in PLACES:  # some history everywhere, so lists have something to leak
        for process in ("approval", "bids"):
            world.standing[(locality, process)] = world.project(locality, process)
    return world


def _check(problems: list[str], user: str, action: str, response: Any, allowed: bool) -> None:
    text = response.get_data(as_text=True)
    if allowed and not 200 <= response.status_code < 300:
        problems.append(f"{user} {action}: expected success, got {response.status_code} {text[:200]}")
    if not allowed and response.status_code not in (403, 404):
        problems.append(f"{user} {action}: expected 403/404, got {response.status_code} {text[:200]}")
    _, home = _role_and_locality(user)
    for code, markers in MARKERS.items():
        leaked = [m for m in markers if home is not None and code != home and m in text]
        if leaked:
            problems.append(f"{user} {action}: response shows the other locality's {leaked}")


def _allowed(user: str, action: str, locality: str) -> bool:
    role, home = _role_and_locality(user)
    return role is None or (locality == home and role in ALLOWED[action])


def test_every_role_of_two_localities_against_every_endpoint(api: Api, world: World) -> None:
    problems: list[str] = []
    for user in USERS:
        role, _ = _role_and_locality(user)
        for action, response in _general(api, user).items():
            allowed = action in OPEN_TO_ALL or role is None or role in ANYWHERE.get(action, set())
            _check(problems, user, action, response, allowed)
        for locality in PLACES:
            fresh = partial(lambda u, loc, action: action in MUTATING and _allowed(u, action, loc), user, locality)
            for action, call in _calls(world, locality, fresh).items():
                _check(problems, user, f"{action}@{locality}", call(api, user), _allowed(user, action, locality))
    assert problems == []
