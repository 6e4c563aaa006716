"""A bundle's own settings (``servflow.settings.json``): what the engine must know about a locality's
lifecycle besides its diagrams and forms.

They are deployed and versioned with the bundle, inherited like its other files (a city that deploys its
own copy overrides the region's), so a locality's designer changes them without a code change:

- ``stages``: the lifecycle's stages in the order a project passes them (reports sort by it);
- ``summary``: the data fields a project's summary keeps (shown beside every task, searched, exported);
- ``stage_limits``: statutory limits on a stage's duration in calendar days, with the law they come from
  (``{"sign": {"days": 30, "basis": "政府采购法第46条 …"}}``); stages without a legal limit are left out.

A bundle without the file (a model imported from another tool) runs on the settings servflow ships
(``engine.definitions.settings``), the conventions of the purchase-of-services forms.
"""

from __future__ import annotations

import json
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


@dataclass(frozen=True)
class BundleSettings:
    stages: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    stage_limits: Mapping[str, StageLimit] = field(default_factory=lambda: MappingProxyType({}))

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
    unknown = sorted(set(raw) - {"stages", "summary", "stage_limits"})
    if unknown:
        raise DefinitionError(f"unknown setting {unknown[0]!r} (stages, summary, stage_limits)", file=source)
    limits_raw = raw.get("stage_limits", {})
    if not isinstance(limits_raw, dict):
        raise DefinitionError("stage_limits: must be an object of stage → {days, basis}", file=source)
    limits = {stage: _limit(stage, value, source) for stage, value in limits_raw.items()}
    return BundleSettings(
        stages=_names(raw.get("stages", []), "stages", source),
        summary=_names(raw.get("summary", []), "summary", source),
        stage_limits=MappingProxyType(limits),
    )


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
