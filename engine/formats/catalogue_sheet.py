"""A sheet of the guidance catalogue (政府购买服务指导性目录) to import: CSV or Excel (.xlsx).

One row per item (项), repeating its category (大类, 一级) and class (款, 二级), as catalogues are published;
the columns are found by their header, in any order, either language:

==============  ================================================================================
field           headers
==============  ================================================================================
category_code   大类代码, 一级代码, 一级目录代码, category code
category_name   大类名称, 一级名称, 一级目录, 大类, category
class_code      款代码, 二级代码, 二级目录代码, class code
class_name      款名称, 二级名称, 二级目录, 款, class
code            目录编码, 项代码, 三级代码, 三级目录代码, 编码, code
name            项名称, 三级名称, 三级目录, 服务项目, 项目名称, 名称, name
from_year       起始年度, 生效年度, 执行年度, from year, from
until_year      截止年度, 失效年度, until year, until (optional column; empty: still in effect)
==============  ================================================================================

How the file is read is ``engine.formats.sheets``; what the cells mean (codes nested in their class and
category, years) is checked by ``engine.catalogue.entries.import_entries``. The locality is not a column:
a sheet is one locality's catalogue, chosen when it is imported.
"""

from __future__ import annotations

from typing import Any

from .sheets import MAX_SHEET_BYTES, Layout, read_sheet

__all__ = ["FIELDS", "LAYOUT", "MAX_SHEET_BYTES", "read_catalogue_sheet"]

FIELDS = ("category_code", "category_name", "class_code", "class_name", "code", "name", "from_year", "until_year")

_HEADERS = {
    "category_code": ("大类代码", "一级代码", "一级目录代码", "category code", "category_code"),
    "category_name": ("大类名称", "一级名称", "一级目录", "大类", "category", "category_name"),
    "class_code": ("款代码", "二级代码", "二级目录代码", "class code", "class_code"),
    "class_name": ("款名称", "二级名称", "二级目录", "款", "class", "class_name"),
    "code": ("目录编码", "项代码", "三级代码", "三级目录代码", "编码", "code"),
    "name": ("项名称", "三级名称", "三级目录", "服务项目", "项目名称", "名称", "name"),
    "from_year": ("起始年度", "生效年度", "执行年度", "from year", "from_year", "from"),
    "until_year": ("截止年度", "失效年度", "until year", "until_year", "until"),
}

LAYOUT = Layout(
    headers={header: name for name, headers in _HEADERS.items() for header in headers},
    fields=FIELDS,
    required={
        "category_code": ("大类代码", "category code"),
        "category_name": ("大类名称", "category"),
        "class_code": ("款代码", "class code"),
        "class_name": ("款名称", "class"),
        "code": ("目录编码", "code"),
        "name": ("项名称", "name"),
        "from_year": ("起始年度", "from year"),
    },
)


def read_catalogue_sheet(data: bytes, filename: str = "") -> list[dict[str, Any]]:
    """The rows of a CSV or .xlsx catalogue, or ``InvalidDataError`` with ``errors["file"]`` when the file is
    not such a sheet or lacks a required column."""
    return read_sheet(data, filename, LAYOUT)
