"""Every table download of the web app — the dashboard's counts and task lists, the register, the inbox,
the public announcements — as CSV or as an Excel workbook (.xlsx), written here and nowhere else.

Both formats follow the same rules, so a download reads the same whichever is chosen:

* text a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return — a project titled ``=HYPERLINK(...)``) gets a leading apostrophe, so Excel and WPS
  show it as typed instead of running it;
* dates are yyyy-MM-dd, times are China's wall clock (yyyy-MM-dd HH:mm);
* money (``Decimal``) stays a number people can sum: two places in CSV, a number cell formatted
  ``¥#,##0.00`` in the workbook.

CSV is UTF-8 with a byte-order mark, which is what makes Excel open Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Response, request

from .i18n import CHINA, t

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MONEY_FORMAT = '"¥"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CENT = Decimal("0.01")


def requested_format() -> str | None:
    """``csv`` or ``xlsx`` when the URL asks for a download (``?format=``), ``None`` for the page itself."""
    wanted = request.args.get("format")
    return wanted if wanted in FORMATS else None


def safe_text(text: str) -> str:
    """The text with an apostrophe before it when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_cell(value: Any) -> str:
    """A value as CSV text: money with two places, dates yyyy-MM-dd, times on China's clock."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):f}"
    if isinstance(value, datetime):
        return _china(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    """One sheet, the header row bold and frozen; numbers, money and dates as typed cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(title)
    sheet.freeze_panes = "A2"
    widths: dict[int, int] = {}
    bold = Font(bold=True)
    for number, row in enumerate([header, *rows], start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column)
            _fill(cell, value)
            if number == 1:
                cell.font = bold
            widths[column] = max(widths.get(column, 0), _width(csv_cell(value)))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(stem: str, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """The table as a download named ``stem.csv`` or ``stem.xlsx``."""
    body = to_xlsx(header, rows, title=stem) if fmt == "xlsx" else to_csv(header, rows)
    return Response(
        body,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )


#: A column of a download: the translation key of its header, and how to read its value from a row.
Columns = Sequence[tuple[str, Callable[[Any], Any]]]


def table(stem: str, fmt: str, columns: Columns, rows: Iterable[Any]) -> Response:
    """A download of ``rows``, one column per (header key, value getter), headers in the reader's language."""
    return download(stem, fmt, [t(key) for key, _ in columns], ([get(row) for _, get in columns] for row in rows))


# --- workbook cells ------------------------------------------------------------------------------


def _china(value: datetime) -> datetime:
    return value.astimezone(CHINA) if value.tzinfo else value


def _fill(cell: Any, value: Any) -> None:
    """Write ``value`` into a workbook cell as the type people compute with."""
    if value is None:
        return
    if isinstance(value, Decimal):
        cell.value, cell.number_format = value.quantize(_CENT, rounding=ROUND_HALF_UP), MONEY_FORMAT
    elif isinstance(value, datetime):
        cell.value, cell.number_format = _china(value).replace(tzinfo=None), DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value, cell.number_format = value, DATE_FORMAT
    elif isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
    else:
        cell.value = safe_text(str(value))
        cell.data_type = "s"  # text, never a formula, whatever openpyxl would guess


def _width(text: str) -> int:
    """Columns wide enough for their text: a Chinese character takes two widths of a Latin one."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _sheet_title(stem: str) -> str:
    """Excel refuses sheet names over 31 characters or with ``[]:*?/\\``."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in stem)
    return cleaned[:31] or "Sheet1"
