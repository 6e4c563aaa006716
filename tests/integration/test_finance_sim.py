"""The finance simulator's contract over HTTP (``servflow finance-sim``): idempotent keys, refusals, faults."""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import quote

import pytest

from bench.servers import request

DEPARTMENT = "克拉玛依市民政局"


def call(port: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    return request(port, method, path, body, token=None)


def test_a_commitment_reduces_the_line_once_per_business_key_and_a_check_sees_it(finance_port: int) -> None:
    _, (line,) = call(finance_port, "GET", f"/budget/lines?department={quote(DEPARTMENT)}")
    body = {"business_key": "K-1", "line": line["code"], "amount": 1000.005}
    first, again = (
        call(finance_port, "POST", "/budget/commitments", body),
        call(finance_port, "POST", "/budget/commitments", body),
    )
    assert (first[0], again[0]) == (201, 200) and first[1] == again[1]
    assert first[1]["amount"] == 1000.01  # to the fen, rounded half up
    assert first[1]["remaining"] == pytest.approx(line["available"] - 1000.01)

    reused = call(finance_port, "POST", "/budget/commitments", body | {"amount": 5})
    assert (reused[0], reused[1]["code"]) == (409, "KEY_REUSED")
    too_much = call(finance_port, "POST", "/budget/commitments", body | {"business_key": "K-2", "amount": 10**12})
    assert (too_much[0], too_much[1]["code"]) == (409, "NO_BUDGET")
    unknown = call(finance_port, "POST", "/budget/commitments", body | {"business_key": "K-3", "line": "YS-none"})
    assert (unknown[0], unknown[1]["code"]) == (404, "UNKNOWN_LINE")

    left = first[1]["remaining"]
    assert call(finance_port, "POST", "/budget/check", {"department": DEPARTMENT, "amount": left})[1]["available"]
    short = call(finance_port, "POST", "/budget/check", {"department": DEPARTMENT, "amount": left + 1})[1]
    assert (short["available"], short["line"], short["available_amount"]) == (False, line["code"], left)
    nobody = call(finance_port, "POST", "/budget/check", {"department": "无此单位", "amount": 1})[1]
    assert (nobody["available"], nobody["line"]) == (False, None)


def test_payments_and_notices_answer_a_repeat_with_the_first_result(finance_port: int) -> None:
    payment = {"instruction_id": "P-1", "business_key": "K-1", "amount": 30_000, "payee": "某公司", "payee_code": "91X"}
    first, again = (
        call(finance_port, "POST", "/treasury/payments", payment),
        call(finance_port, "POST", "/treasury/payments", payment),
    )
    assert (first[0], again[0], first[1]["status"]) == (201, 200, "confirmed") and first[1] == again[1]
    refused = call(finance_port, "POST", "/treasury/payments", payment | {"instruction_id": "P-2", "payee": ""})
    assert (refused[0], refused[1]["code"]) == (422, "PAYMENT_REFUSED")

    notice = {"notice_id": "N-1", "business_key": "K-1", "title": "某项目采购公告"}
    published, repeated = (
        call(finance_port, "POST", "/procurement/notices", notice),
        call(finance_port, "POST", "/procurement/notices", notice),
    )
    assert (published[0], repeated[0]) == (201, 200) and published[1] == repeated[1]
    status, shown = call(finance_port, "GET", f"/procurement/notices/{published[1]['publication_id']}")
    assert (status, shown["title"]) == (200, "某项目采购公告")

    bad = call(finance_port, "POST", "/budget/check", {"department": DEPARTMENT, "amount": True})
    assert (bad[0], bad[1]["code"]) == (422, "INVALID")


def test_faults_fail_the_next_calls_and_a_cleared_delay_releases_the_waiting_call(finance_port: int) -> None:
    check = {"department": DEPARTMENT, "amount": 1}
    assert call(finance_port, "POST", "/_faults", {"fail": 2, "status": 500})[0] == 200
    statuses = [call(finance_port, "POST", "/budget/check", check)[0] for _ in range(3)]
    assert statuses == [500, 500, 200]

    call(finance_port, "POST", "/_faults", {"delay_ms": 60_000})
    answered: list[int] = []
    started = time.monotonic()
    waiting = threading.Thread(target=lambda: answered.append(call(finance_port, "POST", "/budget/check", check)[0]))
    waiting.start()
    time.sleep(0.5)
    assert answered == []  # held by the delay
    call(finance_port, "POST", "/_faults", {})
    waiting.join(10)
    assert answered == [200] and time.monotonic() - started < 10
    assert call(finance_port, "GET", "/_calls")[1]["/budget/check"] == 4
