"""Workflow state without the spec, and specs stored once per version.

SpiffWorkflow's stock serializer writes the whole spec into every saved workflow and restores it on
every load. servflow keeps the spec on the process version (``spec_to_dict``), restores it once per
process (see ``runtime.SpecCache``), and saves only the live task tree (``dump_state``). The state
carries SpiffWorkflow's serializer version so an upgrade can migrate it (``load_state``, joined with its
specs: ``stored_format``).
"""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import (
    BusinessRuleTaskConverter,
    SpiffBpmnTaskConverter,
    SubWorkflowTaskConverter,
)

from .foreign_calls import MappedCallActivity
from .foreign_decisions import MappedDecisionTask
from .service_tasks import ExternalServiceTask
from .stored_format import is_current, upgrade_state

_VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY


class _StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Writes a workflow without its specs; restores it around spec objects handed in by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec = dct.pop("spec")
        subprocess_specs = dct.pop("subprocess_specs")
        if isinstance(spec, dict):  # a stock serialization with its own specs (older state, imports)
            spec = self.registry.restore(spec)
            subprocess_specs = self.mapping_from_dict(subprocess_specs)
        dct["spec"] = {}
        dct["subprocess_specs"] = {}
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        from uuid import UUID

        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateOnlyWorkflowConverter
    # All these have beyond SpiffWorkflow's own specs is in their extensions.
    config[ExternalServiceTask] = SpiffBpmnTaskConverter
    config[MappedCallActivity] = SubWorkflowTaskConverter
    config[MappedDecisionTask] = BusinessRuleTaskConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = _build_serializer()


def spec_to_dict(spec: Any) -> dict[str, Any]:
    """A parsed process spec as JSON-ready data, stored once on its process version."""
    return json.loads(json.dumps(SERIALIZER.to_dict(spec), cls=SERIALIZER._encoder_cls))


def spec_from_dict(data: dict[str, Any]) -> Any:
    return SERIALIZER.from_dict(json.loads(json.dumps(data)))


def dump_state(workflow: BpmnWorkflow) -> str:
    """The live workflow state as compact JSON, without any spec."""
    SERIALIZER.registry._encoder_mode = True
    try:
        dct = SERIALIZER.to_dict(workflow)
        dct[_VERSION_KEY] = SERIALIZER.VERSION
        return json.dumps(dct, cls=SERIALIZER._encoder_cls, separators=(",", ":"), ensure_ascii=False)
    finally:
        SERIALIZER.registry._encoder_mode = False


def load_state(
    state: str, spec: Any, subprocess_specs: dict[str, Any], stored: dict[str, dict[str, Any]] | None = None
) -> BpmnWorkflow:
    """Rebuild a workflow from ``dump_state`` output around already-restored spec objects.

    A state of an older serializer version is migrated joined with ``stored`` (each spec's data by process
    name, as stored) and restored around the migrated specs; saving it writes the current version."""
    dct = json.loads(state)
    version = dct.pop(_VERSION_KEY, SERIALIZER.VERSION)
    if not is_current(version):
        if stored is None or spec.name not in stored:
            raise ValueError(f"a state of serializer version {version} needs its stored specs to be migrated")
        others = {name: data for name, data in stored.items() if name != spec.name}
        return SERIALIZER.from_dict(upgrade_state(dct, version, stored[spec.name], others))
    dct["spec"] = spec
    dct["subprocess_specs"] = subprocess_specs
    return SERIALIZER.from_dict(dct)
