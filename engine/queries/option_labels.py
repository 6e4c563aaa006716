"""A project's recorded choices shown as people chose them: ``basic_public`` → 基本公共服务.

Task data keeps an option's value (stable for rules and reports); pages show the label the form gave
it. The labels come from the forms of the versions the project is bound to, so a designer renaming
an option changes what new projects show without a code change, and a value no form knows is shown
as recorded.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import ProcessInstance, ProcessVersion

#: form key → {value: label}
OptionLabels = dict[str, dict[Hashable, str]]


def option_labels(forms: Iterable[dict[str, Any]]) -> OptionLabels:
    """Every option list in the forms, by field key; the first form to define a key wins."""
    labels: OptionLabels = {}
    for form in forms:
        for component in _components(form.get("components", [])):
            key, values = component.get("key"), component.get("values")
            if not key or not isinstance(values, list) or key in labels:
                continue
            labels[key] = {
                option["value"]: str(option.get("label", option["value"]))
                for option in values
                if isinstance(option, dict) and isinstance(option.get("value"), Hashable)
            }
    return labels


def instance_option_labels(session: Session, instance: ProcessInstance) -> OptionLabels:
    """The option labels of the forms of every process version the project is bound to."""
    version_ids = sorted(int(v) for v in (instance.bound_versions or {}).values())
    if not version_ids:
        return {}
    rows = session.execute(
        select(ProcessVersion.forms).where(ProcessVersion.id.in_(version_ids)).order_by(ProcessVersion.id)
    )
    return option_labels(form for (forms,) in rows for _, form in sorted((forms or {}).items()))


def label_of(labels: OptionLabels, key: str, value: Any) -> Any:
    """The label for ``value`` of field ``key`` (each item of a list); the value itself when unknown."""
    options = labels.get(key)
    if not options:
        return value
    if isinstance(value, list):
        return "、".join(str(_one(options, item)) for item in value)
    return _one(options, value)


def _one(options: dict[Hashable, str], value: Any) -> Any:
    return options.get(value, value) if isinstance(value, Hashable) else value


def _components(components: list[Any]) -> Iterator[dict[str, Any]]:
    for component in components:
        if isinstance(component, dict):
            yield component
            yield from _components(component.get("components") or [])
