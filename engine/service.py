"""servflow's service API: the only door the web app, the CLI, the scheduler and benchmarks use.

Each public method is one command or one query in its own unit of work. Commands that fail while
running the process roll back and then record the error on the instance in a second, small
transaction, so the project stays at its last committed wait state and the failure is visible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import definitions
from .calendars.deadline_hook import DeadlineFn
from .commands import instances, tasks
from .config import EngineConfig
from .errors import ConflictError, ExecutionError, NotFoundError
from .formats.bundles import read_path
from .formats.forms import validate_submission
from .identity.localities import ensure_default_localities, get_locality
from .spiff.runtime import SpecCache
from .store import audit
from .store.db import is_sqlite, make_session_factory
from .store.models import OPEN, AuditEvent, HumanTask, ProcessInstance, ProcessVersion, utcnow
from .store.unit_of_work import UnitOfWork, conflicts_reported

T = TypeVar("T")


class Engine:
    """Start and advance projects, deploy definitions, and read what is there."""

    def __init__(
        self,
        config: EngineConfig,
        db: SqlEngine,
        *,
        clock: Callable[[], datetime] = utcnow,
        validate_form: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = validate_submission,
        deadline: DeadlineFn | None = None,
    ) -> None:
        """Built by :func:`engine.compose.build_engine`, the one place that wires an Engine's parts."""
        self.config = config
        self.db = db
        self.session_factory = make_session_factory(self.db)
        self._read_factory = (
            self.session_factory
            if is_sqlite(self.db)
            else make_session_factory(self.db.execution_options(isolation_level="AUTOCOMMIT"))
        )
        self.clock = clock
        self.ctx = instances.Context(
            now=lambda: self.clock(), specs=SpecCache(), deadline=deadline, validate_form=validate_form
        )

    def unit_of_work(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.session_factory, write=write)

    def single_read(self) -> UnitOfWork:
        """A unit of work for a read that needs no snapshot across statements, such as signing in with an
        API token on every call: on PostgreSQL it runs in autocommit, two round trips (BEGIN, ROLLBACK)
        fewer; on SQLite a transaction costs no round trip, so it is an ordinary one."""
        return UnitOfWork(self._read_factory)

    def dispose(self) -> None:
        self.db.dispose()

    # --- definitions -------------------------------------------------------------------------
    def ensure_localities(self) -> None:
        with self.unit_of_work(write=True) as uow:
            ensure_default_localities(uow.session)
            uow.commit()

    def deploy(
        self, files: Mapping[str, bytes], locality: str, deployed_by: str = "system", comment: str = ""
    ) -> definitions.DeployResult:
        with self.unit_of_work(write=True) as uow:
            result = definitions.deploy(uow.session, files, locality, deployed_by, comment)
            uow.commit()
        return result

    def deploy_path(self, path: str | Path, locality: str, deployed_by: str = "system") -> definitions.DeployResult:
        return self.deploy(read_path(path), locality, deployed_by)

    def versions(self, *, locality: str | None = None, key: str | None = None) -> list[ProcessVersion]:
        with self.unit_of_work() as uow:
            return definitions.list_versions(uow.session, locality=locality, key=key)

    def current_version(self, key: str, locality: str) -> ProcessVersion:
        with self.unit_of_work() as uow:
            return definitions.current_version(uow.session, key, locality)

    # --- instance commands -------------------------------------------------------------------
    def start(
        self,
        process_key: str,
        *,
        locality: str,
        business_key: str,
        data: dict[str, Any] | None = None,
        actor: str = "system",
        title: str | None = None,
    ) -> ProcessInstance:
        with self.unit_of_work(write=True) as uow:
            code = get_locality(uow.session, locality).code
            duplicate = uow.session.scalars(
                select(ProcessInstance.id).where(
                    ProcessInstance.locality_code == code, ProcessInstance.business_key == business_key
                )
            ).first()
            if duplicate is not None:
                raise ConflictError(
                    f"a project with business key {business_key!r} already exists in {code}", instance_id=duplicate
                )
            instance = instances.start(
                uow.session,
                self.ctx,
                process_key=process_key,
                locality=code,
                business_key=business_key,
                data=dict(data or {}),
                actor=actor,
                title=title,
            )
            self._commit(uow)
        return instance

    def complete(self, task_id: int, data: dict[str, Any] | None = None, *, actor: str) -> ProcessInstance:
        return self._command(
            lambda s: instances.complete(s, self.ctx, task_id=task_id, data=dict(data or {}), actor=actor).instance,
            instance_of=lambda s: tasks.get_task(s, task_id).instance_id,
            actor=actor,
        )

    def complete_and_answer(
        self,
        task_id: int,
        data: dict[str, Any] | None,
        *,
        actor: str,
        authorize: Callable[[HumanTask], None],
        answer: Callable[[ProcessInstance, HumanTask, list[HumanTask]], T],
    ) -> T:
        """Complete a task and build the caller's answer in the same unit of work (one transaction).

        ``authorize`` refuses (raises) on the task as it is under the instance lock; ``answer`` gets the
        flushed result before the commit — the instance, the task and the instance's open tasks by id — so
        an API call needs no second read to show what changed. Nothing of the answer is returned unless the
        commit succeeds.
        """

        def step(session: Session) -> T:
            done = instances.complete(
                session, self.ctx, task_id=task_id, data=dict(data or {}), actor=actor, authorize=authorize
            )
            with conflicts_reported("this project"):
                session.flush()
            return answer(done.instance, done.task, sorted(done.open_tasks, key=lambda row: row.id))

        return self._command(step, instance_of=lambda s: tasks.get_task(s, task_id).instance_id, actor=actor)

    def fire_timers(self, instance_id: int) -> ProcessInstance:
        return self._command(
            lambda s: instances.fire_timers(s, self.ctx, instance_id=instance_id),
            instance_of=lambda s: instance_id,
            actor="scheduler",
        )

    def cancel(self, instance_id: int, *, actor: str, reason: str = "") -> ProcessInstance:
        return self._command(
            lambda s: instances.cancel(s, self.ctx, instance_id=instance_id, actor=actor, reason=reason),
            instance_of=lambda s: instance_id,
            actor=actor,
        )

    def suspend(self, instance_id: int, *, actor: str) -> ProcessInstance:
        return self._command(
            lambda s: instances.set_suspended(s, self.ctx, instance_id=instance_id, actor=actor, suspended=True),
            instance_of=lambda s: instance_id,
            actor=actor,
        )

    def resume(self, instance_id: int, *, actor: str) -> ProcessInstance:
        return self._command(
            lambda s: instances.set_suspended(s, self.ctx, instance_id=instance_id, actor=actor, suspended=False),
            instance_of=lambda s: instance_id,
            actor=actor,
        )

    # --- task assignment ---------------------------------------------------------------------
    def claim(self, task_id: int, *, actor: str) -> HumanTask:
        return self._task_command(task_id, actor, "claimed", lambda row, now: tasks.claim(row, actor, now))

    def unclaim(self, task_id: int, *, actor: str) -> HumanTask:
        return self._task_command(task_id, actor, "unclaimed", lambda row, now: tasks.unclaim(row, actor))

    def assign(self, task_id: int, assignee: str | None, *, actor: str) -> HumanTask:
        return self._task_command(
            task_id, actor, "assigned", lambda row, now: tasks.assign(row, assignee, now), {"assignee": assignee}
        )

    def delegate(self, task_id: int, to: str, *, actor: str) -> HumanTask:
        return self._task_command(
            task_id, actor, "delegated", lambda row, now: tasks.delegate(row, actor, to, now), {"to": to}
        )

    def take_back(self, task_id: int, *, actor: str) -> HumanTask:
        return self._task_command(task_id, actor, "taken_back", lambda row, now: tasks.take_back(row, actor, now))

    def save_draft(self, task_id: int, data: dict[str, Any], *, actor: str) -> HumanTask:
        def keep(row: HumanTask, now: datetime) -> None:
            tasks.require_open(row)
            row.draft = dict(data)

        return self._task_command(task_id, actor, "draft_saved", keep)

    # --- queries -------------------------------------------------------------------------------
    def get_instance(self, instance_id: int) -> ProcessInstance:
        with self.unit_of_work() as uow:
            instance = uow.session.get(ProcessInstance, instance_id)
            if instance is None:
                raise NotFoundError(f"project (instance) {instance_id} does not exist")
            return instance

    def get_task(self, task_id: int) -> HumanTask:
        with self.unit_of_work() as uow:
            return tasks.get_task(uow.session, task_id)

    def open_tasks(self, instance_id: int) -> list[HumanTask]:
        with self.unit_of_work() as uow:
            return tasks.open_tasks(uow.session, instance_id)

    def history(self, instance_id: int) -> list[AuditEvent]:
        with self.unit_of_work() as uow:
            return audit.history(uow.session, instance_id)

    def instances(
        self, *, locality: str | None = None, status: str | None = None, limit: int = 200
    ) -> list[ProcessInstance]:
        with self.unit_of_work() as uow:
            query = select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(limit)
            if locality:
                query = query.where(ProcessInstance.locality_code == locality)
            if status:
                query = query.where(ProcessInstance.status == status)
            return list(uow.session.scalars(query))

    def tasks(
        self, *, state: str = OPEN, locality: str | None = None, role: str | None = None, limit: int = 200
    ) -> list[HumanTask]:
        with self.unit_of_work() as uow:
            query = select(HumanTask).where(HumanTask.state == state).order_by(HumanTask.id).limit(limit)
            if locality:
                query = query.where(HumanTask.locality_code == locality)
            if role:
                query = query.where(HumanTask.role == role)
            return list(uow.session.scalars(query))

    def task_data(self, task_id: int) -> dict[str, Any]:
        """The data the task's form opens with: the workflow data at that task, then any saved draft."""
        from .spiff import runtime

        with self.unit_of_work() as uow:
            row = tasks.get_task(uow.session, task_id)
            instance = uow.session.get(ProcessInstance, row.instance_id)
            workflow = runtime.load(instance.state, instances.spec_set(uow.session, self.ctx, instance))
            data = runtime.task_data(workflow, row.task_uuid)
            return {**data, **(row.draft or {})}

    # --- plumbing ------------------------------------------------------------------------------
    def _command(self, action: Callable[[Any], T], *, instance_of: Callable[[Any], int], actor: str) -> T:
        try:
            with self.unit_of_work(write=True) as uow:
                result = action(uow.session)
                self._commit(uow)
            return result
        except ExecutionError as exc:
            self._record_error(instance_of, actor, exc)
            raise

    def _task_command(
        self,
        task_id: int,
        actor: str,
        action: str,
        change: Callable[[HumanTask, datetime], None],
        data: dict[str, Any] | None = None,
    ) -> HumanTask:
        with self.unit_of_work(write=True) as uow:
            row = tasks.get_task(uow.session, task_id)
            instances.lock(uow.session, row.instance_id)
            uow.session.refresh(row)
            now = self.clock()
            change(row, now)
            audit.record(
                uow.session,
                action,
                actor,
                now,
                instance_id=row.instance_id,
                human_task_id=row.id,
                element_id=row.element_id,
                data=data,
            )
            self._commit(uow)
            return row

    @staticmethod
    def _commit(uow: UnitOfWork) -> None:
        with conflicts_reported("this project"):
            uow.commit()

    def _record_error(self, instance_of: Callable[[Any], int], actor: str, exc: ExecutionError) -> None:
        with self.unit_of_work(write=True) as uow:
            try:
                instance_id = instance_of(uow.session)
            except NotFoundError:
                return
            instance = uow.session.get(ProcessInstance, instance_id)
            if instance is None:
                return
            now = self.clock()
            instance.error = {"message": exc.message, "element_id": exc.element_id, "at": now.isoformat()}
            audit.record(
                uow.session,
                "error",
                actor,
                now,
                instance_id=instance_id,
                element_id=exc.element_id,
                data={"message": exc.message},
            )
            uow.commit()
