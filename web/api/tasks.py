"""Human tasks: query (the inbox's filters, paged, with a total), read with the form, assign, complete.

A task the caller may not see answers 404. Completing validates the data against the task's own form
(``engine.formats.forms.validate_submission``, the rules the browser shows) before the process runs: a bad
submission is a 422 naming each field, and ``Idempotency-Key`` makes a retried completion harmless.
The check, the step and the answer share one transaction (``Engine.complete_and_answer``).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.calendars.deadlines import local_date
from engine.queries import inbox
from engine.store.idempotency import Receipt
from engine.store.models import HumanTask, ProcessInstance

from ..engine_ext import get_engine
from . import idempotency
from .common import blueprint, json_response, me, page_of
from .instances import project_body
from .schemas import (
    MAX_ID,
    AssignSchema,
    CompletedSchema,
    CompleteSchema,
    DelegateSchema,
    TaskDetailSchema,
    TaskPageSchema,
    TaskQuery,
    TaskRowSchema,
    TaskSchema,
)

bp = blueprint("tasks", "/tasks", "Human tasks: the inbox as an API; claim, assign, delegate and complete.")
TASK_URL = f"/<int(max={MAX_ID}):task_id>"


# Schemas hold no per-request state: built once, not on every request.
_TASK = TaskSchema()


def _row(task: HumanTask, business_key: str, title: str) -> dict[str, Any]:
    body: dict[str, Any] = _TASK.dump(task)
    return {**body, "business_key": business_key, "title": title}


@bp.route("", methods=["GET"])
@bp.arguments(TaskQuery, location="query")
@bp.response(200, TaskPageSchema)
def list_tasks(args: dict[str, Any]) -> Response:
    """Tasks the caller may see (their groups', theirs, or all for administrators), filtered, sorted, paged."""
    engine = get_engine()
    query = inbox.InboxQuery(
        tab=None,
        state=args["state"],
        role=args.get("role"),
        locality=args.get("locality"),
        stage=args.get("stage"),
        assignee=args.get("assignee"),
        due=args.get("due"),
        text=args.get("q"),
        sort=args["sort"],
        page=args["page"],
        per_page=args["per_page"],
    )
    found = engine.read(inbox.list_tasks, me(), query, local_date(engine.clock()), clamp_page=False)
    items = [_row(row.task, row.business_key, row.title) for row in found.rows]
    return json_response(page_of(items, found.total, found.page, found.per_page))


@bp.route(TASK_URL, methods=["GET"])
@bp.response(200, TaskDetailSchema)
def get_task(task_id: int) -> Response:
    """One task with its form definition and the data the form opens with."""
    engine = get_engine()
    view = engine.read(inbox.task_view, me(), task_id)
    body = _row(view.task, view.instance.business_key, view.instance.title)
    body["form"] = view.form
    body["data"] = engine.task_data(task_id) if view.task.state == "open" else {}
    return json_response(body)


def _task_body(task: HumanTask) -> Response:
    """The answer to a command the Engine allowed: the task as it now is, with its project's key and title."""
    view = get_engine().read(inbox.task_view, None, task.id)
    return json_response(_row(view.task, view.instance.business_key, view.instance.title))


@bp.route(f"{TASK_URL}/claim", methods=["POST"])
@bp.response(200, TaskRowSchema)
@bp.alt_response(409, description="someone else holds the task, or it is no longer open")
def claim(task_id: int) -> Response:
    """Take a task of one of your groups; someone else's claim answers 409."""
    return _task_body(get_engine().claim(task_id, actor=me()))


@bp.route(f"{TASK_URL}/unclaim", methods=["POST"])
@bp.response(200, TaskRowSchema)
def unclaim(task_id: int) -> Response:
    """Give a claimed task back to its group (its holder, or a lead of the group)."""
    return _task_body(get_engine().unclaim(task_id, actor=me()))


@bp.route(f"{TASK_URL}/assign", methods=["POST"])
@bp.arguments(AssignSchema)
@bp.response(200, TaskRowSchema)
def assign(args: dict[str, Any], task_id: int) -> Response:
    """Hand a task to someone of the same role and locality, or ``null`` to unassign (group leads, managers)."""
    return _task_body(get_engine().assign(task_id, args["assignee"], actor=me()))


@bp.route(f"{TASK_URL}/delegate", methods=["POST"])
@bp.arguments(DelegateSchema)
@bp.response(200, TaskRowSchema)
def delegate(args: dict[str, Any], task_id: int) -> Response:
    """Pass your task to a colleague of the same role and locality; you can take it back."""
    return _task_body(get_engine().delegate(task_id, args["to"], actor=me()))


@bp.route(f"{TASK_URL}/take-back", methods=["POST"])
@bp.response(200, TaskRowSchema)
def take_back(task_id: int) -> Response:
    """Take back a task you delegated."""
    return _task_body(get_engine().take_back(task_id, actor=me()))


@bp.route(f"{TASK_URL}/complete", methods=["POST"])
@bp.arguments(CompleteSchema)
@bp.doc(parameters=[idempotency.HEADER_DOC])
@bp.response(200, CompletedSchema)
@bp.alt_response(409, description="already completed, claimed by someone else, or the project is not running")
def complete(args: dict[str, Any], task_id: int) -> Response:
    """Complete a task with its form's data; send ``Idempotency-Key`` to retry safely."""
    principal = me()

    def answer(instance: ProcessInstance, task: HumanTask, open_tasks: list[HumanTask]) -> dict[str, Any]:
        return {"task": _TASK.dump(task), "instance": project_body(instance, open_tasks)}

    def command(receipt: Receipt | None) -> tuple[dict[str, Any], int]:
        # One transaction: the check, what may be submitted, the step, the answer and its idempotency record.
        body = get_engine().complete_and_answer(task_id, args["data"], actor=principal, answer=answer, receipt=receipt)
        return body, 200

    return idempotency.run(f"tasks.complete:{task_id}", principal.id, args, command)
