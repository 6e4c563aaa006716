"""Projects (process instances): list, start, read with current tasks and history, cancel, suspend, resume.

A project someone may not read answers 404, exactly like one that does not exist; a project they
may read but not act on answers 403. Start takes an ``Idempotency-Key`` so a retried request never
creates a second project.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy import func, or_, select

from engine.commands import tasks
from engine.errors import PermissionDeniedError
from engine.identity import access
from engine.identity.users import Principal
from engine.store import audit
from engine.store.models import HumanTask, ProcessInstance

from ..engine_ext import get_engine
from . import idempotency
from .common import blueprint, json_response, locality_code, me, page_of, reading
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


def detail(session: Any, instance: ProcessInstance, *, with_history: bool = True) -> dict[str, Any]:
    """The project as the API shows it (serialized): its fields, open tasks and, optionally, its history."""
    body = project_body(instance, tasks.open_tasks(session, instance.id))
    if with_history:
        body["history"] = _HISTORY.dump(audit.history(session, instance.id))
    return body


def _detail_of(instance_id: int, *, with_history: bool = True) -> Response:
    with reading() as session:
        instance = access.readable_instance(session, me(), instance_id)
        return json_response(detail(session, instance, with_history=with_history))


@bp.route("", methods=["GET"])
@bp.arguments(InstanceQuery, location="query")
@bp.response(200, InstancePageSchema)
def list_instances(args: dict[str, Any]) -> dict[str, Any]:
    """Projects the caller may read, newest first, filtered and paged."""
    principal = me()
    with reading() as session:
        query = select(ProcessInstance).where(access.readable_instances(session, principal))
        if args.get("locality"):
            query = query.where(ProcessInstance.locality_code == args["locality"])
        if args.get("status"):
            query = query.where(ProcessInstance.status == args["status"])
        if args.get("q"):
            pattern = "%" + args["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(
                or_(
                    ProcessInstance.title.ilike(pattern, escape="\\"),
                    ProcessInstance.business_key.ilike(pattern, escape="\\"),
                )
            )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page, per_page = args["page"], args["per_page"]
        rows = list(
            session.scalars(query.order_by(ProcessInstance.id.desc()).limit(per_page).offset((page - 1) * per_page))
        )
        return page_of(rows, total, page, per_page)


@bp.route("", methods=["POST"])
@bp.arguments(StartSchema)
@bp.doc(parameters=[idempotency.HEADER_DOC])
@bp.response(201, InstanceDetailSchema)
@bp.alt_response(409, description="a project with this business key already exists in the locality")
def start(args: dict[str, Any]) -> Response:
    """Start a project (purchasers of that locality); send ``Idempotency-Key`` to retry safely."""
    principal = me()

    def command() -> tuple[dict[str, Any], int]:
        with reading() as session:
            code = locality_code(session, args["locality"])
            if not access.can_start(session, principal, args["process_key"], code):
                raise PermissionDeniedError(f"you may not start projects in locality {code}")
        instance = get_engine().start(
            args["process_key"],
            locality=code,
            business_key=args["business_key"].strip(),
            data=args["data"],
            actor=principal.username,
            title=args.get("title") or None,
        )
        with reading() as session:
            return detail(session, session.get(ProcessInstance, instance.id)), 201

    return idempotency.run("instances.start", principal.id, args, command)


@bp.route(f"/<int(max={MAX_ID}):instance_id>", methods=["GET"])
@bp.response(200, InstanceDetailSchema)
def get_instance(instance_id: int) -> Response:
    """One project with its open tasks and its history."""
    return _detail_of(instance_id)


def _act(instance_id: int, allowed: Any, verb: str) -> Principal:
    principal = me()
    with reading() as session:
        instance = access.readable_instance(session, principal, instance_id)
        if not allowed(session, principal, instance):
            raise PermissionDeniedError(f"you may not {verb} project {instance_id}")
    return principal


@bp.route(f"/<int(max={MAX_ID}):instance_id>/cancel", methods=["POST"])
@bp.arguments(ReasonSchema)
@bp.response(200, InstanceDetailSchema)
def cancel(args: dict[str, Any], instance_id: int) -> Response:
    """Cancel a project (managers over its locality, or whoever started it)."""
    principal = _act(instance_id, access.can_cancel, "cancel")
    get_engine().cancel(instance_id, actor=principal.username, reason=args["reason"])
    return _detail_of(instance_id, with_history=False)


def _may_suspend(session: Any, principal: Principal, instance: ProcessInstance) -> bool:
    return access.allowed(session, principal, "instance.suspend", instance.locality_code)


@bp.route(f"/<int(max={MAX_ID}):instance_id>/suspend", methods=["POST"])
@bp.response(200, InstanceDetailSchema)
def suspend(instance_id: int) -> Response:
    """Suspend a running project: its tasks cannot be completed until it is resumed (managers)."""
    principal = _act(instance_id, _may_suspend, "suspend")
    get_engine().suspend(instance_id, actor=principal.username)
    return _detail_of(instance_id, with_history=False)


@bp.route(f"/<int(max={MAX_ID}):instance_id>/resume", methods=["POST"])
@bp.response(200, InstanceDetailSchema)
def resume(instance_id: int) -> Response:
    """Resume a suspended project (managers)."""
    principal = _act(instance_id, _may_suspend, "resume")
    get_engine().resume(instance_id, actor=principal.username)
    return _detail_of(instance_id, with_history=False)
