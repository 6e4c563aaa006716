"""How queries over open tasks reach the partial indexes of migration 0002 (``ix_task_open_*``).

Inboxes and dashboards read only open tasks, through indexes that hold nothing else. A planner uses
a partial index only when it can prove the query's condition implies the index's ``state = 'open'``,
which a bound parameter cannot prove for a cached generic plan, so the value is written into the SQL.
The shared order (due date, undated last, then id) is the indexes' own order on both backends, so a
page is read off the index instead of sorting every open task.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, literal

from .models import OPEN, HumanTask


def is_open() -> ColumnElement[bool]:
    """``human_task.state = 'open'`` with the value inlined (see the module docstring)."""
    return HumanTask.state == literal(OPEN, literal_execute=True)


def by_due_date() -> list[Any]:
    """Soonest due first, undated last, then oldest task: the order of ``ix_task_open_*``."""
    return [HumanTask.due_date.asc().nulls_last(), HumanTask.id]
