"""Downloads open in Excel/WPS: text that would run as a formula is written as text, in CSV and in .xlsx
alike (issues #12 and #14); numbers and money stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from web.exports import to_csv, to_xlsx

TITLES = ['=HYPERLINK("http://evil.example","点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _sheet(data: bytes) -> list[list[object]]:
    return [[cell.value for cell in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def test_a_title_a_spreadsheet_would_run_is_written_as_text() -> None:
    rows = _read(to_csv(["项目名称"], [[title] for title in TITLES]))
    assert [row[0] for row in rows[1:]] == ["'" + title for title in TITLES]


def test_the_workbook_keeps_such_a_title_as_text_too() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(["项目名称"], [[title] for title in TITLES])))
    cells = [row[0] for row in book.active.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ["'" + title for title in TITLES]
    assert {c.data_type for c in cells} == {"s"}, "never stored as a formula"


def test_plain_text_numbers_and_money_are_written_as_they_are() -> None:
    rows = _read(to_csv(["项目名称", "预算", "笔数"], [["社区养老 = 服务", Decimal("-5.5"), -3]]))
    assert rows[1] == ["社区养老 = 服务", "-5.50", "-3"]
    assert _sheet(to_xlsx(["项目名称", "预算", "笔数"], [["社区养老 = 服务", Decimal("-5.5"), -3]]))[1] == [
        "社区养老 = 服务",
        -5.5,
        -3,
    ]


def test_dates_read_yyyy_mm_dd() -> None:
    assert _read(to_csv(["截止日期"], [[date(2026, 3, 2)]]))[1] == ["2026-03-02"]
    book = load_workbook(io.BytesIO(to_xlsx(["截止日期"], [[date(2026, 3, 2)]])))
    assert book.active["A2"].number_format == "yyyy-mm-dd"
