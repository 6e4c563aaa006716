"""A project's recorded choices shown as people chose them: ``basic_public`` → 基本公共服务.

Task data keeps an option's value (stable for rules and reports); pages show the label the form gave
it. The labels come from the forms of the versions the project is bound to, so a designer renaming
an option changes what new projects show without a code change, and a value no form knows is shown
as recorded.

A value no form field asked for but a rule or script set — the procurement method the decision table
chose (``open_tender``) — is shown with the label the project's forms give that same value elsewhere
(the application's 拟采用采购方式 lists 公开招标), so no stored code reaches a page.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import ProcessInstance, ProcessVersion

#: form key → {value: label}; a form field without options maps to ``{}`` (shown as typed), and
#: :data:`ANY_FIELD` holds every option of every field (the first label of a value wins).
OptionLabels = dict[str, dict[Hashable, str]]
ANY_FIELD = ""  # never a form field's key: form-js fields without a key are not fields


def option_labels(forms: Iterable[dict[str, Any]]) -> OptionLabels:
    """Every option list in the forms, by field key; the first form to define a key wins."""
    labels: OptionLabels = {}
    anywhere: dict[Hashable, str] = {}
    for form in forms:
        for component in _components(form.get("components", [])):
            key, values = component.get("key"), component.get("values")
            if not key or not isinstance(key, str) or labels.get(key):
                continue
            options = {
                option["value"]: str(option.get("label", option["value"]))
                for option in (values if isinstance(values, list) else [])
                if isinstance(option, dict) and isinstance(option.get("value"), Hashable)
            }
            if options or key not in labels:
                labels[key] = options
            for value, label in options.items():
                anywhere.setdefault(value, label)
    labels[ANY_FIELD] = anywhere
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


def labels_by_instance(session: Session, instances: Iterable[ProcessInstance]) -> dict[int, OptionLabels]:
    """:func:`instance_option_labels` of many projects (a register, a page of announcements) in one read of
    the forms; projects bound to the same versions share one set of labels."""
    wanted = {inst.id: tuple(sorted(int(v) for v in (inst.bound_versions or {}).values())) for inst in instances}
    version_ids = sorted({v for ids in wanted.values() for v in ids})
    forms: dict[int, dict[str, Any]] = {}
    if version_ids:
        stmt = select(ProcessVersion.id, ProcessVersion.forms).where(ProcessVersion.id.in_(version_ids))
        forms = {version_id: found or {} for version_id, found in session.execute(stmt)}
    shared: dict[tuple[int, ...], OptionLabels] = {}
    for ids in set(wanted.values()):
        shared[ids] = option_labels(form for v in ids for _, form in sorted(forms.get(v, {}).items()))
    return {instance_id: shared[ids] for instance_id, ids in wanted.items()}


def label_of(labels: OptionLabels, key: str, value: Any) -> Any:
    """The label for ``value`` of field ``key`` (each item of a list); the value itself when unknown.

    A key no form field has (set by a rule or script) takes the label its value has in any of the forms.
    """
    options = labels.get(key)
    if options is None:
        options = labels.get(ANY_FIELD)
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
