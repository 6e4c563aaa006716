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

How a sheet is read (CSV in UTF-8 or GB18030, the first sheet of an .xlsx, limits, header matching, row
numbers) is ``engine.formats.sheets``; every row comes back as a dict of the four fields' text and ``row``,
its line in the sheet, so that ``engine.identity.organizations.import_organizations`` names the rows a
person sees. What the cells *mean* (a kind, a locality, a credit code) is checked there, not here; a credit
code Excel turned into a number is refused here, since its digits are already lost.
"""

from __future__ import annotations

from typing import Any

from .sheets import MAX_SHEET_BYTES, Layout, read_sheet

__all__ = ["FIELDS", "LAYOUT", "MAX_SHEET_BYTES", "read_organization_sheet"]

FIELDS = ("kind", "locality", "name", "credit_code")

LAYOUT = Layout(
    headers={
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
    },
    fields=FIELDS,
    required={"kind": ("类型", "kind"), "locality": ("所属地区", "locality"), "name": ("名称", "name")},
    text_only={
        "credit_code": "该单元格是数字格式，统一社会信用代码已失真，请将该列设为文本后重新录入 / The cell holds a "
        "number, which cannot keep all 18 characters of a credit code; format the column as text and type it again"
    },
    text_only_summary="统一社会信用代码列含数字格式单元格 / Credit codes stored as numbers",
)


def read_organization_sheet(data: bytes, filename: str = "") -> list[dict[str, Any]]:
    """The rows of a CSV or .xlsx file of organizations, or ``InvalidDataError`` with ``errors["file"]`` when
    the file is not such a sheet or lacks a required column."""
    return read_sheet(data, filename, LAYOUT)
