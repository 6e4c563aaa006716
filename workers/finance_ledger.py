"""The books of the simulated finance systems, in memory: budget lines, commitments, payments, notices.

Amounts are yuan to the fen (``Decimal``, two places). Each change is idempotent on the key the real
systems use — a commitment per business key (one contract per project), a payment per instruction id,
a notice per notice id — because a worker may send the same request again (its answer was lost, or its
lock ran out and another worker redid the task): a repeat gets the first answer and changes nothing, and
a repeat that asks for something else under the same key is refused rather than guessed at. One lock
guards everything; the simulator serves requests on threads.
"""

from __future__ import annotations

import itertools
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN = Decimal("0.01")


class Refused(Exception):
    """A request the system answers with a business refusal: HTTP ``status``, a ``code`` workers map."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class BudgetLine:
    """A 预算指标: a department's approved amount for a purpose, and what is still uncommitted."""

    code: str
    department: str
    name: str
    year: int
    total: Decimal
    available: Decimal


@dataclass(frozen=True)
class Commitment:
    id: str
    business_key: str
    line: str
    amount: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class Payment:
    instruction_id: str
    business_key: str
    amount: Decimal
    payee: str
    payee_code: str
    voucher_no: str
    confirmed_on: date


@dataclass(frozen=True)
class Notice:
    notice_id: str
    business_key: str
    title: str
    publication_id: str
    published_on: date


def money(value: Any, field: str) -> Decimal:
    """A positive amount from JSON (a number or a numeric string), to the fen (四舍五入); else refused (422)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Refused(422, "INVALID", f"{field}: a positive amount in yuan")
    try:
        amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise Refused(422, "INVALID", f"{field}: a positive amount in yuan") from None
    if not amount.is_finite() or amount <= 0:
        raise Refused(422, "INVALID", f"{field}: a positive amount in yuan")
    return amount


class Ledger:
    """The three systems' state; every method is one atomic step under the ledger's lock."""

    def __init__(self, lines: list[BudgetLine]) -> None:
        self._lines = {line.code: line for line in lines}
        self._commitments: dict[str, Commitment] = {}
        self._payments: dict[str, Payment] = {}
        self._notices: dict[str, Notice] = {}
        self._serial = itertools.count(1)
        self._lock = threading.Lock()

    def lines(self, department: str | None = None) -> list[BudgetLine]:
        with self._lock:
            return [line for line in self._lines.values() if department in (None, line.department)]

    def check(self, department: str, amount: Decimal) -> tuple[bool, BudgetLine | None]:
        """Whether the department has a line with ``amount`` uncommitted: the answer and the line with the
        most left (``None`` when the department has no line at all)."""
        with self._lock:
            own = [line for line in self._lines.values() if line.department == department]
            best = max(own, key=lambda line: line.available, default=None)
            return best is not None and best.available >= amount, best

    def commit(self, business_key: str, line_code: str, amount: Decimal) -> tuple[Commitment, bool]:
        """Commit ``amount`` against the line for the project ``business_key``; (the commitment, new?)."""
        with self._lock:
            done = self._commitments.get(business_key)
            if done is not None:
                if (done.line, done.amount) != (line_code, amount):
                    raise Refused(409, "KEY_REUSED", f"{business_key} already committed {done.amount} on {done.line}")
                return done, False
            line = self._lines.get(line_code)
            if line is None:
                raise Refused(404, "UNKNOWN_LINE", f"no budget line {line_code}")
            if line.available < amount:
                raise Refused(409, "NO_BUDGET", f"{line_code} has {line.available} yuan left, {amount} asked")
            line.available -= amount
            done = Commitment(f"BC{next(self._serial):06d}", business_key, line_code, amount, line.available)
            self._commitments[business_key] = done
            return done, True

    def pay(
        self, instruction_id: str, business_key: str, amount: Decimal, payee: str, payee_code: str
    ) -> tuple[Payment, bool]:
        """Accept and confirm a payment instruction (国库集中支付); (the payment, new?)."""
        if not payee.strip() or not payee_code.strip():
            raise Refused(422, "PAYMENT_REFUSED", "the payee's name and 统一社会信用代码 are required")
        with self._lock:
            done = self._payments.get(instruction_id)
            if done is not None:
                if (done.amount, done.payee_code) != (amount, payee_code):
                    raise Refused(409, "KEY_REUSED", f"instruction {instruction_id} was for {done.amount} yuan")
                return done, False
            today = date.today()
            voucher = f"GK{today:%Y%m%d}{next(self._serial):06d}"
            done = Payment(instruction_id, business_key, amount, payee, payee_code, voucher, today)
            self._payments[instruction_id] = done
            return done, True

    def publish(self, notice_id: str, business_key: str, title: str) -> tuple[Notice, bool]:
        """Publish a notice on the procurement platform; (the notice, new?)."""
        if not title.strip():
            raise Refused(422, "INVALID", "title: the notice needs a title")
        with self._lock:
            done = self._notices.get(notice_id)
            if done is None:
                today = date.today()
                done = Notice(notice_id, business_key, title, f"ZC{today:%Y}{next(self._serial):06d}", today)
                self._notices[notice_id] = done
                return done, True
            return done, False

    def notice(self, publication_id: str) -> Notice | None:
        with self._lock:
            return next((n for n in self._notices.values() if n.publication_id == publication_id), None)


def demo_lines(year: int) -> list[BudgetLine]:
    """One 政府购买服务 line per department the demo projects name, twice what its demo projects budget."""
    from engine.demo.seed import DEMO_PROJECTS  # the departments the demo's projects are started for

    budgets: dict[str, int] = defaultdict(int)
    for projects in DEMO_PROJECTS.values():
        for project in projects:
            budgets[project.department] += project.budget
    lines = []
    for n, (department, total) in enumerate(sorted(budgets.items()), start=1):
        amount = Decimal(2 * total)
        lines.append(BudgetLine(f"YS{year}-{n:03d}", department, f"{department}政府购买服务", year, amount, amount))
    return lines
