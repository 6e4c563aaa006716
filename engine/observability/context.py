"""The id of the work in hand — an HTTP request's or a scheduler sweep's — for logs and the audit trail.

A context variable, not an argument: the id is set once where the work enters (the web app's request
hook, the scheduler's sweep) and read where it leaves a trace (``store.audit.record``, the log
formatter), so none of the layers in between has to pass it along. Threads and APScheduler jobs each
start with a fresh context, so one request's id never leaks into another's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

#: Fields every log line of the current work carries (``request_id``, ``user``, ``path`` …).
_FIELDS: ContextVar[dict[str, Any]] = ContextVar("servflow_log_fields", default={})  # noqa: B039 - never mutated

#: What a caller's ``X-Request-Id`` may be: a load balancer's or client's id, never free text for the logs.
_SAFE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")


def new_id(prefix: str = "") -> str:
    """A fresh id: 32 hex digits, after ``prefix`` (``sweep-`` for the scheduler's)."""
    return f"{prefix}{uuid.uuid4().hex}"


def accepted_id(given: str | None) -> str:
    """The caller's id when it is a plain token of at most 64 characters, else a fresh one."""
    return given if given and _SAFE_ID.fullmatch(given) else new_id()


def request_id() -> str | None:
    """The id of the work in hand, or ``None`` outside any request or sweep (a CLI command, a test)."""
    return _FIELDS.get().get("request_id")


def fields() -> dict[str, Any]:
    """Every field bound for the work in hand (a copy's worth: callers must not change it)."""
    return _FIELDS.get()


def bind(**values: Any) -> None:
    """Add fields to the current work's context (the user once the request has signed them in)."""
    _FIELDS.set({**_FIELDS.get(), **values})


def begin(**values: Any) -> Token[dict[str, Any]]:
    """Start a piece of work with these fields (a request hook's half of :func:`work`); ``end`` closes it."""
    return _FIELDS.set(dict(values))


def end(token: Token[dict[str, Any]]) -> None:
    """Close the work :func:`begin` started: the context before it comes back."""
    _FIELDS.reset(token)


@contextmanager
def work(**values: Any) -> Iterator[None]:
    """Run a block as one piece of work with these fields; the previous context comes back after it."""
    token = begin(**values)
    try:
        yield
    finally:
        end(token)
