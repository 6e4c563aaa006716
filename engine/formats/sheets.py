"""Sheets to import, read safely: CSV or Excel (.xlsx), the columns found by their header in either language.

What every import of a sheet shares — the organizations register (``organization_sheet``), the guidance
catalogue (``catalogue_sheet``) — so that each of them only says which columns it has (a ``Layout``):

- a file over ``MAX_SHEET_BYTES``, a workbook that unpacks past ``MAX_UNPACKED_BYTES`` or more than
  ``MAX_ROWS`` rows is refused before any of it is believed;
- CSV is read as UTF-8, with or without the byte-order mark Excel puts first, and failing that as GB18030
  (what a Chinese Excel's "CSV" export writes); an .xlsx (told apart by content: it is a zip) is read from
  its first sheet, values not formulas;
- the first non-blank record is the header; columns are found by header text (case, a trailing ``*`` and
  spaces ignored), in any order; other columns (备注 …) are ignored; blank rows are skipped;
- every row comes back as a dict of the layout's fields (text, stripped, ``""`` when empty) and ``row``,
  its line in the sheet counting the header as row 1, so errors name the line a person sees;
- a cell of a text-only column that Excel has turned into a number too large to hold every digit (an
  18-character credit code typed into a General cell) is refused on its row, since its text is lost.

What the cells *mean* is checked by the importer, not here. Refusals of the file itself are
``InvalidDataError`` with ``errors["file"]``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputTooLargeError, InvalidDataError

MAX_SHEET_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 10_000
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of sheet.

    ``headers``: header text (lower case) → field; ``fields``: every field a row carries, in order;
    ``required``: field → (Chinese, English) label, for the columns a sheet must have; ``text_only``: field →
    the message for a cell of that column that a spreadsheet stored as an imprecise number.
    """

    headers: Mapping[str, str]
    fields: tuple[str, ...]
    required: Mapping[str, tuple[str, str]]
    text_only: Mapping[str, str] = field(default_factory=dict)
    #: The summary of the refusal when ``text_only`` cells were found.
    text_only_summary: str = "有单元格是数字格式，内容已失真 / Cells stored as numbers lost their text"


def read_sheet(data: bytes, filename: str, layout: Layout) -> list[dict[str, Any]]:
    """The rows of a CSV or .xlsx file laid out as ``layout`` says, or a refusal naming the file or the row."""
    return rows_of(records_of(data, filename), layout)


def records_of(data: bytes, filename: str = "") -> Iterable[list[Any]]:
    """The records (lists of cell values) of a CSV or .xlsx file."""
    if len(data) > MAX_SHEET_BYTES:
        raise InputTooLargeError(f"the sheet is {len(data):,} bytes; the limit is {MAX_SHEET_BYTES:,}", file=filename)
    if data.startswith(_XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return _xlsx_records(data, filename)
    return csv.reader(io.StringIO(decode_csv(data), newline=""))


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (a leading byte-order mark dropped), else GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise file_error("文件既不是 UTF-8 也不是 GB18030 编码 / The file is neither UTF-8 nor GB18030 text") from None


def rows_of(records: Iterable[list[Any]], layout: Layout) -> list[dict[str, Any]]:
    """Rows as dicts from records whose first non-blank one is the header."""
    columns: dict[str, int] | None = None
    rows: list[dict[str, Any]] = []
    lost: dict[str, list[str]] = {}
    for number, record in enumerate(records, start=1):
        cells = [cell_text(value) for value in record]
        if not any(cells):
            continue
        if columns is None:
            columns = _columns(cells, layout)
            continue
        if len(rows) >= MAX_ROWS:
            raise InputTooLargeError(f"more than {MAX_ROWS:,} rows; import them in parts", file="sheet")
        row: dict[str, Any] = {"row": number}
        for name in layout.fields:
            index = columns.get(name)
            row[name] = cells[index] if index is not None and index < len(cells) else ""
        for name, message in layout.text_only.items():
            index = columns.get(name)
            if index is not None and index < len(record) and _imprecise_number(record[index]):
                lost[f"row {number}: {name}"] = [message]
        rows.append(row)
    if columns is None:
        raise file_error("文件中没有表头和数据 / The file holds no header and no rows")
    if lost:
        raise InvalidDataError(layout.text_only_summary, lost)
    return rows


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ISO, spaces (also 　) stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def row_number(row: Mapping[str, Any], position: int) -> int:
    """The sheet line a row came from (its ``row`` entry), else its place counting a header as row 1."""
    return row["row"] if isinstance(row.get("row"), int) else position


def repeats_row(row: int) -> str:
    """The message for a row that repeats an earlier one (by its line in the sheet)."""
    return f"与第{row}行重复 / Repeats row {row}"


def file_error(message: str) -> InvalidDataError:
    return InvalidDataError(message, {"file": [message]})


def _columns(header: list[str], layout: Layout) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        name = layout.headers.get(text.rstrip("*＊").strip().lower())
        if name is not None and name not in columns:
            columns[name] = index
    missing = [labels for name, labels in layout.required.items() if name not in columns]
    if missing:
        zh, en = "、".join(m[0] for m in missing), ", ".join(m[1] for m in missing)
        raise file_error(f"缺少列：{zh} / Missing columns: {en}")
    return columns


def _xlsx_records(data: bytes, filename: str) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise file_error("不是有效的 Excel (.xlsx) 文件 / Not a valid Excel (.xlsx) file") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise InputTooLargeError("the workbook unpacks to more than the limit", file=filename)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise file_error("不是有效的 Excel (.xlsx) 文件 / Not a valid Excel (.xlsx) file") from None
    try:
        sheet = workbook.worksheets[0]
        for record in sheet.iter_rows(values_only=True):
            yield list(record)
    finally:
        workbook.close()


def _imprecise_number(value: Any) -> bool:
    """A float too large to hold every digit exactly: what Excel makes of a long all-digit code."""
    return isinstance(value, float) and not (value.is_integer() and abs(value) < 2**53)
