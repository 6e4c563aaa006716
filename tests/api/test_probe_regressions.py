"""Regressions for defects an outside probe found in the API (issue #12)."""

from __future__ import annotations

from api_client import Api


def test_global_audit_filters_by_the_instance_id_of_the_query_string(api: Api) -> None:
    first = api.start("purchaser_urumqi", "650100", "UR-AUDIT-1", project_name="甲").json
    api.start("purchaser_urumqi", "650100", "UR-AUDIT-2", project_name="乙")
    answer = api.get("admin", "/audit", query_string={"instance_id": str(first["id"]), "per_page": 100})
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] >= 1
    assert {item["instance_id"] for item in answer.json["items"]} == {first["id"]}
    refused = api.get("admin", "/audit", query_string={"instance_id": "abc"})
    assert refused.status_code == 422 and "instance_id" in refused.json["errors"]
