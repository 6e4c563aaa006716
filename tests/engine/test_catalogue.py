"""The guidance catalogue: imported from CSV or Excel (a bad row named by its line, nothing written), a city
runs on the region's items and its own (never another city's, never redefining the region's), only the items
in effect in a year are offered, and an application naming an item not in effect is refused on its field —
when it starts and when the application is submitted — while one outside the catalogue still goes to the
manager's approval."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from lifecycle.lifecycle_helpers import application
from sheet_files import csv_bytes, xlsx_bytes
from sqlalchemy import func, inspect, select

from engine.calendars.deadlines import local_date
from engine.catalogue import entries
from engine.compose import build_engine
from engine.demo.catalogue import REGION_ITEMS, catalogue_rows
from engine.demo.driver import Driver
from engine.demo.seed import party_actor, seed_users, shipped_bundle
from engine.errors import ConflictError, InvalidDataError
from engine.formats.catalogue_sheet import read_catalogue_sheet
from engine.service import Engine
from engine.store.migrate import alembic_config, upgrade
from engine.store.models import CatalogueEntry
from support import systems_agree

HEADER = ["大类代码", "大类名称", "款代码", "款名称", "目录编码", "项名称", "起始年度", "截止年度"]
GOOD = [
    ["A", "基本公共服务", "A05", "养老服务", "A0501", "居家和社区养老服务", "2021", ""],
    ["A", "基本公共服务", "A05", "养老服务", "A0502", "老年助餐服务", "2021年", ""],
    ["E", "政府履职辅助性事项", "E03", "城市管理辅助服务", "E0301", "市容环境卫生作业服务", 2022, 2030],
]
BAD = [
    ["E", "政府履职辅助性事项", "E03", "城市管理辅助服务", "E0304", "老旧小区物业托管服务", "2023", ""],
    ["A", "基本公共服务", "A05", "养老服务", "B0503", "老年人能力评估服务", "2021", ""],  # not in its class
    ["E", "政府履职辅助性事项", "E03", "城市管理辅助服务", "E0304", "老旧小区托管（重复）", "2024", ""],
    ["D", "技术性服务", "D01", "检验检测", "D0101", "食品安全抽检监测服务", "明年", ""],
    ["D", "技术性服务", "D01", "检验检测", "D0102", "水质检测服务", "2025", "2024"],
    ["A", "基本公共服务", "A05", "养老服务", "A0501", "居家养老服务", "2024", ""],  # the region's code
]


def csv_file(rows: list[list[Any]]) -> bytes:
    return csv_bytes(HEADER, rows)


def xlsx_file(rows: list[list[Any]]) -> bytes:
    return xlsx_bytes(HEADER, rows)


def load(engine: Engine, locality: str, rows: list[dict[str, Any]]) -> entries.Imported:
    return engine.write(entries.import_entries, locality, rows, "finance", engine.clock())


def item(code: str, name: str, first: int = 2021, last: int | None = None) -> dict[str, Any]:
    """A row of category E, class E03 (what a city adds under the region's class)."""
    return dict(zip(entries.FIELDS, ("E", "政府履职辅助性事项", "E03", "城市管理辅助服务", code, name, first, last),
                    strict=True))  # fmt: skip


def stored(engine: Engine) -> int:
    with engine.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(CatalogueEntry))


def this_year(engine: Engine) -> int:
    return local_date(engine.clock()).year


def offered_codes(engine: Engine, locality: str, year: int) -> list[str]:
    return [e.code for e in engine.read(entries.offered, locality, year)]


@pytest.fixture
def catalogued(engine: Engine) -> Engine:
    """The demo region catalogue, one item Urumqi adds and one Karamay adds, and the shipped processes."""
    load(engine, "650000", catalogue_rows(REGION_ITEMS))
    load(engine, "650100", [item("E0304", "老旧小区物业托管服务", 2023)])
    load(engine, "650200", [item("E0305", "油田社区供热巡检服务")])
    engine.deploy(shipped_bundle(), "650000", "test")
    return engine


@pytest.mark.parametrize("make, filename", [(csv_file, "目录.csv"), (xlsx_file, "目录.xlsx")], ids=["csv", "xlsx"])
def test_a_sheet_imports_every_row_or_with_a_bad_row_nothing(engine: Engine, make: Any, filename: str) -> None:
    result = load(engine, "650000", read_catalogue_sheet(make(GOOD), filename))
    assert [(e.code, e.from_year, e.until_year) for e in result.added] == [
        ("A0501", 2021, None),
        ("A0502", 2021, None),  # "2021年" as people write it
        ("E0301", 2022, 2030),
    ]

    with pytest.raises(InvalidDataError) as caught:
        load(engine, "650100", read_catalogue_sheet(make(BAD), filename))
    assert caught.value.errors == {
        "row 3: code": [entries.not_nested("B0503", "A05", "款代码", "class")],
        "row 4: code": ["与第2行重复 / Repeats row 2"],
        "row 5: from_year": [entries.wrong_year("明年")],
        "row 6: until_year": [entries.UNTIL_BEFORE_FROM],
        "row 7: code": [
            "自治区本级的目录已有编码A0501「居家和社区养老服务」（2021—） / The catalogue of Xinjiang (region level) "
            "already has A0501 (居家和社区养老服务, 2021—)"
        ],
    }
    assert "5 of 6 rows" in caught.value.message and "未导入任何目录条目" in caught.value.message
    assert stored(engine) == len(GOOD)  # nothing of the bad sheet was written


def test_a_sheet_without_its_columns_is_refused() -> None:
    with pytest.raises(InvalidDataError) as caught:
        read_catalogue_sheet(csv_bytes(["目录编码", "项名称"], [["A0101", "学前教育服务"]]))
    assert list(caught.value.errors) == ["file"]
    assert "大类代码" in caught.value.errors["file"][0] and "起始年度" in caught.value.errors["file"][0]


def test_importing_a_corrected_sheet_again_updates_what_changed(engine: Engine) -> None:
    load(engine, "650000", read_catalogue_sheet(csv_file(GOOD)))
    corrected = [*GOOD[:2], [*GOOD[2][:5], "市容环境卫生作业和垃圾清运服务", 2022, 2026]]
    result = load(engine, "650000", read_catalogue_sheet(csv_file(corrected)))
    assert (result.added, [(e.code, e.name, e.until_year) for e in result.updated]) == (
        [],
        [("E0301", "市容环境卫生作业和垃圾清运服务", 2026)],
    )
    assert stored(engine) == 3


def test_a_city_runs_on_the_region_catalogue_and_its_own_but_not_another_citys(catalogued: Engine) -> None:
    year = this_year(catalogued)
    urumqi, karamay, region = (set(offered_codes(catalogued, code, year)) for code in ("650100", "650200", "650000"))
    assert "E0304" in urumqi and "E0304" not in karamay and "E0304" not in region
    assert "E0305" in karamay and "E0305" not in urumqi
    assert urumqi - region == {"E0304"} and karamay - region == {"E0305"}
    assert "E0305" in offered_codes(catalogued, "650204", year)  # 白碱滩区 inherits Karamay's and the region's

    listed = {row.entry.code: row.inherited for row in catalogued.read(entries.listing, "650100")}
    assert listed["E0304"] is False and listed["A0101"] is True and "E0305" not in listed


def test_a_city_cannot_redefine_an_item_of_the_region(catalogued: Engine) -> None:
    with pytest.raises(InvalidDataError) as caught:
        load(catalogued, "650100", [item("E0301", "城区道路保洁服务")])
    assert "自治区本级的目录已有编码E0301" in caught.value.errors["row 2: code"][0]
    load(catalogued, "650100", [item("E0306", "城区道路保洁服务")])  # a code of its own is fine


def test_only_items_in_effect_in_a_year_are_offered(catalogued: Engine) -> None:
    assert "A0104" in offered_codes(catalogued, "650100", 2024)  # 教辅材料征订服务, 2019—2024
    assert "A0104" not in offered_codes(catalogued, "650100", 2025)
    assert "E0304" not in offered_codes(catalogued, "650100", 2022)  # Urumqi's own item starts in 2023


def test_an_application_naming_an_item_not_in_effect_is_refused_on_its_field(catalogued: Engine) -> None:
    with pytest.raises(InvalidDataError) as caught:
        catalogued.start("lifecycle", locality="650100", data={"in_catalogue": True, "catalogue_code": "Z9999"})
    year = this_year(catalogued)
    assert caught.value.errors == {
        "catalogue_code": [
            f"目录编码Z9999不在乌鲁木齐市{year}年度的政府购买服务指导性目录中 / Z9999 is not an item of the "
            f"guidance catalogue in effect in Urumqi in {year}"
        ]
    }
    with pytest.raises(InvalidDataError) as caught:
        catalogued.start("lifecycle", locality="650100", data={"in_catalogue": True, "catalogue_code": "A0104"})
    assert "2019—2024" in caught.value.errors["catalogue_code"][0]
    with pytest.raises(InvalidDataError) as caught:
        catalogued.start("lifecycle", locality="650200", data={"in_catalogue": True, "catalogue_code": "E0304"})
    assert list(caught.value.errors) == ["catalogue_code"]  # Urumqi's item is not Karamay's
    assert catalogued.instances(limit=10) == []

    seed_users(catalogued)
    started = catalogued.start("lifecycle", locality="650100", actor="purchaser_urumqi",
                               data={"in_catalogue": True, "catalogue_code": "E0304"})  # fmt: skip
    (task,) = catalogued.open_tasks(started.id)
    purchaser = Driver(catalogued, actor=party_actor(catalogued))
    with pytest.raises(InvalidDataError) as caught:
        purchaser.complete(task, application(catalogue_code="A0104"))
    assert list(caught.value.errors) == ["catalogue_code"]  # the application itself is checked too
    purchaser.complete(task, application(catalogue_code="A0501"))
    systems_agree(catalogued, started.id)
    assert [t.element_id for t in catalogued.open_tasks(started.id)] == ["review_application"]


def test_a_locality_with_no_catalogue_loaded_takes_codes_as_given(engine: Engine) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    started = engine.start("lifecycle", locality="650100", data={"in_catalogue": True, "catalogue_code": "A0101"})
    assert started.id


def test_outside_the_catalogue_still_needs_the_managers_approval(catalogued: Engine) -> None:
    seed_users(catalogued)
    started = catalogued.start("lifecycle", locality="650100", actor="purchaser_urumqi", data={"in_catalogue": False})
    steps = Driver(catalogued, actor=party_actor(catalogued)).run(
        started.id,
        {
            "submit_application": application(in_catalogue=False, catalogue_code=None),
            "review_application": {"review_decision": "approve"},
        },
        stop_at={"approve_outside_catalogue"},
    )
    assert [step.element_id for step in steps][-1] == "review_application"
    assert [t.element_id for t in catalogued.open_tasks(started.id)] == ["approve_outside_catalogue"]


def test_an_item_a_project_named_keeps_its_code_and_cannot_be_deleted(catalogued: Engine) -> None:
    named = catalogued.start("lifecycle", locality="650100", data={"in_catalogue": True, "catalogue_code": "A0502"})
    year = this_year(catalogued)
    entry = next(e for e in catalogued.read(entries.offered, "650100", year) if e.code == "A0502")
    assert catalogued.read(entries.use_count, entry.id) == 1 and named.id
    now = catalogued.clock()

    def change(values: dict[str, Any]) -> CatalogueEntry:
        return catalogued.write(lambda s: entries.change_entry(s, entries.get_entry(s, entry.id), values, "f", now))

    with pytest.raises(InvalidDataError) as caught:
        change({"code": "A0509"})
    assert caught.value.errors == {"code": [entries.IN_USE_CODE]}
    assert change({"name": "老年人助餐服务"}).name == "老年人助餐服务"
    with pytest.raises(ConflictError):
        catalogued.write(lambda s: entries.delete_entry(s, entries.get_entry(s, entry.id), "f", now))
    ended = catalogued.write(lambda s: entries.end_entry(s, entries.get_entry(s, entry.id), year - 1, "f", now))
    assert ended.until_year == year - 1 and "A0502" not in offered_codes(catalogued, "650100", year)

    unused = next(e for e in catalogued.read(entries.offered, "650100", year) if e.code == "A0902")
    catalogued.write(lambda s: entries.delete_entry(s, entries.get_entry(s, unused.id), "f", now))
    assert "A0902" not in offered_codes(catalogued, "650100", year)


def test_the_catalogue_migrates_down_and_up(blank_url: str) -> None:
    upgrade(blank_url)
    command.downgrade(alembic_config(blank_url), "0009_documents")
    engine = build_engine(blank_url, deadlines=False)
    try:
        tables = inspect(engine.db).get_table_names()
        assert "catalogue_entry" not in tables and "catalogue_use" not in tables
        upgrade(blank_url)
        engine.ensure_localities()
        load(engine, "650000", [item("E0301", "市容环境卫生作业服务")])
        assert stored(engine) == 1
    finally:
        engine.dispose()
