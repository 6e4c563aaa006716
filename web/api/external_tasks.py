"""External tasks for other systems' workers (Camunda 7's external-task API, servflow's projects).

A worker (a token of a user with the ``worker`` role) fetches and locks tasks of its topics, optionally
waiting up to a minute for one (``asyncResponseTimeout``), then completes each with variables, reports
a failure (retries left, a retry timeout), throws a BPMN error for an error boundary event, or extends
its lock. Completing a task another worker now holds, or after the lock expired, is 409; completing
twice is answered as done. An unknown topic, or variables the task does not declare, is 422.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response

from engine.commands.external_tasks import TopicRequest

from ..engine_ext import get_engine
from .common import blueprint, json_response, me
from .external_schemas import (
    BpmnErrorSchema,
    CompleteExternalSchema,
    ExtendLockSchema,
    ExternalTaskStateSchema,
    FailureSchema,
    FetchAndLockSchema,
    LockedTaskSchema,
)
from .schemas import MAX_ID

bp = blueprint(
    "external_tasks", "/external-tasks", "Service tasks for workers of other systems: fetch and lock, complete, fail."
)
TASK_URL = f"/<int(max={MAX_ID}):task_id>"
_STATE = ExternalTaskStateSchema()


def _ms(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(milliseconds=value)


@bp.route("/fetch-and-lock", methods=["POST"])
@bp.arguments(FetchAndLockSchema)
@bp.response(200, LockedTaskSchema(many=True))
def fetch_and_lock(args: dict[str, Any]) -> Response:
    """Lock up to ``maxTasks`` tasks of the topics for ``workerId`` (an empty list when none came in time)."""
    topics = [
        TopicRequest(
            topic["topicName"],
            timedelta(milliseconds=topic["lockDuration"]),
            tuple(topic["variables"]) if topic.get("variables") is not None else None,
            business_key=topic.get("businessKey"),
            instance_id=topic.get("processInstanceId"),
        )
        for topic in args["topics"]
    ]
    locked = get_engine().fetch_and_lock(
        args["workerId"],
        topics,
        max_tasks=args["maxTasks"],
        wait_seconds=args["asyncResponseTimeout"] / 1000,
        actor=me(),
    )
    return json_response(locked)


@bp.route(f"{TASK_URL}/complete", methods=["POST"])
@bp.arguments(CompleteExternalSchema)
@bp.response(200, ExternalTaskStateSchema)
@bp.alt_response(409, description="another worker holds the task, the lock expired, or it no longer waits")
def complete(args: dict[str, Any], task_id: int) -> Response:
    """Complete the task with the worker's variables; the project runs on to its next wait."""
    row = get_engine().complete_external(task_id, args["workerId"], args["variables"], actor=me())
    return json_response(_STATE.dump(row))


@bp.route(f"{TASK_URL}/failure", methods=["POST"])
@bp.arguments(FailureSchema)
@bp.response(200, ExternalTaskStateSchema)
def failure(args: dict[str, Any], task_id: int) -> Response:
    """Report that the work failed: retries left (an incident at 0) and how long until it is offered again."""
    row = get_engine().fail_external(
        task_id,
        args["workerId"],
        message=args["errorMessage"],
        details=args.get("errorDetails"),
        retries=args.get("retries"),
        retry_timeout=_ms(args.get("retryTimeout")),
        actor=me(),
    )
    return json_response(_STATE.dump(row))


@bp.route(f"{TASK_URL}/bpmn-error", methods=["POST"])
@bp.arguments(BpmnErrorSchema)
@bp.response(200, ExternalTaskStateSchema)
def bpmn_error(args: dict[str, Any], task_id: int) -> Response:
    """A business error (e.g. ``NO_BUDGET``) that the task's error boundary event catches."""
    row = get_engine().throw_external_error(
        task_id,
        args["workerId"],
        args["errorCode"],
        message=args["errorMessage"],
        variables=args["variables"],
        actor=me(),
    )
    return json_response(_STATE.dump(row))


@bp.route(f"{TASK_URL}/extend-lock", methods=["POST"])
@bp.arguments(ExtendLockSchema)
@bp.response(200, ExternalTaskStateSchema)
def extend_lock(args: dict[str, Any], task_id: int) -> Response:
    """Keep the lock ``newDuration`` ms from now (the work takes longer than asked for)."""
    row = get_engine().extend_external_lock(
        task_id, args["workerId"], timedelta(milliseconds=args["newDuration"]), actor=me()
    )
    return json_response(_STATE.dump(row))
