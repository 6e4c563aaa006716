"""The one way servflow matches typed search text in SQL: literally, ``%`` and ``_`` included."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

ESCAPE = "\\"


def _escaped(text: str) -> str:
    """``text`` with LIKE's own wildcards escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def any_contains(text: str, *columns: ColumnElement[str]) -> ColumnElement[bool]:
    """SQL condition: ``text`` (taken literally, case-insensitively) in any of ``columns``."""
    pattern = f"%{_escaped(text)}%"
    return or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))


def starts_with(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """SQL condition: ``column`` begins with ``text`` (taken literally, case as given)."""
    return column.like(f"{_escaped(text)}%", escape=ESCAPE)
