"""The items of the guidance catalogue, the years each is in effect, and which apply where.

A locality runs on its own items and those of the places above it (a city on the region's and its own:
``identity.localities.lineage``); an item is in effect in a year when ``from_year ≤ year`` and, if it has
an ``until_year``, ``year ≤ until_year``. A code means one thing along a line of localities at any time: an
item whose code a locality above or below already uses in overlapping years is refused, so a city adds
items to the region's catalogue but never redefines one of them.

Every write is checked here and refused with ``InvalidDataError`` naming the field (``code``,
``from_year`` …); an import (``import_entries``, rows from ``formats.catalogue_sheet``) writes all its rows
or none and names every wrong row's fields (``"row 3: code"``). A row with the code and first year of an
item the locality already has updates that item (if anything differs), so a corrected sheet — or next
year's, with the items that ended given their last year — can be imported again. An item a
project named (``CatalogueUse``) keeps its code and is never deleted: its validity is ended instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from ..errors import ConflictError, InvalidDataError, NotFoundError
from ..formats.sheets import repeats_row, row_number
from ..identity.localities import descendants, get_locality, lineage
from ..store import audit
from ..store.models import CatalogueEntry, CatalogueUse, Locality
from ..store.search import any_contains
from ..store.unit_of_work import conflicts_reported

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_CODE, MAX_NAME = 20, 200
#: What the application form's code field takes (``forms/project_application.form.json``).
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")
FIELDS = ("category_code", "category_name", "class_code", "class_name", "code", "name", "from_year", "until_year")
CODES = ("category_code", "class_code", "code")
NAMES = ("category_name", "class_name", "name")
MAX_LISTED = 2_000
#: Each code begins with the code of what it belongs to: (inner, outer, outer's name in Chinese and English).
_NESTING = (("class_code", "category_code", "大类代码", "category"), ("code", "class_code", "款代码", "class"))

REQUIRED = "必填 / Required"
WRONG_CODE = (
    f"编码应为1至{MAX_CODE}位字母、数字、点或连字符 / A code has 1 to {MAX_CODE} letters, digits, dots or hyphens"
)
WRONG_NAME = f"名称应为1至{MAX_NAME}个字符 / A name has 1 to {MAX_NAME} characters"
IN_USE_CODE = "已有项目使用该条目，编码不能修改 / Projects name this item; its code cannot change"


def wrong_year(text: str) -> str:
    zh = f"年度应为{MIN_YEAR}至{MAX_YEAR}之间的年份，而不是「{text}」"
    return f"{zh} / A year from {MIN_YEAR} to {MAX_YEAR}, not {text!r}"


def not_nested(code: str, outer: str, zh: str, en: str) -> str:
    return f"编码「{code}」应以{zh}「{outer}」开头 / The code {code} must begin with its {en} code {outer}"


UNTIL_BEFORE_FROM = "截止年度不能早于起始年度 / The last year cannot come before the first"


def period_text(from_year: int, until_year: int | None) -> str:
    return f"{from_year}—{until_year}" if until_year is not None else f"{from_year}—"


@dataclass(frozen=True)
class Fields:
    """One item's fields, checked and cleaned."""

    category_code: str
    category_name: str
    class_code: str
    class_name: str
    code: str
    name: str
    from_year: int
    until_year: int | None


@dataclass(frozen=True)
class Listed:
    """An item as the catalogue's page lists it: whose it is (``inherited`` from a place above) and how many
    projects named it."""

    entry: CatalogueEntry
    inherited: bool
    uses: int


@dataclass(frozen=True)
class Imported:
    added: list[CatalogueEntry]
    updated: list[CatalogueEntry]


# --------------------------------------------------------------------------- reading


def in_effect(year: int) -> ColumnElement[bool]:
    """SQL condition on ``CatalogueEntry``: in effect in ``year``."""
    return and_(
        CatalogueEntry.from_year <= year,
        or_(CatalogueEntry.until_year.is_(None), CatalogueEntry.until_year >= year),
    )


def offered(session: Session, locality: str, year: int) -> list[CatalogueEntry]:
    """The items a project of ``locality`` may name in ``year``: its own and its ancestors', by code."""
    codes = lineage(session, locality)
    query = select(CatalogueEntry).where(CatalogueEntry.locality_code.in_(codes), in_effect(year))
    return list(session.scalars(query.order_by(CatalogueEntry.code)))


def entry_in_effect(session: Session, locality: str, code: str, year: int) -> CatalogueEntry | None:
    """The item of that code a project of ``locality`` may name in ``year``, if there is one."""
    query = select(CatalogueEntry).where(
        CatalogueEntry.locality_code.in_(lineage(session, locality)), CatalogueEntry.code == code, in_effect(year)
    )
    return session.scalars(query.limit(1)).first()


def entries_of_code(session: Session, locality: str, code: str) -> list[CatalogueEntry]:
    """Every item of that code along the locality's line, in any year (to say why a code is not in effect)."""
    query = select(CatalogueEntry).where(
        CatalogueEntry.locality_code.in_(lineage(session, locality)), CatalogueEntry.code == code
    )
    return list(session.scalars(query.order_by(CatalogueEntry.from_year)))


def has_catalogue(session: Session, locality: str) -> bool:
    """Whether any catalogue, of any year, applies to the locality (its own or an ancestor's)."""
    query = select(CatalogueEntry.id).where(CatalogueEntry.locality_code.in_(lineage(session, locality)))
    return session.scalars(query.limit(1)).first() is not None


def listing(session: Session, locality: str, *, text: str | None = None, year: int | None = None) -> list[Listed]:
    """The items that apply to a locality (its own and inherited), by code then first year; narrowed to those
    whose code or names contain ``text`` and to those in effect in ``year``."""
    code = get_locality(session, locality).code
    query = select(CatalogueEntry).where(CatalogueEntry.locality_code.in_(lineage(session, code)))
    if text:
        query = query.where(any_contains(text, *(getattr(CatalogueEntry, name) for name in CODES + NAMES)))
    if year is not None:
        query = query.where(in_effect(year))
    rows = list(session.scalars(query.order_by(CatalogueEntry.code, CatalogueEntry.from_year).limit(MAX_LISTED)))
    uses = _use_counts(session, [row.id for row in rows])
    return [Listed(row, row.locality_code != code, uses.get(row.id, 0)) for row in rows]


def get_entry(session: Session, entry_id: int) -> CatalogueEntry:
    found = session.get(CatalogueEntry, entry_id)
    if found is None:
        raise NotFoundError(f"catalogue entry {entry_id} does not exist")
    return found


def use_count(session: Session, entry_id: int) -> int:
    return _use_counts(session, [entry_id]).get(entry_id, 0)


def record_use(session: Session, entry: CatalogueEntry, instance_id: int) -> None:
    """Note that a project named the item (once per project), which keeps the item from deletion."""
    if session.get(CatalogueUse, (entry.id, instance_id)) is None:
        session.add(CatalogueUse(entry_id=entry.id, instance_id=instance_id))
        session.flush()


# --------------------------------------------------------------------------- writing


def add_entry(session: Session, locality: str, values: Mapping[str, Any], actor: str, now: datetime) -> CatalogueEntry:
    """A new item of ``locality``'s catalogue, after every check."""
    code = get_locality(session, locality).code
    errors, checked = check_fields(values)
    if checked is not None:
        errors.update(clashes(session, code, checked))
    _refuse(errors, "目录条目有误 / The catalogue entry is not valid")
    assert checked is not None
    entry = _add(session, code, checked, actor, now)
    _flush(session)
    _audit(session, "catalogue_entry_added", actor, now, entry)
    return entry


def change_entry(
    session: Session, entry: CatalogueEntry, values: Mapping[str, Any], actor: str, now: datetime
) -> CatalogueEntry:
    """Change the item's fields given in ``values`` (the others stay); an item projects named keeps its code."""
    errors, checked = check_fields({**asdict(_fields_of(entry)), **values})
    if checked is not None:
        errors.update(clashes(session, entry.locality_code, checked, exclude=entry.id))
        if checked.code != entry.code and use_count(session, entry.id):
            errors.setdefault("code", []).append(IN_USE_CODE)
    _refuse(errors, "目录条目有误 / The catalogue entry is not valid")
    assert checked is not None
    _assign(entry, checked, actor, now)
    _flush(session)
    _audit(session, "catalogue_entry_changed", actor, now, entry)
    return entry


def end_entry(session: Session, entry: CatalogueEntry, until_year: Any, actor: str, now: datetime) -> CatalogueEntry:
    """End an item's validity with ``until_year``, its last year in effect (the item is kept)."""
    errors: dict[str, list[str]] = {}
    last = _year(errors, "until_year", until_year, required=True)
    if last is not None and last < entry.from_year:
        errors["until_year"] = [UNTIL_BEFORE_FROM]
    _refuse(errors, "截止年度有误 / The last year is not valid")
    entry.until_year, entry.updated_by, entry.updated_at = last, actor, now
    _flush(session)
    _audit(session, "catalogue_entry_ended", actor, now, entry)
    return entry


def delete_entry(session: Session, entry: CatalogueEntry, actor: str, now: datetime) -> None:
    """Delete an item entered by mistake — refused for one a project named (end its validity instead)."""
    uses = use_count(session, entry.id)
    if uses:
        raise ConflictError(
            f"已有{uses}个项目使用该条目，不能删除，请设置截止年度 / {uses} projects name this item; it cannot be "
            "deleted, end its validity instead",
            uses=uses,
        )
    _audit(session, "catalogue_entry_deleted", actor, now, entry)
    session.delete(entry)
    session.flush()


def import_entries(
    session: Session, locality: str, rows: Iterable[Mapping[str, Any]], actor: str, now: datetime
) -> Imported:
    """Add (or, for a code and first year the locality has, update) one item per row — all rows or none.

    A row is named by its ``row`` entry (its line in the sheet) or else by its place counting a header as row
    1. Every wrong row is reported, including rows whose code repeats an earlier row's in overlapping years.
    """
    code = get_locality(session, locality).code
    own = {(e.code, e.from_year): e for e in session.scalars(select(CatalogueEntry).where(_of(code)))}
    errors: dict[str, list[str]] = {}
    accepted: list[tuple[Fields, CatalogueEntry | None]] = []
    seen: list[tuple[Fields, int]] = []
    count = 0
    for position, row in enumerate(rows, start=2):
        count += 1
        number = row_number(row, position)
        problems, checked = check_fields(row)
        if checked is not None:
            existing = own.get((checked.code, checked.from_year))
            problems.update(clashes(session, code, checked, exclude=existing.id if existing else None))
            for earlier, earlier_number in seen:
                if earlier.code == checked.code and _overlap(earlier, checked):
                    problems.setdefault("code", []).append(repeats_row(earlier_number))
                    break
            seen.append((checked, number))
        if problems:
            errors.update({f"row {number}: {name}": messages for name, messages in problems.items()})
        elif checked is not None:
            accepted.append((checked, own.get((checked.code, checked.from_year))))
    if errors:
        bad_rows = len({key.split(":")[0] for key in errors})
        raise InvalidDataError(
            f"{count}行中{bad_rows}行有误，未导入任何目录条目 / {bad_rows} of {count} rows are wrong; nothing was "
            "imported",
            errors,
        )
    added, updated = [], []
    for checked, existing in accepted:
        if existing is None:
            added.append(_add(session, code, checked, actor, now))
        elif _fields_of(existing) != checked:
            updated.append(_assign(existing, checked, actor, now))
    if not added and not updated:
        return Imported([], [])
    _flush(session)
    audit.record(
        session,
        "catalogue_imported",
        actor,
        now,
        data={"locality": code, "added": [e.code for e in added], "updated": [e.code for e in updated]},
    )
    return Imported(added, updated)


# --------------------------------------------------------------------------- checks


def check_fields(values: Mapping[str, Any]) -> tuple[dict[str, list[str]], Fields | None]:
    """What is wrong with one item's fields on their own, and the cleaned fields when nothing is."""
    errors: dict[str, list[str]] = {}
    text = {name: _text(values.get(name)) for name in CODES + NAMES}
    for name in CODES:
        if not text[name]:
            errors[name] = [REQUIRED]
        elif len(text[name]) > MAX_CODE or not CODE.match(text[name]):
            errors[name] = [WRONG_CODE]
    for name in NAMES:
        if not 1 <= len(text[name]) <= MAX_NAME:
            errors[name] = [REQUIRED if not text[name] else WRONG_NAME]
    for inner, outer, zh, en in _NESTING:
        if inner not in errors and outer not in errors and not _nested(text[inner], text[outer]):
            errors[inner] = [not_nested(text[inner], text[outer], zh, en)]
    first = _year(errors, "from_year", values.get("from_year"), required=True)
    last = _year(errors, "until_year", values.get("until_year"), required=False)
    if first is not None and last is not None and last < first:
        errors["until_year"] = [UNTIL_BEFORE_FROM]
    if errors or first is None:
        return errors, None
    return errors, Fields(**{name: text[name] for name in CODES + NAMES}, from_year=first, until_year=last)


def clashes(session: Session, locality: str, checked: Fields, *, exclude: int | None = None) -> dict[str, list[str]]:
    """The code of ``checked`` where an item of the locality, above it or below it already has it in
    overlapping years (the item ``exclude`` itself aside)."""
    places = set(lineage(session, locality)) | set(descendants(session, locality))
    query = select(CatalogueEntry).where(
        CatalogueEntry.locality_code.in_(sorted(places)), CatalogueEntry.code == checked.code
    )
    for other in session.scalars(query.order_by(CatalogueEntry.from_year)):
        if other.id != exclude and _overlap(other, checked):
            place = session.get(Locality, other.locality_code)
            period = period_text(other.from_year, other.until_year)
            return {
                "code": [
                    f"{place.name_zh}的目录已有编码{other.code}「{other.name}」（{period}） / The catalogue of "
                    f"{place.name_en} already has {other.code} ({other.name}, {period})"
                ]
            }
    return {}


def _nested(inner: str, outer: str) -> bool:
    return len(inner) > len(outer) and inner.upper().startswith(outer.upper())


def _overlap(one: Any, other: Any) -> bool:
    """Whether two periods (``from_year``, ``until_year`` or open) share a year."""
    far = MAX_YEAR + 1
    return one.from_year <= (other.until_year or far) and other.from_year <= (one.until_year or far)


def _year(errors: dict[str, list[str]], name: str, value: Any, *, required: bool) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = _text(value).removesuffix("年").removesuffix("年度").strip()
    if not text:
        if required:
            errors[name] = [REQUIRED]
        return None
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        errors[name] = [wrong_year(_text(value))]
        return None
    return int(text)


def _use_counts(session: Session, entry_ids: list[int]) -> dict[int, int]:
    if not entry_ids:
        return {}
    query = (
        select(CatalogueUse.entry_id, func.count())
        .where(CatalogueUse.entry_id.in_(entry_ids))
        .group_by(CatalogueUse.entry_id)
    )
    return {entry_id: count for entry_id, count in session.execute(query)}


def _of(locality: str) -> ColumnElement[bool]:
    return CatalogueEntry.locality_code == locality


def _add(session: Session, locality: str, checked: Fields, actor: str, now: datetime) -> CatalogueEntry:
    entry = CatalogueEntry(locality_code=locality, created_by=actor, created_at=now, **asdict(checked))
    session.add(entry)
    return entry


def _fields_of(entry: CatalogueEntry) -> Fields:
    return Fields(**{name: getattr(entry, name) for name in FIELDS})


def _assign(entry: CatalogueEntry, checked: Fields, actor: str, now: datetime) -> CatalogueEntry:
    for name, value in asdict(checked).items():
        setattr(entry, name, value)
    entry.updated_by, entry.updated_at = actor, now
    return entry


def _flush(session: Session) -> None:
    with conflicts_reported("the catalogue"):
        session.flush()


def _refuse(errors: dict[str, list[str]], message: str) -> None:
    if errors:
        raise InvalidDataError(message, errors)


def _audit(session: Session, action: str, actor: str, now: datetime, entry: CatalogueEntry) -> None:
    data = {"locality": entry.locality_code, "entry_id": entry.id, "code": entry.code, "name": entry.name}
    audit.record(session, action, actor, now, data={**data, "from_year": entry.from_year, "until": entry.until_year})


def _text(value: Any) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).replace("\u3000", " ").strip()
