"""Organizations: every field checked, names once per locality, credit codes once, imports all or nothing
from CSV and Excel sheets with Chinese headers, and the demo's organizations and members."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from engine.demo.seed import DEMO_LOCALITIES, DEMO_ORGANIZATIONS, demo_logins, demo_organization, seed_users
from engine.errors import InputTooLargeError, InvalidDataError
from engine.formats import credit_code as cc
from engine.formats import organization_sheet
from engine.formats.credit_code import compose_credit_code, is_valid_credit_code
from engine.formats.organization_sheet import read_organization_sheet
from engine.identity import organizations as orgs
from engine.identity.organizations import (
    add_member,
    create_organization,
    import_organizations,
    list_organizations,
    organizations_of,
)
from engine.identity.users import create_user, get_user, grant
from engine.service import Engine
from engine.store.models import Membership, Organization, RoleGrant

TENCENT = "91440300708461136T"
PROVIDER_A = compose_credit_code("91650100", "MA000001")
PROVIDER_B = compose_credit_code("52650100", "MJ000002")
AGENT = compose_credit_code("91650200", "MA000003")
HEADER_ZH = ["类型", "所属地区", "名称", "统一社会信用代码", "备注"]


def wrong_check(code: str) -> str:
    """``code`` with another 18th character."""
    return code[:-1] + cc.CHARSET[(cc.CHARSET.index(code[-1]) + 1) % len(cc.CHARSET)]


def count(engine: Engine) -> int:
    with engine.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(Organization))


def refused(engine: Engine, *args: Any, **kwargs: Any) -> dict[str, list[str]]:
    with engine.unit_of_work(write=True) as uow, pytest.raises(InvalidDataError) as caught:
        create_organization(uow.session, *args, **kwargs)
    return caught.value.errors


def test_an_organization_is_created_with_its_fields_checked_and_normalized(engine: Engine) -> None:
    with engine.unit_of_work(write=True) as uow:
        provider = create_organization(
            uow.session, "承接主体", "乌鲁木齐市", " 新疆天山社会工作服务中心 ", PROVIDER_B.lower()
        )
        bureau = create_organization(uow.session, "finance_bureau", "650100", "乌鲁木齐市财政局")
        uow.commit()
    assert (provider.kind, provider.locality_code, provider.name) == ("provider", "650100", "新疆天山社会工作服务中心")
    assert provider.credit_code == PROVIDER_B and provider.is_active and provider.created_at is not None
    assert bureau.credit_code is None, "a finance bureau may be registered without a code"


def test_each_wrong_field_is_named(engine: Engine) -> None:
    assert refused(engine, "ngo", "650100", "某机构") == {"kind": [orgs.unknown_kind("ngo")]}
    assert refused(engine, "provider", "650999", "某公司", PROVIDER_A) == {
        "locality": [orgs.unknown_locality("650999")]
    }
    assert refused(engine, "provider", "650100", "", PROVIDER_A) == {"name": [orgs.WRONG_NAME]}
    assert refused(engine, "provider", "650100", "名" * 201, PROVIDER_A) == {"name": [orgs.WRONG_NAME]}
    assert refused(engine, "", "", "x") == {"kind": [orgs.REQUIRED], "locality": [orgs.REQUIRED]}
    assert refused(engine, "provider", "650100", "某公司", wrong_check(PROVIDER_A)) == {"credit_code": [cc.WRONG_CHECK]}
    assert refused(engine, "purchasing_department", "650100", "某局", "12345") == {"credit_code": [cc.wrong_length(5)]}
    assert "未知的机构类型「ngo」" in orgs.unknown_kind("ngo") and "Unknown organization kind" in orgs.unknown_kind("x")
    with engine.unit_of_work(write=True) as uow:
        assert create_organization(uow.session, "provider", "650100", "名" * 200, PROVIDER_A).name == "名" * 200
    assert count(engine) == 0, "nothing was committed"


@pytest.mark.parametrize("kind", ["provider", "procurement_agent", "采购代理机构"])
def test_providers_and_agents_need_a_credit_code(engine: Engine, kind: str) -> None:
    assert refused(engine, kind, "650100", "某公司") == {"credit_code": [orgs.CODE_NEEDED]}
    assert refused(engine, kind, "650100", "某公司", "  ") == {"credit_code": [orgs.CODE_NEEDED]}


def test_a_name_is_used_once_per_locality_and_a_code_once_in_all(engine: Engine) -> None:
    with engine.unit_of_work(write=True) as uow:
        create_organization(uow.session, "purchasing_department", "650100", "民政局", TENCENT)
        create_organization(uow.session, "purchasing_department", "650200", "民政局")  # another locality: fine
        uow.commit()
    assert refused(engine, "purchasing_department", "650100", "民政局") == {"name": [orgs.NAME_TAKEN]}
    assert refused(engine, "provider", "650000", "腾讯", " " + TENCENT.lower()) == {
        "credit_code": [orgs.code_taken("民政局")]
    }
    assert count(engine) == 2


def test_members_and_lists(engine: Engine) -> None:
    with engine.unit_of_work(write=True) as uow:
        department = create_organization(uow.session, "purchasing_department", "650100", "乌鲁木齐市民政局")
        agent = create_organization(uow.session, "procurement_agent", "650200", "某代理公司", AGENT)
        closed = create_organization(uow.session, "provider", "650100", "已注销公司", PROVIDER_A)
        closed.is_active = False
        person = create_user(uow.session, "purchaser_x", "pw", "采购人")
        other = create_user(uow.session, "nobody", "pw", "无")
        assert add_member(uow.session, department, person).id == add_member(uow.session, department, person).id
        add_member(uow.session, agent, person)
        grant(uow.session, person, "purchaser", "650100", organization=department)
        uow.commit()
    with engine.unit_of_work() as uow:
        person, other = get_user(uow.session, "purchaser_x"), get_user(uow.session, "nobody")
        assert [o.name for o in organizations_of(uow.session, person)] == ["乌鲁木齐市民政局", "某代理公司"]
        assert organizations_of(uow.session, other) == []
        assert [u.username for u in orgs.members_of(uow.session, department)] == ["purchaser_x"]
        assert [o.name for o in list_organizations(uow.session)] == ["乌鲁木齐市民政局", "某代理公司"]
        assert [o.name for o in list_organizations(uow.session, locality="克拉玛依市")] == ["某代理公司"]
        assert [o.name for o in list_organizations(uow.session, kind="采购单位")] == ["乌鲁木齐市民政局"]
        assert len(list_organizations(uow.session, locality="650100", include_inactive=True)) == 2
        with pytest.raises(InvalidDataError):
            list_organizations(uow.session, kind="ngo")
        held = uow.session.scalars(select(RoleGrant).where(RoleGrant.user_id == person.id)).one()
        assert held.organization_id == department.id
        assert uow.session.scalar(select(func.count()).select_from(Membership)) == 2


# --------------------------------------------------------------------------- imports

GOOD_ROWS = [
    ["财政部门", "乌鲁木齐市", "乌鲁木齐市财政局", "", ""],
    ["采购单位", "650100", "乌鲁木齐市教育局", "", "市属"],
    ["承接主体", "乌鲁木齐市", "新疆天山社会工作服务中心", PROVIDER_B, ""],
    ["采购代理机构", "克拉玛依市", "某代理公司", AGENT, ""],
    ["第三方评价机构", "650000", "新疆正衡绩效评价咨询有限公司", "", ""],
    ["监督部门", "650000", "自治区审计厅", "", ""],
]
BAD_ROWS = [
    ["财政部门", "乌鲁木齐市", "乌鲁木齐市财政局", "", ""],  # row 2: fine
    ["承接主体", "乌鲁木齐市", "某服务公司", wrong_check(PROVIDER_A), ""],  # row 3: wrong check character
    ["社团", "乌鲁木齐市", "某社团", "", ""],  # row 4: unknown kind
    ["采购单位", "乌鲁木齐市", "乌鲁木齐市财政局", "", ""],  # row 5: repeats row 2
    ["承接主体", "火星", "某公司", "", ""],  # row 6: unknown locality, code missing
]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER_ZH, encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], header: list[str] = HEADER_ZH) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "机构名录"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def imported(engine: Engine, data: bytes, filename: str) -> list[Organization]:
    with engine.unit_of_work(write=True) as uow:
        created = import_organizations(uow.session, read_organization_sheet(data, filename))
        uow.commit()
    return created


@pytest.mark.parametrize(
    "data, filename",
    [
        (csv_bytes(GOOD_ROWS), "机构.csv"),  # UTF-8 with the byte-order mark Excel writes
        (csv_bytes(GOOD_ROWS, encoding="utf-8"), "orgs.csv"),
        (csv_bytes(GOOD_ROWS, encoding="gb18030"), "机构.csv"),  # a Chinese Excel's CSV export
        (xlsx_bytes(GOOD_ROWS), "机构.xlsx"),
    ],
    ids=["csv-bom", "csv-utf8", "csv-gb18030", "xlsx"],
)
def test_a_good_sheet_imports_every_row(engine: Engine, data: bytes, filename: str) -> None:
    created = imported(engine, data, filename)
    assert [(o.kind, o.locality_code) for o in created] == [
        ("finance_bureau", "650100"),
        ("purchasing_department", "650100"),
        ("provider", "650100"),
        ("procurement_agent", "650200"),
        ("evaluator", "650000"),
        ("supervisor", "650000"),
    ]
    assert created[2].credit_code == PROVIDER_B and created[0].credit_code is None
    assert count(engine) == len(GOOD_ROWS)


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_a_sheet_with_bad_rows_imports_nothing_and_names_every_bad_row(engine: Engine, make: Any) -> None:
    rows = read_organization_sheet(make(BAD_ROWS), "bad.xlsx" if make is xlsx_bytes else "bad.csv")
    with engine.unit_of_work(write=True) as uow:
        with pytest.raises(InvalidDataError) as caught:
            import_organizations(uow.session, rows)
        uow.commit()
    assert caught.value.errors == {
        "row 3: credit_code": [cc.WRONG_CHECK],
        "row 4: kind": [orgs.unknown_kind("社团")],
        "row 5: name": [orgs.repeats_row(2)],
        "row 6: locality": [orgs.unknown_locality("火星")],
        "row 6: credit_code": [orgs.CODE_NEEDED],
    }
    assert "4 of 5 rows" in caught.value.message and "未导入任何机构" in caught.value.message
    assert count(engine) == 0


def test_an_import_refuses_names_and_codes_already_registered_or_repeated(engine: Engine) -> None:
    with engine.unit_of_work(write=True) as uow:
        create_organization(uow.session, "provider", "650100", "新疆天山社会工作服务中心", PROVIDER_B)
        uow.commit()
    rows = [
        {"kind": "provider", "locality": "650100", "name": "新疆天山社会工作服务中心", "credit_code": PROVIDER_A},
        {"kind": "provider", "locality": "650200", "name": "另一家", "credit_code": PROVIDER_B},
        {"kind": "provider", "locality": "650200", "name": "第三家", "credit_code": AGENT},
        {"kind": "provider", "locality": "650000", "name": "第四家", "credit_code": AGENT.lower()},
    ]
    with engine.unit_of_work(write=True) as uow, pytest.raises(InvalidDataError) as caught:
        import_organizations(uow.session, rows)
    assert caught.value.errors == {
        "row 2: name": [orgs.NAME_TAKEN],
        "row 3: credit_code": [orgs.code_taken("新疆天山社会工作服务中心")],
        "row 5: credit_code": [orgs.repeats_row(4)],
    }
    assert count(engine) == 1


def test_english_headers_any_order_and_blank_lines() -> None:
    rows = [["", "", ""], ["Finance bureau", "乌鲁木齐市财政局", "650100"]]
    data = csv_bytes(rows, ["Kind", "name", "Locality"], encoding="utf-8")
    assert read_organization_sheet(b"\n" + data) == [
        {"row": 4, "kind": "Finance bureau", "locality": "650100", "name": "乌鲁木齐市财政局", "credit_code": ""}
    ]


def test_a_sheet_without_its_columns_or_in_no_known_format_is_refused() -> None:
    with pytest.raises(InvalidDataError) as caught:
        read_organization_sheet(csv_bytes([["x"]], ["名称", "统一社会信用代码"]))
    assert caught.value.errors == {"file": ["缺少列：类型、所属地区 / Missing columns: kind, locality"]}
    with pytest.raises(InvalidDataError) as caught:
        read_organization_sheet(b"PK\x03\x04 not really a zip", "x.xlsx")
    assert list(caught.value.errors) == ["file"]
    with pytest.raises(InvalidDataError):
        read_organization_sheet(b"")
    with pytest.raises(InputTooLargeError):
        read_organization_sheet(b"a" * (organization_sheet.MAX_SHEET_BYTES + 1))


def test_a_credit_code_excel_turned_into_a_number_is_refused_before_import() -> None:
    rows = [["承接主体", "650100", "华为", 914403001922038216, ""], ["承接主体", "650100", 2024, TENCENT, ""]]
    with pytest.raises(InvalidDataError) as caught:
        read_organization_sheet(xlsx_bytes(rows), "x.xlsx")
    assert list(caught.value.errors) == ["row 2: credit_code"]  # a spreadsheet number keeps ~15 digits, not 18
    assert "设为文本" in caught.value.errors["row 2: credit_code"][0]
    assert read_organization_sheet(xlsx_bytes(rows[1:]), "x.xlsx")[0]["name"] == "2024"  # not "2024.0"


# --------------------------------------------------------------------------- demo data


def test_the_demo_seed_registers_organizations_with_valid_codes_and_members(engine: Engine) -> None:
    seed_users(engine)
    seed_users(engine)  # idempotent
    with engine.unit_of_work() as uow:
        registered = list_organizations(uow.session)
        assert len(registered) == len(DEMO_ORGANIZATIONS)
        assert all(is_valid_credit_code(o.credit_code, check_organization_code=True) for o in registered)
        kinds = Counter((o.locality_code, o.kind) for o in registered)
        for code, _suffix, _place in DEMO_LOCALITIES:
            assert kinds[code, "finance_bureau"] == 1 and kinds[code, "procurement_agent"] == 1
            assert kinds[code, "purchasing_department"] >= 2 and kinds[code, "provider"] >= 3
        names = {o.name for o in registered}
        assert {"乌鲁木齐市民政局", "乌鲁木齐市教育局", "克拉玛依市教育局", "自治区文化和旅游厅"} <= names

        members = {
            login.username: [o.name for o in organizations_of(uow.session, get_user(uow.session, login.username))]
            for login in demo_logins()
        }
        assert (
            members["purchaser_urumqi"]
            == ["乌鲁木齐市民政局"]
            == [get_user(uow.session, "purchaser_urumqi").department]
        )
        assert members["finance_reviewer_karamay"] == members["finance_reviewer2_karamay"] == ["克拉玛依市财政局"]
        assert members["provider_region"] == ["新疆天山社会工作服务中心"]
        assert members["agent_urumqi"] == ["乌鲁木齐市诚信招标代理有限公司"]
        assert members["panel_urumqi"] == members["recipient_region"] == members["designer_karamay"] == []
        for login in demo_logins():
            expected = demo_organization(login)
            assert members[login.username] == ([expected] if expected else []), login.username
        kind_of = {o.name: o.kind for o in registered}
        assert kind_of[members["auditor_region"][0]] == "supervisor"
        assert kind_of[members["evaluator_karamay"][0]] == "evaluator"
        assert uow.session.scalar(select(func.count()).select_from(Membership)) == sum(map(bool, members.values()))
