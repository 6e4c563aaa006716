"""CSV exports open in Excel/WPS: text that would run as a formula is written as text (issue #12)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from engine.queries.reporting import to_csv


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_title_a_spreadsheet_would_run_is_written_as_text() -> None:
    titles = ['=HYPERLINK("http://evil.example","点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1"]
    rows = _read(to_csv(["项目名称"], [[title] for title in titles]))
    assert [row[0] for row in rows[1:]] == ["'" + title for title in titles]


def test_plain_text_numbers_and_money_are_written_as_they_are() -> None:
    rows = _read(to_csv(["项目名称", "预算", "笔数"], [["社区养老 = 服务", Decimal("-5.5"), -3]]))
    assert rows[1] == ["社区养老 = 服务", "-5.50", "-3"]
