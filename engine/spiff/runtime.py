"""The one module that drives SpiffWorkflow's runtime: build, load, advance and save workflows.

Everything else in servflow sees plain data (``ReadyTask``, ``PendingTimer``) and strings of state.
Specs are restored from their stored form once per process and shared by every instance that runs
on the same set of versions (``SpecCache``); state is compacted after every step (``compaction``).

Timers run on the engine's clock, not the wall clock: SpiffWorkflow's timer module asks
``datetime.now(timezone.utc)`` both when a timer starts waiting (duration → due time) and when it checks
whether the timer is due. ``engine_time(now)`` answers those questions with the command's ``now`` for the
duration of one step, so a timer job the scheduler fires at the engine clock's time really fires, and
tests can move time instead of sleeping. Outside ``engine_time`` the real clock answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.util.task import TaskState

from ..errors import ConflictError, ExecutionError
from .compaction import compact
from .foreign_calls import initiator_data
from .listeners import stop_idle_listeners
from .scripting import make_script_engine
from .serializer import dump_state, load_state, spec_from_dict
from .service_tasks import external_settings
from .stored_format import upgrade_spec

SCRIPT_ENGINE = make_script_engine()

_engine_now: ContextVar[datetime | None] = ContextVar("servflow_engine_now", default=None)


class _AnyDatetime(type):
    # The timer module also uses its ``datetime`` name in isinstance checks on plain datetimes.
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, datetime)


class _EngineDatetime(datetime, metaclass=_AnyDatetime):
    """``datetime`` as SpiffWorkflow's timer module sees it: ``now()`` is the engine's time inside a step."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        override = _engine_now.get()
        if override is None:
            return datetime.now(tz)
        return override.astimezone(tz) if tz is not None else override.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _EngineDatetime  # type: ignore[misc]


@contextmanager
def engine_time(now: datetime | None) -> Iterator[None]:
    """Let SpiffWorkflow's timers see ``now`` (aware) as the current time within the block."""
    if now is not None and now.tzinfo is None:
        raise ValueError("engine_time needs an aware datetime")
    token = _engine_now.set(now)
    try:
        yield
    finally:
        _engine_now.reset(token)


@dataclass(frozen=True)
class SpecSet:
    """The specs one instance runs on, and which process version each spec came from."""

    spec: Any
    subprocess_specs: dict[str, Any]
    owner: dict[str, int]
    forms: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Each spec's data as stored, by name: an older state is migrated joined with it (``stored_format``).
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadyTask:
    task_uuid: str
    element_id: str
    name: str
    spec_name: str
    lane: str | None
    extensions: dict[str, Any]
    data: dict[str, Any]


@dataclass(frozen=True)
class WaitingExternal:
    """A service task waiting for a worker: its topic and limits (``settings``) and the data it hands over."""

    task_uuid: str
    element_id: str
    name: str
    spec_name: str
    settings: dict[str, str]
    data: dict[str, Any]


@dataclass(frozen=True)
class PendingTimer:
    task_uuid: str
    element_id: str
    due_at: datetime


class SpecCache:
    """Restored specs keyed by the tuple of version ids they were built from (bounded, thread-safe)."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._items: OrderedDict[tuple[int, ...], SpecSet] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, ...], build: Callable[[], SpecSet]) -> SpecSet:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        built = build()
        with self._lock:
            self._items[key] = built
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return built


def build_spec_set(
    top_key: str,
    versions: dict[str, tuple[int, dict[str, Any]]],
    forms: dict[int, dict[str, Any]] | None = None,
) -> SpecSet:
    """``versions`` maps process key → (version id, stored spec data) for the top process and its calls;
    ``forms`` maps version id → its form definitions, kept beside the specs so completions need no query."""
    owner: dict[str, int] = {}
    subprocess_specs: dict[str, Any] = {}
    stored: dict[str, dict[str, Any]] = {}
    top_spec = None
    for key, (version_id, data) in versions.items():
        current = upgrade_spec(data)
        spec = _with_event_subprocesses_connected(spec_from_dict(current["spec"]))
        owner[key] = version_id
        stored[key] = data["spec"]
        if key == top_key:
            top_spec = spec
        else:
            subprocess_specs[key] = spec
        for name, embedded in current.get("embedded", {}).items():
            subprocess_specs[name] = _with_event_subprocesses_connected(spec_from_dict(embedded))
            owner[name] = version_id
            stored[name] = data.get("embedded", {})[name]
    return SpecSet(spec=top_spec, subprocess_specs=subprocess_specs, owner=owner, forms=forms or {}, stored=stored)


def _with_event_subprocesses_connected(spec: Any) -> Any:
    """Link each message-, signal- or error-started event sub-process to the end of its scope, once.

    SpiffWorkflow makes this link itself the first time such an event sub-process starts — on the spec
    object, and from the scope's start too. With a cached spec set, every project started afterwards in the
    same server process then got a branch listening from its start, which kept the project from ever
    completing when no such event came (and two threads could change the spec at once). Marked here as
    linked, with the start left out, every project of a version has the same tree: a started event
    sub-process still ends at the scope's end join, so the project waits for it, and nothing listens before.
    """
    start = spec.start
    for name in start.trigger_specs:
        event_subprocess = spec.task_specs[name]
        if start not in event_subprocess.inputs:
            event_subprocess.inputs = [*event_subprocess.inputs, start]  # what SpiffWorkflow checks before linking
            event_subprocess.connect(spec.end)
    return spec


def new_workflow(specs: SpecSet, data: dict[str, Any], *, started_by: str | None = None) -> BpmnWorkflow:
    """A workflow ready to run with ``data``; ``started_by`` fills the start event's ``camunda:initiator``
    variable (over any value of that name in ``data``: who started it is not for the caller to say)."""
    workflow = BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=SCRIPT_ENGINE)
    if started_by is not None:
        data = {**data, **initiator_data(specs.spec, started_by)}
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    return workflow


def load(state: str, specs: SpecSet) -> BpmnWorkflow:
    workflow = load_state(state, specs.spec, specs.subprocess_specs, specs.stored)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def save(workflow: BpmnWorkflow) -> str:
    compact(workflow)
    return dump_state(workflow)


def advance(workflow: BpmnWorkflow, *, now: datetime | None = None) -> None:
    """Run engine tasks (gateways, scripts, timers due at ``now``) until only people or time can move it on."""
    with engine_time(now):
        _guarded(lambda: (workflow.refresh_timers(), workflow.do_engine_steps()))
        if stop_idle_listeners(workflow):
            _guarded(workflow.do_engine_steps)


def complete(
    workflow: BpmnWorkflow, task_uuid: str, data: dict[str, Any], *, now: datetime | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Complete a READY user task and run on; returns the task's extensions and its data after completion."""
    task = _find(workflow, task_uuid)
    if task is None or task.state != TaskState.READY:
        raise ConflictError("this task is no longer waiting for input")
    task.data.update(data)
    with engine_time(now):
        _guarded(task.run)
    completed_data = dict(task.data)
    advance(workflow, now=now)
    return getattr(task.task_spec, "extensions", {}) or {}, completed_data


def waiting_external(workflow: BpmnWorkflow) -> list[WaitingExternal]:
    waiting = []
    for task in workflow.get_tasks(state=TaskState.STARTED):
        settings = external_settings(task.task_spec)
        if settings is not None:
            spec = task.task_spec
            waiting.append(
                WaitingExternal(
                    str(task.id),
                    spec.bpmn_id,
                    spec.bpmn_name or spec.bpmn_id,
                    task.workflow.spec.name,
                    settings,
                    task.data,
                )
            )
    return waiting


def _waiting_external_task(workflow: BpmnWorkflow, task_uuid: str) -> Any:
    task = _find(workflow, task_uuid)
    if task is None or task.state != TaskState.STARTED or external_settings(task.task_spec) is None:
        raise ConflictError("this external task is no longer waiting")
    return task


def complete_external(
    workflow: BpmnWorkflow, task_uuid: str, data: dict[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """Finish a waiting service task with the worker's variables and run on; returns its data after."""
    task = _waiting_external_task(workflow, task_uuid)
    task.data.update(data)
    with engine_time(now):
        _guarded(task.complete)
    completed_data = dict(task.data)
    advance(workflow, now=now)
    return completed_data


def set_waiting_data(workflow: BpmnWorkflow, data: dict[str, Any]) -> None:
    """Write ``data`` into every task the project waits on (people's, workers', timers'): what a person
    corrects before retrying an incident is what the next step reads."""
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED | TaskState.WAITING):
        task.data.update(data)


def throw_error(
    workflow: BpmnWorkflow,
    task_uuid: str,
    code: str,
    message: str,
    data: dict[str, Any],
    *,
    now: datetime | None = None,
) -> bool:
    """Raise BPMN error ``code`` on a waiting service task; ``False`` (nothing changed) when no error
    boundary event on that task catches it. The path it takes sees ``error_code`` and ``error_message``."""
    task = _waiting_external_task(workflow, task_uuid)
    data = {**data, "error_code": code, "error_message": message}
    event = BpmnEvent(ErrorEventDefinition(code, code=code), payload=data)
    catching = [
        sibling
        for sibling in (task.parent.children if task.parent is not None else [])
        if sibling is not task
        and sibling.state == TaskState.WAITING
        and isinstance(getattr(sibling.task_spec, "event_definition", None), ErrorEventDefinition)
        and sibling.task_spec.event_definition.code in (None, "", code)
    ]
    if not catching:
        return False
    boundary = catching[0]
    boundary.data.update(data)
    task.data.update(data)
    with engine_time(now):
        _guarded(lambda: (boundary.task_spec.catch(boundary, event), boundary.task_spec._update(boundary)))
    advance(workflow, now=now)
    return True


def cancel(workflow: BpmnWorkflow) -> None:
    workflow.cancel()


def is_completed(workflow: BpmnWorkflow) -> bool:
    return workflow.is_completed()


def ready_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
    return [
        ReadyTask(
            task_uuid=str(task.id),
            element_id=task.task_spec.bpmn_id,
            name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
            spec_name=task.workflow.spec.name,
            lane=task.task_spec.lane,
            extensions=getattr(task.task_spec, "extensions", {}) or {},
            data=task.data,
        )
        for task in workflow.get_tasks(state=TaskState.READY, manual=True)
    ]


def pending_timers(workflow: BpmnWorkflow) -> list[PendingTimer]:
    timers = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        value = task._get_internal_data("event_value")
        if isinstance(value, dict):  # a cycle: nothing more to fire once its repetitions are used up
            value = value.get("next") if value.get("cycles") != 0 else None
        if not value:
            continue
        try:
            due = TimerEventDefinition.get_datetime(value)
        except ValueError:
            continue
        timers.append(PendingTimer(str(task.id), task.task_spec.bpmn_id, due))
    return timers


def active_spec_names(workflow: BpmnWorkflow) -> list[str]:
    """Names of the processes with live work, innermost first (the project's current stage)."""
    subs = sorted(workflow.get_active_subprocesses(), key=lambda s: s.depth, reverse=True)
    return [sub.spec.name for sub in subs] + [workflow.spec.name]


def workflow_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The data a person would call 'the project's data': the last completed task's data."""
    if workflow.last_task is not None:
        return dict(workflow.last_task.data)
    return dict(workflow.data)


def _find(workflow: BpmnWorkflow, task_uuid: str) -> Any:
    try:
        return workflow.get_task_from_id(UUID(task_uuid))
    except (WorkflowException, ValueError, KeyError):
        return None


def _guarded(action: Callable[[], Any]) -> None:
    """Turn SpiffWorkflow's and scripts' failures into ExecutionError naming the element."""
    try:
        action()
    except ExecutionError:
        raise
    except SpiffWorkflowException as exc:
        task = getattr(exc, "task", None)
        task_spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
        element = getattr(task_spec, "bpmn_id", None) or getattr(exc, "id", None)
        process = task.workflow.spec.name if task is not None else None
        message = str(exc).split("\n")[0].strip()
        raise ExecutionError(message, element_id=element, process=process) from None
    except Exception as exc:
        raise ExecutionError(f"{type(exc).__name__}: {exc}") from None


def task_data(workflow: BpmnWorkflow, task_uuid: str) -> dict[str, Any]:
    task = _find(workflow, task_uuid)
    return dict(task.data) if task is not None else {}


def evaluate(expression: str, data: dict[str, Any]) -> Any:
    """An expression of a model (a candidate, say) over a task's data, in the scripts' restricted
    environment; any failure is an ``ExecutionError``."""
    try:
        return SCRIPT_ENGINE.environment.evaluate(expression, dict(data))
    except ExecutionError:
        raise
    except Exception as exc:
        raise ExecutionError(f"{type(exc).__name__}: {exc}") from None
