"""A business rule task's ``camunda:decisionRef``: a DMN decision of the bundle, its result shaped as asked.

Camunda 7 evaluates the decision ``camunda:decisionRef`` names and stores its result in
``camunda:resultVariable``, shaped by ``camunda:mapDecisionResult``. servflow evaluates the decision with
SpiffWorkflow's DMN engine, as for its own ``spiffworkflow:calledDecisionId``, and shapes what matched:

==================  ========================================================================
mapDecisionResult   the variable holds
==================  ========================================================================
``resultList``      (the default) a list of one dict per matched rule: output name → value
``singleResult``    the dict of the one matched rule (``None`` if none matched)
``singleEntry``     the value of the one output of the one matched rule (``None`` if none)
``collectEntries``  a list of the one output's value in every matched rule
==================  ========================================================================

A table of hit policy ``COLLECT`` or ``RULE ORDER`` yields every rule that matches, any other its first,
as SpiffWorkflow does. More than one matched rule for ``singleResult``/``singleEntry`` stops the project
with an error naming the task, as Camunda throws; ``singleEntry``/``collectEntries`` on a table of several
outputs, a decision the bundle lacks, no ``resultVariable``, an expression as the reference or a
``decisionRefBinding`` of a fixed version are refused at deploy. ``decisionRefBinding`` ``latest`` and
``deployment`` both mean the decision deployed with the bundle: a new version of the bundle brings a new one.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.specs import BusinessRuleTaskMixin
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from .dialects import ForeignError, foreign_attribute
from .foreign_io import is_usable_name, unusable_name
from .juel import is_juel

DECISION = "servflow:decision"
SHAPES = ("resultList", "singleResult", "singleEntry", "collectEntries")
_ONE_OUTPUT = ("singleEntry", "collectEntries")
_ALL_MATCHES = ("COLLECT", "RULE ORDER")
_BINDINGS = ("latest", "deployment")


def decision_settings(node: Any) -> dict[str, str] | None:
    """What a ``businessRuleTask``'s ``camunda:decisionRef`` asks for, or ``None`` when it has none."""
    found = foreign_attribute(node, "decisionRef")
    if found is None:
        return None
    decision = found[1]
    if is_juel(decision):
        raise _refusal(found, " 不能是表达式，请写文件包中决策表的 id",
                       " cannot be an expression; name a decision of the bundle by its id")  # fmt: skip
    binding = foreign_attribute(node, "decisionRefBinding")
    if binding and binding[1] not in _BINDINGS:
        raise _refusal(binding, f"：servflow 只运行与流程一同部署的决策表；请删去 {binding[0]}",
                       f": servflow runs the decision deployed with the process, not a version of it; remove "
                       f"{binding[0]}")  # fmt: skip
    result = foreign_attribute(node, "resultVariable")
    if result is None:
        raise _refusal(found, " 没有 camunda:resultVariable，结果会丢失；请指定存放结果的变量",
                       " has no camunda:resultVariable, so its result would be lost; name the variable that "
                       "keeps it")  # fmt: skip
    if not is_usable_name(result[1]):
        raise unusable_name(*result)
    shape = foreign_attribute(node, "mapDecisionResult")
    if shape and shape[1] not in SHAPES:
        raise _refusal(shape, f" 未知，可用：{', '.join(SHAPES)}", f" is not known; use one of {', '.join(SHAPES)}")
    return {"decision": decision, "resultVariable": result[1], "shape": shape[1] if shape else "resultList"}


def _refusal(found: tuple[str, str], zh: str, en: str) -> ForeignError:
    said = f"{found[0]}={found[1]!r}"
    return ForeignError(found[0], said + zh, said + en)


class MappedDecisionTask(BusinessRuleTask):
    """A business rule task that stores its decision's result in one variable (``extensions``)."""

    def _run_hook(self, my_task: Any) -> bool:
        settings = self.extensions[DECISION]
        table = self.dmnEngine.decision_table
        try:
            rules = self.dmnEngine.decide(my_task)
            matched = rules if table.hit_policy in _ALL_MATCHES else rules[:1]
            results = [dict(rule.output_as_dict(my_task)) for rule in matched]
        except WorkflowTaskException as exc:
            exc.add_note(f"Business Rule Task '{my_task.task_spec.bpmn_name}'.")
            raise
        my_task.data[settings["resultVariable"]] = _shaped(my_task, settings, results)
        super(BusinessRuleTaskMixin, self)._run_hook(my_task)  # the task's own hooks, not SpiffWorkflow's merge
        return True


def _shaped(my_task: Any, settings: dict[str, str], results: list[dict[str, Any]]) -> Any:
    shape = settings["shape"]
    if shape == "resultList":
        return results
    if shape == "collectEntries":
        return [next(iter(result.values()), None) for result in results]
    if len(results) > 1:
        raise WorkflowTaskException(
            f"camunda:mapDecisionResult={shape!r}: {len(results)} rules of decision {settings['decision']!r} "
            "matched, one at most was expected; map it as resultList or collectEntries, or make the rules "
            "exclusive",
            task=my_task,
        )
    if not results:
        return None
    return results[0] if shape == "singleResult" else next(iter(results[0].values()), None)


class ForeignDecisionParser(BusinessRuleTaskParser):
    """Parses ``businessRuleTask``: with ``camunda:decisionRef`` a :class:`MappedDecisionTask`."""

    def create_task(self) -> Any:
        settings = self.parse_extensions().get(DECISION)
        if settings is None:
            return super().create_task()
        decision = settings["decision"]
        if self.get_decision_ref(self.node):
            self._refuse(f"camunda:decisionRef={decision!r} 与 spiffworkflow:calledDecisionId 只能保留一个",
                         f"camunda:decisionRef={decision!r} and spiffworkflow:calledDecisionId: keep one")  # fmt: skip
        parser = self.process_parser.parser
        if decision not in parser.dmn_parsers:
            self._refuse(
                f"camunda:decisionRef={decision!r}：文件包中没有这个决策表；请把它的 .dmn 文件一同部署",
                f"camunda:decisionRef={decision!r}: the bundle holds no decision of this id; deploy its .dmn file "
                "with the process",
            )
        engine = parser.get_engine(decision, self.node)
        outputs = len(engine.decision_table.outputs)
        if settings["shape"] in _ONE_OUTPUT and outputs != 1:
            self._refuse(
                f"camunda:mapDecisionResult={settings['shape']!r} 需要决策表只有一个输出，{decision!r} 有 "
                f"{outputs} 个；请改用 singleResult 或 resultList",
                f"camunda:mapDecisionResult={settings['shape']!r} needs a decision of one output, and {decision!r} "
                f"has {outputs}; map it as singleResult or resultList",
            )
        extensions = self.parse_extensions()
        return MappedDecisionTask(
            self.spec,
            self.bpmn_id,
            dmnEngine=engine,
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )

    def _refuse(self, zh: str, en: str) -> None:
        raise ValidationException(f"{zh} / {en}", node=self.node, file_name=self.filename)
