"""Scenario checks: run a process in memory with given answers and compare the path it takes.

A locality must not be able to deploy a redesign that breaks its own flows. A scenario says: start
with this data, let each user task answer this (by element id; a task reached again in a loop takes
its next answer), and expect this path. Scenarios live in the bundle beside the process, as
``scenarios/<process>.scenarios.json``::

    {"scenarios": [
      {"name": "大额项目 / large budget",
       "start": {"budget": 3000000},
       "answers": {"apply": [{"budget": 3000000}], "review_large": [{}]},
       "expect": {"tasks": ["apply", "review_large"], "path": ["by_budget", "end"], "end": true,
                  "data": {"route": "large"}}}
    ]}

``expect.tasks`` is the exact order of user tasks completed; ``expect.path`` element ids that must
appear in the actual path in that order (other elements may come between); ``expect.end`` whether the
process must have finished (``false``: it must be left waiting); ``expect.data`` values the process data
must hold where the run stops (a decision's result such as the procurement method or a grade, which the
path alone may not show): the final data if it ended, else the data the first waiting task sees. A task
with a form answers with a valid example submission overlaid with the given answer, checked by the same
form rules the inbox uses. A task with no answer left stops the run there (it waits, as it would for a
person). A service task (an external task for another system) is answered as its system would: with its
listed answer, else ``{}`` — the system agrees; ``{"bpmnError": "NO_BUDGET", "errorMessage": "…"}`` has it
refuse with that BPMN error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from SpiffWorkflow.util.task import TaskState

from ..errors import DefinitionError, InvalidDataError, ServflowError
from ..formats.forms import example_submission, validate_submission
from . import runtime
from .parsing import ParsedBundle, scenario_process_key
from .registry_lookup import bans_from, listed_bans

MAX_STEPS = 500
BPMN_ERROR = "bpmnError"  # in a service task's answer: its system refuses with this BPMN error code
ERROR_MESSAGE = "errorMessage"  # … and says why
_SCENARIO_KEYS = {"name", "start", "answers", "expect", "description", "blacklist"}
_BAN_KEYS = {"credit_code", "starts_on", "ends_on", "reason"}
_EXPECT_KEYS = {"tasks", "path", "end", "data"}


def scenario_file_name(process_key: str) -> str:
    return f"scenarios/{process_key}.scenarios.json"


@dataclass(frozen=True)
class Scenario:
    name: str
    start: dict[str, Any]
    answers: dict[str, list[dict[str, Any]]]
    expect_tasks: list[str] | None = None
    expect_path: list[str] | None = None
    expect_end: bool | None = None
    expect_data: dict[str, Any] | None = None
    #: The registry's blacklist as the run sees it (``provider_ban`` in scripts): the deploy is judged
    #: without the database, so a scenario of the credit check lists the bans it needs.
    blacklist: tuple[dict[str, Any], ...] = ()


@dataclass
class ScenarioResult:
    process: str
    name: str
    passed: bool
    path: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    ended: bool = False
    waiting_at: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    zh: str = ""
    en: str = ""

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}" if self.zh else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "name": self.name,
            "passed": self.passed,
            "path": self.path,
            "tasks": self.tasks,
            "ended": self.ended,
            "waiting_at": self.waiting_at,
            "message": self.message,
        }


def load_scenarios(content: bytes | str, *, source: str) -> list[Scenario]:
    """Read a scenarios file; DefinitionError naming the file and the scenario on anything malformed."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"not valid JSON: {exc}", file=source) from None
    items = data.get("scenarios") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise DefinitionError('expected {"scenarios": [...]}', file=source)
    return [_scenario(item, index, source) for index, item in enumerate(items, 1)]


def _scenario(item: Any, index: int, source: str) -> Scenario:
    def fail(reason: str) -> DefinitionError:
        return DefinitionError(f"scenario {index}: {reason}", file=source)

    if not isinstance(item, dict):
        raise fail("must be an object")
    unknown = set(item) - _SCENARIO_KEYS
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)}; allowed: {sorted(_SCENARIO_KEYS)}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail('"name" is required')
    start = item.get("start", {})
    if not isinstance(start, dict):
        raise fail('"start" must be an object of process data')
    answers: dict[str, list[dict[str, Any]]] = {}
    raw_answers = item.get("answers", {})
    if not isinstance(raw_answers, dict):
        raise fail('"answers" must map user task ids to an answer or a list of answers')
    for element_id, value in raw_answers.items():
        listed = value if isinstance(value, list) else [value]
        if not all(isinstance(answer, dict) for answer in listed):
            raise fail(f'answers for "{element_id}" must be objects')
        answers[element_id] = listed
    expect = item.get("expect", {})
    if not isinstance(expect, dict) or set(expect) - _EXPECT_KEYS:
        raise fail(f'"expect" may hold only {sorted(_EXPECT_KEYS)}')
    for key in ("tasks", "path"):
        if key in expect and not (isinstance(expect[key], list) and all(isinstance(x, str) for x in expect[key])):
            raise fail(f'"expect.{key}" must be a list of element ids')
    if "end" in expect and not isinstance(expect["end"], bool):
        raise fail('"expect.end" must be true or false')
    if "data" in expect and not isinstance(expect["data"], dict):
        raise fail('"expect.data" must be an object of expected values')
    blacklist = item.get("blacklist", [])
    if not isinstance(blacklist, list) or not all(_is_ban(entry) for entry in blacklist):
        raise fail('"blacklist" must list {credit_code, starts_on, ends_on, reason} with dates as yyyy-MM-dd')
    return Scenario(
        name=name.strip(),
        start=start,
        answers=answers,
        expect_tasks=expect.get("tasks"),
        expect_path=expect.get("path"),
        expect_end=expect.get("end"),
        expect_data=expect.get("data"),
        blacklist=tuple(blacklist),
    )


def _is_ban(entry: Any) -> bool:
    if (
        not isinstance(entry, dict)
        or set(entry) - _BAN_KEYS
        or not {"credit_code", "starts_on", "ends_on"} <= set(entry)
    ):
        return False
    try:
        return all(isinstance(entry[k], str) and date.fromisoformat(entry[k]) for k in ("starts_on", "ends_on"))
    except ValueError:
        return False


def run_bundle_scenarios(parsed: ParsedBundle, files: dict[str, bytes]) -> list[ScenarioResult]:
    """Run every scenario file of the bundle against its process (files must have loaded cleanly)."""
    results = []
    for name in sorted(files):
        key = scenario_process_key(name)
        if key is None or key not in parsed.processes:
            continue
        for scenario in load_scenarios(files[name], source=name):
            results.append(run_scenario(parsed, key, scenario))
    return results


def run_scenario(
    parsed: ParsedBundle, process_key: str, scenario: Scenario, *, max_steps: int = MAX_STEPS
) -> ScenarioResult:
    """Run one scenario on SpiffWorkflow in memory (no database) and judge the path it took."""
    result = ScenarioResult(process=process_key, name=scenario.name, passed=False)
    remaining = {element_id: list(answers) for element_id, answers in scenario.answers.items()}
    try:
        with bans_from(listed_bans(scenario.blacklist)):
            workflow = runtime.new_workflow(_spec_set(parsed, process_key), dict(scenario.start))
            runtime.advance(workflow)
            for _ in range(max_steps):
                step = _next_answer(workflow, remaining, parsed)
                if step is None:
                    if _answer_systems(workflow, remaining):
                        continue
                    break
                task, data = step
                runtime.complete(workflow, task.task_uuid, data)
                result.tasks.append(task.element_id)
            else:
                _fail(
                    result, f"超过 {max_steps} 步仍未停止（循环？）", f"still running after {max_steps} steps (a loop?)"
                )
            result.ended = runtime.is_completed(workflow)
            result.waiting_at = (
                [t.element_id for t in runtime.ready_tasks(workflow)]
                + [t.element_id for t in runtime.waiting_external(workflow)]
                + [t.element_id for t in runtime.pending_timers(workflow)]
            )
            result.path = _path(workflow)
            result.data = _stop_data(workflow)
    except InvalidDataError as exc:
        return _fail(result, f"答复未通过表单校验：{exc.errors}", f"an answer is refused by its form: {exc.errors}")
    except ServflowError as exc:
        return _fail(result, f"运行出错：{exc.message}", f"the run failed: {exc.message}")
    if result.zh:
        return result
    return _judge(result, scenario)


def _spec_set(parsed: ParsedBundle, top: str) -> runtime.SpecSet:
    versions: dict[str, tuple[int, dict[str, Any]]] = {}
    pending = [top]
    while pending:
        key = pending.pop()
        if key in versions:
            continue
        process = parsed.processes[key]
        versions[key] = (0, process.spec)
        pending.extend(process.calls)
    return runtime.build_spec_set(top, versions)


def _next_answer(
    workflow: Any, remaining: dict[str, list[dict[str, Any]]], parsed: ParsedBundle
) -> tuple[runtime.ReadyTask, dict[str, Any]] | None:
    """The first ready user task that still has an answer, with the data it submits; None: all wait."""
    for task in runtime.ready_tasks(workflow):
        answers = remaining.get(task.element_id)
        if not answers:
            continue
        answer = answers.pop(0)
        form = _form_of(parsed, task)
        if form is None:
            return task, dict(answer)
        return task, validate_submission(form, {**example_submission(form), **answer})
    return None


def _answer_systems(workflow: Any, remaining: dict[str, list[dict[str, Any]]]) -> bool:
    """Answer the service tasks the run waits on as their systems would: the scenario's next answer for
    the element, ``{}`` (the system agrees) when it lists none, ``{"bpmnError": code}`` to refuse; a task
    whose listed answers are used up waits. False when nothing was answered."""
    answered = False
    for task in runtime.waiting_external(workflow):
        queued = remaining.get(task.element_id)
        if queued is not None and not queued:
            continue
        answer = dict(queued.pop(0)) if queued else {}
        code = answer.pop(BPMN_ERROR, None)
        message = str(answer.pop(ERROR_MESSAGE, ""))
        if code and not runtime.throw_error(workflow, task.task_uuid, str(code), message, answer):
            raise InvalidDataError(
                f"no error boundary event on {task.element_id} catches {code!r}", errors={task.element_id: [str(code)]}
            )
        if not code:
            runtime.complete_external(workflow, task.task_uuid, answer)
        answered = True
    return answered


def _form_of(parsed: ParsedBundle, task: runtime.ReadyTask) -> dict[str, Any] | None:
    settings = task.extensions.get("servflow:task") or {}
    key = settings.get("formKey")
    return parsed.forms.get(key) if key else None


def _path(workflow: Any) -> list[str]:
    """Element ids of every completed BPMN element, in the order they completed."""
    done = [task for task in workflow.get_tasks(state=TaskState.COMPLETED) if getattr(task.task_spec, "bpmn_id", None)]
    done.sort(key=lambda task: task.last_state_change)
    return [task.task_spec.bpmn_id for task in done]


def _stop_data(workflow: Any) -> dict[str, Any]:
    """The data where the run stopped: what the first waiting task sees, else the final data."""
    ready = runtime.ready_tasks(workflow)
    return dict(ready[0].data) if ready else runtime.workflow_data(workflow)


def _judge(result: ScenarioResult, scenario: Scenario) -> ScenarioResult:
    where_zh = f"，停在 {result.waiting_at}" if result.waiting_at else ""
    where_en = f"; it waits at {result.waiting_at}" if result.waiting_at else ""
    if scenario.expect_tasks is not None and result.tasks != scenario.expect_tasks:
        return _fail(
            result,
            f"用户任务顺序应为 {scenario.expect_tasks}，实际为 {result.tasks}{where_zh}",
            f"expected user tasks {scenario.expect_tasks}, got {result.tasks}{where_en}",
        )
    if scenario.expect_path is not None:
        missing = _first_missing(scenario.expect_path, result.path)
        if missing is not None:
            return _fail(
                result,
                f"未按顺序到达 {missing}，实际路径 {result.path}{where_zh}",
                f"{missing} not reached in the expected order; actual path {result.path}{where_en}",
            )
    if scenario.expect_end is True and not result.ended:
        return _fail(result, f"流程未结束{where_zh}", f"the process did not end{where_en}")
    if scenario.expect_end is False and result.ended:
        return _fail(result, "流程已结束，但预期应停在某一步", "the process ended, but it was expected to wait")
    wrong = {key: value for key, value in (scenario.expect_data or {}).items() if result.data.get(key) != value}
    if wrong:
        actual = {key: result.data.get(key) for key in wrong}
        return _fail(
            result, f"数据应为 {wrong}，实际为 {actual}{where_zh}", f"expected data {wrong}, got {actual}{where_en}"
        )
    result.passed = True
    return result


def _first_missing(expected: list[str], actual: list[str]) -> str | None:
    position = 0
    for element_id in expected:
        try:
            position = actual.index(element_id, position) + 1
        except ValueError:
            return element_id
    return None


def _fail(result: ScenarioResult, zh: str, en: str) -> ScenarioResult:
    result.passed = False
    result.zh, result.en = zh, en
    return result
