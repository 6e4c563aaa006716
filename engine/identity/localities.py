"""Localities form a tree (region → city → district); definitions and calendars fall back up the tree."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFoundError
from ..store.models import Locality

# Administrative division codes, as Chinese government systems identify places.
DEFAULT_LOCALITIES: tuple[tuple[str, str, str, str | None], ...] = (
    ("650000", "自治区本级", "Xinjiang (region level)", None),
    ("650100", "乌鲁木齐市", "Urumqi", "650000"),
    ("650200", "克拉玛依市", "Karamay", "650000"),
    ("650204", "白碱滩区", "Baijiantan District", "650200"),
)
REGION = "650000"


def ensure_default_localities(session: Session) -> None:
    existing = set(session.scalars(select(Locality.code)))
    for code, zh, en, parent in DEFAULT_LOCALITIES:
        if code not in existing:
            session.add(Locality(code=code, name_zh=zh, name_en=en, parent_code=parent))
    session.flush()


def locality_codes(session: Session) -> list[str]:
    """Every locality's code, in code order: what locality pickers offer (each page keeps those in scope)."""
    return list(session.scalars(select(Locality.code).order_by(Locality.code)))


def get_locality(session: Session, code_or_name: str) -> Locality:
    """A locality by its code or its Chinese or English name."""
    found = (
        session.get(Locality, code_or_name)
        or session.scalars(
            select(Locality).where((Locality.name_zh == code_or_name) | (Locality.name_en == code_or_name))
        ).first()
    )
    if found is None:
        raise NotFoundError(f"unknown locality {code_or_name!r}")
    return found


def lineage(session: Session, code: str) -> list[str]:
    """The locality and its ancestors, nearest first (克拉玛依 → 自治区本级)."""
    parents = _parents(session, code)
    current: str | None = code if code in parents else get_locality(session, code).code
    chain: list[str] = []
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


#: Each database's locality → parent links, read once. A locality's parent is the division it belongs to
#: and never changes, so the links stay true; a locality added since (by any process) is read on first use.
#: Every permission check reaching below a locality walks them (a worker's every answer does).
_PARENT_LINKS: WeakKeyDictionary[Any, dict[str, str | None]] = WeakKeyDictionary()


def _parents(session: Session, code: str) -> dict[str, str | None]:
    database = session.get_bind().engine
    links = _PARENT_LINKS.get(database)
    if links is None or code not in links:
        links = {row.code: row.parent_code for row in session.execute(select(Locality.code, Locality.parent_code))}
        _PARENT_LINKS[database] = links
    return links


def descendants(session: Session, code: str) -> list[str]:
    """The locality and everything below it, for scoping a user's view."""
    children: dict[str | None, list[str]] = {}
    for loc in session.scalars(select(Locality)):
        children.setdefault(loc.parent_code, []).append(loc.code)
    result, stack = [], [code]
    while stack:
        current = stack.pop()
        result.append(current)
        stack.extend(children.get(current, []))
    return result
