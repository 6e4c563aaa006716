"""Upkeep of the tallies, the open-task counts region-wide dashboards read (``engine.queries.reporting``).

Triggers on ``human_task`` append a +1 row when a task becomes open in a bucket and a −1 row when it
leaves it: ``open_task_tally`` (migration 0003) per (locality, stage, department, due date),
``person_task_tally`` (0015) per (locality, assignee — or role and party while unclaimed — due date).
Readers sum the rows, so the numbers are right at every moment; the rows only pile up. :func:`compact`
folds each bucket's rows into one (the scheduler calls it every sweep), :func:`rebuild` recounts
everything from ``human_task`` (repair, or after a bulk load with the triggers off), and :func:`drift`
says whether the two disagree.

Compaction is safe next to running commands: it deletes only the rows its statement can see and writes
back their sums in the same transaction. A delta another transaction commits meanwhile is invisible to
that ``DELETE``, stays as it is and is folded next time — nothing is lost or counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, case, delete, func, insert, literal, select, text, union_all
from sqlalchemy.orm import Session

from .models import HumanTask, OpenTaskTally, PersonTaskTally
from .open_tasks import is_open

# PostgreSQL advisory lock held by the one compaction or rebuild running at a time.
LOCK_ID = 0x5345_5256_5441_4C59

Bucket = tuple[Any, ...]


@dataclass(frozen=True)
class Tally:
    """One tally table: its bucket columns, and the same bucket computed from a ``human_task`` row."""

    name: str
    table: Table
    task_key: tuple[ColumnElement[Any], ...]

    @property
    def key(self) -> tuple[Any, ...]:
        return tuple(column for column in self.table.c if column.name not in ("id", "n"))


def _while_unclaimed(column: Any) -> ColumnElement[Any]:
    return case((HumanTask.assignee.is_(None), column))


STAGES = Tally(
    "stages",
    OpenTaskTally.__table__,
    (HumanTask.locality_code, HumanTask.process_key, HumanTask.department, HumanTask.due_date),
)
PEOPLE = Tally(
    "people",
    PersonTaskTally.__table__,
    (
        HumanTask.locality_code,
        HumanTask.assignee,
        _while_unclaimed(HumanTask.role),
        _while_unclaimed(HumanTask.organization_id),
        HumanTask.due_date,
    ),
)
TALLIES = (STAGES, PEOPLE)


@dataclass(frozen=True)
class Compaction:
    """What :func:`compact` did: delta rows taken out, bucket rows written back."""

    folded: int
    written: int


@dataclass(frozen=True)
class Drift:
    """A bucket of one tally (``stages`` or ``people``) where it and the open tasks disagree."""

    tally: str
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
    folded = written = 0
    for tally in TALLIES:
        done = _compact(session, tally)
        folded, written = folded + done.folded, written + done.written
    return Compaction(folded, written)


def _compact(session: Session, tally: Tally) -> Compaction:
    table, key = tally.table, tally.key
    crowded = select(table.c.id, func.count().over(partition_by=key).label("rows")).subquery()
    doomed = select(crowded.c.id).where(crowded.c.rows > 1)
    taken = session.execute(delete(table).where(table.c.id.in_(doomed)).returning(*key, table.c.n)).all()
    sums: dict[Bucket, int] = defaultdict(int)
    for *bucket, n in taken:
        sums[tuple(bucket)] += n
    rows = [_row(key, bucket, n) for bucket, n in sums.items() if n]
    if rows:
        session.execute(insert(table), rows)
    return Compaction(len(taken), len(rows))


def rebuild(session: Session) -> int:
    """Recount the tallies from the open tasks; returns the number of buckets. The caller commits.

    For repair (see :func:`drift`), and after loading ``human_task`` with the triggers disabled. On
    PostgreSQL writers to ``human_task`` wait until the caller commits, so none slips in between.
    """
    _exclusive(session, wait=True)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE human_task IN SHARE MODE"))
    buckets = 0
    for tally in TALLIES:
        session.execute(delete(tally.table))
        counted = select(*tally.task_key, func.count()).where(is_open()).group_by(*tally.task_key)
        session.execute(insert(tally.table).from_select([*(c.name for c in tally.key), "n"], counted))
        buckets += session.scalar(select(func.count()).select_from(tally.table)) or 0
    return buckets


def drift(session: Session) -> list[Drift]:
    """Every bucket whose tally differs from a direct count of its open tasks; empty when in step.

    One statement per tally, so both sides are read from one snapshot even while tasks change.
    """
    return [found for tally in TALLIES for found in _drift(session, tally)]


def _drift(session: Session, tally: Tally) -> list[Drift]:
    names = [column.name for column in tally.key]
    both = union_all(
        select(*tally.key, tally.table.c.n.label("tallied"), literal(0).label("actual")),
        select(*(expr.label(name) for expr, name in zip(tally.task_key, names, strict=True)), literal(0), literal(1))
        .where(is_open()),
    ).subquery()
    bucket = [both.c[name] for name in names]
    tallied, actual = func.sum(both.c.tallied), func.sum(both.c.actual)
    stmt = select(*bucket, tallied, actual).group_by(*bucket).having(tallied != actual).order_by(*bucket)
    return [Drift(tally.name, tuple(found), int(t), int(a)) for *found, t, a in session.execute(stmt)]


def _row(key: tuple[Any, ...], bucket: Bucket, n: int) -> dict[str, Any]:
    return {column.name: value for column, value in zip(key, bucket, strict=True)} | {"n": n}
