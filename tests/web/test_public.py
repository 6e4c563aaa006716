"""The public disclosure page: no sign-in, filters by kind, locality and date, only published fields, CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from dashboard_seed import seed
from flask.testing import FlaskClient

from engine.service import Engine
from engine.store.models import Disclosure


def add(engine: Engine, instance_id: int, locality: str, kind: str, title: str, at: datetime, **data: object) -> None:
    with engine.unit_of_work(write=True) as uow:
        uow.session.add(
            Disclosure(
                instance_id=instance_id,
                locality_code=locality,
                kind=kind,
                title=title,
                element_id="x",
                data={"business_key": f"KEY-{title}", **data},
                published_at=at,
            )
        )
        uow.commit()


@pytest.fixture
def announcements(engine: Engine) -> dict[str, int]:
    """The seed's contract announcement (P5, 650000, 2026-03-01) plus three written directly."""
    seeded = seed(engine)
    p3, p4 = seeded.instances["P3"], seeded.instances["P4"]
    add(engine, p3, "650200", "intent", "克拉玛依培训意向", datetime(2026, 1, 5, 3, tzinfo=UTC), budget=800000)
    # 2026-02-10 23:30 in China is still 02-10 there, though 15:30 UTC
    add(
        engine,
        p4,
        "650204",
        "result",
        "白碱滩食堂结果",
        datetime(2026, 2, 10, 15, 30, tzinfo=UTC),
        award_amount="250000",
    )
    add(engine, p4, "650204", "acceptance", "白碱滩食堂验收", datetime(2026, 2, 10, 16, 30, tzinfo=UTC))
    return seeded.instances


def titles(client: FlaskClient, query: str = "") -> list[str]:
    response = client.get(f"/public/?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return re.findall(r"<h3>(.*?)</h3>", response.get_data(as_text=True))


def test_anyone_reads_announcements_without_signing_in(client: FlaskClient, announcements: dict[str, int]) -> None:
    response = client.get("/public/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert titles(client) == ["公共图书馆数字服务", "白碱滩食堂验收", "白碱滩食堂结果", "克拉玛依培训意向"]
    assert "合同公告" in html and "结果公告" in html and "验收结果" in html and "采购意向" in html
    assert "新疆数字文化有限公司" in html and "¥1,980,000.50" in html and "¥250,000.00" in html
    # only the published fields: P5's budget (2,000,000) was never in its announcement
    assert "2,000,000" not in html and "自治区文化和旅游厅" not in html


def test_filters_by_kind_locality_and_china_date(client: FlaskClient, announcements: dict[str, int]) -> None:
    assert titles(client, "kind=contract") == ["公共图书馆数字服务"]
    assert titles(client, "locality=650200") == [
        "白碱滩食堂验收",
        "白碱滩食堂结果",
        "克拉玛依培训意向",
    ]  # with 白碱滩区
    assert titles(client, "locality=650204&kind=result") == ["白碱滩食堂结果"]
    assert titles(client, "from=2026-02-10&to=2026-02-10") == ["白碱滩食堂结果"]  # 16:30 UTC is 02-11 in China
    assert titles(client, "from=2026-02-11") == ["公共图书馆数字服务", "白碱滩食堂验收"]
    assert titles(client, "to=2026-01-31") == ["克拉玛依培训意向"]


BAD_FILTERS = [
    ("from=2026-13-01", 400, "格式不正确"),
    ("to=yesterday", 400, "格式不正确"),
    ("from=2026-03-01&to=2026-02-01", 400, "开始日期不能晚于结束日期"),
    ("kind=secret", 400, "未知的公告类型"),
    ("locality=999999", 404, "未知的地区"),
    ("page=0", 400, "page"),
]


def test_bad_filters_get_a_clear_answer(client: FlaskClient) -> None:
    for query, status, message in BAD_FILTERS:
        response = client.get(f"/public/?{query}")
        assert response.status_code == status, query
        assert message in response.get_data(as_text=True), query


def test_csv_has_a_column_per_published_field(client: FlaskClient, announcements: dict[str, int]) -> None:
    response = client.get("/public/?format=csv&kind=contract")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["发布日期", "类型", "地区", "标题", "项目编号", "项目名称", "成交供应商", "合同金额", "签订日期"]
    assert rows[1][1:] == [
        "合同公告",
        "自治区本级",
        "公共图书馆数字服务",
        "XJ-2026-P5",
        "公共图书馆数字服务",
        "新疆数字文化有限公司",
        "1980000.50",
        "2026-03-01",
    ]


def test_the_page_pages_and_speaks_english(client: FlaskClient, engine: Engine, announcements: dict[str, int]) -> None:
    for n in range(25):
        add(engine, announcements["P1"], "650100", "intent", f"乌鲁木齐意向{n:02d}", datetime(2025, 12, 1, tzinfo=UTC))
    first = client.get("/public/?locality=650100").get_data(as_text=True)
    assert "共 25 条公告" in first and "第 1 / 2 页" in first
    assert len(titles(client, "locality=650100&page=2")) == 5
    client.get("/lang/en")
    english = client.get("/public/?kind=contract").get_data(as_text=True)
    assert "Contract announcement" in english and "Winning supplier" in english
