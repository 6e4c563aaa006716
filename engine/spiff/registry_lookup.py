"""What a project's scripts may ask the provider registry: is this provider banned on this date?

The procurement stage's credit check (``provider_ban(winner_credit_code, credit_check_date)`` in a script
task) must read the registry as it is on the day — the blacklist that finance keeps — not a table frozen
into the diagram. Scripts run inside SpiffWorkflow with no database, so the step that runs them binds a
lookup for its duration (``bans_from``): the engine binds one reading the registry in the step's
transaction (``engine.commands.parties.registry_bans``), a deploy-time scenario binds the entries it lists
(``listed_bans``). With nothing bound nobody is banned, except that a missing code is never cleared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

#: (credit code, day) → the reason the provider is banned that day, or "" when it is not.
BanLookup = Callable[[str, date], str]

MISSING_CODE = "缺少统一社会信用代码 / credit code missing"
CHINA = ZoneInfo("Asia/Shanghai")

_BOUND: ContextVar[BanLookup | None] = ContextVar("servflow_ban_lookup", default=None)


def provider_ban(credit_code: Any, on: Any = None) -> str:
    """The reason the provider with ``credit_code`` may not be awarded on ``on`` (``yyyy-MM-dd`` or a
    date; today when missing), or ``""``. Available to scripts and conditions."""
    code = "".join(credit_code.split()).upper() if isinstance(credit_code, str) else ""
    if not code:
        return MISSING_CODE
    lookup = _BOUND.get()
    return lookup(code, _day(on)) if lookup is not None else ""


@contextmanager
def bans_from(lookup: BanLookup) -> Iterator[None]:
    """Answer ``provider_ban`` with ``lookup`` while the block runs."""
    token = _BOUND.set(lookup)
    try:
        yield
    finally:
        _BOUND.reset(token)


def listed_bans(entries: Iterable[Mapping[str, Any]]) -> BanLookup:
    """A lookup over listed entries ``{credit_code, starts_on, ends_on, reason}`` (dates inclusive)."""
    listed = [
        (str(e["credit_code"]).upper(), _day(e["starts_on"]), _day(e["ends_on"]), str(e.get("reason") or ""))
        for e in entries
    ]

    def lookup(code: str, on: date) -> str:
        return next((reason or code for listed_code, start, end, reason in listed
                     if listed_code == code and start <= on <= end), "")  # fmt: skip

    return lookup


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date.fromisoformat(value.strip()[:10])
    return datetime.now(CHINA).date()
