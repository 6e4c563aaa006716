"""A bundle's own settings (``servflow.settings.json``): what the engine must know about a locality's
lifecycle besides its diagrams and forms.

They are deployed and versioned with the bundle, inherited like its other files (a city that deploys its
own copy overrides the region's), so a locality's designer changes them without a code change:

- ``stages``: the lifecycle's stages in the order a project passes them (reports sort by it);
- ``summary``: the data fields a project's summary keeps (shown beside every task, searched, exported);
- ``stage_limits``: statutory limits on a stage's duration in calendar days, with the law they come from
  (``{"sign": {"days": 30, "basis": "政府采购法第46条 …"}}``); stages without a legal limit are left out;
- ``parties``: how a project binds the organization behind each lane role (``engine.commands.parties``):
  ``{"provider": {"kind": "provider", "credit_code": "winner_credit_code", "not_banned_on": "confirm_date"}}``
  binds the organization whose 统一社会信用代码 a task submits in that field (refusing an unregistered code,
  and a provider blacklisted on the date in ``not_banned_on``); ``"from": "applicant"`` binds the starter's
  organization of that kind, ``"from": "locality"`` the project locality's one organization of that kind;
- ``business_key``: the pattern of a project's number when the starter gives none (``DEFAULT_KEY_PATTERN``);
- ``credit_record``: the data fields whose values the provider's credit record takes when a project's
  evaluation is settled (``{"grade": "evaluation_grade", "score": "total_score"}``), and the grades that
  are a serious breach (``"breach": ["差"]``): finance is told, to decide on a blacklisting; so is an
  acceptance that fails again after a rectification (``"failed_rectification": {"field":
  "acceptance_result", "value": "fail"}``: that value submitted a second time on the project);
- ``catalogue``: the data fields that carry an application's choice from the guidance catalogue
  (``engine.catalogue``): ``code`` (checked against the items in effect for the project's locality and
  year whenever a submission carries it), ``flag`` (the yes/no field saying the service is in the
  catalogue: the code is checked only when it is true), ``category`` and ``categories`` (the field the
  start page fills from the item's category, catalogue category code → the field's value).

A bundle without the file (a model imported from another tool) runs on the settings servflow ships
(``engine.definitions.settings``), the conventions of the purchase-of-services forms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import DefinitionError

SETTINGS_FILE = "servflow.settings.json"
MAX_ITEMS = 200
MAX_DAYS = 3660


@dataclass(frozen=True)
class StageLimit:
    days: int
    basis: str


APPLICANT, LOCALITY = "applicant", "locality"


@dataclass(frozen=True)
class PartyRule:
    """How one lane role's party is bound: from the applicant, the locality, or a submitted credit code."""

    role: str
    kind: str
    source: str | None = None  # APPLICANT or LOCALITY; None when bound by ``credit_code``
    credit_code: str | None = None
    not_banned_on: str | None = None


@dataclass(frozen=True)
class CatalogueFields:
    code: str
    flag: str | None = None
    category: str | None = None
    categories: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class FieldValue:
    field: str
    value: Any


@dataclass(frozen=True)
class CreditFields:
    grade: str
    score: str | None = None
    breach: tuple[str, ...] = ()
    failed_rectification: FieldValue | None = None


#: A project's number when the starter gives none: ``{locality}`` (its code), ``{year}``, ``{seq}`` (the next
#: number of that locality and year, ``{seq:04d}`` zero-padded) — a locality may deploy its own, e.g.
#: ``"WLMQ-{year}-{seq:04d}"``.
DEFAULT_KEY_PATTERN = "{locality}-{year}-{seq:04d}"
KEY_PATTERN = re.compile(r"^[^{}]*(\{(locality|year)\}[^{}]*)*\{seq(:0[1-9]d)?\}[^{}]*$")


@dataclass(frozen=True)
class BundleSettings:
    stages: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    stage_limits: Mapping[str, StageLimit] = field(default_factory=lambda: MappingProxyType({}))
    parties: tuple[PartyRule, ...] = ()
    credit_record: CreditFields | None = None
    business_key: str = DEFAULT_KEY_PATTERN
    catalogue: CatalogueFields | None = None

    def stage_rank(self, key: str | None) -> tuple[int, str]:
        """Sort key of a stage: lifecycle order first, then others by name, none last."""
        if key in self.stages:
            return (self.stages.index(key), "")
        return (len(self.stages) + (key is None), key or "")


def is_settings_file(name: str) -> bool:
    return name.replace("\\", "/").rsplit("/", 1)[-1].lower() == SETTINGS_FILE


def settings_of(files: Mapping[str, str | bytes]) -> BundleSettings | None:
    """The settings of a bundle (its settings file, wherever it lies), or ``None`` without one."""
    for name in sorted(files):
        if is_settings_file(name):
            return load_settings(files[name], source=name)
    return None


def load_settings(content: str | bytes, *, source: str = SETTINGS_FILE) -> BundleSettings:
    """Parse and check a settings file; every refusal names the file and the field."""
    try:
        raw = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"not valid JSON: {exc}", file=source) from None
    if not isinstance(raw, dict):
        raise DefinitionError("must be a JSON object", file=source)
    unknown = sorted(set(raw) - set(_KNOWN))
    if unknown:
        raise DefinitionError(f"unknown setting {unknown[0]!r} ({', '.join(_KNOWN)})", file=source)
    limits_raw = raw.get("stage_limits", {})
    if not isinstance(limits_raw, dict):
        raise DefinitionError("stage_limits: must be an object of stage → {days, basis}", file=source)
    limits = {stage: _limit(stage, value, source) for stage, value in limits_raw.items()}
    return BundleSettings(
        stages=_names(raw.get("stages", []), "stages", source),
        summary=_names(raw.get("summary", []), "summary", source),
        stage_limits=MappingProxyType(limits),
        parties=_parties(raw.get("parties", {}), source),
        credit_record=_credit_fields(raw.get("credit_record"), source),
        business_key=_key_pattern(raw.get("business_key", DEFAULT_KEY_PATTERN), source),
        catalogue=_catalogue_fields(raw.get("catalogue"), source),
    )


def _key_pattern(value: Any, source: str) -> str:
    if not isinstance(value, str) or len(value) > 60 or not KEY_PATTERN.match(value):
        raise DefinitionError(
            "business_key: a pattern of text, {locality}, {year} and one {seq} at the end (e.g. "
            f"{DEFAULT_KEY_PATTERN!r}), not {value!r}",
            file=source,
        )
    return value


_KNOWN = ("stages", "summary", "stage_limits", "parties", "credit_record", "business_key", "catalogue")


def _names(value: Any, name: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS or not all(isinstance(v, str) and v for v in value):
        raise DefinitionError(f"{name}: must be a list of at most {MAX_ITEMS} names", file=source)
    if len(set(value)) != len(value):
        raise DefinitionError(f"{name}: a name is listed twice", file=source)
    return tuple(value)


def _limit(stage: str, value: Any, source: str) -> StageLimit:
    where = f"stage_limits.{stage}"
    if not isinstance(value, dict) or set(value) - {"days", "basis"}:
        raise DefinitionError(f"{where}: must be {{days, basis}}", file=source)
    days = value.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise DefinitionError(f"{where}.days: a whole number of days 1..{MAX_DAYS}", file=source)
    basis = value.get("basis", "")
    if not isinstance(basis, str):
        raise DefinitionError(f"{where}.basis: text naming the law", file=source)
    return StageLimit(days, basis)


def _field_name(value: Any, where: str, source: str) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise DefinitionError(f"{where}: the name of a data field", file=source)
    return value


def _parties(value: Any, source: str) -> tuple[PartyRule, ...]:
    if not isinstance(value, dict) or len(value) > MAX_ITEMS:
        raise DefinitionError("parties: must be an object of lane role → {kind, from | credit_code}", file=source)
    rules = []
    for role, rule in value.items():
        where = f"parties.{role}"
        if not isinstance(rule, dict) or set(rule) - {"kind", "from", "credit_code", "not_banned_on"}:
            raise DefinitionError(f"{where}: must be {{kind, from | credit_code, not_banned_on}}", file=source)
        kind = rule.get("kind")
        if not isinstance(kind, str) or not kind:
            raise DefinitionError(f"{where}.kind: the kind of organization", file=source)
        origin = rule.get("from")
        if origin not in (None, APPLICANT, LOCALITY):
            raise DefinitionError(f"{where}.from: {APPLICANT!r} or {LOCALITY!r}", file=source)
        if (origin is None) == ("credit_code" not in rule):
            raise DefinitionError(f"{where}: give either from or credit_code", file=source)
        code = _field_name(rule["credit_code"], f"{where}.credit_code", source) if "credit_code" in rule else None
        banned = rule.get("not_banned_on")
        if banned is not None:
            banned = _field_name(banned, f"{where}.not_banned_on", source)
        rules.append(PartyRule(role, kind, origin, code, banned))
    return tuple(rules)


def _credit_fields(value: Any, source: str) -> CreditFields | None:
    if value is None:
        return None
    if not isinstance(value, dict) or "grade" not in value or set(value) - {"grade", "score", "breach", _FAILED}:
        raise DefinitionError(f"credit_record: must be {{grade, score, breach, {_FAILED}}}", file=source)
    score = value.get("score")
    breach = value.get("breach", [])
    if not isinstance(breach, list) or not all(isinstance(g, str) and g.strip() for g in breach):
        raise DefinitionError("credit_record.breach: must be a list of grades", file=source)
    return CreditFields(
        _field_name(value["grade"], "credit_record.grade", source),
        _field_name(score, "credit_record.score", source) if score is not None else None,
        tuple(g.strip() for g in breach),
        _field_value(value.get(_FAILED), f"credit_record.{_FAILED}", source),
    )


_FAILED = "failed_rectification"


def _field_value(value: Any, where: str, source: str) -> FieldValue | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"field", "value"} or isinstance(value["value"], dict | list):
        message = f"{where}: must be {{field, value}} (the field of a failed acceptance and its value)"
        raise DefinitionError(message, file=source)
    return FieldValue(_field_name(value["field"], f"{where}.field", source), value["value"])


def _catalogue_fields(value: Any, source: str) -> CatalogueFields | None:
    if value is None:
        return None
    if not isinstance(value, dict) or "code" not in value or set(value) - {"code", "flag", "category", "categories"}:
        raise DefinitionError("catalogue: must be {code, flag, category, categories}", file=source)
    flag, category = value.get("flag"), value.get("category")
    categories = value.get("categories", {})
    if (
        not isinstance(categories, dict)
        or len(categories) > MAX_ITEMS
        or not all(isinstance(k, str) and k and isinstance(v, str) and v for k, v in categories.items())
    ):
        raise DefinitionError("catalogue.categories: an object of category code → field value", file=source)
    return CatalogueFields(
        _field_name(value["code"], "catalogue.code", source),
        _field_name(flag, "catalogue.flag", source) if flag is not None else None,
        _field_name(category, "catalogue.category", source) if category is not None else None,
        MappingProxyType(dict(categories)),
    )
