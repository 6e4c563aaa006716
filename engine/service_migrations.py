"""The Engine's door for moving running projects to another version (mixed into :class:`engine.service.Engine`).

A dry run reads; a batch migrates each project in its own transaction under its instance lock, so a
project that cannot move (or fails) is left exactly as it was, listed with the reason, and the batch goes
on. The batch row is written after every project, so its progress is read while it runs. A person must be
a designer of the target version's locality, and moves only the projects of localities they design for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from .commands import migrations
from .commands.migration_plan import CheckedPlan, Plan, check, matching
from .commands.migrations import Verdict
from .commands.tasks import Actor, username_of
from .errors import NotFoundError, ServflowError
from .identity import access
from .store.models import MigrationBatch, ProcessInstance
from .store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .commands.instances import Context

MIGRATE = "definition.deploy"


class MigrationDoor:
    """Dry run, migrate in batches or one project, read a batch's progress, move a project back."""

    # Provided by Engine.
    ctx: Context
    clock: Callable[[], datetime]
    unit_of_work: Callable[..., UnitOfWork]

    def migration_dry_run(self, plan: Plan, *, actor: Actor) -> list[Verdict]:
        """Every project the plan names, each with whether it can move and why not; nothing is written."""
        with self.unit_of_work() as uow:
            checked, localities = _checked(uow.session, plan, actor)
            ids = matching(uow.session, checked, localities)
            return [
                migrations.judge(uow.session, self.ctx, checked, uow.session.get_one(ProcessInstance, i)) for i in ids
            ]

    def start_migration(self, plan: Plan, *, actor: Actor) -> int:
        """Record a batch of the projects the plan names now; :meth:`run_migration` moves them."""
        with self.unit_of_work(write=True) as uow:
            checked, localities = _checked(uow.session, plan, actor)
            ids = matching(uow.session, checked, localities)
            batch = MigrationBatch(
                process_key=checked.process_key,
                target_version_id=plan.target,
                plan={**plan.to_dict(), "instances": ids},
                locality_code=checked.target.locality_code,
                created_by=username_of(actor),
                created_at=self.clock(),
                total=len(ids),
                moved=0,
                failed=0,
                results=[],
            )
            uow.session.add(batch)
            uow.session.flush()
            uow.commit()
            return batch.id

    def run_migration(self, batch_id: int) -> MigrationBatch:
        """Move each project of the batch in its own transaction; a refusal or failure is listed, not raised."""
        with self.unit_of_work() as uow:
            batch = _batch(uow.session, batch_id)
            checked = check(uow.session, _plan_of(batch))
            actor, ids = batch.created_by, list(batch.plan["instances"])
        for instance_id in ids:
            failure = self._migrate_one(checked, instance_id, actor)
            self._progress(batch_id, instance_id, failure)
        with self.unit_of_work(write=True) as uow:
            batch = _batch(uow.session, batch_id)
            batch.finished_at = self.clock()
            uow.commit()
            return batch

    def migrate(self, plan: Plan, *, actor: Actor) -> MigrationBatch:
        """Start a batch and run it to the end (the pages and the CLI; the progress is readable meanwhile)."""
        return self.run_migration(self.start_migration(plan, actor=actor))

    def migrate_instance(self, instance_id: int, plan: Plan, *, actor: Actor) -> Verdict:
        """Move one project now; its refusal is raised (409 when it cannot move or another move won)."""
        with self.unit_of_work(write=True) as uow:
            checked, localities = _checked(uow.session, plan, actor)
            instance = uow.session.get(ProcessInstance, instance_id)
            if instance is None or (localities is not None and instance.locality_code not in localities):
                raise NotFoundError(f"project (instance) {instance_id} does not exist")
            verdict = migrations.migrate(uow.session, self.ctx, checked, instance_id, username_of(actor))
            uow.commit()
            return verdict

    def migration_batch(self, batch_id: int) -> MigrationBatch:
        with self.unit_of_work() as uow:
            return _batch(uow.session, batch_id)

    def revert_migration(self, instance_id: int, *, actor: Actor) -> Verdict:
        """Move a migrated project back to the version it came from while nothing happened to it since."""
        with self.unit_of_work(write=True) as uow:
            instance = uow.session.get(ProcessInstance, instance_id)
            if instance is None:
                raise NotFoundError(f"project (instance) {instance_id} does not exist")
            if not isinstance(actor, str):
                access.require(uow.session, actor, MIGRATE, instance.locality_code)
            verdict = migrations.revert(uow.session, self.ctx, instance_id, username_of(actor))
            uow.commit()
            return verdict

    def _migrate_one(self, checked: CheckedPlan, instance_id: int, actor: str) -> dict[str, object] | None:
        try:
            with self.unit_of_work(write=True) as uow:
                migrations.migrate(uow.session, self.ctx, checked, instance_id, actor)
                uow.commit()
        except ServflowError as exc:
            return {"instance_id": instance_id, "code": exc.code, "message": exc.message, **exc.details}
        return None

    def _progress(self, batch_id: int, instance_id: int, failure: dict[str, object] | None) -> None:
        with self.unit_of_work(write=True) as uow:
            batch = _batch(uow.session, batch_id)
            if failure is None:
                batch.moved += 1
            else:
                batch.failed += 1
                batch.results = [*batch.results, failure]
            uow.commit()


def _checked(session: Session, plan: Plan, actor: Actor) -> tuple[CheckedPlan, set[str] | None]:
    """The checked plan and where the actor may move projects (None: anywhere)."""
    checked = check(session, plan)
    if isinstance(actor, str):
        return checked, None
    access.require(session, actor, MIGRATE, checked.target.locality_code)
    return checked, access.localities_for(session, actor, MIGRATE)


def _batch(session: Session, batch_id: int) -> MigrationBatch:
    batch = session.get(MigrationBatch, batch_id)
    if batch is None:
        raise NotFoundError(f"migration batch {batch_id} does not exist")
    return batch


def _plan_of(batch: MigrationBatch) -> Plan:
    data = batch.plan
    return Plan(
        sources=tuple(data["from"]),
        target=data["to"],
        mapping=data.get("mapping") or {},
        locality=data.get("locality"),
        stage=data.get("stage"),
        statuses=tuple(data.get("status") or ()),
    )
