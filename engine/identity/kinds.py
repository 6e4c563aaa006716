"""The kinds of organization behind a project's parties, by code and by their Chinese and English labels.

Kept apart from ``organizations`` (which reads and writes the database) so bundle settings can name a kind
and be checked at deploy without touching storage.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DefinitionError
from ..formats.settings import BundleSettings


@dataclass(frozen=True)
class Kind:
    code: str
    zh: str
    en: str
    needs_credit_code: bool = False


KINDS: tuple[Kind, ...] = (
    Kind("finance_bureau", "财政部门", "Finance bureau"),
    Kind("purchasing_department", "采购单位", "Purchasing department"),
    Kind("procurement_agent", "采购代理机构", "Procurement agent", needs_credit_code=True),
    Kind("provider", "承接主体", "Provider", needs_credit_code=True),
    Kind("evaluator", "第三方评价机构", "Third-party evaluator"),
    Kind("supervisor", "监督部门", "Supervisor"),
)
BY_CODE = {kind.code: kind for kind in KINDS}
_BY_LABEL = {kind.zh: kind for kind in KINDS} | {kind.en.lower(): kind for kind in KINDS}


def kind_of(text: str) -> Kind | None:
    """The kind a code or a Chinese or English label names (``承接主体``, ``provider``, ``Provider``)."""
    name = text.strip()
    return BY_CODE.get(name) or _BY_LABEL.get(name) or _BY_LABEL.get(name.lower())


def check_party_kinds(settings: BundleSettings, source: str) -> None:
    """Each of a bundle's party rules names a kind the register knows (refused at deploy otherwise)."""
    for rule in settings.parties:
        if rule.kind not in BY_CODE:
            known = ", ".join(BY_CODE)
            raise DefinitionError(f"parties.{rule.role}.kind: {rule.kind!r} is not one of {known}", file=source)
