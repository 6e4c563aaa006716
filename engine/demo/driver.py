"""Drive a project through its user tasks with scripted answers, using only the Engine service API.

End-to-end tests, the demo seeder and smoke runs all need "a person answers each open task": this
module does it the way the inbox does, through ``Engine.complete``, so the engine validates every
submission against the task's form, writes the audit trail and records disclosures exactly as in
production. Nothing here touches workflow state or tables directly.

An answer is the task form's example submission (``example_submission``: valid by construction, and
still valid when a designer edits the form) with the scenario's answer for that element on top. A
scenario maps element ids to answers: a list is used one answer per visit (a loop's second visit takes
the second answer; once used up, the example alone answers), a single mapping answers every visit::

    {"submit_application": {"budget": 800000},
     "review_application": [{"review_decision": "return"}, {"review_decision": "approve"}]}

When a project waits only on other systems (service tasks published as external tasks), the driver answers
for those systems too — through the same fetch-and-lock and completion a worker uses — with the scenario's
answer for the element (``{}`` by default: the system agrees), or ``{"bpmnError": "NO_BUDGET"}`` to have the
system refuse it with that BPMN error.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ..commands.external_tasks import TopicRequest
from ..errors import InvalidStateError, NotFoundError, PermissionDeniedError
from ..formats.file_fields import file_fields
from ..formats.file_kinds import BY_NAME
from ..formats.forms import example_submission
from ..identity.users import get_user, principal
from ..queries.incidents import waiting_on_systems
from ..service import Engine
from ..store.models import HumanTask
from .sample_files import sample_pdf

Answer = Mapping[str, Any]
ScenarioSpec = Mapping[str, Answer | Sequence[Answer]]
ActorFn = Callable[[HumanTask], str]
PDF = BY_NAME["pdf"]
SYSTEMS = "finance-systems"  # who answers service tasks for the budget system, treasury and platform
BPMN_ERROR, ERROR_MESSAGE = "bpmnError", "errorMessage"


def role_actor(task: HumanTask) -> str:
    """Default actor: a name made of the task's role and locality (tests without user accounts)."""
    return f"{task.role or 'anyone'}@{task.locality_code}"


class Scenario:
    """The answers still to give, per element id; consumed as tasks are completed."""

    def __init__(self, answers: ScenarioSpec | None = None) -> None:
        self._lists: dict[str, list[dict[str, Any]]] = {}
        self._always: dict[str, dict[str, Any]] = {}
        for element_id, value in (answers or {}).items():
            if isinstance(value, Mapping):
                self._always[element_id] = dict(value)
            else:
                self._lists[element_id] = [dict(item) for item in value]

    def next_answer(self, element_id: str) -> dict[str, Any]:
        queued = self._lists.get(element_id)
        if queued:
            return queued.pop(0)
        return dict(self._always.get(element_id, {}))

    def pending(self) -> dict[str, int]:
        """Listed answers not used yet (a test asserts a scenario ran as written)."""
        return {element_id: len(queue) for element_id, queue in self._lists.items() if queue}


@dataclass(frozen=True)
class Step:
    """One task completed by the driver: which, by whom, with what submitted."""

    task_id: int
    element_id: str
    process_key: str
    role: str | None
    actor: str
    data: dict[str, Any]


@dataclass
class Driver:
    """Completes a project's open tasks in order, as the actor ``actor(task)`` names, until told to stop."""

    engine: Engine
    actor: ActorFn = role_actor
    #: Attach a sample PDF to each file field that takes PDFs (the demo's projects carry documents).
    attach_samples: bool = False
    _bound: dict[int, dict[str, int]] = field(default_factory=dict, init=False, repr=False)
    _forms: dict[int, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def form_of(self, task: HumanTask) -> dict[str, Any] | None:
        """The form the task was deployed with: the version its instance is bound to, not the newest."""
        if not task.form_key:
            return None
        bound = self._bound.get(task.instance_id)
        if bound is None:
            bound = self._bound[task.instance_id] = dict(self.engine.get_instance(task.instance_id).bound_versions)
        version_id = bound[task.process_key]
        if version_id not in self._forms:
            for version in self.engine.versions(key=task.process_key):
                self._forms[version.id] = dict(version.forms)
        return self._forms[version_id].get(task.form_key)

    def answer(self, task: HumanTask, overrides: Answer | None = None) -> dict[str, Any]:
        """What a person would submit: the form's example with ``overrides`` on top."""
        form = self.form_of(task)
        return {**(example_submission(form) if form else {}), **(overrides or {})}

    def complete(self, task: HumanTask, overrides: Answer | None = None) -> Step:
        data = self.answer(task, overrides)
        actor = self.actor(task)
        if self.attach_samples:
            data = {**self._samples(task, actor), **data}
        self.engine.complete(task.id, data, actor=actor)
        return Step(task.id, task.element_id, task.process_key, task.role, actor, data)

    def _samples(self, task: HumanTask, actor: str) -> dict[str, Any]:
        """A sample PDF uploaded to each of the task's PDF fields, as the person completing it would."""
        fields = {key: rule for key, rule in file_fields(self.form_of(task)).items() if PDF in rule.kinds}
        if not fields:
            return {}
        person = self.engine.read(lambda session: principal(session, get_user(session, actor)))
        project = self.engine.get_instance(task.instance_id).business_key
        attached = {}
        for key, rule in fields.items():
            content = sample_pdf("servflow demo document", f"project {project}", f"task {task.element_id}", key)
            try:
                stored = self.engine.upload_document(
                    task.id, key, f"{rule.label}.pdf", io.BytesIO(content), declared_size=len(content), actor=person
                )
            except (NotFoundError, PermissionDeniedError):
                continue  # completed by a trusted caller for someone outside the task's group: no file then
            attached[key] = [stored]
        return attached

    def run(
        self,
        instance_id: int,
        scenario: Scenario | ScenarioSpec | None = None,
        *,
        stop_at: Collection[str] = (),
        limit: int | None = None,
        max_steps: int = 1000,
    ) -> list[Step]:
        """Answer open tasks (oldest first) until none is left, the next one is in ``stop_at``, or
        ``limit`` tasks were completed.

        ``max_steps`` guards against a scenario that loops forever (e.g. always answering "return").
        """
        script = scenario if isinstance(scenario, Scenario) else Scenario(scenario)
        steps: list[Step] = []
        while limit is None or len(steps) < limit:
            open_tasks = self.engine.open_tasks(instance_id)
            if not open_tasks and self.answer_systems(instance_id, script, stop_at):
                continue
            if not open_tasks or open_tasks[0].element_id in stop_at:
                break
            if len(steps) >= max_steps:
                raise InvalidStateError(f"instance {instance_id} still has open tasks after {max_steps} steps")
            task = open_tasks[0]
            steps.append(self.complete(task, script.next_answer(task.element_id)))
        return steps

    def answer_systems(self, instance_id: int, script: Scenario, stop_at: Collection[str] = ()) -> bool:
        """Answer the service tasks the project waits on as their systems would; False when there are none."""
        waiting = [row for row in self.engine.read(waiting_on_systems, instance_id) if row.element_id not in stop_at]
        topics = [
            TopicRequest(topic, timedelta(minutes=5), instance_id=instance_id) for topic in {r.topic for r in waiting}
        ]
        locked = self.engine.fetch_and_lock(SYSTEMS, topics, max_tasks=100, actor=SYSTEMS) if topics else []
        for task in locked:
            answer = script.next_answer(task["activityId"])
            code = answer.pop(BPMN_ERROR, None)
            if code:
                message = str(answer.pop(ERROR_MESSAGE, ""))
                self.engine.throw_external_error(
                    task["id"], SYSTEMS, code, message=message, variables=answer, actor=SYSTEMS
                )
            else:
                self.engine.complete_external(task["id"], SYSTEMS, answer, actor=SYSTEMS)
        return bool(locked)
