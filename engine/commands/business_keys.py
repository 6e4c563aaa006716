"""A project's number (business key) when the person starting it gives none, from the bundle's pattern.

``{locality}-{year}-{seq:04d}`` gives 650100-2026-0001, then -0002 …: the next number after the highest of
that locality with the same beginning. Two starts at the same moment may pick the same number; the
(locality, business key) uniqueness then refuses one of them as a conflict, which the caller retries.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import ProcessInstance
from ..store.search import starts_with


def next_business_key(session: Session, pattern: str, locality: str, today: date) -> str:
    """The next free number of ``pattern`` in ``locality`` this year."""
    head, _, tail = pattern.partition("{seq")
    width_spec, _, suffix = tail.partition("}")
    prefix = head.format(locality=locality, year=today.year)
    suffix = suffix.format(locality=locality, year=today.year)
    taken = session.scalars(
        select(ProcessInstance.business_key).where(
            ProcessInstance.locality_code == locality, starts_with(ProcessInstance.business_key, prefix)
        )
    )
    shape = re.compile(re.escape(prefix) + r"(\d+)" + re.escape(suffix) + "$")
    highest = max((int(m.group(1)) for key in taken if (m := shape.match(key))), default=0)
    return prefix + format(highest + 1, width_spec.lstrip(":") or "d") + suffix
