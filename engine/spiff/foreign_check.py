"""Everything in one BPMN document that would not run as its author meant, found at once at deploy.

A model written for Camunda 7, Flowable or Activiti is read as written (``foreign_tasks``, ``juel``,
``timer_values``); what is outside that — a Java construct (``java_only``), a JUEL expression outside
the subset, a cron timer, an HTML form — is listed here, each with the element, the attribute and the
value, so the deploy is refused before anything is stored and the designer sees every item, not the
first. SpiffWorkflow's parse raises the first of the same (``parsing``), so no door can skip it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .foreign_calls import call_mapping, initiator
from .foreign_decisions import decision_settings
from .foreign_io import has_mapping, io_scripts
from .foreign_tasks import ForeignError, user_task_settings
from .java_only import BPMN_NS, Unsupported, java_only
from .juel import JuelError, is_juel, translate
from .timer_values import TimerValueError, timer_expression

_TIMERS = ("timeDate", "timeDuration", "timeCycle")


def document_problems(root: Any) -> list[Unsupported]:
    """What of the document cannot run, in document order (empty for a model that runs as written)."""
    return [*java_only(root), *_user_tasks(root), *_mappings(root), *_calls(root), *_expressions(root)]


def _user_tasks(root: Any) -> Iterator[Unsupported]:
    for task in root.iter(f"{{{BPMN_NS}}}userTask"):
        try:
            user_task_settings(task)
        except ForeignError as exc:
            yield Unsupported(task.get("id"), exc.attribute, f"{exc.attribute}：{exc.zh}", f"{exc.attribute}: {exc.en}")


def _mappings(root: Any) -> Iterator[Unsupported]:
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        if has_mapping(element):
            try:
                io_scripts(element)
            except ForeignError as exc:
                yield Unsupported(element.get("id"), exc.attribute, exc.zh, exc.en)


_CALL_READERS = {"callActivity": call_mapping, "startEvent": initiator, "businessRuleTask": decision_settings}


def _calls(root: Any) -> Iterator[Unsupported]:
    """Call activities' ``camunda:in``/``out``, start events' initiator, business rule tasks' decisionRef."""
    for kind, read in _CALL_READERS.items():
        for element in root.iter(f"{{{BPMN_NS}}}{kind}"):
            try:
                read(element)
            except ForeignError as exc:
                yield Unsupported(element.get("id"), exc.attribute, exc.zh, exc.en)


def _expressions(root: Any) -> Iterator[Unsupported]:
    for condition in root.iter(f"{{{BPMN_NS}}}conditionExpression"):
        text = condition.text or ""
        if is_juel(text):
            try:
                translate(text)
            except JuelError as exc:
                owner = condition.getparent().get("id")
                yield Unsupported(owner, "conditionExpression", f"条件 {text.strip()!r}：{exc.zh}",
                                  f"condition {text.strip()!r}: {exc.en}")  # fmt: skip
    for kind in _TIMERS:
        for timer in root.iter(f"{{{BPMN_NS}}}{kind}"):
            try:
                timer_expression(kind, timer.text)
            except TimerValueError as exc:
                yield Unsupported(_event_id(timer), kind, f"{kind}：{exc.zh}", f"{kind}: {exc.en}")


def _event_id(element: Any) -> str | None:
    for ancestor in element.iterancestors():
        if ancestor.get("id") and not ancestor.tag.endswith("EventDefinition"):
            return ancestor.get("id")
    return None
