"""The metric instruments the engine and the web app count with (Prometheus, through prometheus-client).

Under gunicorn every worker is its own process; with ``PROMETHEUS_MULTIPROC_DIR`` set (the gunicorn
config sets it) prometheus-client keeps each process's values in files there, and a scrape of any worker
adds them up — so the numbers are the server's, not the one worker's that happened to answer. Counters
and histograms add; the pool gauges are summed over live workers only (``livesum``), because a dead
worker holds no connection. What the database itself knows (open tasks, backlogs) is not counted here but
read when scraped (``engine.queries.backlog``), so every server reports the same truth.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from prometheus_client import Counter, Gauge, Histogram

from ..errors import ConflictError, ExecutionError, InvalidStateError, ServflowError

#: Seconds: a command is a few milliseconds to a second; past 10 s something is stuck.
_COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Seconds from a timer's due time to its firing: a sweep interval (30 s) is normal, an hour is an outage.
_LAG_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 14400.0)

COMMANDS = Counter(
    "servflow_commands",
    "Engine commands by kind and outcome: ok, conflict (409, retry), refused (the caller's mistake), error",
    ["kind", "outcome"],
)
COMMAND_SECONDS = Histogram(
    "servflow_command_duration_seconds", "Time one engine command takes, commit included", ["kind"],
    buckets=_COMMAND_BUCKETS,
)  # fmt: skip
INCIDENTS_OPENED = Counter("servflow_incidents_opened", "Incidents opened (not a repeat of an open one)", ["kind"])
HTTP_REQUESTS = Counter("servflow_http_requests", "HTTP requests answered", ["method", "endpoint", "status"])
HTTP_SECONDS = Histogram(
    "servflow_http_request_duration_seconds", "Time to answer one HTTP request", ["method", "endpoint"],
    buckets=_COMMAND_BUCKETS,
)  # fmt: skip
TIMER_LAG = Histogram("servflow_timer_lag_seconds", "From a BPMN timer's due time to its firing", buckets=_LAG_BUCKETS)
SWEEPS = Counter("servflow_scheduler_sweeps", "Scheduler sweeps, by outcome (ok, failed)", ["outcome"])
SWEEP_SECONDS = Histogram("servflow_scheduler_sweep_duration_seconds", "Time one scheduler sweep takes")
OIDC_ACCESS_CHECKS = Counter(
    "servflow_oidc_access_checks",
    "Refresh-token checks of people an OpenID provider signed in, by provider and outcome: ok, withdrawn "
    "(the account stopped), unavailable (provider unreachable: nothing changed), unreadable",
    ["provider", "outcome"],
)
LAST_SWEEP = Gauge(
    "servflow_scheduler_last_sweep_timestamp_seconds", "When the last sweep that finished ended (Unix time)",
    multiprocess_mode="max",
)  # fmt: skip
POOL_IN_USE = Gauge(
    "servflow_db_pool_connections_in_use", "Database connections checked out of the pools",
    multiprocess_mode="livesum",
)  # fmt: skip
POOL_CAPACITY = Gauge(
    "servflow_db_pool_connections_capacity", "Connections the pools may hold (size plus overflow)",
    multiprocess_mode="livesum",
)  # fmt: skip


P = ParamSpec("P")
T = TypeVar("T")


def outcome(exc: BaseException | None) -> str:
    """How a command ended, as the metrics name it: conflicts and errors apart from refusals."""
    if exc is None:
        return "ok"
    if isinstance(exc, ConflictError | InvalidStateError):
        return "conflict"
    if isinstance(exc, ServflowError) and not isinstance(exc, ExecutionError):
        return "refused"
    return "error"


@contextmanager
def command(kind: str) -> Iterator[None]:
    """Count and time one engine command; the exception, if any, goes on unchanged."""
    started = time.perf_counter()
    try:
        yield
    except BaseException as exc:
        COMMANDS.labels(kind, outcome(exc)).inc()
        raise
    else:
        COMMANDS.labels(kind, "ok").inc()
    finally:
        COMMAND_SECONDS.labels(kind).observe(time.perf_counter() - started)


def counted(kind: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate an ``Engine`` method as one command of ``kind`` (see :func:`command`)."""

    def decorate(method: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(method)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> T:
            with command(kind):
                return method(*args, **kwargs)

        return wrapped

    return decorate
