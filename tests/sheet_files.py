"""Sheets to import, made in memory as a person's spreadsheet program would save them (CSV or .xlsx)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook


def csv_bytes(header: list[str], rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    """A CSV file; by default UTF-8 with the byte-order mark Excel writes (``gb18030``: a Chinese Excel's)."""
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    return text.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """An Excel workbook whose first sheet holds the header and the rows (numbers stay numbers)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()
