"""Projects (process instances): list, start, read with current tasks and history, cancel, suspend, resume.

A project someone may not read answers 404, exactly like one that does not exist; a project they
may read but not act on answers 403. Start takes an ``Idempotency-Key`` so a retried request never
creates a second project.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.identity.users import Principal
from engine.queries import projects
from engine.store.idempotency import Receipt
from engine.store.models import HumanTask, ProcessInstance

from ..engine_ext import get_engine
from . import idempotency
from .common import blueprint, json_response, me, page_of
from .schemas import (
    MAX_ID,
    AuditSchema,
    InstanceDetailSchema,
    InstancePageSchema,
    InstanceQuery,
    InstanceSchema,
    ReasonSchema,
    StartSchema,
    TaskSchema,
)

bp = blueprint("instances", "/instances", "Projects: start one, follow it, cancel, suspend or resume it.")


# Built once: a completion answers with a project on every call (web.api.tasks).
_INSTANCE, _TASKS, _HISTORY = InstanceSchema(), TaskSchema(many=True), AuditSchema(many=True)


def project_body(instance: ProcessInstance, open_tasks: list[HumanTask]) -> dict[str, Any]:
    """The project as the API shows it (serialized), with the open tasks the caller already holds."""
    return {**_INSTANCE.dump(instance), "tasks": _TASKS.dump(open_tasks)}


def detail_of(principal: Principal | None, instance_id: int, *, with_history: bool = True) -> dict[str, Any]:
    """The project as the API shows it (serialized): its fields, open tasks and, optionally, its history.

    ``principal=None`` answers a command the caller was allowed to run without the reading rule.
    """
    return _project_detail(get_engine().read(projects.project, principal, instance_id, with_history=with_history))


def _project_detail(found: projects.Project) -> dict[str, Any]:
    body = project_body(found.instance, found.open_tasks)
    if found.history is not None:
        body["history"] = _HISTORY.dump(found.history)
    return body


def _detail_of(instance_id: int, *, with_history: bool = True) -> Response:
    return json_response(detail_of(me(), instance_id, with_history=with_history))


@bp.route("", methods=["GET"])
@bp.arguments(InstanceQuery, location="query")
@bp.response(200, InstancePageSchema)
def list_instances(args: dict[str, Any]) -> dict[str, Any]:
    """Projects the caller may read, newest first, filtered and paged."""
    found = get_engine().read(
        projects.list_projects,
        me(),
        locality=args.get("locality"),
        status=args.get("status"),
        text=args.get("q"),
        page=args["page"],
        per_page=args["per_page"],
    )
    return page_of(found.items, found.total, found.page, found.per_page)


@bp.route("", methods=["POST"])
@bp.arguments(StartSchema)
@bp.doc(parameters=[idempotency.HEADER_DOC])
@bp.response(201, InstanceDetailSchema)
@bp.alt_response(409, description="a project with this business key already exists in the locality")
def start(args: dict[str, Any]) -> Response:
    """Start a project (purchasers of that locality); send ``Idempotency-Key`` to retry safely."""
    principal = me()

    def command(receipt: Receipt | None) -> tuple[dict[str, Any], int]:
        body = get_engine().start_and_answer(
            args["process_key"],
            locality=args["locality"],
            business_key=(args["business_key"] or "").strip() or None,
            data=args["data"],
            actor=principal,
            title=args.get("title") or None,
            organization_id=args.get("organization_id"),
            answer=_project_detail,
            receipt=receipt,
        )
        return body, 201

    return idempotency.run("instances.start", principal.id, args, command)


@bp.route(f"/<int(max={MAX_ID}):instance_id>", methods=["GET"])
@bp.response(200, InstanceDetailSchema)
def get_instance(instance_id: int) -> Response:
    """One project with its open tasks and its history."""
    return _detail_of(instance_id)


@bp.route(f"/<int(max={MAX_ID}):instance_id>/cancel", methods=["POST"])
@bp.arguments(ReasonSchema, required=False, description="optional; without a body the reason is empty")
@bp.response(200, InstanceDetailSchema)
def cancel(args: dict[str, Any], instance_id: int) -> Response:
    """Cancel a project (managers over its locality, or whoever started it)."""
    get_engine().cancel(instance_id, actor=me(), reason=args["reason"])
    return _detail_of(instance_id, with_history=False)


@bp.route(f"/<int(max={MAX_ID}):instance_id>/suspend", methods=["POST"])
@bp.response(200, InstanceDetailSchema)
def suspend(instance_id: int) -> Response:
    """Suspend a running project: its tasks cannot be completed until it is resumed (managers)."""
    get_engine().suspend(instance_id, actor=me())
    return _detail_of(instance_id, with_history=False)


@bp.route(f"/<int(max={MAX_ID}):instance_id>/resume", methods=["POST"])
@bp.response(200, InstanceDetailSchema)
def resume(instance_id: int) -> Response:
    """Resume a suspended project (managers)."""
    get_engine().resume(instance_id, actor=me())
    return _detail_of(instance_id, with_history=False)
