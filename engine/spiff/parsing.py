"""Turn a bundle of files into SpiffWorkflow specs, or into one clear refusal.

Files are classified by content, not by name: a BPMN ``definitions`` root, a DMN ``definitions`` root,
or a form-js JSON object. XML goes through ``xmlsafe`` first, then SpiffWorkflow's own parser with XSD
validation on. servflow's task settings live in ``servflow:*`` extension elements, which this parser
adds to every task spec's ``extensions`` next to SpiffWorkflow's own.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from ..errors import DefinitionError, UnsafeInputError
from ..formats.forms import load_form
from ..formats.settings import BundleSettings, is_settings_file, load_settings
from ..formats.xmlsafe import parse_xml
from ..identity.kinds import check_party_kinds
from ..identity.roles import role_for_lane
from .foreign_calls import INITIATOR, MAPPING, MappedCallParser, call_mapping, initiator, initiators
from .foreign_check import document_problems
from .foreign_decisions import DECISION, ForeignDecisionParser, decision_settings
from .foreign_forms import generated_form, is_generated
from .foreign_io import has_mapping, io_scripts
from .foreign_tasks import ForeignError, user_task_settings
from .juel import JuelError, is_juel, translate
from .serializer import spec_to_dict
from .service_tasks import ExternalTaskParser
from .stored_format import stamp
from .timer_values import TimerValueError, timer_expression

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SERVFLOW_NS = "http://servflow.org/schema/bpmn/1.0"
_NS = {"bpmn": BPMN_NS, "servflow": SERVFLOW_NS}
_DMN_PREFIX = "https://www.omg.org/spec/DMN/"
_DMN_PREFIX_OLD = "http://www.omg.org/spec/DMN/"
SCENARIO_SUFFIX = ".scenarios.json"


class _ServflowTaskParsing:
    """What servflow adds to every SpiffWorkflow task parser.

    ``servflow:*`` extensions, and a foreign user task's assignee, groups, form and dates as the same
    settings (``foreign_tasks``); JUEL conditions translated (``juel``); ISO 8601 timer literals quoted
    (``timer_values``); and a clear refusal where SpiffWorkflow 3.2.0's own one breaks: its event parsers
    call ``raise_validation_exception(message, node=…)``, which takes no ``node``, and raise a TypeError
    instead of saying that a ``messageRef``/``signalRef``/``errorRef``/``escalationRef`` names nothing.
    """

    node: Any
    filename: str

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions = dict(super().parse_extensions(node))  # type: ignore[misc]
        target = self.node if node is None else node
        settings = {}
        try:
            settings = user_task_settings(target) if etree.QName(target).localname == "userTask" else {}
            extensions.update(_foreign_extensions(target))
        except ForeignError as exc:
            raise ValidationException(str(exc), node=target, file_name=self.filename) from None
        for element in target.xpath("./bpmn:extensionElements/servflow:*", namespaces=_NS):
            extensions[f"servflow:{etree.QName(element).localname}"] = dict(element.attrib)
        if has_mapping(target):
            extensions.update(_with_mapping(target, extensions, self.filename))
        if settings:  # the model's own servflow:task settings win over what the dialect's attributes say
            extensions["servflow:task"] = settings | extensions.get("servflow:task", {})
        return extensions

    def parse_condition(self, sequence_flow: Any) -> str | None:
        text = super().parse_condition(sequence_flow)  # type: ignore[misc]
        if not is_juel(text):
            return text
        try:
            return translate(text)
        except JuelError as exc:
            raise ValidationException(f"conditionExpression {text.strip()!r}: {exc}", node=sequence_flow,
                                      file_name=self.filename) from None  # fmt: skip

    def parse_timer_event(self, event: Any) -> Any:
        definition = super().parse_timer_event(event)  # type: ignore[misc]
        kind = next(k for cls, k in _TIMER_KINDS.items() if isinstance(definition, cls))
        try:
            definition.expression = timer_expression(kind, definition.expression)
        except TimerValueError as exc:
            raise ValidationException(f"{kind}: {exc}", node=self.node, file_name=self.filename) from None
        return definition

    def raise_validation_exception(self, message: str, node: Any = None) -> None:
        reference = _MISSING_REFERENCES.get(message)
        if node is None or reference is None:
            raise ValidationException(message, node=self.node, file_name=self.filename)
        value = node.get(reference)
        kind = reference.removesuffix("Ref")
        raise ValidationException(
            f"{reference}={value!r} 没有对应的 bpmn:{kind} 定义 / {reference}={value!r} names no bpmn:{kind} "
            f"defined in this file; add it (the modeler's {kind} selector) or remove the reference",
            node=self.node,
            file_name=self.filename,
        )


def _foreign_extensions(node: Any) -> dict[str, Any]:
    """A call activity's ``camunda:in``/``out``, a start event's initiator, a ``camunda:decisionRef``."""
    read = _FOREIGN_READERS.get(etree.QName(node).localname)
    found = read[1](node) if read else None
    return {read[0]: found} if read and found is not None else {}


_FOREIGN_READERS = {"callActivity": (MAPPING, call_mapping), "startEvent": (INITIATOR, initiator),
                    "businessRuleTask": (DECISION, decision_settings)}  # fmt: skip


def _with_mapping(node: Any, extensions: dict[str, Any], filename: str) -> dict[str, str]:
    """The pre- and post-script a ``camunda:inputOutput`` amounts to, around the model's own ones."""
    try:
        before, after = io_scripts(node)
    except ForeignError as exc:
        raise ValidationException(str(exc), node=node, file_name=filename) from None
    scripts = {}
    if before:
        scripts["preScript"] = "\n".join(filter(None, [before, extensions.get("preScript")]))
    if after:
        scripts["postScript"] = "\n".join(filter(None, [extensions.get("postScript"), after]))
    return scripts


_TIMER_KINDS = {TimeDateEventDefinition: "timeDate", DurationTimerEventDefinition: "timeDuration",
                CycleTimerEventDefinition: "timeCycle"}  # fmt: skip
_MISSING_REFERENCES = {
    "Expected a Message node": "messageRef",
    "Expected a Signal node": "signalRef",
    "Expected an Error node": "errorRef",
    "Expected an error node": "errorRef",
    "Expected an Escalation node": "escalationRef",
}


def _with_servflow_extensions(parser_class: type) -> type:
    """A subclass of a SpiffWorkflow task parser with servflow's additions (:class:`_ServflowTaskParsing`)."""
    return type(f"Servflow{parser_class.__name__}", (_ServflowTaskParsing, parser_class), {})


def _parser_for(tag: str, parser: type) -> type:
    # A service task with a topic waits for a worker (``service_tasks``), whatever dialect names it; a call
    # activity maps variables and a business rule task a decision's result as Camunda does (``foreign_*``).
    return _with_servflow_extensions(_OWN_PARSERS.get(tag, parser))


_OWN_PARSERS = {f"{{{BPMN_NS}}}serviceTask": ExternalTaskParser, f"{{{BPMN_NS}}}callActivity": MappedCallParser,
                f"{{{BPMN_NS}}}businessRuleTask": ForeignDecisionParser}  # fmt: skip


class ServflowBpmnParser(SpiffBpmnParser):
    # Every tag, SpiffWorkflow's defaults too: a gateway's parser reads its outgoing flows' conditions.
    OVERRIDE_PARSER_CLASSES = {  # noqa: RUF012 - SpiffWorkflow reads this class attribute
        tag: (_parser_for(tag, parser), spec)
        for tag, (parser, spec) in {**SpiffBpmnParser.PARSER_CLASSES, **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES}.items()
    }


@dataclass
class ParsedProcess:
    key: str
    name: str
    source_file: str
    spec: dict[str, Any]
    calls: list[str]
    forms: dict[str, Any]
    task_config: dict[str, Any]
    content_hash: str = ""


@dataclass
class ParsedBundle:
    processes: dict[str, ParsedProcess] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    forms: dict[str, Any] = field(default_factory=dict)
    settings: BundleSettings | None = None


def classify(name: str, content: bytes) -> str:
    """'xml' (BPMN or DMN) or 'form', judged by the content."""
    if not content.strip():
        raise DefinitionError("file is empty", file=name)
    head = content.lstrip()[:1]
    if head in (b"{", b"["):
        return "form"
    if head == b"<" or content.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return "xml"
    raise DefinitionError("neither XML (BPMN/DMN) nor JSON (form-js)", file=name)


def parse_bundle(files: Mapping[str, bytes]) -> ParsedBundle:
    """Parse and check every file; raise DefinitionError naming the file and element on the first problem."""
    try:
        return _parse_bundle(files)
    except DefinitionError as exc:
        raise _pinpoint(exc, files) from None


def _pinpoint(exc: DefinitionError, files: Mapping[str, bytes]) -> DefinitionError:
    """Make a refusal name the element: by the line it reports, or by a name SpiffWorkflow quotes."""
    content = files.get(exc.file or "")
    root = None
    if exc.element_id is None and content is not None and not isinstance(exc, UnsafeInputError):
        try:
            root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            root = None
    return _pinpoint_in(exc, root)


def _pinpoint_in(exc: DefinitionError, root: Any) -> DefinitionError:
    reason = _OBJECT_REPR.sub(lambda m: "bpmn:" + m.group(1), exc.reason)
    element_id = exc.element_id
    if element_id is None and root is not None:
        element_id = _element_at_line(root, exc.details.get("line")) or _element_named(root, reason)
    if reason == exc.reason and element_id == exc.element_id:
        return exc
    return DefinitionError(reason, file=exc.file, element_id=element_id, line=exc.details.get("line"))


_OBJECT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-f]+>")
_QUOTED_NAME = re.compile(r"with name (.+?) has|name '([^']+)'")


def _element_at_line(root: Any, line: int | None) -> str | None:
    if not line:
        return None
    best = None
    for node in root.iter():
        if not isinstance(node.tag, str) or node.sourceline is None or node.sourceline > line:
            continue
        if node.get("id"):
            best = node.get("id")
    return best


def _element_named(root: Any, reason: str) -> str | None:
    match = _QUOTED_NAME.search(reason)
    if not match:
        return None
    name = (match.group(1) or match.group(2) or "").strip()
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("name") == name and node.get("id"):
            return node.get("id")
    return None


def _parse_bundle(files: Mapping[str, bytes]) -> ParsedBundle:
    parser = ServflowBpmnParser(validator=VALIDATOR)
    result = ParsedBundle()
    process_files: dict[str, str] = {}
    texts: dict[str, bytes] = {}
    scenarios: dict[str, bytes] = {}
    settings_text = ""
    for name in sorted(files):
        content = files[name]
        scenario_key = scenario_process_key(name)
        if scenario_key:
            scenarios[scenario_key] = content  # checked and run by engine.spiff.scenarios
            continue
        if is_settings_file(name):
            result.settings = load_settings(content, source=name)
            check_party_kinds(result.settings, name)
            settings_text = content.decode("utf-8", "replace")
            continue
        texts[name] = content
        kind = classify(name, content)
        if kind == "form":
            key = form_key_of(name)
            if key in result.forms:
                raise DefinitionError(f"form key {key!r} is defined twice", file=name)
            if is_generated(key):
                raise DefinitionError(f"form keys starting with {key.split(':')[0]}: are kept for the forms made of "
                                      "camunda:formData fields; rename the file", file=name)  # fmt: skip
            result.forms[key] = load_form(content, source=name)
            continue
        tree = parse_xml(content, name)
        namespace = etree.QName(tree.getroot()).namespace or ""
        localname = etree.QName(tree.getroot()).localname
        if localname != "definitions":
            raise DefinitionError(f"root element is <{localname}>, expected <definitions>", file=name)
        if namespace.startswith((_DMN_PREFIX, _DMN_PREFIX_OLD)):
            _add_dmn(parser, tree, name, result)
        elif namespace == BPMN_NS:
            _add_bpmn(parser, tree, name, process_files)
        else:
            raise DefinitionError(f"unknown XML namespace {namespace!r}", file=name)
    executable = [pid for pid in parser.get_process_ids() if pid in process_files]
    for key in executable:
        result.processes[key] = _parse_process(parser, key, process_files, result.forms, texts)
        if key in scenarios:  # a changed scenario file is a change worth a version (and is kept with it)
            process = result.processes[key]
            scenario_text = scenarios[key].decode("utf-8", "replace")
            process.content_hash = content_hash({"process": process.content_hash, "scenarios": scenario_text})
        if settings_text:  # the bundle's settings are part of every version it deploys
            process = result.processes[key]
            process.content_hash = content_hash({"process": process.content_hash, "settings": settings_text})
    return result


def scenario_process_key(name: str) -> str | None:
    """``scenarios/<process>.scenarios.json`` holds scenario checks for that process, not a form."""
    base = name.rsplit("/", 1)[-1]
    if not base.endswith(SCENARIO_SUFFIX):
        return None
    return base[: -len(SCENARIO_SUFFIX)] or None


def form_key_of(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    for suffix in (".form.json", ".form", ".json"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def check_document(name: str, tree: Any) -> str:
    """Check one BPMN or DMN document on its own (schema, SpiffWorkflow's parser); returns 'bpmn' or 'dmn'.

    ``engine.definitions.validation`` reports every file's problems at once, where ``parse_bundle`` stops at the first.
    """
    namespace = etree.QName(tree.getroot()).namespace or ""
    parser = ServflowBpmnParser(validator=VALIDATOR)
    try:
        return _check_document(parser, name, tree, namespace)
    except DefinitionError as exc:
        raise _pinpoint_in(exc, tree.getroot()) from None


def _check_document(parser: ServflowBpmnParser, name: str, tree: Any, namespace: str) -> str:
    localname = etree.QName(tree.getroot()).localname
    if localname != "definitions":
        raise DefinitionError(f"root element is <{localname}>, expected <definitions>", file=name)
    try:
        if namespace.startswith((_DMN_PREFIX, _DMN_PREFIX_OLD)):
            _add_dmn(parser, tree, name, ParsedBundle())
            return "dmn"
        if namespace == BPMN_NS:
            _add_bpmn(parser, tree, name, {})
            return "bpmn"
    except (KeyError, AttributeError, TypeError, ValueError, IndexError) as exc:
        raise DefinitionError(f"unsupported or incomplete model ({type(exc).__name__}: {exc})", file=name) from None
    raise DefinitionError(f"unknown XML namespace {namespace!r}", file=name)


def _add_dmn(parser: ServflowBpmnParser, tree: Any, name: str, result: ParsedBundle) -> None:
    try:
        for document in _one_decision_each(tree.getroot()):
            parser.add_dmn_xml(document, filename=name)
    except ValidationException as exc:
        raise _from_validation(exc, name) from None
    for decision in tree.getroot().iter("{*}decision"):
        result.decisions[decision.get("id", "")] = name


def _one_decision_each(root: Any) -> list[Any]:
    """The DMN document once per decision: SpiffWorkflow reads the first decision of a document only, and
    Camunda's files often hold several (``invoiceBusinessDecisions.dmn``)."""
    decisions = root.findall("{*}decision")
    if len(decisions) < 2:
        return [root]
    documents = []
    for kept in decisions:
        document = copy.deepcopy(root)
        for other in document.findall("{*}decision"):
            if other.get("id") != kept.get("id"):
                document.remove(other)
        documents.append(document)
    return documents


def _add_bpmn(parser: ServflowBpmnParser, tree: Any, name: str, process_files: dict[str, str]) -> None:
    for problem in document_problems(tree.getroot())[:1]:  # engine.definitions.validation lists them all
        raise DefinitionError(f"{problem.zh} / {problem.en}", file=name, element_id=problem.element_id)
    processes = tree.getroot().findall(f"{{{BPMN_NS}}}process")
    if not any(p.get("isExecutable", "true") == "true" for p in processes):
        raise _nothing_to_deploy(name, processes)
    for process in processes:
        pid = process.get("id")
        if pid in process_files:
            raise DefinitionError(
                f"process id {pid!r} is also defined in {process_files[pid]}", file=name, element_id=pid
            )
        process_files[pid] = name
    try:
        parser.add_bpmn_xml(tree, filename=name)
    except ValidationException as exc:
        raise _from_validation(exc, name) from None
    except SpiffWorkflowException as exc:
        raise DefinitionError(str(exc), file=name) from None


def _nothing_to_deploy(name: str, processes: list[Any]) -> DefinitionError:
    """A BPMN file of a bundle with no process servflow could run: named, never passed over in silence."""
    if not processes:
        return DefinitionError(
            f"文件 {name} 中没有流程（bpmn:process），没有可部署的内容 / {name} holds no bpmn:process: nothing to "
            "deploy (a collaboration needs the pools' processes in the same file)",
            file=name,
        )
    ids = ", ".join(p.get("id", "?") for p in processes)
    return DefinitionError(
        f"文件 {name} 中没有可执行的流程，请在其中一个流程上设置 isExecutable=\"true\"（{ids}）/ {name} has no "
        f'executable process: nothing to deploy; set isExecutable="true" on one of: {ids}',
        file=name,
        element_id=processes[0].get("id"),
    )


def _parse_process(
    parser: ServflowBpmnParser,
    key: str,
    process_files: dict[str, str],
    forms: dict[str, Any],
    texts: dict[str, bytes],
) -> ParsedProcess:
    source = process_files[key]
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as exc:
        raise _from_validation(exc, source) from None
    except SpiffWorkflowException as exc:
        raise DefinitionError(str(exc), file=source, element_id=key) from None
    except (KeyError, AttributeError, TypeError, ValueError, IndexError) as exc:
        # SpiffWorkflow's parser assumes well-formed models; say which process it choked on.
        raise DefinitionError(
            f"unsupported or incomplete model ({type(exc).__name__}: {exc})", file=source, element_id=key
        ) from None
    embedded = {name: sub for name, sub in subprocess_specs.items() if name not in process_files}
    calls = sorted(
        {ts.spec for s in [spec, *embedded.values()] for ts in s.task_specs.values() if isinstance(ts, CallActivity)}
    )
    for called in calls:
        if called not in process_files:
            raise DefinitionError(f"called process {called!r} is not deployed", file=source, element_id=key)
        _check_called_start(parser, called, key, process_files)
    task_config = _task_config([spec, *embedded.values()], source)
    forms = {**forms, **_generated_forms(texts[source], task_config, source)}
    used_forms = {}
    for element_id, config in task_config.items():
        form_key = config.get("form_key")
        if form_key and form_key not in forms:
            raise DefinitionError(f"form {form_key!r} is not in the bundle", file=source, element_id=element_id)
        if form_key:
            used_forms[form_key] = forms[form_key]
    spec_data = stamp({"spec": spec_to_dict(spec), "embedded": {n: spec_to_dict(s) for n, s in embedded.items()}})
    parsed = ParsedProcess(
        key=key,
        name=_process_name(texts[source], key) or key,
        source_file=source,
        spec=spec_data,
        calls=calls,
        forms=used_forms,
        task_config=task_config,
    )
    parsed.content_hash = content_hash(
        {"spec": spec_data, "calls": calls, "forms": used_forms, "source": texts[source].decode("utf-8", "replace")}
    )
    return parsed


def _check_called_start(parser: ServflowBpmnParser, called: str, caller: str, process_files: dict[str, str]) -> None:
    """``camunda:initiator`` is set when a project starts with the process, never when it is called."""
    names = initiators(parser.get_spec(called))
    if names:
        name = names[0]
        raise DefinitionError(
            f"流程 {called} 的开始事件 camunda:initiator={name!r} 在被 {caller} 调用时不会设置；请删去它，"
            f'并在调用活动上用 camunda:in source="…" target="{name}" 传入发起人 / camunda:initiator={name!r} on '
            f"the start event of {called} is not set when {caller} calls it; remove it and pass the starter in "
            f'with camunda:in source="…" target="{name}" on the call activity',
            file=process_files[called],
            element_id=called,
        )


def _task_config(specs: list[Any], source: str) -> dict[str, Any]:
    """What servflow reads from each user task: name, role from its lane, form key, deadline, disclosure."""
    config: dict[str, Any] = {}
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if not getattr(task_spec, "manual", False):
                continue
            extensions = getattr(task_spec, "extensions", {}) or {}
            settings = extensions.get("servflow:task", {})
            config[task_spec.bpmn_id] = {
                "process": spec.name,
                "name": task_spec.bpmn_name or task_spec.bpmn_id,
                "lane": task_spec.lane,
                "role": role_for_lane(task_spec.lane),
                "form_key": settings.get("formKey") or None,
                "deadline": {k: v for k, v in settings.items() if k != "formKey"},
                "disclose": extensions.get("servflow:disclose"),
            }
    return config


def _generated_forms(content: bytes, task_config: dict[str, Any], source: str) -> dict[str, Any]:
    """The forms made of the ``camunda:formData``/``formProperty`` fields of the process's user tasks,
    checked like a form file (``foreign_forms``)."""
    wanted = {c["form_key"]: element_id for element_id, c in task_config.items() if is_generated(c.get("form_key"))}
    if not wanted:
        return {}
    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    nodes = {node.get("id"): node for node in root.iter(f"{{{BPMN_NS}}}userTask")}
    generated = {}
    for key, element_id in wanted.items():
        form = generated_form(nodes[element_id])
        generated[key] = load_form(json.dumps(form, ensure_ascii=False), source=f"{source}#{element_id}")
    return generated


def _process_name(content: bytes, key: str) -> str | None:
    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    for process in root.iterfind(f"{{{BPMN_NS}}}process"):
        if process.get("id") == key:
            return process.get("name")
    return None


def _from_validation(exc: ValidationException, default_file: str) -> DefinitionError:
    message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())  # notes included, never cut
    return DefinitionError(
        message,
        file=getattr(exc, "file_name", "") or default_file,
        element_id=getattr(exc, "id", "") or None,
        line=getattr(exc, "line_number", None) or None,
    )


def content_hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
