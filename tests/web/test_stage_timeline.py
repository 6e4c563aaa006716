"""The project page's stage timeline: each stage from its first task to its last in calendar days, the
current one counted to today, against the bundle's statutory limit (签订合同 within 30 days of the award,
政府采购法 Art.46) — a stage over its limit says by how much, and the law it comes from."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from test_no_raw_codes import signing  # noqa: F401 - the fixture: a project at its contract stage

from engine.service import Engine
from engine.store.models import HumanTask
from support import login


def _row(html: str, stage: str) -> str:
    table = html[html.index('id="stage-timeline"') :]
    return re.search(rf'<tr data-stage="{stage}"[^>]*>(.*?)</tr>', table, re.S).group(0)


def test_a_stage_over_its_statutory_limit_says_by_how_much(
    client: FlaskClient,
    engine: Engine,
    signing: dict,  # noqa: F811
) -> None:
    login(client, "manager_urumqi")
    html = client.get(f"/projects/{signing['instance']}").get_data(as_text=True)
    sign = _row(html, "sign")
    assert "进行中" in sign and "30 天内" in sign and "超出" not in sign and "政府采购法第46条" in sign
    apply = _row(html, "apply")
    assert re.search(r"\d{4}-\d{2}-\d{2}</td>\s*<td>\d{4}-\d{2}-\d{2}</td>", apply)  # done: both dates
    assert "—" in apply  # no statutory limit on the application

    with engine.unit_of_work(write=True) as uow:  # the award was 35 days ago and nobody has signed yet
        for task in uow.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == signing["instance"], HumanTask.process_key == "sign")
        ):
            task.created_at -= timedelta(days=35)
        uow.commit()
    sign = _row(client.get(f"/projects/{signing['instance']}").get_data(as_text=True), "sign")
    assert 'class="over"' in sign and "超出 5 天" in sign and '<td class="num">35</td>' in sign
