"""A sheet of organizations to import, read safely: CSV or Excel (.xlsx), Chinese or English headers.

One row per organization; the columns are found by their header, in any order, either language:

==============  ======================================================================
field           headers
==============  ======================================================================
kind            类型, 机构类型, kind
locality        所属地区, 地区, locality
name            名称, 机构名称, 单位名称, name
credit_code     统一社会信用代码, 信用代码, credit_code, credit code (optional column)
==============  ======================================================================

Other columns (备注 …) are ignored. CSV is read as UTF-8, with or without the byte-order mark Excel puts
first, and failing that as GB18030 (what a Chinese Excel's “CSV” export writes). The first sheet of an
.xlsx is read (values, not formulas). Every row comes back as a dict of the four fields' text (stripped,
``""`` when the cell is empty) and ``row``, its line in the sheet counting the header as row 1, so that
``engine.identity.organizations.import_organizations`` names the rows a person sees; blank rows are skipped.
What the cells *mean* (a kind, a locality, a credit code) is checked there, not here.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import InputTooLargeError, InvalidDataError

MAX_SHEET_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 10_000
FIELDS = ("kind", "locality", "name", "credit_code")
REQUIRED = ("kind", "locality", "name")

HEADERS: dict[str, str] = {
    "类型": "kind",
    "机构类型": "kind",
    "kind": "kind",
    "所属地区": "locality",
    "地区": "locality",
    "locality": "locality",
    "名称": "name",
    "机构名称": "name",
    "单位名称": "name",
    "name": "name",
    "统一社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "credit_code": "credit_code",
    "credit code": "credit_code",
}
_LABEL = {"kind": ("类型", "kind"), "locality": ("所属地区", "locality"), "name": ("名称", "name")}
_XLSX_MAGIC = b"PK\x03\x04"


def read_organization_sheet(data: bytes, filename: str = "") -> list[dict[str, Any]]:
    """The rows of a CSV or .xlsx file (told apart by content: an .xlsx is a zip), or ``InvalidDataError``
    with ``errors["file"]`` when the file is not such a sheet or lacks a required column."""
    if len(data) > MAX_SHEET_BYTES:
        raise InputTooLargeError(f"the sheet is {len(data):,} bytes; the limit is {MAX_SHEET_BYTES:,}", file=filename)
    if data.startswith(_XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        records = _xlsx_records(data, filename)
    else:
        records = csv.reader(io.StringIO(decode_csv(data), newline=""))
    return rows_of(records)


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (a leading byte-order mark dropped), else GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _file_error("文件既不是 UTF-8 也不是 GB18030 编码 / The file is neither UTF-8 nor GB18030 text") from None


def rows_of(records: Iterable[list[Any]]) -> list[dict[str, Any]]:
    """Rows as dicts from records whose first non-blank one is the header."""
    columns: dict[str, int] | None = None
    rows: list[dict[str, Any]] = []
    credit_code_numbers: dict[str, list[str]] = {}
    for number, record in enumerate(records, start=1):
        cells = [_cell_text(value) for value in record]
        if not any(cells):
            continue
        if columns is None:
            columns = _columns(cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise InputTooLargeError(f"more than {MAX_ROWS:,} rows; import them in parts", file="sheet")
        row: dict[str, Any] = {"row": number}
        for field in FIELDS:
            index = columns.get(field)
            row[field] = cells[index] if index is not None and index < len(cells) else ""
        index = columns.get("credit_code")
        if index is not None and index < len(record) and _imprecise_number(record[index]):
            credit_code_numbers[f"row {number}: credit_code"] = [
                "该单元格是数字格式，统一社会信用代码已失真，请将该列设为文本后重新录入 / The cell holds a number, "
                "which cannot keep all 18 characters of a credit code; format the column as text and type it again"
            ]
        rows.append(row)
    if columns is None:
        raise _file_error("文件中没有表头和数据 / The file holds no header and no rows")
    if credit_code_numbers:
        raise InvalidDataError(
            "统一社会信用代码列含数字格式单元格 / Credit codes stored as numbers", credit_code_numbers
        )
    return rows


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        field = HEADERS.get(text.rstrip("*＊").strip().lower())
        if field is not None and field not in columns:
            columns[field] = index
    missing = [_LABEL[field] for field in REQUIRED if field not in columns]
    if missing:
        zh, en = "、".join(m[0] for m in missing), ", ".join(m[1] for m in missing)
        raise _file_error(f"缺少列：{zh} / Missing columns: {en}")
    return columns


def _xlsx_records(data: bytes, filename: str) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _file_error("不是有效的 Excel (.xlsx) 文件 / Not a valid Excel (.xlsx) file") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise InputTooLargeError("the workbook unpacks to more than the limit", file=filename)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise _file_error("不是有效的 Excel (.xlsx) 文件 / Not a valid Excel (.xlsx) file") from None
    try:
        sheet = workbook.worksheets[0]
        for record in sheet.iter_rows(values_only=True):
            yield list(record)
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
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


def _imprecise_number(value: Any) -> bool:
    """A float too large to hold every digit exactly: what Excel makes of an all-digit credit code."""
    return isinstance(value, float) and not (value.is_integer() and abs(value) < 2**53)


def _file_error(message: str) -> InvalidDataError:
    return InvalidDataError(message, {"file": [message]})
