"""Mapping rules: which directory groups (LDAP) or claim values (OpenID Connect) make a person a member of
which servflow organization, with which roles in which locality.

The identity provider is the truth about who works where; servflow only translates. A rules file is JSON::

    {"rules": [
      {"group": "minzheng-purchasers", "locality": "650100", "organization": "乌鲁木齐市民政局",
       "roles": ["purchaser"], "lead": false}
    ]}

``group`` is a group's name (an LDAP group's ``cn``, or one value of the provider's groups claim);
``locality`` a code or name; ``organization`` (optional) the name of an organization registered there;
``roles`` role codes. The file is read once when the app starts, so a typo stops the start instead of
signing people in with nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .roles import is_known_role


class RulesError(ValueError):
    """The rules file cannot be used; the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    group: str
    locality: str
    roles: tuple[str, ...]
    organization: str | None = None
    lead: bool = False


@dataclass(frozen=True)
class Placement:
    """What the matching rules give one person: (role, locality, lead) grants and (locality, name) memberships."""

    grants: frozenset[tuple[str, str, bool]]
    organizations: frozenset[tuple[str, str]]


def load_rules(source: str | Path | None) -> tuple[Rule, ...]:
    """The rules of a file path, or of JSON text given directly (an environment variable); none for ``None``."""
    if source is None or not str(source).strip():
        return ()
    text = str(source).strip()
    if not text.startswith("{"):
        try:
            text = Path(text).read_text(encoding="utf-8")
        except OSError as error:
            raise RulesError(f"映射规则文件无法读取 / The mapping rules file cannot be read: {error}") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise RulesError(f"映射规则不是有效的JSON / The mapping rules are not valid JSON: {error}") from error
    entries = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise RulesError('映射规则须为 {"rules": [...]} / The mapping rules must be {"rules": [...]}')
    return tuple(_rule(number, entry) for number, entry in enumerate(entries, start=1))


def _rule(number: int, entry: Any) -> Rule:
    def wrong(field: str) -> RulesError:
        return RulesError(f"第{number}条规则的「{field}」有误 / Rule {number}: {field} is missing or wrong")

    if not isinstance(entry, dict):
        raise wrong("rule")
    group, locality, roles = entry.get("group"), entry.get("locality"), entry.get("roles", [])
    organization = entry.get("organization")
    if not isinstance(group, str) or not group.strip():
        raise wrong("group")
    if not isinstance(locality, str) or not locality.strip():
        raise wrong("locality")
    if not isinstance(roles, list) or not all(isinstance(r, str) and is_known_role(r) for r in roles):
        raise wrong("roles")
    if organization is not None and (not isinstance(organization, str) or not organization.strip()):
        raise wrong("organization")
    if not roles and organization is None:
        raise wrong("roles")
    return Rule(
        group.strip(),
        locality.strip(),
        tuple(roles),
        organization.strip() if organization else None,
        bool(entry.get("lead", False)),
    )


def placement(rules: Iterable[Rule], groups: Iterable[str]) -> Placement:
    """Everything the person's groups earn, merged over every matching rule (a lead anywhere is a lead)."""
    held = set(groups)
    grants: dict[tuple[str, str], bool] = {}
    organizations: set[tuple[str, str]] = set()
    for rule in rules:
        if rule.group not in held:
            continue
        for role in rule.roles:
            grants[(role, rule.locality)] = grants.get((role, rule.locality), False) or rule.lead
        if rule.organization is not None:
            organizations.add((rule.locality, rule.organization))
    return Placement(
        frozenset((role, locality, lead) for (role, locality), lead in grants.items()), frozenset(organizations)
    )
