"""Rules across fields and stages, declared on a form's fields: what must hold, and what to say if not.

A designer sets them in the form editor's 自定义属性 of the field the message belongs on, by clicks:
``check`` — an expression that must be true, over this form's fields and the project's data so far
(``award_amount <= budget``; ``days_between(notice_date, response_deadline) >= 20``) — and
``checkMessage`` — what the person reads (Chinese, then English after `` / ``). A field takes up to five,
``check``/``checkMessage``, ``check2``/``checkMessage2`` … ``check5``. Inside a dynamic list a check is
made for each row, the row's fields by name beside the rest.

A field may also be **prefilled** from what the project recorded before: ``prefill`` is an expression over
the project's data when the task opens (the award takes the panel's first-ranked candidate,
``candidates[0]["supplier_name"]``; the contract takes ``award_amount``). The value is a proposal the person
may change, unless the field is read-only; an expression that finds nothing leaves the field empty.

This module only reads them and refuses, when the form is deployed, one that is not an expression; they
are evaluated by the engine (``engine.commands.form_rules``) in the scripts' restricted environment.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_CHECKS = 5
MAX_EXPRESSION = 2000


@dataclass(frozen=True)
class FieldCheck:
    """One rule: on field ``key`` (inside the list ``list_path`` when there is one)."""

    key: str
    list_path: str | None
    expression: str
    message: str
    names: frozenset[str]  # the names the expression reads: a rule over a value not given is not made


def _suffixes() -> list[str]:
    return ["", *(str(n) for n in range(2, MAX_CHECKS + 1))]


def field_checks(components: list[Any], list_path: str | None = None) -> Iterator[FieldCheck]:
    """Every check of the form's fields; ``ValueError`` names one that is not an expression."""
    for component in components:
        if not isinstance(component, dict):
            continue
        properties = component.get("properties") or {}
        key = component.get("key") or component.get("path")
        if isinstance(properties, dict) and key:
            for suffix in _suffixes():
                expression = properties.get(f"check{suffix}")
                if expression in (None, ""):
                    continue
                message = properties.get(f"checkMessage{suffix}") or f"不满足规则 / Does not hold: {expression}"
                yield FieldCheck(key, list_path, str(expression), str(message), _names(str(expression), key))
        children = component.get("components")
        if isinstance(children, list):
            inner = component.get("path") if component.get("type") == "dynamiclist" else list_path
            yield from field_checks(children, inner)


def field_prefills(components: list[Any]) -> Iterator[tuple[str, str]]:
    """(key, expression) of every prefilled field outside lists (a list's rows are the person's to add)."""
    for component in components:
        if not isinstance(component, dict):
            continue
        expression = (component.get("properties") or {}).get("prefill")
        if expression not in (None, "") and component.get("key"):
            _names(str(expression), component["key"])
            yield component["key"], str(expression)
        children = component.get("components")
        if isinstance(children, list) and component.get("type") != "dynamiclist" and not component.get("path"):
            yield from field_prefills(children)


def _names(expression: str, key: str) -> frozenset[str]:
    if len(expression) > MAX_EXPRESSION:
        raise ValueError(f"expression of {key!r} is longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"expression of {key!r} is not an expression: {exc.msg}") from None
    bound: set[str] = set()  # a comprehension's own variables are not data
    for node in ast.walk(tree):
        if isinstance(node, ast.comprehension):
            bound.update(name.id for name in ast.walk(node.target) if isinstance(name, ast.Name))
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return frozenset(read - bound)
