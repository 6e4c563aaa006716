"""Keeping the locks of tasks a worker holds while their work takes longer than the lock it asked for.

A worker asks for a lock long enough for ordinary work; a slow call to another system, or the tasks of
a batch waiting their turn, must not lose it, or another worker would do the same task again. A thread
extends every held task's lock by a full lock each half lock. If the worker dies, nobody extends: the
locks run out and the tasks are offered again, which is what makes a dead worker cost one lock's delay.
An extension servflow refuses (409: the lock ran out and another worker took it; 404: the task is gone)
ends the keeping of that task; the worker's answer will be refused the same way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from .client import ApiError, ServflowClient, Unreachable

LOG = logging.getLogger("servflow.worker")


class LockKeeper:
    """Extends the locks of the held tasks every ``lock_ms / 2`` until each is released."""

    def __init__(self, client: ServflowClient, lock_ms: int) -> None:
        self.client, self.lock_ms = client, lock_ms
        self._held: set[int] = set()
        self._guard = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._keep, name="lock-keeper", daemon=True)
        self._thread.start()

    def hold(self, task_ids: Iterable[int]) -> None:
        with self._guard:
            self._held.update(task_ids)

    def release(self, task_id: int) -> None:
        with self._guard:
            self._held.discard(task_id)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(5)

    def _keep(self) -> None:
        while not self._closed.wait(self.lock_ms / 2000):
            with self._guard:
                held = sorted(self._held)
            for task_id in held:
                self._extend(task_id)

    def _extend(self, task_id: int) -> None:
        try:
            self.client.extend_lock(task_id, self.lock_ms)
        except ApiError as exc:
            if exc.transient:
                LOG.warning("task %s: could not extend its lock (%s); trying again in %s ms", task_id, exc,
                            self.lock_ms // 2)  # fmt: skip
                return
            LOG.warning("task %s: lock lost (%s)", task_id, exc.message)
            self.release(task_id)
        except Unreachable as exc:
            LOG.warning("task %s: could not extend its lock (%s)", task_id, exc)
