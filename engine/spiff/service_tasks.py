"""Service tasks as external tasks: the project waits while a worker of another system does the work.

A BPMN ``serviceTask`` names a *topic* — servflow's own ``servflow:topic`` attribute (with
``servflow:retries``, ``servflow:lockDuration``, ``servflow:retryBackoff``, ``servflow:outputs``), or
Camunda Modeler's ``camunda:type="external" camunda:topic``, or Flowable's ``flowable:type="external-worker"
flowable:topic``. Reached, such a task does not run: it stays STARTED, ``engine.commands.external_tasks``
publishes it as a row that workers fetch and lock over HTTP, and the project moves on only when a worker
completes it (or throws a BPMN error a boundary event catches).

A service task with SpiffWorkflow's own ``spiffworkflow:serviceTaskOperator`` keeps SpiffWorkflow's
meaning; one with neither is refused at deploy with what to write instead.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask as ServiceTaskMixin
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask

from .dialects import foreign_attribute

SERVFLOW_NS = "http://servflow.org/schema/bpmn/1.0"
EXTENSION = "servflow:external"

#: Defaults when a model says nothing: three attempts, a five-minute lock, a minute before a retry.
DEFAULT_RETRIES = 3
DEFAULT_LOCK = "PT5M"
DEFAULT_BACKOFF = "PT1M"

_TOPIC = re.compile(r"^[A-Za-z0-9_.:\-]{1,200}$")
_CYCLE = re.compile(r"^R(\d+)/(P.+)$")
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def duration(text: str) -> timedelta | None:
    """A lock or backoff written as ISO 8601 days/hours/minutes/seconds (``PT5M``, ``P1DT2H``); else ``None``."""
    match = _DURATION.match(text.strip().upper())
    if not match or not any(match.groups()) or text.strip().upper().endswith("T"):
        return None
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


class ExternalServiceTask(ServiceTaskMixin, SpiffBpmnTask):
    """A service task that waits (STARTED) for a worker; its settings are in ``extensions['servflow:external']``."""

    def _run_hook(self, my_task: Any) -> None:
        return None


def external_settings(task_spec: Any) -> dict[str, str] | None:
    """The topic and limits of an external service task, or ``None`` for any other task spec."""
    if not isinstance(task_spec, ExternalServiceTask):
        return None
    return dict((getattr(task_spec, "extensions", {}) or {}).get(EXTENSION, {}))


def _attribute(node: Any, name: str) -> str:
    own = node.get(f"{{{SERVFLOW_NS}}}{name}", "").strip()
    found = foreign_attribute(node, name)
    return own or (found[1] if found else "")


def read_external(node: Any) -> dict[str, str] | None:
    """The external-task settings a ``serviceTask`` element declares in any of the dialects, or ``None``."""
    topic = node.get(f"{{{SERVFLOW_NS}}}topic", "").strip()
    if not topic:
        kind = _attribute(node, "type")
        if kind in ("external", "external-worker"):
            topic = _attribute(node, "topic")
    if not topic:
        return None
    settings = {
        "topic": topic,
        "retries": node.get(f"{{{SERVFLOW_NS}}}retries", "").strip(),
        "lockDuration": node.get(f"{{{SERVFLOW_NS}}}lockDuration", "").strip(),
        "retryBackoff": node.get(f"{{{SERVFLOW_NS}}}retryBackoff", "").strip(),
        "outputs": node.get(f"{{{SERVFLOW_NS}}}outputs", "").strip(),
    }
    cycle = node.xpath("./*[local-name()='extensionElements']/*[local-name()='failedJobRetryTimeCycle']")
    match = _CYCLE.match((cycle[0].text or "").strip()) if cycle else None
    if match and not settings["retries"]:  # Camunda's "R3/PT5M": three attempts, five minutes apart
        settings["retries"], settings["retryBackoff"] = match.group(1), match.group(2)
    return {key: value for key, value in settings.items() if value}


class ExternalTaskParser(ServiceTaskParser):
    """Parses ``serviceTask``: a topic makes an :class:`ExternalServiceTask`, an operator SpiffWorkflow's own."""

    def create_task(self) -> Any:
        external = read_external(self.node)
        if external is None:
            if self.parse_extensions().get("serviceTaskOperator") is not None:
                return super().create_task()
            raise ValidationException(
                "服务任务没有主题：请在属性面板填写“外部任务主题”(servflow:topic)，由外部系统的工作进程完成 / "
                'a service task needs a topic (servflow:topic, or camunda:type="external" with camunda:topic) '
                "so that a worker of another system can do it",
                node=self.node,
                file_name=self.filename,
            )
        problem = _problem(external)
        if problem:
            raise ValidationException(problem, node=self.node, file_name=self.filename)
        extensions = self.parse_extensions()
        task = ExternalServiceTask(
            self.spec,
            self.bpmn_id,
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )
        return task

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions = dict(super().parse_extensions(node))
        external = read_external(self.node if node is None else node)
        if external is not None:
            extensions[EXTENSION] = external
        return extensions


def _problem(settings: dict[str, str]) -> str | None:
    topic = settings["topic"]
    if not _TOPIC.match(topic):
        return (
            f"外部任务主题 {topic!r} 只能含字母、数字和 . _ - : / "
            f"the topic {topic!r} may hold only letters, digits and . _ - : (at most 200)"
        )
    retries = settings.get("retries")
    if retries is not None and not (retries.isdigit() and 0 < int(retries) <= 100):
        return f"重试次数 {retries!r} 应为 1–100 的整数 / retries {retries!r} must be a whole number from 1 to 100"
    for name in ("lockDuration", "retryBackoff"):
        value = settings.get(name)
        if value is not None and duration(value) is None:
            return (
                f"{name} {value!r} 不是 ISO 8601 时长（如 PT5M）/ "
                f"{name} {value!r} is not an ISO 8601 duration such as PT5M"
            )
    return None
