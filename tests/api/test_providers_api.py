"""The provider registry through the API: who reads which entry, who blacklists, and what a wrong field,
an unknown id or a wrong role gets — and the public disclosure page shows the bans in force today."""

from __future__ import annotations

from api_client import Api
from flask.testing import FlaskClient

from engine.demo.seed import BAN_REASON, BANNED

AIXIN_CODE = "91650100MA8892759U"  # 乌鲁木齐市爱心养老服务有限公司, provider_urumqi works for it
BOGEDA_CODE = "91650100MA4128147W"  # 新疆博格达检验检测有限公司, provider2_urumqi works for it


def _provider_id(api: Api, code: str) -> int:
    (row,) = api.get("finance_reviewer_urumqi", "/providers", query_string={"q": code}).json
    return row["organization"]["id"]


def _ban(api: Api, user: str, provider_id: int, **fields: str) -> object:
    body = {"reason": "围标串标", "source": "乌财采处〔2026〕9号", "starts_on": "2026-01-01", "ends_on": "2099-12-31"}
    return api.post(user, f"/providers/{provider_id}/blacklist", {**body, **fields})


def test_the_list_shows_who_is_banned_today_and_filters_by_it(api: Api) -> None:
    banned = api.get("purchaser_urumqi", "/providers", query_string={"banned": "true"}).json
    assert [row["organization"]["credit_code"] for row in banned] == [BANNED.credit_code]
    assert banned[0]["ban"]["reason"] == BAN_REASON
    clean = api.get("agent_urumqi", "/providers", query_string={"banned": "false", "locality": "650100"}).json
    codes = {row["organization"]["credit_code"] for row in clean}
    assert {AIXIN_CODE, BOGEDA_CODE} <= codes and BANNED.credit_code not in codes
    assert all(row["ban"] is None for row in clean)


def test_finance_blacklists_a_provider_and_lifts_the_ban_with_a_reason(api: Api, client: FlaskClient) -> None:
    bogeda = _provider_id(api, BOGEDA_CODE)
    made = _ban(api, "finance_reviewer_urumqi", bogeda)
    assert made.status_code == 201, made.json
    entry = api.get("purchaser_urumqi", f"/providers/{bogeda}").json
    assert entry["ban"]["ends_on"] == "2099-12-31" and entry["ban"]["decided_by"] == "finance_reviewer_urumqi"
    public = client.get("/public/").get_data(as_text=True)
    assert BOGEDA_CODE in public and "围标串标" in public and "2026-01-01 至 2099-12-31" in public

    lifted = api.post("manager_region", f"/blacklist/{made.json['id']}/lift", {"reason": "行政复议撤销"})
    assert lifted.status_code == 200, lifted.json
    after = api.get("purchaser_urumqi", f"/providers/{bogeda}").json
    assert after["ban"] is None
    assert after["blacklist"][0]["lifted_by"] == "manager_region"
    assert after["blacklist"][0]["lift_reason"] == "行政复议撤销"
    assert BOGEDA_CODE not in client.get("/public/").get_data(as_text=True)
    again = api.post("manager_region", f"/blacklist/{made.json['id']}/lift", {"reason": "再次"})
    assert again.status_code == 422 and "already lifted" in again.json["errors"]["reason"][0]

    actions = [e["action"] for e in api.get("auditor_urumqi", "/audit", query_string={"per_page": 100}).json["items"]]
    assert "provider_banned" in actions and "provider_ban_lifted" in actions


def test_a_wrong_field_is_named_and_nothing_is_written(api: Api) -> None:
    bogeda = _provider_id(api, BOGEDA_CODE)
    backwards = _ban(api, "finance_reviewer_urumqi", bogeda, starts_on="2026-06-01", ends_on="2026-05-31")
    assert backwards.status_code == 422
    assert "end date" in backwards.json["errors"]["ends_on"][0]
    badly_written = _ban(api, "finance_reviewer_urumqi", bogeda, starts_on="2026/06/01")
    assert badly_written.status_code == 422 and "yyyy-MM-dd" in badly_written.json["errors"]["starts_on"][0]
    no_reason = _ban(api, "finance_reviewer_urumqi", bogeda, reason="  ")
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    assert api.get("finance_reviewer_urumqi", f"/providers/{bogeda}").json["blacklist"] == []


def test_only_finance_and_managers_reaching_the_locality_keep_the_registry(api: Api) -> None:
    aixin = _provider_id(api, AIXIN_CODE)
    assert _ban(api, "purchaser_urumqi", aixin).status_code == 403
    assert _ban(api, "provider_urumqi", aixin).status_code == 403
    assert _ban(api, "finance_reviewer_karamay", aixin).status_code == 403  # another city's finance bureau
    qualification = {"name": "养老机构设立许可", "number": "乌民养许〔2025〕12号", "valid_from": "2025-01-01"}
    added = api.post("manager_region", f"/providers/{aixin}/qualifications", qualification)
    assert added.status_code == 201, added.json
    (listed,) = api.get("provider_urumqi", f"/providers/{aixin}").json["qualifications"]
    assert listed["name"] == "养老机构设立许可" and listed["valid_from"] == "2025-01-01"
    assert listed["valid_until"] is None


def test_a_provider_reads_its_own_entry_only_and_unknown_ids_are_404(api: Api) -> None:
    aixin, bogeda = _provider_id(api, AIXIN_CODE), _provider_id(api, BOGEDA_CODE)
    own = api.get("provider_urumqi", "/providers").json
    assert [row["organization"]["id"] for row in own] == [aixin]
    assert api.get("provider_urumqi", f"/providers/{aixin}").status_code == 200
    assert api.get("provider_urumqi", f"/providers/{bogeda}").status_code == 403
    assert api.get("evaluator_urumqi", "/providers").status_code == 403
    assert api.get("finance_reviewer_urumqi", "/providers/999999").status_code == 404
    finance_bureau = api.get("manager_urumqi", "/organizations", query_string={"kind": "finance_bureau"}).json[0]
    assert api.get("manager_urumqi", f"/providers/{finance_bureau['id']}").status_code == 404
    assert api.post("manager_urumqi", "/blacklist/999999/lift", {"reason": "x"}).status_code == 404
