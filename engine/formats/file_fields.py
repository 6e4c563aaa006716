"""A form's file fields and their limits, read from the same form-js JSON the browser renders.

A file field is form-js's ``filepicker``: ``accept`` (``.pdf,.docx``; empty takes every kind of
``file_kinds``), ``multiple``, and two custom properties a designer sets in the form editor's 自定义属性:
``maxSizeMB`` (per file, default 20, at most 200) and ``maxFiles`` (default 1, or 20 when ``multiple``).
The field's value in task data is the list of its documents, ``[{id, name, size, type, sha256}]``.
File fields sit at the form's top level or in a group without a path, so a document's field is one key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .file_kinds import KINDS, Kind, kinds_for_accept

FILE_FIELD = "filepicker"
DEFAULT_MAX_MB = 20
MAX_MB = 200
MEGABYTE = 1024 * 1024
DEFAULT_MAX_FILES = 20


@dataclass(frozen=True)
class FileRule:
    """What one file field takes."""

    key: str
    label: str
    kinds: tuple[Kind, ...]
    max_bytes: int
    max_files: int
    required: bool

    @property
    def kinds_label(self) -> str:
        return "、".join(dict.fromkeys(kind.label for kind in self.kinds))


def rule_of(component: dict[str, Any]) -> FileRule:
    """The limits of one ``filepicker`` component; ``ValueError`` names what is wrong with them."""
    accept = component.get("accept") or ""
    if not isinstance(accept, str):
        raise ValueError("accept must be text such as '.pdf,.docx'")
    kinds = tuple(kinds_for_accept(accept)) or KINDS
    properties = component.get("properties") or {}
    if not isinstance(properties, dict):
        raise ValueError("properties must be an object")
    multiple = component.get("multiple") is True
    size_mb = _positive(properties.get("maxSizeMB"), "maxSizeMB", DEFAULT_MAX_MB)
    if size_mb > MAX_MB:
        raise ValueError(f"properties.maxSizeMB must be at most {MAX_MB}")
    max_files = _positive(properties.get("maxFiles"), "maxFiles", DEFAULT_MAX_FILES if multiple else 1)
    if max_files > 1 and not multiple:
        raise ValueError("properties.maxFiles above 1 needs 'multiple' on")
    required = bool((component.get("validate") or {}).get("required")) and not component.get("conditional")
    return FileRule(
        key=component["key"],
        label=str(component.get("label") or component["key"]),
        kinds=kinds,
        max_bytes=int(size_mb * MEGABYTE),
        max_files=max_files,
        required=required,
    )


def _positive(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"properties.{name} must be a whole number, got {value!r}") from None
    if number < 1:
        raise ValueError(f"properties.{name} must be at least 1")
    return number


def file_components(components: list[Any], *, nested: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every ``filepicker`` of a form with whether it sits where a file field may not (a dynamic list or
    a group with a path, whose values are not one key of task data)."""
    for component in components:
        if not isinstance(component, dict):
            continue
        if component.get("type") == FILE_FIELD:
            yield component, nested
        children = component.get("components")
        if isinstance(children, list):
            scoped = nested or component.get("type") == "dynamiclist" or bool(component.get("path"))
            yield from file_components(children, nested=scoped)


def file_fields(form: dict[str, Any] | None) -> dict[str, FileRule]:
    """The form's file fields by key (a form loaded by ``load_form`` has valid ones only); read-only and
    disabled ones only show documents and take none."""
    if not form:
        return {}
    return {
        component["key"]: rule_of(component)
        for component, _nested in file_components(form.get("components") or [])
        if component.get("readonly") is not True and component.get("disabled") is not True
    }
