"""The composition root: the one place an Engine is assembled from its parts.

The web app, the CLI, the scheduler, the benchmarks and the tests all call :func:`build_engine`, so an
Engine is wired the same way everywhere: the database pool (its use counted for ``/metrics``), the clock,
the form validator and the deadline hook that counts due dates on the localities' working-day calendars.
A part that needs the Engine's own sessions (the calendar cache) is made here, before the Engine, from the
same pool.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .calendars.deadline_hook import make_deadline_fn
from .config import EngineConfig
from .observability import pool
from .service import Engine
from .store.db import make_engine, make_session_factory
from .store.models import utcnow


def build_engine(
    config: EngineConfig | str | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    deadlines: bool = True,
    calendar_ttl: float = 60.0,
) -> Engine:
    """An Engine on ``config`` (a database URL, settings, or ``None`` or ``""`` for the environment's).

    ``deadlines=False`` leaves new tasks without due dates, for tests of flows that enter no calendar;
    ``calendar_ttl`` is how long a locality's calendar is cached (a test that edits calendars passes 0).
    """
    if isinstance(config, str):
        config = EngineConfig(database_url=config) if config else None
    config = config or EngineConfig.from_env()
    db = make_engine(config.database_url)
    pool.watch(db)
    deadline = make_deadline_fn(make_session_factory(db), ttl=calendar_ttl) if deadlines else None
    return Engine(config, db, clock=clock, deadline=deadline)
