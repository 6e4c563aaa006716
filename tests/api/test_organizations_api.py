"""The register of organizations through the API: read by everyone signed in, kept by managers of the
locality (and above), a sheet imported all or nothing."""

from __future__ import annotations

import io

from api_client import Api

from engine.formats.credit_code import compose_credit_code

CODE = compose_credit_code("52650100", "MA7GK3L2")  # a social organization registered in 乌鲁木齐
BAD_CHECK = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")


def _sheet(*rows: str) -> dict:
    body = "\ufeff类型,所属地区,名称,统一社会信用代码\n" + "\n".join(rows) + "\n"
    return {"file": (io.BytesIO(body.encode("utf-8")), "机构.csv")}


def test_everyone_signed_in_reads_the_register_filtered_by_locality_and_kind(api: Api) -> None:
    providers = api.get("provider_urumqi", "/organizations", query_string={"locality": "650100", "kind": "承接主体"})
    assert providers.status_code == 200
    assert len(providers.json) >= 3
    assert {o["kind"] for o in providers.json} == {"provider"} and {o["locality"] for o in providers.json} == {"650100"}
    assert all(len(o["credit_code"]) == 18 for o in providers.json)
    assert api.get(None, "/organizations").status_code == 401
    assert api.get("provider_urumqi", "/organizations", query_string={"kind": "银行"}).status_code == 422


def test_a_manager_registers_organizations_of_their_locality_only(api: Api) -> None:
    body = {"kind": "承接主体", "locality": "650100", "name": "乌鲁木齐市助老服务中心", "credit_code": CODE}
    assert api.post("provider_urumqi", "/organizations", body).status_code == 403
    assert api.post("manager_karamay", "/organizations", body).status_code == 403

    wrong = api.post("manager_urumqi", "/organizations", {**body, "credit_code": BAD_CHECK})
    assert wrong.status_code == 422 and "校验位" in wrong.json["errors"]["credit_code"][0]
    missing = api.post("manager_urumqi", "/organizations", {**body, "credit_code": None})
    assert missing.status_code == 422 and list(missing.json["errors"]) == ["credit_code"]

    created = api.post("manager_urumqi", "/organizations", body)
    assert created.status_code == 201, created.json
    assert (created.json["kind"], created.json["credit_code"]) == ("provider", CODE)
    again = api.post("manager_urumqi", "/organizations", body)
    assert again.status_code == 422 and {"name", "credit_code"} <= set(again.json["errors"])


def test_a_sheet_imports_every_row_or_none(api: Api) -> None:
    other = compose_credit_code("52650200", "MA7GK3L3")
    outside = _sheet(f"承接主体,650100,乌鲁木齐市社工服务社,{CODE}", f"承接主体,650200,克拉玛依市社工服务社,{other}")
    refused = api.call(
        "POST", "manager_urumqi", "/organizations/import", data=outside, content_type="multipart/form-data"
    )
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["row 3: locality"]
    names = {o["name"] for o in api.get("manager_urumqi", "/organizations", query_string={"locality": "650100"}).json}
    assert "乌鲁木齐市社工服务社" not in names

    rows = (f"承接主体,650100,乌鲁木齐市社工服务社,{CODE}", "采购单位,乌鲁木齐市,乌鲁木齐市文化和旅游局,")
    provider_try = api.call(
        "POST", "provider_urumqi", "/organizations/import", data=_sheet(*rows), content_type="multipart/form-data"
    )
    assert provider_try.status_code == 403
    done = api.call(
        "POST", "manager_urumqi", "/organizations/import", data=_sheet(*rows), content_type="multipart/form-data"
    )
    assert done.status_code == 201, done.json
    assert [(o["kind"], o["name"]) for o in done.json] == [
        ("provider", "乌鲁木齐市社工服务社"),
        ("purchasing_department", "乌鲁木齐市文化和旅游局"),
    ]


def test_a_manager_adds_people_to_an_organization(api: Api) -> None:
    body = {"kind": "provider", "locality": "650100", "name": "乌鲁木齐市康养服务公司", "credit_code": CODE}
    organization = api.post("manager_urumqi", "/organizations", body).json["id"]
    url = f"/organizations/{organization}/members"
    assert api.post("manager_urumqi", url, {"username": "nobody_here"}).status_code == 422
    assert api.post("provider_urumqi", url, {"username": "provider_urumqi"}).status_code == 403
    added = api.post("manager_urumqi", url, {"username": "provider_urumqi"})
    assert added.status_code == 200 and added.json["members"] == ["provider_urumqi"]
    assert api.get("provider_urumqi", url).json["members"] == ["provider_urumqi"]
    assert api.get("provider_urumqi", "/organizations/999999/members").status_code == 404
