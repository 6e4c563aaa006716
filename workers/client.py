"""A small client of servflow's external-task API (``/api/v1/external-tasks``), for workers.

One method per endpoint, JSON in and out, the token in ``Authorization: Bearer``. An answer of 400 or
more raises :class:`ApiError` with servflow's ``code``, ``message`` and field ``errors``; a connection
that fails raises :class:`Unreachable`, so the caller can tell "servflow said no" from "servflow was not
reached". A long poll's read timeout is the poll plus a margin.

The transport is urllib3 itself rather than requests on top of it: a worker makes one call per task, and
requests' session machinery (hooks, cookies, environment proxies, its adapters) cost three times the CPU
of the call underneath it (bench/RESULTS.md §7) on cores the worker may share with servflow. Its pool is
thread-safe: the lock keeper extends locks from a second thread while the first runs a handler.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import urllib3

#: Seconds on top of the long poll before a fetch is given up (the server answers when the poll ends).
MARGIN_SECONDS = 30.0


class ApiError(Exception):
    """servflow answered with an error status; ``code``/``message``/``errors`` are from its JSON body."""

    def __init__(self, status: int, code: str, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors or {}

    @property
    def transient(self) -> bool:
        """A server-side failure (5xx, 429) that may pass if the same call is made again."""
        return self.status >= 500 or self.status == 429


class Unreachable(Exception):
    """servflow was not reached, or its answer did not arrive: refused, reset, timed out, not HTTP."""


@dataclass(frozen=True)
class Topic:
    """A topic to fetch, the lock to ask for, and the variables the handler needs (``None``: all)."""

    name: str
    lock_ms: int
    variables: tuple[str, ...] | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"topicName": self.name, "lockDuration": self.lock_ms}
        if self.variables is not None:
            body["variables"] = list(self.variables)
        return body


@dataclass(frozen=True)
class LockedTask:
    """A task this worker holds, as fetch-and-lock answered it (the fields a handler uses)."""

    id: int
    topic: str
    instance_id: int
    business_key: str
    activity_name: str
    variables: dict[str, Any]

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> LockedTask:
        return cls(
            id=body["id"],
            topic=body["topicName"],
            instance_id=body["processInstanceId"],
            business_key=body["businessKey"],
            activity_name=body.get("activityName") or "",
            variables=dict(body.get("variables") or {}),
        )


class ServflowClient:
    """The external-task endpoints of one servflow, as one worker (``worker_id``, the holder of its locks)."""

    def __init__(self, base_url: str, token: str, worker_id: str, *, timeout: float = 30.0) -> None:
        self.base = base_url.rstrip("/") + "/api/v1/external-tasks"
        self.worker_id = worker_id
        self.timeout = timeout
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": "application/json"}
        self._pool = urllib3.PoolManager(maxsize=2, headers=headers, retries=False)

    def fetch_and_lock(self, topics: list[Topic], *, max_tasks: int, long_poll_ms: int) -> list[LockedTask]:
        """Lock up to ``max_tasks`` tasks of ``topics``, waiting up to ``long_poll_ms`` for one to come."""
        body = {
            "workerId": self.worker_id,
            "maxTasks": max_tasks,
            "asyncResponseTimeout": long_poll_ms,
            "topics": [topic.as_json() for topic in topics],
        }
        answer = self._post("/fetch-and-lock", body, timeout=long_poll_ms / 1000 + MARGIN_SECONDS)
        return [LockedTask.from_json(item) for item in answer]

    def complete(self, task_id: int, variables: dict[str, Any]) -> dict[str, Any]:
        return self._post(f"/{task_id}/complete", {"workerId": self.worker_id, "variables": variables})

    def failure(
        self, task_id: int, message: str, details: str | None = None, *, retries: int | None = None
    ) -> dict[str, Any]:
        """Report a failure; without ``retries`` the model's retries and backoff decide what comes next."""
        body: dict[str, Any] = {"workerId": self.worker_id, "errorMessage": message[:1000] or "failed"}
        if details:
            body["errorDetails"] = details[-100_000:]
        if retries is not None:
            body["retries"] = retries
        return self._post(f"/{task_id}/failure", body)

    def bpmn_error(self, task_id: int, code: str, message: str = "") -> dict[str, Any]:
        body = {"workerId": self.worker_id, "errorCode": code, "errorMessage": message}
        return self._post(f"/{task_id}/bpmn-error", body)

    def extend_lock(self, task_id: int, duration_ms: int) -> dict[str, Any]:
        return self._post(f"/{task_id}/extend-lock", {"workerId": self.worker_id, "newDuration": duration_ms})

    def _post(self, path: str, body: dict[str, Any], *, timeout: float | None = None) -> Any:
        limits = urllib3.Timeout(connect=self.timeout, read=timeout or self.timeout)
        try:
            response = self._pool.request("POST", self.base + path, body=json.dumps(body).encode(), timeout=limits)
        except urllib3.exceptions.HTTPError as exc:
            raise Unreachable(f"{self.base + path}: {exc}") from exc
        if response.status >= 400:
            raise _error(response)
        try:
            return response.json()
        except ValueError as exc:
            raise Unreachable(f"{self.base + path}: answered {response.status} without JSON") from exc


def _error(response: urllib3.BaseHTTPResponse) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = None
    reason = response.reason or ""
    if not isinstance(body, dict):
        text = response.data.decode("utf-8", "replace")[:300]
        return ApiError(response.status, "http_error", text or reason)
    return ApiError(
        response.status,
        str(body.get("code") or "http_error"),
        str(body.get("message") or reason),
        body.get("errors") if isinstance(body.get("errors"), dict) else None,
    )
