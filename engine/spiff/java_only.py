"""What a Camunda/Flowable/Activiti model asks of a Java engine, found so that it is refused, not ignored.

A Java delegate (``camunda:class``, ``delegateExpression``, a method ``expression`` on a service task), a
task or execution listener, a connector, a script in Groovy or JavaScript, a Flowable mail/HTTP/shell
task: servflow runs none of them, and skipping one silently would run the rest of the process as if it had
happened. Each is reported with the element, the attribute and what to do instead — usually let a worker
of another system do it as an external task (``camunda:type="external" camunda:topic="…"``), which
servflow runs as written (``engine.spiff.service_tasks``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .dialects import FOREIGN, foreign_attribute, prefixed

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_PYTHON = {"", "python", "python3", "py"}
_DELEGATE_ATTRIBUTES = ("class", "delegateExpression", "expression")
_LISTENERS = ("taskListener", "executionListener", "connector")
_SUGGEST_TOPIC = (
    '改为外部任务：camunda:type="external" camunda:topic="<主题>"，由其他系统的工作进程完成',
    'make it an external task instead: camunda:type="external" camunda:topic="<topic>", done by a worker '
    "of another system",
)


@dataclass(frozen=True)
class Unsupported:
    """One construct that needs a Java engine: where, which attribute, why and what to do."""

    element_id: str | None
    attribute: str
    zh: str
    en: str


def java_only(root: Any) -> Iterator[Unsupported]:
    """Every Java-only construct of one BPMN document, in document order."""
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        local = element.tag.rsplit("}", 1)[-1]
        element_id = element.get("id")
        for name in _DELEGATE_ATTRIBUTES:
            found = foreign_attribute(element, name)
            if found is not None:
                yield _delegate(element_id, *found)
        kind = foreign_attribute(element, "type")
        if kind is not None and kind[1] not in ("external", "external-worker"):
            yield Unsupported(
                element_id,
                kind[0],
                f"servflow 不运行 {kind[1]!r} 类型的任务；{_SUGGEST_TOPIC[0]}",
                f"servflow does not run tasks of type {kind[1]!r}; {_SUGGEST_TOPIC[1]}",
            )
        if local == "scriptTask":
            script_format = (element.get("scriptFormat") or "").strip()
            if script_format.lower() not in _PYTHON:
                yield _script(element_id, "scriptFormat", script_format)
        yield from _extensions(element, element_id)


def _extensions(element: Any, element_id: str | None) -> Iterator[Unsupported]:
    extensions = element.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is None:
        return
    for child in extensions.iter():
        if not isinstance(child.tag, str) or child.tag[1:].partition("}")[0] not in FOREIGN:
            continue
        local = child.tag.rsplit("}", 1)[-1]
        if local in _LISTENERS:
            yield Unsupported(
                element_id,
                prefixed(child),
                f"servflow 没有 Java 监听器/连接器，{prefixed(child)} 不会运行；请把它做的事改为脚本任务（Python）"
                "或外部任务（camunda:topic）",
                f"servflow has no Java listeners or connectors, so {prefixed(child)} would not run; do its work "
                "in a script task (Python) or an external task (camunda:topic)",
            )
        elif local == "script":
            script_format = (child.get("scriptFormat") or "").strip()
            if script_format.lower() not in _PYTHON:
                yield _script(element_id, prefixed(child), script_format)


def _delegate(element_id: str | None, attribute: str, value: str) -> Unsupported:
    return Unsupported(
        element_id,
        attribute,
        f"{attribute}={value!r} 需要 Java 流程引擎中的代码，servflow 不能运行；{_SUGGEST_TOPIC[0]}",
        f"{attribute}={value!r} needs code inside a Java engine, which servflow cannot run; {_SUGGEST_TOPIC[1]}",
    )


def _script(element_id: str | None, attribute: str, script_format: str) -> Unsupported:
    return Unsupported(
        element_id,
        attribute,
        f"servflow 只运行 Python 脚本，不运行 {script_format!r} 脚本；"
        "请用 Python 重写，或改为外部任务（camunda:topic）",
        f"servflow runs Python scripts only, not {script_format!r}; rewrite it in Python or make it an "
        "external task (camunda:topic)",
    )
