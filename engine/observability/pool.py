"""Database pool use as metrics: connections in use and the pools' capacity, in every process.

Counted on the pool's own checkout and checkin events rather than asked for at scrape time, because a
scrape reaches one gunicorn worker while each worker has its own pool; the gauges are summed over the
live workers (``livesum``), so a dashboard shows the server's connections against what PostgreSQL allows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from .metrics import POOL_CAPACITY, POOL_IN_USE


def watch(db: Engine) -> None:
    """Count ``db``'s pool: its capacity now, and each connection while it is checked out."""
    pool = db.pool
    size = getattr(pool, "size", None)
    overflow = getattr(pool, "_max_overflow", 0)
    if callable(size):
        POOL_CAPACITY.inc(size() + max(overflow, 0))

    @event.listens_for(db, "checkout")
    def _checkout(*_: Any) -> None:
        POOL_IN_USE.inc()

    @event.listens_for(db, "checkin")
    def _checkin(*_: Any) -> None:
        POOL_IN_USE.dec()
