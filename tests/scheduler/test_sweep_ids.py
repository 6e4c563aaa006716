"""Each scheduler sweep is its own piece of work: a timer it fires is written in the audit trail under the
sweep's id and the job's (``sweep-<hex>.timer-<job>``), and the sweep and the
timer's lag (due → fired) are counted for ``/metrics``."""

from __future__ import annotations

import re

from clocks import Clock
from prometheus_client import REGISTRY

from engine.jobs.scheduler import Scheduler
from engine.service import Engine
from support import fixture_bytes

SWEEP_JOB = re.compile(r"sweep-[0-9a-f]{32}\.timer-(\d+)")


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_fired_timer_carries_its_sweeps_id(flow: Engine, scheduler: Scheduler, clock: Clock) -> None:
    flow.deploy(fixture_bytes("bpmn/timers.bpmn"), "650000")
    first = flow.start("timers", locality="650000", business_key="SW-1")
    second = flow.start("timers", locality="650000", business_key="SW-2")
    sweeps_before = _value("servflow_scheduler_sweeps_total", outcome="ok")
    lags_before = _value("servflow_timer_lag_seconds_count")
    late_before = _value("servflow_timer_lag_seconds_bucket", le="60.0")

    clock.advance(hours=1, seconds=30)
    assert scheduler.sweep().fired == 2

    fired = [e for i in (first.id, second.id) for e in flow.history(i) if e.action == "timer_fired"]
    assert len(fired) == 2
    matches = [SWEEP_JOB.fullmatch(event.request_id or "") for event in fired]
    assert all(matches), [event.request_id for event in fired]
    assert len({event.request_id.split(".")[0] for event in fired}) == 1  # one sweep …
    assert len({match.group(1) for match in matches if match}) == 2  # … two jobs, each its own id
    assert _value("servflow_scheduler_sweeps_total", outcome="ok") == sweeps_before + 1
    assert _value("servflow_timer_lag_seconds_count") == lags_before + 2
    assert _value("servflow_timer_lag_seconds_bucket", le="60.0") == late_before + 2  # 30 s late each

    scheduler.sweep()
    assert _value("servflow_scheduler_sweeps_total", outcome="ok") == sweeps_before + 2
