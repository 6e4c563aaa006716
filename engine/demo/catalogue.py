"""The demo guidance catalogue: a region catalogue in the shape of 新疆's (大类 → 款 → 项, lettered A–E), one
item Urumqi adds for itself (its catalogue has one item more than the region's), and one item that ended.

Loaded through the same import a finance bureau uses (``engine.catalogue.entries.import_entries``), so the
demo data passes every check real data does; idempotent (a second load changes nothing).
"""

from __future__ import annotations

from typing import Any

from ..catalogue import entries
from ..service import Engine

SINCE = 2021  # the year the demo catalogue took effect

_A, _B, _C, _D, _E = "基本公共服务", "社会管理性服务", "行业管理与协调性服务", "技术性服务", "政府履职辅助性事项"

# (category code, category, class code, class, item code, item, first year, last year or None)
REGION_ITEMS: tuple[tuple[str, str, str, str, str, str, int, int | None], ...] = (
    ("A", _A, "A01", "公共教育", "A0101", "学前教育服务", SINCE, None),
    ("A", _A, "A01", "公共教育", "A0102", "青少年校外教育服务", SINCE, None),
    ("A", _A, "A01", "公共教育", "A0103", "中小学课后服务", SINCE, None),
    ("A", _A, "A01", "公共教育", "A0104", "教辅材料征订服务", 2019, 2024),
    ("A", _A, "A02", "劳动就业", "A0201", "就业见习与职业介绍服务", SINCE, None),
    ("A", _A, "A02", "劳动就业", "A0202", "职业技能培训服务", SINCE, None),
    ("A", _A, "A03", "社会保险", "A0301", "社会保险经办服务", SINCE, None),
    ("A", _A, "A04", "社会救助", "A0401", "社会救助经办服务", SINCE, None),
    ("A", _A, "A04", "社会救助", "A0402", "流浪乞讨人员救助服务", SINCE, None),
    ("A", _A, "A05", "养老服务", "A0501", "居家和社区养老服务", SINCE, None),
    ("A", _A, "A05", "养老服务", "A0502", "老年助餐服务", SINCE, None),
    ("A", _A, "A06", "公共文化", "A0601", "公共文化设施运营管理服务", SINCE, None),
    ("A", _A, "A06", "公共文化", "A0602", "非物质文化遗产保护传承服务", SINCE, None),
    ("A", _A, "A07", "医疗卫生", "A0701", "基层健康管理服务", SINCE, None),
    ("A", _A, "A07", "医疗卫生", "A0702", "公共卫生宣传教育服务", SINCE, None),
    ("A", _A, "A08", "残疾人服务", "A0801", "残疾人托养服务", SINCE, None),
    ("A", _A, "A08", "残疾人服务", "A0802", "残疾人职业培训服务", SINCE, None),
    ("A", _A, "A09", "公共体育", "A0901", "全民健身活动组织服务", SINCE, None),
    ("A", _A, "A09", "公共体育", "A0902", "公共体育设施运营服务", SINCE, None),
    ("B", _B, "B01", "社区治理", "B0101", "社区网格化服务管理", SINCE, None),
    ("B", _B, "B01", "社区治理", "B0102", "社区矫正辅助服务", SINCE, None),
    ("B", _B, "B02", "社会工作服务", "B0201", "禁毒社会工作服务", SINCE, None),
    ("B", _B, "B02", "社会工作服务", "B0202", "青少年社会工作服务", SINCE, None),
    ("B", _B, "B03", "法律服务", "B0301", "法律援助服务", SINCE, None),
    ("B", _B, "B03", "法律服务", "B0302", "人民调解辅助服务", SINCE, None),
    ("C", _C, "C01", "行业调查", "C0101", "行业调查与市场秩序监测服务", SINCE, None),
    ("C", _C, "C02", "行业规范", "C0201", "行业标准制修订服务", SINCE, None),
    ("C", _C, "C02", "行业规范", "C0202", "行业职业资格评价辅助服务", SINCE, None),
    ("D", _D, "D01", "检验检测", "D0101", "食品安全抽检监测服务", SINCE, None),
    ("D", _D, "D01", "检验检测", "D0102", "水质检测服务", SINCE, None),
    ("D", _D, "D02", "监测评估", "D0201", "环境监测数据核查服务", SINCE, None),
    ("D", _D, "D02", "监测评估", "D0202", "生态环境损害鉴定评估服务", SINCE, None),
    ("D", _D, "D03", "技术咨询与数据服务", "D0301", "数字化采集与数据处理服务", SINCE, None),
    ("D", _D, "D03", "技术咨询与数据服务", "D0302", "调查研究服务", SINCE, None),
    ("D", _D, "D04", "评估评价", "D0401", "第三方绩效评价服务", SINCE, None),
    ("E", _E, "E01", "机关后勤服务", "E0101", "机关物业管理服务", SINCE, None),
    ("E", _E, "E01", "机关后勤服务", "E0102", "印刷和出版服务", SINCE, None),
    ("E", _E, "E02", "信息化与政务服务", "E0201", "信息系统运行维护服务", SINCE, None),
    ("E", _E, "E02", "信息化与政务服务", "E0202", "政务服务热线运营服务", SINCE, None),
    ("E", _E, "E02", "信息化与政务服务", "E0203", "政务服务窗口辅助服务", SINCE, None),
    ("E", _E, "E03", "城市管理辅助服务", "E0301", "市容环境卫生作业服务", SINCE, None),
    ("E", _E, "E03", "城市管理辅助服务", "E0302", "园林绿化养护服务", SINCE, None),
    ("E", _E, "E03", "城市管理辅助服务", "E0303", "市政设施巡查养护服务", SINCE, None),
)
# Urumqi's own item, in a class of the region's catalogue.
CITY_ITEMS: dict[str, tuple[tuple[str, str, str, str, str, str, int, int | None], ...]] = {
    "650100": (("E", _E, "E03", "城市管理辅助服务", "E0304", "老旧小区物业托管服务", 2023, None),),
}


def catalogue_rows(items: tuple[tuple[Any, ...], ...]) -> list[dict[str, Any]]:
    """Items as the rows a catalogue sheet gives (``formats.catalogue_sheet``)."""
    return [dict(zip(entries.FIELDS, item, strict=True)) for item in items]


def seed_catalogue(engine: Engine) -> str:
    """Load the demo catalogue of the region and of Urumqi (each once)."""
    now = engine.clock()
    counts = []
    for locality, items in (("650000", REGION_ITEMS), *CITY_ITEMS.items()):
        result = engine.write(entries.import_entries, locality, catalogue_rows(items), "demo", now)
        counts.append(f"{locality} {len(result.added)} added, {len(result.updated)} updated")
    return ", ".join(counts)
