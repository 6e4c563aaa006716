"""Fixtures for deadlines, reminders and timers: an engine on a clock the test moves, calendars seeded.

``flow`` is an Engine with the database-backed deadline hook (no calendar caching, so a calendar edit
counts at once) on 2025/2026 calendars seeded for the region; ``clock`` sets and moves its time in
China's local time, as the people in the tests would read it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from clocks import Clock

from engine.calendars import calendar_store
from engine.compose import build_engine
from engine.demo.seed import seed_users
from engine.jobs.scheduler import Scheduler
from engine.service import Engine


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def flow(engine: Engine, database_url: str, clock: Clock) -> Iterator[Engine]:
    with engine.unit_of_work(write=True) as uow:
        calendar_store.seed_years(uow.session, [2025, 2026])
        uow.commit()
    clocked = build_engine(database_url, clock=clock, calendar_ttl=0)
    yield clocked
    clocked.dispose()


@pytest.fixture
def people(flow: Engine) -> Engine:
    """The demo users (every role in 自治区本级, 乌鲁木齐, 克拉玛依, plus admin), e-mail user@example.test."""
    seed_users(flow)
    return flow


@pytest.fixture
def scheduler(flow: Engine) -> Scheduler:
    return Scheduler(flow, owner="test-scheduler", lease_seconds=30)
