"""The extension namespaces of Camunda 7, Flowable and Activiti, read alike.

The three engines share one model (Flowable and Camunda forked Activiti): the same attribute means the
same thing whichever of the three prefixes a modeler wrote, so servflow reads them in one place.
"""

from __future__ import annotations

from typing import Any

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
FLOWABLE_NS = "http://flowable.org/bpmn"
ACTIVITI_NS = "http://activiti.org/bpmn"
#: Namespace → the prefix messages name an attribute with (what the modeler saw).
FOREIGN = {CAMUNDA_NS: "camunda", FLOWABLE_NS: "flowable", ACTIVITI_NS: "activiti"}


class ForeignError(ValueError):
    """An attribute of a foreign model servflow cannot run, in Chinese and English."""

    def __init__(self, attribute: str, zh: str, en: str) -> None:
        super().__init__(f"{attribute}: {zh} / {en}")
        self.attribute = attribute
        self.zh = zh
        self.en = en


def foreign_attribute(node: Any, name: str) -> tuple[str, str] | None:
    """``(prefixed name, value)`` of attribute ``name`` in the first dialect that sets it, else ``None``."""
    for namespace, prefix in FOREIGN.items():
        value = node.get(f"{{{namespace}}}{name}")
        if value is not None and value.strip():
            return f"{prefix}:{name}", value.strip()
    return None


def foreign_children(node: Any, localname: str) -> list[Any]:
    """The extension elements ``localname`` of any dialect directly under the node's extensionElements."""
    found = []
    for child in node.iterfind("{http://www.omg.org/spec/BPMN/20100524/MODEL}extensionElements/*"):
        if isinstance(child.tag, str) and child.tag in {f"{{{ns}}}{localname}" for ns in FOREIGN}:
            found.append(child)
    return found


def prefixed(element: Any) -> str:
    """``camunda:taskListener`` for an extension element, as a modeler writes it."""
    namespace, _, local = element.tag[1:].partition("}")
    return f"{FOREIGN.get(namespace, namespace)}:{local}"
