"""A small client of servflow's external-task API (``/api/v1/external-tasks``), for workers.

One method per endpoint, JSON in and out, the token in ``Authorization: Bearer``. An answer of 400 or
more raises :class:`ApiError` with servflow's ``code``, ``message`` and field ``errors``; a connection
that fails raises :class:`Unreachable`, so the caller can tell "servflow said no" from "servflow was not
reached". A long poll's read timeout is the poll plus a margin.

The transport is the standard library's ``http.client``: a worker makes one call per task, on cores it may
share with servflow, and each layer on top cost CPU per call — requests' session machinery three times the
call's own, urllib3's pool and response objects another 70 % (bench/RESULTS.md §7). Each thread keeps its
own connection (the lock keeper extends locks from a second thread while the first runs a handler), reused
while the server keeps it open; a reused connection the server had closed while idle is opened again for
the same call, once, as a browser does — a call that fails on a fresh connection is :class:`Unreachable`.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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
        self._server = _Server.of(self.base)
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        self._connections = threading.local()

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
        payload = json.dumps(body).encode()
        status, reason, content = self._send(path, payload, timeout or self.timeout)
        if status >= 400:
            raise _error(status, reason, content)
        try:
            return json.loads(content)
        except ValueError as exc:
            raise Unreachable(f"{self.base + path}: answered {status} without JSON") from exc

    def _send(self, path: str, payload: bytes, timeout: float) -> tuple[int, str, bytes]:
        """POST to ``path`` (after the base URL) on this thread's connection: status, reason and body.
        ``timeout`` bounds the connect and each wait for the answer (a long poll's is the poll plus a margin)."""
        connection: http.client.HTTPConnection | None = getattr(self._connections, "open", None)
        reused = connection is not None
        if connection is None:
            connection = self._connections.open = self._server.connect()
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        try:
            connection.request("POST", self._server.path + path, body=payload, headers=self._headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            self._connections.open = None
            if reused and isinstance(exc, _CLOSED_WHILE_IDLE):
                return self._send(path, payload, timeout)
            raise Unreachable(f"{self.base + path}: {type(exc).__name__}: {exc}") from exc
        if response.will_close:
            connection.close()
            self._connections.open = None
        return response.status, response.reason or "", content


#: What a server closing a kept-alive connection while it was idle looks like to the next call on it.
_CLOSED_WHILE_IDLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


@dataclass(frozen=True)
class _Server:
    """Where the base URL points: ``http`` or ``https``, host, port, and the path the API's paths follow."""

    https: bool
    host: str
    port: int | None
    path: str

    @classmethod
    def of(cls, url: str) -> _Server:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"servflow's URL must be http(s)://host[:port][/path], not {url!r}")
        return cls(parts.scheme == "https", parts.hostname, parts.port, parts.path)

    def connect(self) -> http.client.HTTPConnection:
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, context=ssl.create_default_context())
        return http.client.HTTPConnection(self.host, self.port)


def _error(status: int, reason: str, content: bytes) -> ApiError:
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        text = content.decode("utf-8", "replace")[:300]
        return ApiError(status, "http_error", text or reason)
    return ApiError(
        status,
        str(body.get("code") or "http_error"),
        str(body.get("message") or reason),
        body.get("errors") if isinstance(body.get("errors"), dict) else None,
    )
