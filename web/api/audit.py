"""The audit trail: one project's history for whoever may read the project, and the global trail,
paged, for administrators and auditors (an auditor sees their locality and everything below it)."""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy import func, select

from engine.errors import PermissionDeniedError
from engine.identity import access
from engine.store import audit
from engine.store.models import AuditEvent

from .common import blueprint, json_response, me, page_of, reading
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
    with reading() as session:
        query = select(AuditEvent).where(access.audit_scope(session, principal))
        for name in ("instance_id", "actor", "action"):
            if args.get(name) is not None:
                query = query.where(getattr(AuditEvent, name) == args[name])
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page, per_page = args["page"], args["per_page"]
        rows = session.scalars(query.order_by(AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page))
        return json_response(page_of(AuditSchema(many=True).dump(rows), total, page, per_page))


@bp.route(f"/instances/<int(max={MAX_ID}):instance_id>", methods=["GET"])
@bp.response(200, AuditSchema(many=True))
def instance_history(instance_id: int) -> Response:
    """One project's history, oldest first (whoever may read the project)."""
    with reading() as session:
        access.readable_instance(session, me(), instance_id)
        return json_response(AuditSchema(many=True).dump(audit.history(session, instance_id)))
