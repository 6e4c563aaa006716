"""A simulated finance service: the department budget system (部门预算管理系统), the treasury (国库集中支付) and
the government procurement platform (政府采购平台) as one small HTTP process, ``servflow finance-sim``.

The shipped topics' handlers (``workers.handlers``) call it, so tests and the demo run the whole path —
servflow, a worker, another system — over real HTTP between processes. The books are in memory
(``workers.finance_ledger``), seeded with a budget line for every department of the demo projects; a
restart starts them again. Every business call is idempotent on its key, as the real systems' are.

Contract (JSON bodies; an error answers ``{"code", "message"}``):

``GET /budget/lines[?department=…]``
    ``[{code, department, name, year, total, available}]``
``POST /budget/check`` ``{department, amount}``
    200 ``{available, line, available_amount}``: whether the department's line with the most left
    (``line``: its code, ``null`` when the department has none) still holds ``amount``.
``POST /budget/commitments`` ``{business_key, line, amount}``
    201 ``{id, business_key, line, amount, remaining}``; the same business key again: 200 and the first
    commitment. 404 ``UNKNOWN_LINE``; 409 ``NO_BUDGET`` (less left than asked), ``KEY_REUSED`` (the key
    committed something else).
``POST /treasury/payments`` ``{instruction_id, business_key, amount, payee, payee_code}``
    201 ``{instruction_id, status: "confirmed", voucher_no, amount, confirmed_on}``; the same instruction
    again: 200 and the first confirmation. 422 ``PAYMENT_REFUSED`` (no payee); 409 ``KEY_REUSED``.
``POST /procurement/notices`` ``{notice_id, business_key, title}``
    201 ``{publication_id, url, published_on}``; the same notice id again: 200 and the first publication.
``GET /procurement/notices/<publication_id>``
    the published notice (its ``url`` points here).
Any field missing or of the wrong kind: 422 ``INVALID``.

Controls for tests (under ``/_``, never part of a real system's contract):

``POST /_faults`` ``{fail: N, status: 503, delay_ms: D}``
    the next N calls of the systems answer ``status`` with code ``UNAVAILABLE``; every call first waits
    D ms, until the faults are set again (``{}`` clears them and releases calls waiting now).
``GET /_calls``
    ``{path: count}`` of the systems' calls so far, failed ones included.
``GET /healthz``
    ``{"ok": true}``.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from typing import Any

from flask import Flask, Response, jsonify, request

from .finance_ledger import BudgetLine, Ledger, Notice, Refused, demo_lines, money

CONTROL_PREFIX = "/_"


class Faults:
    """What the next calls suffer: a number of failures with a status, and a delay before each answer."""

    def __init__(self) -> None:
        self.fail, self.status, self.delay = 0, 503, 0.0
        self.calls: Counter[str] = Counter()
        self._released = threading.Event()
        self._lock = threading.Lock()

    def set(self, fail: int, status: int, delay: float) -> None:
        with self._lock:
            self.fail, self.status, self.delay = fail, status, delay
            self._released.set()  # calls waiting out the old delay answer now
            self._released = threading.Event()

    def enter(self, path: str) -> int | None:
        """Count the call, wait its delay, and say which error status it fails with (``None``: it does not)."""
        with self._lock:
            self.calls[path] += 1
            delay, released = self.delay, self._released
        if delay:
            released.wait(delay)
        with self._lock:
            if self.fail > 0:
                self.fail -= 1
                return self.status
        return None


def create_app(ledger: Ledger | None = None) -> Flask:
    """The simulator's app: the three systems' endpoints over ``ledger`` (default: the demo's lines)."""
    app = Flask(__name__)
    books = ledger or Ledger(demo_lines(date.today().year))
    faults = Faults()

    @app.errorhandler(Refused)
    def refused(exc: Refused) -> tuple[Response, int]:
        return jsonify(code=exc.code, message=exc.message), exc.status

    @app.before_request
    def suffer_faults() -> tuple[Response, int] | None:
        if request.path.startswith(CONTROL_PREFIX) or request.path == "/healthz":
            return None
        status = faults.enter(request.path)
        if status is None:
            return None
        return jsonify(code="UNAVAILABLE", message=f"simulated fault ({status})"), status

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(ok=True)

    @app.post("/_faults")
    def set_faults() -> Response:
        body = _body()
        fail, status, delay_ms = body.get("fail", 0), body.get("status", 503), body.get("delay_ms", 0)
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (fail, status, delay_ms)):
            raise Refused(422, "INVALID", "fail, status and delay_ms: whole numbers, 0 or more")
        faults.set(fail, status, delay_ms / 1000)
        return jsonify(fail=fail, status=status, delay_ms=delay_ms)

    @app.get("/_calls")
    def calls() -> Response:
        return jsonify(dict(faults.calls))

    @app.get("/budget/lines")
    def lines() -> Response:
        return jsonify([_line(line) for line in books.lines(request.args.get("department"))])

    @app.post("/budget/check")
    def check() -> Response:
        body = _body()
        amount = money(body.get("amount"), "amount")
        available, line = books.check(_text(body, "department"), amount)
        return jsonify(
            available=available,
            line=line.code if line else None,
            available_amount=float(line.available) if line else 0.0,
        )

    @app.post("/budget/commitments")
    def commit() -> tuple[Response, int]:
        body = _body()
        done, new = books.commit(_text(body, "business_key"), _text(body, "line"), money(body.get("amount"), "amount"))
        answer = {"id": done.id, "business_key": done.business_key, "line": done.line}
        return jsonify(answer | {"amount": float(done.amount), "remaining": float(done.remaining)}), 201 if new else 200

    @app.post("/treasury/payments")
    def pay() -> tuple[Response, int]:
        body = _body()
        done, new = books.pay(
            _text(body, "instruction_id"),
            _text(body, "business_key"),
            money(body.get("amount"), "amount"),
            _text(body, "payee", allow_empty=True),
            _text(body, "payee_code", allow_empty=True),
        )
        answer = {"instruction_id": done.instruction_id, "status": "confirmed", "voucher_no": done.voucher_no}
        answer |= {"amount": float(done.amount), "confirmed_on": done.confirmed_on.isoformat()}
        return jsonify(answer), 201 if new else 200

    @app.post("/procurement/notices")
    def publish() -> tuple[Response, int]:
        body = _body()
        done, new = books.publish(_text(body, "notice_id"), _text(body, "business_key"), _text(body, "title"))
        return jsonify(_notice(done)), 201 if new else 200

    @app.get("/procurement/notices/<publication_id>")
    def notice(publication_id: str) -> Response:
        found = books.notice(publication_id)
        if found is None:
            raise Refused(404, "NOT_FOUND", f"no notice {publication_id}")
        return jsonify(_notice(found) | {"title": found.title, "business_key": found.business_key})

    return app


def serve(host: str, port: int) -> None:
    """Run the simulator until interrupted (threaded: a delayed call does not hold up the others)."""
    from werkzeug.serving import run_simple

    run_simple(host, port, create_app(), threaded=True, use_reloader=False)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused(422, "INVALID", "send a JSON object")
    return body


def _text(body: dict[str, Any], name: str, *, allow_empty: bool = False) -> str:
    value = body.get(name, "" if allow_empty else None)
    if not isinstance(value, str) or (not allow_empty and not value.strip()) or len(value) > 500:
        raise Refused(422, "INVALID", f"{name}: a text of at most 500 characters")
    return value


def _line(line: BudgetLine) -> dict[str, Any]:
    fields = {"code": line.code, "department": line.department, "name": line.name, "year": line.year}
    return fields | {"total": float(line.total), "available": float(line.available)}


def _notice(notice: Notice) -> dict[str, Any]:
    url = f"{request.host_url}procurement/notices/{notice.publication_id}"
    return {"publication_id": notice.publication_id, "url": url, "published_on": notice.published_on.isoformat()}
