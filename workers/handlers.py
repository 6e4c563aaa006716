"""The handlers of the shipped topics: what each asks the finance systems and what it answers servflow.

A handler gets the task it holds and the finance systems' client, and returns what to tell servflow:
``Complete`` (variables for the project) or ``BpmnError`` (a business outcome the model catches with an
error boundary event). It raises for anything else, and the worker reports a failure: ``TaskFailed``
with ``permanent`` when trying again cannot help (a variable missing, a request the system refuses), so
the project gets an incident at once for a person to correct its data and retry; any other exception
(the system unreachable, a 5xx) leaves the model's retries and backoff to decide.

The variables are those of the shipped forms and of the service tasks' ``servflow:outputs`` in the shipped
processes (servflow refuses any other name a task does not declare); the systems are those of
``workers.finance_sim``.

``budget.check`` reads ``department``, ``budget``
    completes with ``budget_line`` and ``budget_available_amount``; BPMN error ``NO_BUDGET`` (its message
    saying what is left) when the department's lines hold less than ``budget``.
``budget.commit`` reads ``budget_line``, ``contract_amount``
    completes with ``budget_commitment_id``; ``NO_BUDGET`` when the line holds less than
    ``contract_amount`` by now.
``treasury.pay`` reads ``requested_amount``, ``winner_name``, ``winner_credit_code``
    completes with ``treasury_instruction_id``, ``treasury_paid_date`` and ``treasury_voucher_no`` once the
    treasury confirmed; ``PAYMENT_REFUSED`` when it refused the instruction.
``procurement.publish`` reads ``project_name`` (and the task's name: which notice)
    completes with ``platform_url``, the published notice's address on the platform (it ends with the
    publication's id), the one output every shipped publishing task declares.

Requests that change something carry a key the system is idempotent on — the project's business key for
a commitment, ``<business key>-<task id>`` for a payment instruction or a notice — because a task may be
done twice (a worker died after the system answered it; an incident retried by hand).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from .client import LockedTask


@dataclass(frozen=True)
class Complete:
    variables: dict[str, Any]


@dataclass(frozen=True)
class BpmnError:
    code: str
    message: str


Outcome = Complete | BpmnError


class TaskFailed(Exception):
    """The work failed; ``permanent``: the same request would fail again (no retries, an incident now)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message, self.permanent = message, permanent


class Refusal(Exception):
    """A finance system answered 4xx: its ``code`` (``NO_BUDGET`` …) and ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class FinanceApi:
    """The finance systems' HTTP endpoints at ``base_url`` (``SERVFLOW_FINANCE_URL``)."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base, self.timeout = base_url.rstrip("/"), timeout
        self._session = requests.Session()

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """The JSON answer of a 2xx; raises ``Refusal`` for a 4xx, ``TaskFailed`` (to retry) for a 5xx."""
        response = self._session.post(self.base + path, json=body, timeout=self.timeout)
        answer = _json(response)
        if response.status_code >= 500:
            raise TaskFailed(f"{path} answered {response.status_code}: {answer.get('message') or response.reason}")
        if response.status_code >= 400:
            raise Refusal(response.status_code, str(answer.get("code") or ""), str(answer.get("message") or ""))
        return answer


@dataclass(frozen=True)
class Handler:
    """A topic's handler and the variables it reads (the only ones fetched with the task)."""

    topic: str
    reads: tuple[str, ...]
    run: Callable[[LockedTask, FinanceApi], Outcome]


HANDLERS: dict[str, Handler] = {}


def handles(topic: str, *reads: str) -> Callable[[Callable[[LockedTask, FinanceApi], Outcome]], Handler]:
    """Register the decorated function as the handler of ``topic``, fetching only ``reads``."""

    def register(run: Callable[[LockedTask, FinanceApi], Outcome]) -> Handler:
        HANDLERS[topic] = Handler(topic, reads, run)
        return HANDLERS[topic]

    return register


@handles("budget.check", "department", "budget")
def check_budget(task: LockedTask, finance: FinanceApi) -> Outcome:
    department, amount = _text(task, "department"), _amount(task, "budget")
    answer = _call(finance, "/budget/check", {"department": department, "amount": amount})
    left = answer["available_amount"]
    if answer["available"]:
        return Complete({"budget_line": answer["line"], "budget_available_amount": left})
    return BpmnError("NO_BUDGET", f"{department}的预算指标可用 {left:.2f} 元，少于申报金额 {amount:.2f} 元")


@handles("budget.commit", "budget_line", "contract_amount")
def commit_budget(task: LockedTask, finance: FinanceApi) -> Outcome:
    body = {"business_key": task.business_key, "line": _text(task, "budget_line")}
    try:
        answer = finance.post("/budget/commitments", body | {"amount": _amount(task, "contract_amount")})
    except Refusal as refusal:
        if refusal.code == "NO_BUDGET":
            return BpmnError("NO_BUDGET", refusal.message)
        raise _permanent(refusal) from None
    return Complete({"budget_commitment_id": answer["id"]})


@handles("treasury.pay", "requested_amount", "winner_name", "winner_credit_code")
def pay(task: LockedTask, finance: FinanceApi) -> Outcome:
    body = {
        "instruction_id": f"{task.business_key}-{task.id}",
        "business_key": task.business_key,
        "amount": _amount(task, "requested_amount"),
        "payee": str(task.variables.get("winner_name") or ""),
        "payee_code": str(task.variables.get("winner_credit_code") or ""),
    }
    try:
        answer = finance.post("/treasury/payments", body)
    except Refusal as refusal:
        if refusal.code == "PAYMENT_REFUSED":
            return BpmnError("PAYMENT_REFUSED", refusal.message)
        raise _permanent(refusal) from None
    return Complete(
        {
            "treasury_instruction_id": answer["instruction_id"],
            "treasury_paid_date": answer["confirmed_on"],
            "treasury_voucher_no": answer["voucher_no"],
        }
    )


@handles("procurement.publish", "project_name")
def publish_notice(task: LockedTask, finance: FinanceApi) -> Outcome:
    title = f"{_text(task, 'project_name')}{task.activity_name}"
    body = {"notice_id": f"{task.business_key}-{task.id}", "business_key": task.business_key, "title": title}
    return Complete({"platform_url": _call(finance, "/procurement/notices", body)["url"]})


def _call(finance: FinanceApi, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A call whose every refusal is the request's fault: a permanent failure."""
    try:
        return finance.post(path, body)
    except Refusal as refusal:
        raise _permanent(refusal) from None


def _permanent(refusal: Refusal) -> TaskFailed:
    return TaskFailed(f"refused: {refusal}", permanent=True)


def _text(task: LockedTask, name: str) -> str:
    value = task.variables.get(name)
    if not isinstance(value, str) or not value.strip():
        raise TaskFailed(f"the project has no {name} (a text) for {task.topic}", permanent=True)
    return value


def _amount(task: LockedTask, name: str) -> float:
    value = task.variables.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise TaskFailed(f"the project has no {name} (an amount above 0) for {task.topic}", permanent=True)
    return float(value)


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
