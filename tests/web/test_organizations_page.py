"""The register of organizations page: looked up by everyone signed in, kept by managers of the locality."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient

from engine.formats.credit_code import compose_credit_code
from support import csrf_token, login

CODE = compose_credit_code("52650100", "MA7GK3L2")


def _register(client: FlaskClient, **fields: str):
    body = {"kind": "provider", "locality": "650100", "name": "乌鲁木齐市助老服务中心", "credit_code": CODE}
    return client.post("/organizations/", data={**body, **fields, "csrf_token": csrf_token(client, "/")})


def test_a_provider_looks_organizations_up_but_cannot_register_one(client: FlaskClient) -> None:
    login(client, "provider_urumqi")
    html = client.get("/organizations/?locality=650100&kind=provider").get_data(as_text=True)
    assert "承接主体" in html and "统一社会信用代码" in html
    assert 'id="register-form"' not in html and 'id="import-form"' not in html
    assert _register(client).status_code == 403


def test_a_manager_registers_a_provider_and_a_wrong_code_is_shown_on_its_field(client: FlaskClient) -> None:
    login(client, "manager_urumqi")
    wrong = _register(client, credit_code=CODE[:-1] + ("0" if CODE[-1] != "0" else "1"))
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert 'data-field="credit_code">统一社会信用代码校验位错误' in html
    assert 'value="乌鲁木齐市助老服务中心"' in html  # what was typed is kept

    done = _register(client)
    assert done.status_code == 302
    listed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已登记：乌鲁木齐市助老服务中心" in listed and CODE in listed
    client.get("/lang/en?next=/")
    assert "Register of organizations" in client.get("/organizations/").get_data(as_text=True)


def test_a_sheet_with_a_wrong_row_imports_nothing_and_names_the_row(client: FlaskClient) -> None:
    login(client, "manager_urumqi")
    sheet = (
        "类型,所属地区,名称,统一社会信用代码\n"
        f"承接主体,650100,乌鲁木齐市社工服务社,{CODE}\n"
        "承接主体,650100,缺代码服务社,\n"
    )
    answer = client.post(
        "/organizations/import",
        data={"file": (io.BytesIO(sheet.encode("gb18030")), "机构.csv"), "csrf_token": csrf_token(client, "/")},
        content_type="multipart/form-data",
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "row 3: credit_code" in html
    assert "乌鲁木齐市社工服务社" not in client.get("/organizations/?locality=650100").get_data(as_text=True)


def test_a_manager_adds_a_person_to_an_organization_on_its_page(client: FlaskClient) -> None:
    login(client, "manager_urumqi")
    created = _register(client)
    listed = client.get(created.headers["Location"]).get_data(as_text=True)
    url = re.search(r'href="(/organizations/\d+)">乌鲁木齐市助老服务中心<', listed)[1]
    assert "尚无人员" in client.get(url).get_data(as_text=True)

    unknown = client.post(f"{url}/members", data={"username": "nobody_here", "csrf_token": csrf_token(client, "/")})
    assert unknown.status_code == 422 and 'data-field="username">没有用户nobody_here' in unknown.get_data(as_text=True)
    added = client.post(f"{url}/members", data={"username": "provider_urumqi", "csrf_token": csrf_token(client, "/")})
    assert added.status_code == 302
    assert 'data-member="provider_urumqi"' in client.get(url).get_data(as_text=True)

    login(client, "manager_karamay")  # another city's manager reads the page but keeps no register here
    html = client.get(url).get_data(as_text=True)
    assert "provider_urumqi" in html and 'id="member-form"' not in html
    refused = client.post(f"{url}/members", data={"username": "admin", "csrf_token": csrf_token(client, "/")})
    assert refused.status_code == 403
    assert client.get("/organizations/999999").status_code == 404
