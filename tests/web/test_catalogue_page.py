"""The guidance catalogue page (/catalogue/): everyone signed in looks a locality's catalogue up, its own
items and those it inherits; its finance bureau adds, edits, ends and imports items (a sheet with a wrong
row imports nothing and names the row as people read it) and deletes an item no project named; purchasers
and providers, and another locality's finance bureau, change nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from sheet_files import csv_bytes, xlsx_bytes

from engine.calendars.deadlines import local_date
from engine.catalogue import entries
from engine.demo.catalogue import seed_catalogue
from engine.demo.seed import shipped_bundle
from engine.service import Engine
from support import csrf_token, login

HEADER = ["大类代码", "大类名称", "款代码", "款名称", "目录编码", "项名称", "起始年度", "截止年度"]
CITY_ROW = ["A", "基本公共服务", "A05", "养老服务", "A0509", "老年人能力评估服务", 2024, None]


@pytest.fixture
def catalogued(engine: Engine, client: FlaskClient) -> Engine:
    seed_catalogue(engine)
    return engine


def _post(client: FlaskClient, path: str, **data: Any):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/")}, content_type="multipart/form-data")


def _city_sheet() -> tuple[io.BytesIO, str]:
    return io.BytesIO(xlsx_bytes(HEADER, [CITY_ROW])), "目录.xlsx"


def _entry(engine: Engine, locality: str, code: str) -> entries.CatalogueEntry:
    return next(row.entry for row in engine.read(entries.listing, locality) if row.entry.code == code)


def _codes(engine: Engine, locality: str) -> set[str]:
    return {row.entry.code for row in engine.read(entries.listing, locality) if not row.inherited}


def test_everyone_reads_the_catalogue_with_what_a_city_inherits(client: FlaskClient, catalogued: Engine) -> None:
    login(client, "provider_urumqi")
    html = client.get("/catalogue/?locality=650100&q=物业").get_data(as_text=True)
    assert "E0304" in html and "老旧小区物业托管服务" in html and "本地区" in html
    assert "E0101" in html and "沿用自治区本级" in html  # 机关物业管理服务, the region's
    assert "A0501" not in html  # not matching the search
    assert 'id="add-form"' not in html and 'id="import-form"' not in html
    ended = client.get("/catalogue/?locality=650100&year=2025").get_data(as_text=True)
    assert "A0104" not in ended and "A0501" in ended  # 教辅材料征订服务 ended in 2024
    client.get("/lang/en?next=/")
    assert "Guidance catalogue for government purchase of services" in client.get("/catalogue/").get_data(as_text=True)


@pytest.mark.parametrize("username", ["purchaser_urumqi", "provider_urumqi", "finance_reviewer_karamay"])
def test_who_does_not_keep_the_catalogue_changes_nothing(
    client: FlaskClient, catalogued: Engine, username: str
) -> None:
    login(client, username)
    own = _entry(catalogued, "650100", "E0304")
    fields = {name: str(getattr(own, name) or "") for name in entries.FIELDS}
    assert _post(client, "/catalogue/", locality="650100", **{**fields, "code": "E0308"}).status_code == 403
    assert _post(client, f"/catalogue/{own.id}", **{**fields, "name": "改名"}).status_code == 403
    assert _post(client, f"/catalogue/{own.id}/end", until_year="2024").status_code == 403
    assert _post(client, f"/catalogue/{own.id}/delete").status_code == 403
    sheet = _post(client, "/catalogue/import", locality="650100", file=_city_sheet())
    assert sheet.status_code == 403
    assert _codes(catalogued, "650100") == {"E0304"} and _entry(catalogued, "650100", "E0304").name == own.name


def test_a_city_finance_reviewer_keeps_the_citys_items_not_the_regions(client: FlaskClient, catalogued: Engine) -> None:
    login(client, "finance_reviewer_urumqi")
    html = client.get("/catalogue/?locality=650100").get_data(as_text=True)
    assert 'id="add-form"' in html and 'id="import-form"' in html
    region_item = _entry(catalogued, "650000", "A0501")
    assert _post(client, f"/catalogue/{region_item.id}/end", until_year="2024").status_code == 403
    assert 'id="add-form"' not in client.get("/catalogue/?locality=650000").get_data(as_text=True)

    typed = {name: "" if value is None else str(value) for name, value in zip(entries.FIELDS, CITY_ROW, strict=True)}
    added = _post(client, "/catalogue/", locality="650100", **typed)
    assert added.status_code == 302
    assert "已增加目录条目 A0509 老年人能力评估服务" in client.get(added.headers["Location"]).get_data(as_text=True)
    wrong = _post(client, "/catalogue/", locality="650100", **{**typed, "code": "A0409", "from_year": "来年"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert 'data-field="code">编码「A0409」应以款代码「A05」开头' in page and 'data-field="from_year">' in page


@pytest.mark.parametrize("sheet", ["csv", "xlsx"])
def test_a_sheet_with_a_wrong_row_imports_nothing_and_names_the_row(
    client: FlaskClient, catalogued: Engine, sheet: str
) -> None:
    login(client, "finance_reviewer_urumqi")
    rows = [CITY_ROW, ["A", "基本公共服务", "A05", "养老服务", "E0310", "助浴服务", 2024, None]]
    if sheet == "csv":
        upload = (io.BytesIO(csv_bytes(HEADER, rows, "gb18030")), "目录.csv")  # a Chinese Excel's CSV
    else:
        upload = (io.BytesIO(xlsx_bytes(HEADER, rows)), "目录.xlsx")
    answer = _post(client, "/catalogue/import", locality="650100", file=upload)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "第3行 · 目录编码：编码「E0310」应以款代码「A05」开头" in html and "row 3: code" not in html
    assert "2行中1行有误，未导入任何目录条目" in html
    assert _codes(catalogued, "650100") == {"E0304"}  # not even the right row

    good = _post(client, "/catalogue/import", locality="650100", file=_city_sheet())
    assert good.status_code == 302
    assert "已导入：新增 1 项，更新 0 项" in client.get(good.headers["Location"]).get_data(as_text=True)
    assert _codes(catalogued, "650100") == {"E0304", "A0509"}


def test_the_region_edits_ends_and_deletes_an_item_but_keeps_one_a_project_named(
    client: FlaskClient, catalogued: Engine
) -> None:
    year = local_date(catalogued.clock()).year
    login(client, "finance_reviewer_region")
    item = _entry(catalogued, "650000", "A0902")
    fields = {name: str(getattr(item, name) or "") for name in entries.FIELDS}
    assert _post(client, f"/catalogue/{item.id}", **{**fields, "name": "公共体育场馆运营服务"}).status_code == 302
    assert _entry(catalogued, "650000", "A0902").name == "公共体育场馆运营服务"
    assert _post(client, f"/catalogue/{item.id}/end", until_year=str(year - 1)).status_code == 302
    assert "A0902" not in {e.code for e in catalogued.read(entries.offered, "650100", year)}
    page = client.get(f"/catalogue/{item.id}").get_data(as_text=True)
    assert f"2021—{year - 1}" in page and 'id="delete-form"' in page
    assert _post(client, f"/catalogue/{item.id}/delete").status_code == 302
    assert "A0902" not in _codes(catalogued, "650000")

    catalogued.deploy(shipped_bundle(), "650000", "test")
    catalogued.start("lifecycle", locality="650100", data={"in_catalogue": True, "catalogue_code": "A0501"})
    named = _entry(catalogued, "650000", "A0501")
    page = client.get(f"/catalogue/{named.id}").get_data(as_text=True)
    assert "已有 1 个项目使用该条目" in page and 'id="delete-form"' not in page
    refused = _post(client, f"/catalogue/{named.id}/delete")
    assert refused.status_code == 409 and "不能删除，请设置截止年度" in refused.get_data(as_text=True)
    assert "A0501" in _codes(catalogued, "650000")
