"""A call activity's ``camunda:in``/``camunda:out`` mappings, and the start event's ``camunda:initiator``.

Camunda 7 (Flowable and Activiti alike: ``flowable:in``, ``activiti:out`` …) gives a called process only
the variables its call activity maps in, and the caller only those mapped out. SpiffWorkflow's call
activity copies all data both ways; a call activity with any mapping is made a :class:`MappedCallActivity`,
which keeps SpiffWorkflow's way of starting and finishing the called process and changes only what is
copied (``copy_data``/``update_data``, as SpiffWorkflow's own data inputs and outputs do):

========================================  =============================================================
mapping                                   what happens
========================================  =============================================================
``in source="a" target="b"``              the called process starts with ``b`` = the caller's ``a``
                                          (``None`` when the caller has no ``a``, as in Camunda)
``in sourceExpression="${…}" target``     the expression (JUEL subset) over the caller's data
``in variables="all"``                    every variable of the caller (mapped ones added)
``local="true"`` on an ``in``             read from the call activity's own ``camunda:inputOutput``
                                          inputs, its only local variables in servflow
``in businessKey="#{execution.``          the called process sees the project's ``business_key`` (it is
``processBusinessKey}"``                  part of the same project anyway)
``out source/sourceExpression target``    read over the called process's data when it ends, set on the
                                          caller, whose own data is kept
``out variables="all"``                   every variable of the called process comes back
Flowable's ``inheritVariables="true"``    as ``in variables="all"``
========================================  =============================================================

With any mapping, both directions follow Camunda: without an ``in`` the called process sees nothing (but
what ``variables="all"`` passes), without an ``out`` nothing comes back. A call activity with no mapping
keeps servflow's own behaviour (all data in, all data back). What cannot be run — another business key,
``local`` on an ``out``, a mapping missing its source or target, a JUEL expression outside the subset, a
Java variable-mapping class — raises :class:`ForeignError` naming the mapping and the value.

``camunda:initiator="starter"`` on a process's start event: the variable ``starter`` holds the username of
whoever started the project (``initiator_data``).
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.task_spec import CallActivityParser
from SpiffWorkflow.spiff.specs.defaults import CallActivity

from .dialects import ForeignError, foreign_attribute, foreign_children, prefixed
from .foreign_io import KEPT, has_mapping, is_usable_name, unusable_name
from .juel import JuelError, is_juel, translate

MAPPING = "servflow:variables"
INITIATOR = "servflow:initiator"
BUSINESS_KEY = "business_key"
_BUSINESS_KEY_IDIOM = re.compile(r"^[$#]\{\s*execution\.processBusinessKey\s*\}$")
_JAVA_MAPPINGS = ("variableMappingClass", "variableMappingDelegateExpression")


def call_mapping(node: Any) -> dict[str, Any] | None:
    """The variable mapping of a ``callActivity`` element, or ``None`` when it declares none."""
    for name in _JAVA_MAPPINGS:
        found = foreign_attribute(node, name)
        if found:
            raise ForeignError(
                found[0],
                f"{found[0]}={found[1]!r} 是 Java 代码，servflow 不能运行；请改用 camunda:in / camunda:out 映射变量",
                f"{found[0]}={found[1]!r} is Java code, which servflow cannot run; map the variables with "
                "camunda:in / camunda:out instead",
            )
    ins, outs = foreign_children(node, "in"), foreign_children(node, "out")
    inherit = foreign_attribute(node, "inheritVariables")
    if not ins and not outs and not (inherit and inherit[1] == "true"):
        return None
    mapping: dict[str, Any] = {"in": [], "in_all": "all" if inherit and inherit[1] == "true" else "", "out": [],
                               "out_all": False, "business_key": False}  # fmt: skip
    for element in ins:
        _read(element, mapping, "in", local_inputs=has_mapping(node))
    for element in outs:
        _read(element, mapping, "out", local_inputs=False)
    return mapping


def _read(element: Any, mapping: dict[str, Any], direction: str, *, local_inputs: bool) -> None:
    what = prefixed(element)
    local = (element.get("local") or "").strip() == "true"
    if local and direction == "out":
        raise ForeignError(
            what,
            f'{what} 的 local="true" 会把变量只设在调用活动上，servflow 不支持；请去掉 local，变量将设在项目上',
            f'{what} local="true" sets the variable on the call activity only, which servflow does not do; '
            "remove local and the variable is set on the project",
        )
    if local and not local_inputs:
        raise ForeignError(
            what,
            f'{what} 的 local="true" 读取调用活动自己的变量，但它没有 camunda:inputOutput 输入参数；请去掉 local',
            f'{what} local="true" reads the call activity\'s own variables, and it declares none '
            "(camunda:inputOutput input parameters); remove local",
        )
    business_key = element.get("businessKey")
    if business_key is not None:
        _business_key(what, business_key.strip(), direction)
        mapping["business_key"] = True
        return
    variables = element.get("variables")
    if variables is not None:
        if variables.strip() != "all":
            raise ForeignError(what, f'{what} variables={variables!r} 只能是 "all"',
                               f'{what} variables={variables!r}: only "all" is known')  # fmt: skip
        if direction == "in":
            mapping["in_all"] = "local" if local else "all"
        else:
            mapping["out_all"] = True
        return
    mapping[direction].append(_entry(element, what, local))


def _business_key(what: str, value: str, direction: str) -> None:
    if direction == "in" and _BUSINESS_KEY_IDIOM.match(value):
        return
    raise ForeignError(
        what,
        f"{what} businessKey={value!r}：被调用流程属于同一个项目，只能沿用项目的业务编号"
        "（#{execution.processBusinessKey}）；请删去它，或改为该写法",
        f"{what} businessKey={value!r}: a called process is part of the same project and keeps the project's "
        "business key (#{execution.processBusinessKey}); remove it or write that",
    )


def _entry(element: Any, what: str, local: bool) -> dict[str, Any]:
    target = (element.get("target") or "").strip()
    source = element.get("source")
    expression = element.get("sourceExpression")
    if not target or (source is None) == (expression is None):
        raise ForeignError(
            what,
            f"{what} 需要 target 以及 source 或 sourceExpression 之一",
            f"{what} needs a target and one of source or sourceExpression",
        )
    where = f"{what} target={target!r}"
    if not is_usable_name(target):
        raise unusable_name(f"{what} target", target)
    entry: dict[str, Any] = {"target": target, "what": where, "local": local}
    if source is not None:
        entry["source"] = source.strip()
        return entry
    text = expression.strip()
    if not is_juel(text):
        entry["expression"] = repr(text)
        return entry
    try:
        entry["expression"] = translate(text)
    except JuelError as exc:
        raise ForeignError(
            what, f"{where}：表达式 {text!r}：{exc.zh}", f"{where}: expression {text!r}: {exc.en}"
        ) from None
    return entry


def initiator(node: Any) -> str | None:
    """The variable a start event's ``camunda:initiator`` names, or ``None``."""
    found = foreign_attribute(node, "initiator")
    if found is None:
        return None
    attribute, name = found
    parent = node.getparent()
    if parent is None or parent.tag.rsplit("}", 1)[-1] != "process":
        raise ForeignError(
            attribute,
            f"{attribute}={name!r} 只在流程的开始事件上有效，子流程的开始事件上不会设置；请把它移到流程的开始事件上",
            f"{attribute}={name!r} is set only by a process's start event, not a sub-process's; move it to the "
            "process's start event",
        )
    if not is_usable_name(name):
        raise unusable_name(attribute, name)
    return name


def initiators(spec: Any) -> list[str]:
    """The variables the start events of a process spec set to who started it."""
    names = [(getattr(ts, "extensions", None) or {}).get(INITIATOR) for ts in spec.task_specs.values()]
    return [name for name in names if name]


def initiator_data(spec: Any, username: str) -> dict[str, str]:
    """The start data ``camunda:initiator`` asks for: each variable named holds ``username``."""
    return dict.fromkeys(initiators(spec), username)


class MappedCallActivity(CallActivity):
    """A call activity that passes and takes back only what its ``camunda:in``/``out`` map (``extensions``)."""

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        mapping = self.extensions[MAPPING]
        data = my_task.data
        local = (data.get(KEPT) or {}).get("inputs", {})
        passed: dict[str, Any] = {}
        if mapping["in_all"] == "all":
            passed.update((name, value) for name, value in data.items() if name != KEPT)
        elif mapping["in_all"] == "local":
            passed.update(local)
        if mapping["business_key"] and BUSINESS_KEY in data:
            passed[BUSINESS_KEY] = data[BUSINESS_KEY]
        for entry in mapping["in"]:
            passed[entry["target"]] = _value(my_task, entry, local if entry["local"] else data)
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**deepcopy(passed))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        mapping = self.extensions[MAPPING]
        ended = subworkflow.last_task.data
        back: dict[str, Any] = {}
        if mapping["out_all"]:
            back.update((name, value) for name, value in ended.items() if name != KEPT)
        for entry in mapping["out"]:
            back[entry["target"]] = _value(my_task, entry, ended)
        my_task.data = {**my_task.data, **deepcopy(back)}


def _value(my_task: Any, entry: dict[str, Any], data: dict[str, Any]) -> Any:
    if "source" in entry:
        return data.get(entry["source"])
    try:
        return my_task.workflow.script_engine.environment.evaluate(entry["expression"], dict(data))
    except Exception as exc:
        raise WorkflowTaskException(f"{entry['what']}: {type(exc).__name__}: {exc}", task=my_task) from None


class MappedCallParser(CallActivityParser):
    """Parses ``callActivity``: with a ``camunda:in``/``out`` mapping a :class:`MappedCallActivity`."""

    def create_task(self) -> Any:
        if MAPPING in self.parse_extensions():
            self.spec_class = MappedCallActivity
        return super().create_task()
