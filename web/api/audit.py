"""The audit trail: one project's history for whoever may read the project, and the global trail,
paged, for administrators and auditors (an auditor sees their locality and everything below it)."""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.errors import PermissionDeniedError
from engine.identity import access
from engine.queries import audit_trail

from ..engine_ext import get_engine
from .common import blueprint, json_response, me, page_of
from .schemas import MAX_ID, AuditPageSchema, AuditQuery, AuditSchema

bp = blueprint("audit", "/audit", "Who did what to which project, when, with what data.")


@bp.route("", methods=["GET"])
@bp.arguments(AuditQuery, location="query")
@bp.response(200, AuditPageSchema)
def global_audit(args: dict[str, Any]) -> Response:
    """Every event in the caller's oversight, newest first (administrators and auditors)."""
    principal = me()
    if not access.may_anywhere(principal, "audit.read_all"):
        raise PermissionDeniedError("only auditors and administrators may read the audit trail")
    found = get_engine().read(
        audit_trail.trail,
        principal,
        instance_id=args.get("instance_id"),
        actor=args.get("actor"),
        action=args.get("action"),
        page=args["page"],
        per_page=args["per_page"],
    )
    return json_response(page_of(AuditSchema(many=True).dump(found.items), found.total, found.page, found.per_page))


@bp.route(f"/instances/<int(max={MAX_ID}):instance_id>", methods=["GET"])
@bp.response(200, AuditSchema(many=True))
def instance_history(instance_id: int) -> Response:
    """One project's history, oldest first (whoever may read the project)."""
    events = get_engine().read(audit_trail.project_history, me(), instance_id)
    return json_response(AuditSchema(many=True).dump(events))
