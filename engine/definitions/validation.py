"""Check a bundle before it is deployed, and report every problem at once, not just the first.

Deploy (``definitions.deploy``) refuses on the first problem it meets; a designer fixing a diagram
wants the whole list, each tied to a file and an element so the modeler can mark it. Nothing here
writes to the database. The checks read the XML directly, so most of them still run when
SpiffWorkflow cannot parse a file; SpiffWorkflow's own parse of the whole bundle runs once every file
has loaded on its own, and the scenario checks (``engine.spiff.scenarios``) run once that parse succeeds.

Severity ``error`` blocks deploying; ``warning`` is shown but allowed (a lane naming a role servflow
does not know is a locality-specific role nobody holds until it is granted).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from ..calendars.deadlines import DeadlineRule
from ..errors import DefinitionError, ExecutionError
from ..formats.bundles import check_bundle
from ..formats.forms import load_form
from ..formats.settings import is_settings_file, load_settings
from ..formats.xmlsafe import parse_xml
from ..identity.kinds import check_party_kinds
from ..identity.roles import is_known_role, role_for_lane
from ..spiff.dialects import foreign_attribute, foreign_children, prefixed
from ..spiff.foreign_check import document_problems
from ..spiff.foreign_forms import field_elements, is_generated
from ..spiff.foreign_tasks import ForeignError, user_task_settings
from ..spiff.juel import JuelError, is_juel, translate
from ..spiff.parsing import (
    BPMN_NS,
    SERVFLOW_NS,
    ParsedBundle,
    check_document,
    classify,
    form_key_of,
    parse_bundle,
    scenario_process_key,
)
from ..spiff.scenarios import ScenarioResult, load_scenarios, run_bundle_scenarios
from ..spiff.scripting import check_code

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_NS = {"bpmn": BPMN_NS, "servflow": SERVFLOW_NS, "spiffworkflow": SPIFF_NS}
ERROR, WARNING = "error", "warning"

FLOW_NODES = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "complexGateway",
}
_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
_HUMAN_TASKS = {"userTask", "manualTask"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle, in Chinese and English, tied to a file and element when known."""

    severity: str
    code: str
    zh: str
    en: str
    file: str | None = None
    element_id: str | None = None

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "element_id": self.element_id,
            "message": self.message,
            "zh": self.zh,
            "en": self.en,
        }


@dataclass
class ValidationReport:
    """What a bundle's check found. ``changed``: the processes a designer's upload changes (its BPMN files'
    and its scenario files' processes); a failing scenario of another process — the region's lifecycle
    run through a city's new stage, say — is a warning to acknowledge, not a refusal. ``None`` (a whole
    bundle checked on its own): every failing scenario refuses."""

    problems: list[Problem] = field(default_factory=list)
    scenarios: list[ScenarioResult] = field(default_factory=list)
    bundle: ParsedBundle | None = None
    changed: frozenset[str] | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def failed_scenarios(self) -> list[ScenarioResult]:
        """The failing scenarios that refuse the deploy: those of the processes changed."""
        return [s for s in self.scenarios if not s.passed and not self._elsewhere(s)]

    @property
    def scenario_warnings(self) -> list[ScenarioResult]:
        """Failing scenarios of processes the upload does not change: deployable once acknowledged."""
        return [s for s in self.scenarios if not s.passed and self._elsewhere(s)]

    def _elsewhere(self, scenario: ScenarioResult) -> bool:
        return self.changed is not None and scenario.process not in self.changed

    @property
    def deployable(self) -> bool:
        """No errors and every scenario of the changed processes passes (warnings may remain)."""
        return not self.errors and not self.failed_scenarios

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.deployable,
            "problems": [p.to_dict() for p in self.problems],
            "scenarios": [s.to_dict() | {"warning": self._elsewhere(s) and not s.passed} for s in self.scenarios],
            "warnings": [f"{s.process} · {s.name}" for s in self.scenario_warnings],
            "processes": sorted(self.bundle.processes) if self.bundle else [],
        }


def validate_bundle(files: Mapping[str, bytes], *, scenarios: bool = True) -> ValidationReport:
    """Every problem of the bundle, then (if it parses) the result of each scenario check."""
    report = ValidationReport()
    try:
        check_bundle(files)
    except DefinitionError as exc:
        report.problems.append(_from_error(exc, "limits", "文件包超出限制", exc.file))
        return report
    documents = _load_files(files, report.problems)
    _check_documents(documents, report.problems)
    if report.errors:
        return report
    try:
        report.bundle = parse_bundle(files)
    except DefinitionError as exc:
        report.problems.append(_from_error(exc, "parse", "流程解析失败", exc.file))
        return report
    if scenarios:
        report.scenarios = run_bundle_scenarios(report.bundle, dict(files))
    return report


@dataclass
class _Documents:
    bpmn: dict[str, Any] = field(default_factory=dict)
    forms: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)
    processes: set[str] = field(default_factory=set)
    scenario_keys: dict[str, str] = field(default_factory=dict)


def _load_files(files: Mapping[str, bytes], problems: list[Problem]) -> _Documents:
    """Load each file on its own (XML safety, XSD, DMN, form rules), so one bad file hides no other."""
    documents = _Documents()
    for name in sorted(files):
        content = files[name]
        try:
            scenario_key = scenario_process_key(name)
            if scenario_key:
                load_scenarios(content, source=name)
                documents.scenario_keys[name] = scenario_key
            elif is_settings_file(name):
                check_party_kinds(load_settings(content, source=name), name)
            elif classify(name, content) == "form":
                documents.forms.add(form_key_of(name))  # known even if broken: its own problem says why
                load_form(content, source=name)
            else:
                _load_xml(name, content, documents, problems)
        except DefinitionError as exc:
            problems.append(_from_error(exc, "file", "文件无法读取", name))
    return documents


def _load_xml(name: str, content: bytes, documents: _Documents, problems: list[Problem]) -> None:
    root = parse_xml(content, name).getroot()
    # Record what the file defines before SpiffWorkflow judges it, so the XML-level checks of this file
    # still run and other files' references to it do not show up as problems too.
    if etree.QName(root).namespace == BPMN_NS:
        documents.bpmn[name] = root
        documents.processes.update(p.get("id", "") for p in root.iterfind("bpmn:process", _NS))
        unsupported = document_problems(root)
        for item in unsupported:  # SpiffWorkflow's parse would stop at the first of these
            problems.append(Problem(ERROR, "unsupported", item.zh, item.en, name, item.element_id))
        if unsupported:
            return
    else:
        documents.decisions.update(d.get("id", "") for d in root.iter("{*}decision"))
    check_document(name, root.getroottree())


def _check_documents(documents: _Documents, problems: list[Problem]) -> None:
    for name, key in documents.scenario_keys.items():
        if key not in documents.processes:
            problems.append(
                Problem(
                    ERROR,
                    "scenario_process",
                    f"场景文件对应的流程 {key} 不在文件包中",
                    f"the scenarios are for process {key!r}, which is not in the bundle",
                    name,
                )
            )
    for name, root in documents.bpmn.items():
        check = _FileCheck(name, root, documents, problems)
        for process in root.iterfind("bpmn:process", _NS):
            check.container(process)
        check.elements()


class _FileCheck:
    """The XML-level checks of one BPMN file."""

    def __init__(self, name: str, root: Any, documents: _Documents, problems: list[Problem]) -> None:
        self.name = name
        self.root = root
        self.documents = documents
        self.problems = problems
        self.lanes = _lanes_by_node(root)

    def add(self, severity: str, code: str, element_id: str | None, zh: str, en: str) -> None:
        self.problems.append(Problem(severity, code, zh, en, self.name, element_id))

    def container(self, container: Any) -> None:
        """Unreachable flow nodes of a process or sub-process (and, recursively, of reachable ones)."""
        nodes = {n.get("id"): n for n in container if _local(n) in FLOW_NODES and n.get("id")}
        reached = _reachable(container, nodes)
        for node_id, node in nodes.items():
            if node_id not in reached:
                label = _label(node)
                self.add(
                    ERROR,
                    "unreachable",
                    node_id,
                    f"{label} 无法从开始事件到达",
                    f"{label} cannot be reached from a start event",
                )
            elif _local(node) in _CONTAINERS:
                self.container(node)
        for gateway_id in _parallel_loop_entries(container, nodes):
            label = _label(nodes[gateway_id])
            self.add(
                WARNING,
                "parallel_loop_entry",
                gateway_id,
                f"{label} 是并行网关，却同时接收进入循环的流和循环返回的流：按 BPMN，并行网关要等每一条入口流都到达，"
                "循环体里有包容网关等时项目会在这里一直等待；请在它前面加一个排他网关汇合这两条流",
                f"{label} is a parallel gateway that receives both the flow into a loop and the flow back from its "
                "end: in BPMN a parallel gateway waits for every incoming flow, and with an inclusive gateway in "
                "the loop the project waits here forever; merge the two flows in an exclusive gateway before it",
            )

    def elements(self) -> None:
        for element in self.root.iter(f"{{{BPMN_NS}}}*"):
            kind = _local(element)
            if kind in _HUMAN_TASKS:
                self.human_task(element)
            elif kind == "exclusiveGateway":
                self.gateway(element)
            elif kind == "callActivity":
                self.call(element)
            elif kind == "businessRuleTask":
                self.decision(element)
            elif kind == "conditionExpression":
                self.condition(element)
            elif kind == "script":
                self.code(element.getparent().get("id"), element.text, "exec", "脚本", "script")
            elif kind == "startEvent" and field_elements(element):
                self.start_form(element)
        for script in self.root.iterfind(".//spiffworkflow:preScript", _NS):
            self.code(_owner_id(script), script.text, "exec", "前置脚本", "pre-script")
        for script in self.root.iterfind(".//spiffworkflow:postScript", _NS):
            self.code(_owner_id(script), script.text, "exec", "后置脚本", "post-script")

    def start_form(self, event: Any) -> None:
        fields = field_elements(event)
        what = prefixed(fields[0].getparent() if foreign_children(event, "formData") else fields[0])
        self.add(
            WARNING,
            "start_form_fields",
            event.get("id"),
            f"{_label(event)} 的 {what} 字段不会生成开始表单：项目以发起时提交的数据开始，不按这些字段校验；"
            "请把字段放到第一个用户任务上",
            f"{_label(event)}: servflow has no start forms, so its {what} fields are neither shown nor checked "
            "(a project starts with the data it is started with); declare them on a first user task instead",
        )

    def human_task(self, task: Any) -> None:
        task_id = task.get("id")
        label = _label(task)
        lane = self.lane_of(task)
        settings = task.find("bpmn:extensionElements/servflow:task", _NS)
        attributes = _foreign_settings(task) | (dict(settings.attrib) if settings is not None else {})
        groups = _literal_groups(attributes.get("candidateGroups"))
        if lane is None and not (attributes.get("candidateUser") or attributes.get("candidateGroups")):
            self.add(
                WARNING,
                "no_lane",
                task_id,
                f"{label} 不在任何泳道内，也没有指定办理人或候选组，只有管理员能看到并办理",
                f"{label} is in no lane and names no assignee or candidate group, so only an administrator "
                "sees and works it; put it in a lane named after a role, or give candidateGroups",
            )
        for role_name in groups if groups is not None else [lane] if lane is not None else []:
            if not is_known_role(role_for_lane(role_name)):
                self.add(
                    WARNING,
                    "unknown_role",
                    task_id,
                    f"{label} 的角色“{role_name}”不是已知角色，需要为该角色单独授权",
                    f"{label} is for '{role_name}', not a known role; someone must be granted it",
                )
        form_key = (attributes.get("formKey") or "").strip()
        if form_key and form_key not in self.documents.forms and not is_generated(form_key):
            self.add(
                ERROR,
                "unknown_form",
                task_id,
                f"{label} 的表单 {form_key} 不存在",
                f"{label} uses form {form_key!r}, which is not in the bundle",
            )
        self.code(task_id, attributes.get("candidateOrganization"), "eval",
                  f"{label} 的候选机构表达式", f"candidateOrganization of {label}")  # fmt: skip
        self.code(task_id, attributes.get("candidateUser"), "eval",
                  f"{label} 的候选人表达式", f"candidateUser of {label}")  # fmt: skip
        for name in ("candidateGroups", "dueDate", "followUpDate"):
            self.code(task_id, attributes.get(name), "eval", f"{label} 的 {name}", f"{name} of {label}")
        try:
            DeadlineRule.from_attributes(attributes, element_id=task_id)
        except DefinitionError as exc:
            self.add(ERROR, "deadline", task_id, f"{label} 的办理期限设置有误：{exc.reason}", exc.reason)

    def lane_of(self, node: Any) -> str | None:
        """The lane a task's role comes from: its own, else the enclosing sub-process's (as SpiffWorkflow)."""
        current = node
        while current is not None:
            lane = self.lanes.get(current.get("id"))
            if lane is not None:
                return lane
            current = current.getparent()
            if current is not None and _local(current) == "process":
                return None
        return None

    def gateway(self, gateway: Any) -> None:
        gateway_id = gateway.get("id")
        outgoing = [f for f in _flows(self.root) if f.get("sourceRef") == gateway_id]
        if len(outgoing) < 2:
            return
        for flow in outgoing:
            condition = flow.find("bpmn:conditionExpression", _NS)
            if flow.get("id") == gateway.get("default") or (condition is not None and (condition.text or "").strip()):
                continue
            label = _label(gateway)
            self.add(
                ERROR,
                "missing_condition",
                gateway_id,
                f"{label} 的出口 {_label(flow)} 没有条件（也不是默认路径）",
                f"outgoing flow {flow.get('id')} of {label} has no condition and is not the default",
            )

    def call(self, activity: Any) -> None:
        called = (activity.get("calledElement") or "").strip()
        label = _label(activity)
        if not called:
            self.add(
                ERROR, "missing_call", activity.get("id"), f"{label} 未指定被调用流程", f"{label} calls no process"
            )
        elif called not in self.documents.processes:
            self.add(
                ERROR,
                "missing_call",
                activity.get("id"),
                f"{label} 调用的流程 {called} 不在文件包中",
                f"{label} calls process {called!r}, which is not in the bundle",
            )

    def decision(self, task: Any) -> None:
        reference = task.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", _NS)
        foreign = foreign_attribute(task, "decisionRef")
        decision = (reference.text or "").strip() if reference is not None else foreign[1] if foreign else ""
        if decision and decision not in self.documents.decisions:
            label = _label(task)
            said = f"{foreign[0]}={decision!r}" if reference is None and foreign else repr(decision)
            self.add(
                ERROR,
                "missing_decision",
                task.get("id"),
                f"{label} 引用的决策表 {said} 不在文件包中；请把它的 .dmn 文件一同部署",
                f"{label} uses decision {said}, which is not in the bundle; deploy its .dmn file with the process",
            )

    def condition(self, expression: Any) -> None:
        """A sequence flow's condition, JUEL translated first (what does not translate is reported already)."""
        text = expression.text or ""
        try:
            source = translate(text) if is_juel(text) else text
        except JuelError:
            return
        self.code(expression.getparent().get("id"), source, "eval", "条件表达式", "condition")

    def code(self, element_id: str | None, text: str | None, mode: str, zh_what: str, en_what: str) -> None:
        source = (text or "").strip()
        if not source:
            return
        try:
            check_code(source, mode)
        except ExecutionError as exc:
            self.add(ERROR, "expression", element_id, f"{zh_what}有误：{exc.message}", f"{en_what}: {exc.message}")


def _foreign_settings(task: Any) -> dict[str, str]:
    """A user task's Camunda/Flowable attributes as settings; what cannot be read is reported already."""
    try:
        return user_task_settings(task) if _local(task) == "userTask" else {}
    except ForeignError:
        return {}


def _literal_groups(expression: str | None) -> list[str] | None:
    """The groups a candidateGroups setting names when it is a literal list, else ``None``."""
    try:
        value = ast.literal_eval(expression) if expression else None
    except (ValueError, SyntaxError):
        return None
    return [str(v) for v in value] if isinstance(value, list) else None


def _parallel_loop_entries(container: Any, nodes: dict[str, Any]) -> list[str]:
    """Parallel gateways with one incoming flow from before a loop and another back from inside it."""
    targets: dict[str, list[str]] = {}
    sources: dict[str, list[str]] = {}
    for flow in container.iterfind("bpmn:sequenceFlow", _NS):
        targets.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        sources.setdefault(flow.get("targetRef"), []).append(flow.get("sourceRef"))
    found = []
    for node_id, node in nodes.items():
        if _local(node) != "parallelGateway" or len(sources.get(node_id, [])) < 2:
            continue
        after: set[str] = set()
        pending = list(targets.get(node_id, []))
        while pending:
            current = pending.pop()
            if current not in after:
                after.add(current)
                pending.extend(targets.get(current, []))
        inside = [source in after for source in sources[node_id]]
        if any(inside) and not all(inside):
            found.append(node_id)
    return found


def _reachable(container: Any, nodes: dict[str, Any]) -> set[str]:
    """Flow nodes reachable by sequence flows from the container's entry points."""
    targets: dict[str, list[str]] = {}
    incoming: set[str] = set()
    for flow in container.iterfind("bpmn:sequenceFlow", _NS):
        targets.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        incoming.add(flow.get("targetRef"))
    starts = [i for i, n in nodes.items() if _local(n) == "startEvent"]
    roots = (
        set(starts) if starts else {i for i, n in nodes.items() if i not in incoming and _local(n) != "boundaryEvent"}
    )
    for node_id, node in nodes.items():
        if node.get("triggeredByEvent") == "true" or node.get("isForCompensation") == "true" or _is_link_catch(node):
            roots.add(node_id)
    boundary = {i: n.get("attachedToRef") for i, n in nodes.items() if _local(n) == "boundaryEvent"}
    reached: set[str] = set()
    pending = list(roots)
    while pending:
        current = pending.pop()
        if current in reached:
            continue
        reached.add(current)
        pending.extend(targets.get(current, []))
        pending.extend(b for b, host in boundary.items() if host == current)
    return reached


def _is_link_catch(node: Any) -> bool:
    return _local(node) == "intermediateCatchEvent" and node.find("bpmn:linkEventDefinition", _NS) is not None


def _lanes_by_node(root: Any) -> dict[str, str]:
    """Flow node id → name of the innermost lane that lists it (blank names count as no lane)."""
    found: dict[str, tuple[int, str]] = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        depth = sum(1 for _ in lane.iterancestors(f"{{{BPMN_NS}}}lane"))
        for ref in lane.iterfind("bpmn:flowNodeRef", _NS):
            node_id = (ref.text or "").strip()
            if node_id and depth >= found.get(node_id, (-1, ""))[0]:
                found[node_id] = (depth, (lane.get("name") or "").strip())
    return {node_id: name for node_id, (_, name) in found.items() if name}


def _flows(root: Any) -> Iterator[Any]:
    return root.iter(f"{{{BPMN_NS}}}sequenceFlow")


def _owner_id(element: Any) -> str | None:
    for ancestor in element.iterancestors():
        if _local(ancestor) != "extensionElements" and ancestor.get("id"):
            return ancestor.get("id")
    return None


def _local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _label(element: Any) -> str:
    name = (element.get("name") or "").strip()
    return f"“{name}”({element.get('id')})" if name else str(element.get("id"))


def _from_error(exc: DefinitionError, code: str, zh_prefix: str, file: str | None) -> Problem:
    zh, en = _languages(exc.reason)
    return Problem(ERROR, code, f"{zh_prefix}：{zh}", en, exc.file or file, exc.element_id)


def _languages(reason: str) -> tuple[str, str]:
    """A reason servflow wrote in both languages ("中文 / English") is split, so each is shown once."""
    reason = reason.strip().removesuffix(".").strip()
    head, sep, tail = reason.partition(" / ")
    if sep and any("\u4e00" <= ch <= "\u9fff" for ch in head) and not any("\u4e00" <= ch <= "\u9fff" for ch in tail):
        return head, tail
    return reason, reason
