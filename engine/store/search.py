"""The one way servflow matches typed search text in SQL: literally, ``%`` and ``_`` included."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

ESCAPE = "\\"


def _contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with LIKE's own wildcards in ``text`` escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def any_contains(text: str, *columns: ColumnElement[str]) -> ColumnElement[bool]:
    """SQL condition: ``text`` (taken literally, case-insensitively) in any of ``columns``."""
    pattern = _contains_pattern(text)
    return or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))
