"""Human tasks: query (the inbox's filters, paged, with a total), read with the form, assign, complete.

A task the caller may not see answers 404. Completing validates the data against the task's own form
(``engine.formats.forms.validate_submission``, the rules the browser shows) before the process runs: a bad
submission is a 422 naming each field, and ``Idempotency-Key`` makes a retried completion harmless.
The check, the step and the answer share one transaction (``Engine.complete_and_answer``).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy import and_, func, or_, select

from engine.calendars.deadlines import local_date
from engine.errors import NotFoundError
from engine.identity import access
from engine.identity.users import Principal
from engine.queries.inbox import require_colleague, week_end
from engine.store.models import HumanTask, ProcessInstance, ProcessVersion

from ..engine_ext import get_engine
from . import idempotency
from .common import blueprint, json_response, me, page_of, reading
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


def _filters(args: dict[str, Any], principal: Principal) -> list[Any]:
    today = local_date(get_engine().clock())
    conditions = [access.visible_tasks(principal), HumanTask.state == args["state"]]
    for name, column in (
        ("role", HumanTask.role),
        ("locality", HumanTask.locality_code),
        ("stage", HumanTask.process_key),
    ):
        if args.get(name):
            conditions.append(column == args[name])
    if args.get("assignee"):
        conditions.append(HumanTask.assignee == (principal.username if args["assignee"] == "me" else args["assignee"]))
    due = args.get("due")
    if due == "overdue":
        conditions.append(HumanTask.due_date < today)
    elif due == "today":
        conditions.append(HumanTask.due_date == today)
    elif due == "week":
        conditions.append(and_(HumanTask.due_date >= today, HumanTask.due_date <= week_end(today)))
    if args.get("q"):
        pattern = "%" + args["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                ProcessInstance.title.ilike(pattern, escape="\\"),
                ProcessInstance.business_key.ilike(pattern, escape="\\"),
            )
        )
    return conditions


_ORDER = {
    "due": [HumanTask.due_date.asc().nulls_last(), HumanTask.id],
    "created": [HumanTask.created_at.desc(), HumanTask.id.desc()],
    "priority": [HumanTask.priority.desc(), HumanTask.due_date.asc().nulls_last(), HumanTask.id],
}


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
    principal = me()
    with reading() as session:
        base = (
            select(HumanTask, ProcessInstance.business_key, ProcessInstance.title)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(*_filters(args, principal))
        )
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
        page, per_page = args["page"], args["per_page"]
        rows = session.execute(base.order_by(*_ORDER[args["sort"]]).limit(per_page).offset((page - 1) * per_page))
        return json_response(page_of([_row(*row) for row in rows], total, page, per_page))


def _form_of(session: Any, task: HumanTask) -> dict[str, Any] | None:
    if not task.form_key:
        return None
    instance = session.get(ProcessInstance, task.instance_id)
    version = session.get(ProcessVersion, instance.bound_versions.get(task.process_key) or instance.process_version_id)
    return version.forms.get(task.form_key) if version is not None else None


def _visible(task_id: int) -> tuple[Principal, HumanTask]:
    principal = me()
    with reading() as session:
        return principal, access.visible_task(session, principal, task_id)


@bp.route(TASK_URL, methods=["GET"])
@bp.response(200, TaskDetailSchema)
def get_task(task_id: int) -> Response:
    """One task with its form definition and the data the form opens with."""
    _, task = _visible(task_id)
    with reading() as session:
        instance = session.get(ProcessInstance, task.instance_id)
        body = _row(task, instance.business_key, instance.title)
        body["form"] = _form_of(session, task)
    body["data"] = get_engine().task_data(task_id) if task.state == "open" else {}
    return json_response(body)


def _task_body(task: HumanTask) -> Response:
    with reading() as session:
        instance = session.get(ProcessInstance, task.instance_id)
        return json_response(_row(task, instance.business_key, instance.title))


@bp.route(f"{TASK_URL}/claim", methods=["POST"])
@bp.response(200, TaskRowSchema)
def claim(task_id: int) -> Response:
    """Take a task of one of your groups; someone else's claim answers 409."""
    principal, task = _visible(task_id)
    access.require_task(principal, task, "claim")
    return _task_body(get_engine().claim(task_id, actor=principal.username))


@bp.route(f"{TASK_URL}/unclaim", methods=["POST"])
@bp.response(200, TaskRowSchema)
def unclaim(task_id: int) -> Response:
    """Give a claimed task back to its group."""
    principal, task = _visible(task_id)
    access.require_task(principal, task, "unclaim")
    if task.assignee and task.assignee != principal.username:
        return _task_body(get_engine().assign(task_id, None, actor=principal.username))
    return _task_body(get_engine().unclaim(task_id, actor=principal.username))


def _require_colleague(task: HumanTask, username: str) -> None:
    with reading() as session:
        require_colleague(session, task, username)


@bp.route(f"{TASK_URL}/assign", methods=["POST"])
@bp.arguments(AssignSchema)
@bp.response(200, TaskRowSchema)
def assign(args: dict[str, Any], task_id: int) -> Response:
    """Hand a task to someone of the same role and locality, or ``null`` to unassign (group leads)."""
    principal, task = _visible(task_id)
    access.require_task(principal, task, "assign")
    if args["assignee"] is not None:
        _require_colleague(task, args["assignee"])
    return _task_body(get_engine().assign(task_id, args["assignee"], actor=principal.username))


@bp.route(f"{TASK_URL}/delegate", methods=["POST"])
@bp.arguments(DelegateSchema)
@bp.response(200, TaskRowSchema)
def delegate(args: dict[str, Any], task_id: int) -> Response:
    """Pass your task to a colleague of the same role and locality; you can take it back."""
    principal, task = _visible(task_id)
    access.require_task(principal, task, "delegate")
    _require_colleague(task, args["to"])
    return _task_body(get_engine().delegate(task_id, args["to"], actor=principal.username))


@bp.route(f"{TASK_URL}/take-back", methods=["POST"])
@bp.response(200, TaskRowSchema)
def take_back(task_id: int) -> Response:
    """Take back a task you delegated."""
    principal, task = _visible(task_id)
    access.require_task(principal, task, "take_back")
    return _task_body(get_engine().take_back(task_id, actor=principal.username))


@bp.route(f"{TASK_URL}/complete", methods=["POST"])
@bp.arguments(CompleteSchema)
@bp.doc(parameters=[idempotency.HEADER_DOC])
@bp.response(200, CompletedSchema)
@bp.alt_response(409, description="already completed, claimed by someone else, or the project is not running")
def complete(args: dict[str, Any], task_id: int) -> Response:
    """Complete a task with its form's data; send ``Idempotency-Key`` to retry safely."""
    principal = me()

    def authorize(task: HumanTask) -> None:
        if not access.can_see_task(principal, task):
            raise NotFoundError(f"task {task_id} does not exist")
        access.require_task(principal, task, "complete")

    def answer(instance: ProcessInstance, task: HumanTask, open_tasks: list[HumanTask]) -> dict[str, Any]:
        return {"task": _TASK.dump(task), "instance": project_body(instance, open_tasks)}

    def command() -> tuple[dict[str, Any], int]:
        # One transaction: the check, the form's rules, the step and the answer (engine.instances.complete).
        body = get_engine().complete_and_answer(
            task_id, args["data"], actor=principal.username, authorize=authorize, answer=answer
        )
        return body, 200

    return idempotency.run(f"tasks.complete:{task_id}", principal.id, args, command)
