"""Upkeep of ``open_task_tally``, the open-task counts region-wide dashboards read (``engine.queries.reporting``).

Triggers on ``human_task`` (migration 0003) append a +1 row when a task becomes open in a bucket —
(locality, stage, department, due date) — and a −1 row when it leaves it. Readers sum the rows, so the
numbers are right at every moment; the rows only pile up. :func:`compact` folds each bucket's rows into
one (the scheduler calls it every sweep), :func:`rebuild` recounts everything from ``human_task`` (repair,
or after a bulk load with the triggers off), and :func:`drift` says whether the two disagree.

Compaction is safe next to running commands: it deletes only the rows its statement can see and writes
back their sums in the same transaction. A delta another transaction commits meanwhile is invisible to
that ``DELETE``, stays as it is and is folded next time — nothing is lost or counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, text, union_all
from sqlalchemy.orm import Session

from .models import HumanTask, OpenTaskTally
from .open_tasks import is_open

TALLY = OpenTaskTally.__table__
KEY = (TALLY.c.locality_code, TALLY.c.process_key, TALLY.c.department, TALLY.c.due_date)
TASK_KEY = (HumanTask.locality_code, HumanTask.process_key, HumanTask.department, HumanTask.due_date)
# PostgreSQL advisory lock held by the one compaction or rebuild running at a time.
LOCK_ID = 0x5345_5256_5441_4C59

Bucket = tuple[str, str, str | None, date | None]


@dataclass(frozen=True)
class Compaction:
    """What :func:`compact` did: delta rows taken out, bucket rows written back."""

    folded: int
    written: int


@dataclass(frozen=True)
class Drift:
    """A bucket where the tally and the open tasks disagree."""

    bucket: Bucket
    tallied: int
    actual: int


def _exclusive(session: Session, *, wait: bool) -> bool:
    """Hold the upkeep lock till the transaction ends; ``False`` if another holds it and ``wait`` is off.

    Two compactions deleting the same rows in a different order could deadlock, and a rebuild must not
    miss a compaction's rewritten rows. SQLite's write transactions are serial already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    if wait:
        session.execute(select(func.pg_advisory_xact_lock(LOCK_ID)))
        return True
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_ID))))


def compact(session: Session) -> Compaction:
    """Fold every bucket that has several rows into one row holding their sum (none when it is 0).

    Runs in the caller's transaction, which commits. Buckets already down to one row are not touched, so
    a quiet system pays one scan of a few thousand rows. On PostgreSQL a compaction that finds another
    one running does nothing: the other is doing the same work.
    """
    if not _exclusive(session, wait=False):
        return Compaction(0, 0)
    crowded = select(TALLY.c.id, func.count().over(partition_by=KEY).label("rows")).subquery()
    doomed = select(crowded.c.id).where(crowded.c.rows > 1)
    taken = session.execute(delete(TALLY).where(TALLY.c.id.in_(doomed)).returning(*KEY, TALLY.c.n)).all()
    sums: dict[Bucket, int] = defaultdict(int)
    for locality, stage, department, due, n in taken:
        sums[(locality, stage, department, due)] += n
    rows = [_row(bucket, n) for bucket, n in sums.items() if n]
    if rows:
        session.execute(insert(TALLY), rows)
    return Compaction(len(taken), len(rows))


def rebuild(session: Session) -> int:
    """Recount the tally from the open tasks; returns the number of buckets. The caller commits.

    For repair (see :func:`drift`), and after loading ``human_task`` with the triggers disabled. On
    PostgreSQL writers to ``human_task`` wait until the caller commits, so none slips in between.
    """
    _exclusive(session, wait=True)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE human_task IN SHARE MODE"))
    session.execute(delete(TALLY))
    counted = select(*TASK_KEY, func.count()).where(is_open()).group_by(*TASK_KEY)
    session.execute(insert(TALLY).from_select([*(c.name for c in KEY), "n"], counted))
    return session.scalar(select(func.count()).select_from(TALLY)) or 0


def drift(session: Session) -> list[Drift]:
    """Every bucket whose tally differs from a direct count of its open tasks; empty when in step.

    One statement, so both sides are read from one snapshot even while tasks change.
    """
    both = union_all(
        select(*KEY, TALLY.c.n.label("tallied"), literal(0).label("actual")),
        select(*TASK_KEY, literal(0), literal(1)).where(is_open()),
    ).subquery()
    bucket = (both.c.locality_code, both.c.process_key, both.c.department, both.c.due_date)
    tallied, actual = func.sum(both.c.tallied), func.sum(both.c.actual)
    stmt = select(*bucket, tallied, actual).group_by(*bucket).having(tallied != actual).order_by(*bucket)
    return [
        Drift((locality, stage, department, due), int(t), int(a))
        for locality, stage, department, due, t, a in session.execute(stmt)
    ]


def _row(bucket: Bucket, n: int) -> dict[str, Any]:
    return {column.name: value for column, value in zip(KEY, bucket, strict=True)} | {"n": n}
