"""Moving running projects to another version: a dry run, a batch, one project, progress, moving back.

Designers of the target version's locality (and administrators) only; each moves the projects of the
localities they design for. A batch runs in the request and writes its progress after every project,
so ``GET /migrations/<id>`` from another client shows how far it is.
"""

from __future__ import annotations

from typing import Any

from engine.commands.migrations import Verdict
from engine.errors import PermissionDeniedError
from engine.identity import access
from engine.store.models import MigrationBatch

from ..engine_ext import get_engine
from .common import blueprint, json_response, me
from .migration_schemas import MigrationBatchSchema, MigrationDryRunSchema, MigrationPlanSchema, MigrationVerdictSchema
from .schemas import MAX_ID

bp = blueprint("migrations", "/migrations", "Move running projects to another version of their process.")


@bp.route("", methods=["POST"])
@bp.arguments(MigrationPlanSchema)
@bp.response(201, MigrationBatchSchema, description="the batch ran: how many moved, which could not and why")
@bp.alt_response(
    200, schema=MigrationDryRunSchema, description="dry_run: every matching project, can it move or why not"
)
@bp.alt_response(202, schema=MigrationVerdictSchema, description="instance: that project moved")
def migrate(args: dict[str, Any]) -> Any:
    """Judge (``dry_run``), move one project (``instance``; 409 when it cannot move or another move won),
    or move every matching project in a batch."""
    principal = me()
    if not access.may_anywhere(principal, "definition.deploy"):
        raise PermissionDeniedError("only process designers may migrate projects")
    engine, plan = get_engine(), args["plan"]
    if args["dry_run"]:
        verdicts = engine.migration_dry_run(plan, actor=principal)
        movable = sum(1 for v in verdicts if v.can_move)
        body = {"projects": verdicts, "can_move": movable, "cannot_move": len(verdicts) - movable}
        return json_response(MigrationDryRunSchema().dump(body), 200)
    if args["instance"] is not None:
        verdict: Verdict = engine.migrate_instance(args["instance"], plan, actor=principal)
        return json_response(MigrationVerdictSchema().dump(verdict), 202)
    batch: MigrationBatch = engine.migrate(plan, actor=principal)
    return batch, 201


@bp.route(f"/<int(max={MAX_ID}):batch_id>", methods=["GET"])
@bp.response(200, MigrationBatchSchema)
def get_batch(batch_id: int) -> MigrationBatch:
    """A batch's progress and report."""
    principal = me()
    batch = get_engine().migration_batch(batch_id)
    get_engine().read(access.require, principal, "definition.deploy", batch.locality_code)
    return batch


@bp.route(f"/instances/<int(max={MAX_ID}):instance_id>/revert", methods=["POST"])
@bp.response(200, MigrationVerdictSchema)
def revert(instance_id: int) -> Verdict:
    """Move a migrated project back to its previous version (409 once anything happened to it since)."""
    return get_engine().revert_migration(instance_id, actor=me())
