"""The guidance catalogue through the API: read by everyone signed in (a city's with what it inherits), kept
by the locality's finance reviewers and managers — added, changed, ended, imported all or nothing — and an
item deleted only while no project names it; a start naming an item not in effect is refused on its field."""

from __future__ import annotations

import io

import pytest
from api_client import Api

from engine.calendars.deadlines import local_date
from engine.demo.catalogue import seed_catalogue
from engine.demo.seed import shipped_bundle
from engine.service import Engine

ITEM = {
    "locality": "650100",
    "category_code": "A",
    "category_name": "基本公共服务",
    "class_code": "A05",
    "class_name": "养老服务",
    "code": "A0509",
    "name": "老年人能力评估服务",
    "from_year": 2024,
}


@pytest.fixture
def catalogued(engine: Engine, api: Api) -> Engine:
    seed_catalogue(engine)
    return engine


def _sheet(*rows: str) -> dict:
    body = "\ufeff大类代码,大类名称,款代码,款名称,目录编码,项名称,起始年度,截止年度\n" + "\n".join(rows) + "\n"
    return {"file": (io.BytesIO(body.encode("utf-8")), "目录.csv")}


def test_everyone_reads_a_citys_catalogue_with_what_it_inherits(api: Api, catalogued: Engine) -> None:
    year = local_date(catalogued.clock()).year
    listed = api.get("provider_karamay", "/catalogue", query_string={"locality": "650100", "year": year})
    assert listed.status_code == 200
    by_code = {row["code"]: row for row in listed.json}
    assert by_code["E0304"]["inherited"] is False and by_code["A0501"]["inherited"] is True
    assert "A0104" not in by_code  # ended in 2024
    karamay = api.get("provider_karamay", "/catalogue", query_string={"locality": "650200"}).json
    assert "E0304" not in {row["code"] for row in karamay}
    assert api.get(None, "/catalogue", query_string={"locality": "650100"}).status_code == 401


def test_the_citys_finance_bureau_keeps_its_items(api: Api, catalogued: Engine) -> None:
    assert api.post("purchaser_urumqi", "/catalogue", ITEM).status_code == 403
    assert api.post("provider_urumqi", "/catalogue", ITEM).status_code == 403
    assert api.post("finance_reviewer_karamay", "/catalogue", ITEM).status_code == 403
    wrong = api.post("finance_reviewer_urumqi", "/catalogue", {**ITEM, "code": "B0509"})
    assert wrong.status_code == 422 and list(wrong.json["errors"]) == ["code"]

    added = api.post("finance_reviewer_urumqi", "/catalogue", ITEM)
    assert added.status_code == 201 and added.json["locality"] == "650100"
    url = f"/catalogue/{added.json['id']}"
    assert api.call("PATCH", "purchaser_urumqi", url, json={"name": "改名"}).status_code == 403
    changed = api.call("PATCH", "manager_urumqi", url, json={"name": "老年人能力综合评估服务"})
    assert changed.status_code == 200
    assert (changed.json["name"], changed.json["code"]) == ("老年人能力综合评估服务", "A0509")
    ended = api.post("finance_reviewer_urumqi", f"{url}/end", {"until_year": 2025})
    assert ended.status_code == 200 and ended.json["until_year"] == 2025
    assert api.delete("provider_urumqi", url).status_code == 403
    assert api.delete("finance_reviewer_urumqi", url).status_code == 204
    assert api.get("finance_reviewer_urumqi", url).status_code == 404


def test_an_item_a_project_named_is_not_deleted(api: Api, catalogued: Engine) -> None:
    catalogued.deploy(shipped_bundle(), "650000", "test")
    start = {"process_key": "lifecycle", "locality": "650100", "data": {"in_catalogue": True, "catalogue_code": "Z1"}}
    refused = api.post("purchaser_urumqi", "/instances", start)
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["catalogue_code"]
    assert "Z1" in refused.json["errors"]["catalogue_code"][0]

    named = api.post("purchaser_urumqi", "/instances", {**start, "data": {**start["data"], "catalogue_code": "E0304"}})
    assert named.status_code == 201
    listed = api.get("manager_urumqi", "/catalogue", query_string={"locality": "650100"}).json
    (item,) = [row for row in listed if row["code"] == "E0304"]
    assert item["uses"] == 1
    refused = api.delete("manager_urumqi", f"/catalogue/{item['id']}")
    assert refused.status_code == 409 and "截止年度" in refused.json["message"]


def test_a_sheet_imports_all_rows_or_none(api: Api, catalogued: Engine) -> None:
    good = "A,基本公共服务,A05,养老服务,A0509,老年人能力评估服务,2024,"
    bad = "A,基本公共服务,A05,养老服务,E0310,助浴服务,2024,"

    def upload(user: str, *rows: str):
        body = {"locality": "650100", **_sheet(*rows)}
        return api.call("POST", user, "/catalogue/import", data=body, content_type="multipart/form-data")

    refused = upload("finance_reviewer_urumqi", good, bad)
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["row 3: code"]
    assert upload("purchaser_urumqi", good).status_code == 403
    done = upload("finance_reviewer_urumqi", good)
    assert done.status_code == 201 and [e["code"] for e in done.json["added"]] == ["A0509"]
    listed = api.get("provider_urumqi", "/catalogue", query_string={"locality": "650100", "q": "A05"}).json
    assert {"A0501", "A0502", "A0509"} <= {row["code"] for row in listed}
