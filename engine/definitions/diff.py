"""What changed between two versions of a process, in words a designer reads.

The diff is semantic, not textual: the modeler rewrites layout and attribute order on every save, so
a line diff of the XML is noise. Elements are matched by id; for each we compare what servflow runs
on — type, name, lane (role), ``servflow:*`` settings, conditions, scripts, called process and
decision — and ignore diagram coordinates. Forms are matched by key and their fields by field key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..formats.xmlsafe import parse_xml
from ..spiff.parsing import BPMN_NS

_SKIP_TAGS = {"extensionElements", "incoming", "outgoing", "flowNodeRef", "documentation", "laneSet", "lane"}
_TEXT_CHILDREN = {"conditionExpression": "condition", "script": "script", "timeDuration": "timer"}
_TEXT_CHILDREN |= {"timeDate": "timer", "timeCycle": "timer"}
_FIELD_ATTRIBUTES = ("type", "label", "validate", "values", "defaultValue", "readonly", "disabled", "decimalDigits")


@dataclass(frozen=True)
class Change:
    """One property that differs: ``before``/``after`` are display strings ("" for absent)."""

    what: str
    before: str
    after: str


@dataclass
class ItemDiff:
    id: str
    kind: str
    name: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class ProcessDiff:
    added: list[ItemDiff] = field(default_factory=list)
    removed: list[ItemDiff] = field(default_factory=list)
    changed: list[ItemDiff] = field(default_factory=list)
    forms_added: list[str] = field(default_factory=list)
    forms_removed: list[str] = field(default_factory=list)
    fields_added: list[ItemDiff] = field(default_factory=list)
    fields_removed: list[ItemDiff] = field(default_factory=list)
    fields_changed: list[ItemDiff] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.added,
                self.removed,
                self.changed,
                self.forms_added,
                self.forms_removed,
                self.fields_added,
                self.fields_removed,
                self.fields_changed,
            )
        )


def diff_process(
    old_xml: str,
    new_xml: str,
    process_key: str,
    old_forms: dict[str, Any] | None = None,
    new_forms: dict[str, Any] | None = None,
) -> ProcessDiff:
    """Compare one process (by key) in two BPMN sources, and the forms each version uses."""
    result = ProcessDiff()
    before = element_summaries(old_xml, process_key)
    after = element_summaries(new_xml, process_key)
    for element_id in sorted(after.keys() - before.keys()):
        result.added.append(_item(element_id, after[element_id]))
    for element_id in sorted(before.keys() - after.keys()):
        result.removed.append(_item(element_id, before[element_id]))
    for element_id in sorted(before.keys() & after.keys()):
        changes = _changes(before[element_id], after[element_id])
        if changes:
            result.changed.append(_item(element_id, after[element_id], changes))
    _diff_forms(old_forms or {}, new_forms or {}, result)
    return result


def element_summaries(xml: str, process_key: str) -> dict[str, dict[str, str]]:
    """Element id → the properties that matter to servflow, as display strings."""
    root = parse_xml(xml, f"{process_key}.bpmn").getroot()
    process = next((p for p in root.iterfind(f"{{{BPMN_NS}}}process") if p.get("id") == process_key), None)
    if process is None:
        return {}
    lanes = {
        (ref.text or "").strip(): lane.get("name") or ""
        for lane in process.iter(f"{{{BPMN_NS}}}lane")
        for ref in lane.iterfind(f"{{{BPMN_NS}}}flowNodeRef")
    }
    summaries: dict[str, dict[str, str]] = {}
    for element in process.iter():
        if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN_NS:
            continue
        kind = etree.QName(element).localname
        element_id = element.get("id")
        if not element_id or kind in _SKIP_TAGS or element.getparent() is None:
            continue
        if any(
            etree.QName(a).localname == "extensionElements" for a in element.iterancestors() if isinstance(a.tag, str)
        ):
            continue
        if kind in _TEXT_CHILDREN:
            continue
        summaries[element_id] = _summary(element, kind, lanes.get(element_id, ""))
    return summaries


def _summary(element: Any, kind: str, lane: str) -> dict[str, str]:
    summary = {"type": kind, "name": (element.get("name") or "").strip()}
    if lane:
        summary["lane"] = lane
    for name, value in element.attrib.items():
        local = etree.QName(name).localname
        if local not in ("id", "name"):
            summary[f"@{local}"] = value
    for child in element:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local in _TEXT_CHILDREN:
            summary[_TEXT_CHILDREN[local]] = (child.text or "").strip()
        elif local.endswith("EventDefinition"):
            summary["event"] = local.removesuffix("EventDefinition")
            for timer in child:
                if isinstance(timer.tag, str) and etree.QName(timer).localname in _TEXT_CHILDREN:
                    summary["timer"] = (timer.text or "").strip()
        elif local == "extensionElements":
            for extension in child:
                if not isinstance(extension.tag, str):
                    continue
                ext = etree.QName(extension)
                prefix = "servflow" if "servflow" in (ext.namespace or "") else "spiffworkflow"
                for attribute, value in extension.attrib.items():
                    summary[f"{prefix}:{ext.localname}.{attribute}"] = value
                if (extension.text or "").strip():
                    summary[f"{prefix}:{ext.localname}"] = extension.text.strip()
    return summary


def _item(element_id: str, summary: dict[str, str], changes: list[Change] | None = None) -> ItemDiff:
    return ItemDiff(element_id, summary.get("type", ""), summary.get("name", ""), changes or [])


def _changes(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    return [
        Change(key, before.get(key, ""), after.get(key, ""))
        for key in sorted(before.keys() | after.keys())
        if before.get(key, "") != after.get(key, "")
    ]


def _diff_forms(old: dict[str, Any], new: dict[str, Any], result: ProcessDiff) -> None:
    result.forms_added = sorted(new.keys() - old.keys())
    result.forms_removed = sorted(old.keys() - new.keys())
    for form_key in sorted(old.keys() & new.keys()):
        before, after = form_fields(old[form_key]), form_fields(new[form_key])
        for key in sorted(after.keys() - before.keys()):
            result.fields_added.append(ItemDiff(f"{form_key}.{key}", form_key, after[key].get("label", "")))
        for key in sorted(before.keys() - after.keys()):
            result.fields_removed.append(ItemDiff(f"{form_key}.{key}", form_key, before[key].get("label", "")))
        for key in sorted(before.keys() & after.keys()):
            changes = _changes(before[key], after[key])
            if changes:
                result.fields_changed.append(
                    ItemDiff(f"{form_key}.{key}", form_key, after[key].get("label", ""), changes)
                )


def form_fields(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Field key (or id for unkeyed components) → its user-visible settings as display strings."""
    found: dict[str, dict[str, str]] = {}

    def walk(components: list[Any]) -> None:
        for component in components or []:
            if not isinstance(component, dict):
                continue
            key = component.get("key") or component.get("id")
            if key:
                found[str(key)] = {name: _display(component[name]) for name in _FIELD_ATTRIBUTES if name in component}
            walk(component.get("components") or [])

    walk(schema.get("components") or [])
    return found


def _display(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
