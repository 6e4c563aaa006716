"""The worker's loop (``servflow worker``): fetch with a long poll, run the topic's handler, answer servflow.

Each turn locks up to ``max_tasks`` tasks of the worker's topics (waiting up to ``long_poll_ms`` for one),
runs their handlers one after the other while a ``LockKeeper`` extends the locks of those not answered
yet, and answers each: complete, BPMN error, or failure (``workers.handlers`` says which). An answer
that cannot be delivered (servflow restarting) is sent again a few times — servflow takes the same
completion twice as one — and then given up: the lock runs out and the task is done again, which the
finance systems' idempotency keys make harmless. servflow refusing an answer ends that task's turn:
409/404 (the lock was lost, the task is gone) is logged; a 422 (variables the model refuses, a BPMN error
no boundary event catches) is reported as a failure without retries, so a person sees an incident.

SIGTERM or SIGINT stops the worker cleanly: a long poll in progress is abandoned at once (a task it may
have locked on the way is offered again when its lock runs out), tasks already held are finished and
answered, and nothing more is fetched.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .client import ApiError, LockedTask, ServflowClient, Topic, Unreachable
from .handlers import HANDLERS, BpmnError, Complete, FinanceApi, Handler, TaskFailed
from .locks import LockKeeper

LOG = logging.getLogger("servflow.worker")
DELIVERY_ATTEMPTS = 4
MAX_PAUSE = 30.0


class Interrupted(BaseException):
    """Raised by the signal handler to abandon a long poll (a BaseException, so no library swallows it)."""


@dataclass(frozen=True)
class Settings:
    topics: tuple[str, ...]
    max_tasks: int = 10
    lock_ms: int = 60_000
    long_poll_ms: int = 30_000


class Worker:
    """One worker process's loop over its topics' handlers."""

    def __init__(
        self,
        client: ServflowClient,
        finance: FinanceApi,
        settings: Settings,
        handlers: Mapping[str, Handler] = HANDLERS,
    ) -> None:
        """``handlers``: the shipped ones, or a program's own (the benchmark's, which call no system)."""
        unknown = sorted(set(settings.topics) - set(handlers))
        if unknown:
            raise ValueError(f"no handler for topic {', '.join(unknown)}; known: {', '.join(sorted(handlers))}")
        self.client, self.finance, self.settings = client, finance, settings
        self.handlers: dict[str, Handler] = {topic: handlers[topic] for topic in settings.topics}
        self.topics = [Topic(h.topic, settings.lock_ms, h.reads) for h in self.handlers.values()]
        self.stopping = False
        self._interruptible = False

    def run(self, *, once: bool = False) -> None:
        """Work until stopped by a signal (or after one fetch with ``once``); servflow refusing the fetch
        itself (a bad token, a topic no deployed model uses) raises ``ApiError``."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        keeper = LockKeeper(self.client, self.settings.lock_ms)
        pause = 1.0
        try:
            while not self.stopping:
                try:
                    tasks = self._fetch()
                except Interrupted:
                    break
                except (Unreachable, ApiError) as exc:
                    if isinstance(exc, ApiError) and not exc.transient:
                        raise
                    LOG.warning("fetch failed (%s); again in %.0f s", exc, pause)
                    self._sleep(pause)
                    pause = min(pause * 2, MAX_PAUSE)
                    continue
                pause = 1.0
                keeper.hold(task.id for task in tasks)
                for task in tasks:
                    try:
                        self.handle(task)
                    finally:
                        keeper.release(task.id)
                if once:
                    break
        finally:
            keeper.close()
        LOG.info("worker %s stopped", self.client.worker_id)

    def handle(self, task: LockedTask) -> None:
        """Run the task's handler and answer servflow with what came of it."""
        started = time.monotonic()
        try:
            outcome = self.handlers[task.topic].run(task, self.finance)
        except TaskFailed as exc:
            self._fail(task, exc.message, traceback.format_exc(), retries=0 if exc.permanent else None)
            return
        except Exception as exc:
            self._fail(task, f"{type(exc).__name__}: {exc}", traceback.format_exc(), retries=None)
            return
        if isinstance(outcome, Complete):
            done = self._deliver(task, "complete", lambda: self.client.complete(task.id, outcome.variables))
        else:
            done = self._deliver(task, f"BPMN error {outcome.code}", lambda: self._throw(task, outcome))
        if done:
            LOG.info("task %s %s (project %s %s): %s in %.0f ms", task.id, task.topic, task.instance_id,
                     task.business_key, done, (time.monotonic() - started) * 1000)  # fmt: skip

    def _throw(self, task: LockedTask, error: BpmnError) -> dict[str, Any]:
        return self.client.bpmn_error(task.id, error.code, error.message)

    def _fail(self, task: LockedTask, message: str, details: str, *, retries: int | None) -> None:
        LOG.warning("task %s %s (project %s): failed: %s", task.id, task.topic, task.instance_id, message)
        report = functools.partial(self.client.failure, task.id, message, details, retries=retries)
        self._deliver(task, "failure", report, refusal_is_failure=False)

    def _deliver(
        self, task: LockedTask, what: str, send: Callable[[], dict[str, Any]], *, refusal_is_failure: bool = True
    ) -> str | None:
        """Send an answer, again on a transient error; ``what`` was delivered, or ``None``. A 422 (the answer
        does not fit the model) is reported as a failure without retries, unless it was the failure."""
        pause = 0.5
        for attempt in range(1, DELIVERY_ATTEMPTS + 1):
            try:
                send()
                return what
            except ApiError as exc:
                if exc.status in (404, 409):
                    LOG.warning("task %s: servflow refused the %s: %s", task.id, what, exc.message)
                    return None
                if exc.status == 422 and refusal_is_failure:
                    self._fail(task, f"servflow refused the {what}: {exc.message}", str(exc.errors), retries=0)
                    return None
                if exc.status in (401, 403):
                    raise  # the token no longer works: nothing this worker sends will be taken
                if not exc.transient:
                    LOG.error("task %s: servflow refused the %s: %s", task.id, what, exc)
                    return None
                error: Exception = exc
            except Unreachable as exc:
                error = exc
            if attempt < DELIVERY_ATTEMPTS:
                LOG.warning("task %s: %s not delivered (%s); again in %.1f s", task.id, what, error, pause)
                time.sleep(pause)
                pause *= 2
        LOG.error("task %s: gave up delivering the %s; it is offered again when its lock runs out", task.id, what)
        return None

    def _fetch(self) -> list[LockedTask]:
        self._interruptible = True
        try:
            if self.stopping:
                raise Interrupted
            return self.client.fetch_and_lock(
                self.topics, max_tasks=self.settings.max_tasks, long_poll_ms=self.settings.long_poll_ms
            )
        finally:
            self._interruptible = False

    def _sleep(self, seconds: float) -> None:
        self._interruptible = True
        try:
            time.sleep(seconds)
        except Interrupted:
            self.stopping = True
        finally:
            self._interruptible = False

    def _on_signal(self, signum: int, frame: object) -> None:
        LOG.info("signal %s: stopping after the tasks held now", signum)
        self.stopping = True
        if self._interruptible:
            raise Interrupted


def default_worker_id() -> str:
    """``<host>-<pid>``: unique among the worker processes of a site, readable in servflow's history."""
    return f"{socket.gethostname()}-{os.getpid()}"


def start(
    url: str,
    token: str,
    settings: Settings,
    *,
    worker_id: str | None,
    finance_url: str,
    handlers: Mapping[str, Handler] = HANDLERS,
) -> Worker:
    """``servflow worker``'s worker, logging to stderr; ``ValueError`` for a topic without a handler."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    client = ServflowClient(url, token, worker_id or default_worker_id())
    worker = Worker(client, FinanceApi(finance_url), settings, handlers)
    LOG.info("worker %s on %s for %s (finance systems at %s)", client.worker_id, url, ", ".join(settings.topics),
             finance_url)  # fmt: skip
    return worker
