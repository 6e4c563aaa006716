"""servflow's service API: the only door the web app, the CLI, the scheduler and benchmarks use.

Each public method is one command or one query in its own unit of work; each command is counted and timed
by kind and outcome for ``/metrics`` (``observability.metrics.counted``). Commands that fail while
running the process roll back and then record the error on the instance in a second, small
transaction, so the project stays at its last committed wait state and the failure is visible.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import definitions
from .calendars.calendar_store import load_calendar
from .calendars.deadline_hook import DeadlineFn
from .commands import form_rules, incidents, instances, messages, tasks
from .commands.tasks import username_of
from .config import EngineConfig
from .definitions.topics import TopicCache
from .definitions.versions import task_form
from .documents import blob_store, uploads
from .documents.attach import descriptor
from .errors import ConflictError, ExecutionError, InvalidDataError, NotFoundError, PermissionDeniedError
from .formats.bundles import read_path
from .formats.forms import validate_submission
from .identity import access, sign_in_limit
from .identity.localities import ensure_default_localities, get_locality
from .identity.users import Principal
from .observability import metrics
from .queries import projects
from .service_external import ExternalTaskDoor
from .service_migrations import MigrationDoor
from .spiff.runtime import SpecCache
from .store import audit, idempotency
from .store.db import is_sqlite, make_session_factory
from .store.models import OPEN, AuditEvent, HumanTask, ProcessInstance, ProcessVersion, utcnow
from .store.unit_of_work import UnitOfWork, conflicts_reported

T = TypeVar("T")
P = ParamSpec("P")


class Engine(ExternalTaskDoor, MigrationDoor):
    """Start and advance projects, deploy definitions, and read what is there (and, through
    ``ExternalTaskDoor``, hand service tasks to other systems' workers)."""

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
        self._topics = TopicCache()

    def unit_of_work(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.session_factory, write=write)

    def read_once(self, query: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``read`` for a query that needs no snapshot across statements, such as signing in with a session
        or an API token on every request: on PostgreSQL it runs in autocommit, two round trips (BEGIN,
        ROLLBACK) fewer; on SQLite a transaction costs no round trip, so it is an ordinary one."""
        with UnitOfWork(self._read_factory) as uow:
            return query(uow.session, *args, **kwargs)

    def dispose(self) -> None:
        self.db.dispose()

    # --- definitions -------------------------------------------------------------------------
    def ensure_localities(self) -> None:
        with self.unit_of_work(write=True) as uow:
            ensure_default_localities(uow.session)
            uow.commit()

    @metrics.counted("deploy")
    def deploy(
        self,
        files: Mapping[str, bytes],
        locality: str,
        deployed_by: tasks.Actor = "system",
        comment: str = "",
    ) -> definitions.DeployResult:
        """Deploy a bundle to ``locality``; a person must be a designer there. Whoever deploys, the bundle is
        checked as the designer checks it (``definitions.deploy``), so no door stores what another refuses."""
        with self.unit_of_work(write=True) as uow:
            if not isinstance(deployed_by, str):
                access.require(uow.session, deployed_by, "definition.deploy", locality)
            result = definitions.deploy(uow.session, files, locality, username_of(deployed_by), comment)
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
        business_key: str | None = None,
        data: dict[str, Any] | None = None,
        actor: tasks.Actor = "system",
        title: str | None = None,
        organization_id: int | None = None,
    ) -> ProcessInstance:
        """Start a project in ``locality`` (a code or a name): a person must be a purchaser there, working
        for one of its purchasing departments (``organization_id`` names which, when several). Without a
        ``business_key`` the project is numbered by its bundle's pattern (``650100-2026-0001``)."""
        return self.start_and_answer(
            process_key,
            locality=locality,
            business_key=business_key,
            data=data,
            actor=actor,
            title=title,
            organization_id=organization_id,
            answer=lambda project: project.instance,
        )

    @metrics.counted("start")
    def start_and_answer(
        self,
        process_key: str,
        *,
        locality: str,
        business_key: str | None,
        data: dict[str, Any] | None,
        actor: tasks.Actor,
        title: str | None,
        answer: Callable[[projects.Project], T],
        receipt: idempotency.Receipt | None = None,
        organization_id: int | None = None,
    ) -> T:
        """Start a project and build the caller's answer from it in the same transaction.

        With a ``receipt`` the answer is kept under the client's idempotency key in that transaction too.
        """
        with self.unit_of_work(write=True) as uow:
            code = get_locality(uow.session, locality).code
            if not isinstance(actor, str) and not access.can_start(uow.session, actor, process_key, code):
                raise PermissionDeniedError(f"you may not start projects in locality {code}")
            duplicate = (
                business_key
                and uow.session.scalars(
                    select(ProcessInstance.id).where(
                        ProcessInstance.locality_code == code, ProcessInstance.business_key == business_key
                    )
                ).first()
            )
            if duplicate:
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
                actor=username_of(actor),
                title=title,
                from_person=not (isinstance(actor, str) or actor.is_admin),
                organization_id=organization_id,
            )
            with conflicts_reported("this project"):
                uow.session.flush()
            result = answer(projects.project(uow.session, None, instance.id))
            if receipt is not None:
                idempotency.keep(uow.session, receipt, 201, result)
            self._commit(uow)
        return result

    def complete(self, task_id: int, data: dict[str, Any] | None = None, *, actor: tasks.Actor) -> ProcessInstance:
        """Complete a task with its form's data (a comment for a task without a form)."""
        return self.complete_and_answer(task_id, data, actor=actor, answer=lambda instance, task, open_tasks: instance)

    @metrics.counted("complete")
    def complete_and_answer(
        self,
        task_id: int,
        data: dict[str, Any] | None,
        *,
        actor: tasks.Actor,
        answer: Callable[[ProcessInstance, HumanTask, list[HumanTask]], T],
        receipt: idempotency.Receipt | None = None,
    ) -> T:
        """Complete a task and build the caller's answer in the same unit of work (one transaction).

        ``answer`` gets the flushed result before the commit — the instance, the task and the instance's
        open tasks by id — so an API call needs no second read to show what changed. With a ``receipt``
        the answer is kept under the client's idempotency key in the same transaction, so a retry after
        a crash finds it exactly when the completion was kept. Nothing is returned unless it commits.
        """

        def step(session: Session) -> T:
            done = instances.complete(session, self.ctx, task_id=task_id, data=dict(data or {}), actor=actor)
            with conflicts_reported("this project"):
                session.flush()
            result = answer(done.instance, done.task, sorted(done.open_tasks, key=lambda row: row.id))
            if receipt is not None:
                idempotency.keep(session, receipt, 200, result)
            return result

        return self._command(
            step, instance_of=lambda s: tasks.get_task(s, task_id).instance_id, actor=username_of(actor)
        )

    @metrics.counted("fire_timers")
    def fire_timers(self, instance_id: int) -> ProcessInstance:
        return self._command(
            lambda s: instances.fire_timers(s, self.ctx, instance_id=instance_id),
            instance_of=lambda s: instance_id,
            actor="scheduler",
        )

    @metrics.counted("cancel")
    def cancel(self, instance_id: int, *, actor: tasks.Actor, reason: str = "") -> ProcessInstance:
        return self._command(
            lambda s: instances.cancel(s, self.ctx, instance_id=instance_id, actor=actor, reason=reason),
            instance_of=lambda s: instance_id,
            actor=username_of(actor),
        )

    @metrics.counted("suspend")
    def suspend(self, instance_id: int, *, actor: tasks.Actor) -> ProcessInstance:
        return self._command(
            lambda s: instances.set_suspended(s, self.ctx, instance_id=instance_id, actor=actor, suspended=True),
            instance_of=lambda s: instance_id,
            actor=username_of(actor),
        )

    @metrics.counted("resume")
    def resume(self, instance_id: int, *, actor: tasks.Actor) -> ProcessInstance:
        return self._command(
            lambda s: instances.set_suspended(s, self.ctx, instance_id=instance_id, actor=actor, suspended=False),
            instance_of=lambda s: instance_id,
            actor=username_of(actor),
        )

    @metrics.counted("correlate")
    def correlate(
        self,
        business_key: str,
        message: str,
        payload: dict[str, Any] | None = None,
        *,
        actor: tasks.Actor,
        locality: str | None = None,
    ) -> ProcessInstance:
        """Deliver a message from another system to the project with ``business_key`` waiting for it.

        A person may send to projects of the localities where they may correlate messages (narrowed to
        ``locality`` when given); a project they may not reach "does not exist". A failure while running
        on is recorded on the project like any other command's.
        """
        found: list[int] = []

        def step(session: Session) -> ProcessInstance:
            if isinstance(actor, str):
                allowed = {get_locality(session, locality).code} if locality else None
            else:
                allowed = access.allowed_localities(
                    session,
                    actor,
                    "message.correlate",
                    locality,
                    refused="you may not send messages to projects",
                    outside="you may not send messages to projects of locality",
                )
            instance = messages.find_instance(session, business_key, allowed)
            found.append(instance.id)
            return messages.correlate(
                session,
                self.ctx,
                instance=instance,
                message=message,
                payload=dict(payload or {}),
                actor=username_of(actor),
            )

        def instance_of(session: Session) -> int:
            if not found:
                raise NotFoundError(f"no project with business key {business_key!r}")
            return found[0]

        return self._command(step, instance_of=instance_of, actor=username_of(actor))

    # --- task assignment ---------------------------------------------------------------------
    # Each takes the person acting (checked under the instance lock) or a trusted caller's username.
    @metrics.counted("claim")
    def claim(self, task_id: int, *, actor: tasks.Actor) -> HumanTask:
        return self._task_command(task_id, actor, "claim", "claimed", lambda s, row, me, now: tasks.claim(row, me, now))

    @metrics.counted("unclaim")
    def unclaim(self, task_id: int, *, actor: tasks.Actor) -> HumanTask:
        """Give the task back to its group: its holder, or a group lead releasing a colleague's claim."""
        return self._task_command(task_id, actor, "unclaim", "unclaimed", lambda s, row, me, now: tasks.unclaim(row))

    @metrics.counted("assign")
    def assign(self, task_id: int, assignee: str | None, *, actor: tasks.Actor) -> HumanTask:
        """Hand the task to a colleague of its group (``None`` unassigns): group leads and managers."""
        return self._task_command(
            task_id,
            actor,
            "assign",
            "assigned",
            lambda s, row, me, now: tasks.assign(s, row, assignee, now),
            {"assignee": assignee},
        )

    @metrics.counted("delegate")
    def delegate(self, task_id: int, to: str, *, actor: tasks.Actor) -> HumanTask:
        return self._task_command(
            task_id,
            actor,
            "delegate",
            "delegated",
            lambda s, row, me, now: tasks.delegate(s, row, me, to, now),
            {"to": to},
        )

    @metrics.counted("take_back")
    def take_back(self, task_id: int, *, actor: tasks.Actor) -> HumanTask:
        return self._task_command(
            task_id, actor, "take_back", "taken_back", lambda s, row, me, now: tasks.take_back(row, me, now)
        )

    @metrics.counted("save_draft")
    def save_draft(self, task_id: int, data: dict[str, Any], *, actor: tasks.Actor) -> HumanTask:
        def keep(session: Session, row: HumanTask, me: str, now: datetime) -> None:
            tasks.require_open(row)
            row.draft = dict(data)

        return self._task_command(task_id, actor, "draft", "draft_saved", keep)

    # --- documents -----------------------------------------------------------------------------
    def upload_document(
        self,
        task_id: int,
        field_key: str,
        name: str,
        stream: BinaryIO,
        *,
        declared_size: int | None,
        actor: Principal,
    ) -> dict[str, Any]:
        """Add a file to a file field of an open task the person may work on; answers its descriptor.

        The content streams into the store in short transactions (``documents.uploads``); a refused or
        failed upload leaves nothing behind. Submitting the task's form then binds the field's files.
        """
        rule = self.read(uploads.target, actor, task_id, field_key).rule
        received = uploads.receive(self._write_step, stream, rule, declared=declared_size, now=self.clock())
        try:
            document = self.write(uploads.record, actor, task_id, field_key, received, name, self.clock())
        except BaseException:
            uploads.discard(self._write_step, received.blob_id)
            raise
        return descriptor(document)

    def document_chunk(self, blob_id: int, seq: int) -> bytes:
        """One piece of a document's content (read rules are the caller's: ``documents.reading``)."""
        return self.read(blob_store.chunk, blob_id, seq)

    def _write_step(self, step: Callable[[Session], T]) -> T:
        return self.write(step)

    # --- queries -------------------------------------------------------------------------------
    def read(self, query: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run one of ``engine.queries``' (or ``identity``'s) read functions in its own read unit of work.

        The web app reads through here instead of opening sessions, so every SQL statement lives in the
        engine beside the rules it applies; rows come back detached, loaded with what the query chose.
        """
        with self.unit_of_work() as uow:
            return query(uow.session, *args, **kwargs)

    def write(self, command: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a small command function in its own write transaction and commit it; return its result.

        For changes that are no workflow step — a designer's checked deploy, marking notices read, API
        tokens, the CLI's calendar and tally upkeep — so the web app and the CLI, too, write only through
        the Engine. If ``command`` raises, nothing is kept; a concurrent change found at commit is a
        ``ConflictError`` (409), never a crash.
        """
        with self.unit_of_work(write=True) as uow:
            result = command(uow.session, *args, **kwargs)
            with conflicts_reported():
                uow.commit()
            return result

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
        """The data the task's form opens with: the workflow data at that task, what its form proposes from
        it (``prefill``), then any saved draft."""
        with self.unit_of_work() as uow:
            row = tasks.get_task(uow.session, task_id)
            data = self._data_at(uow.session, row)
            proposed = form_rules.prefilled(task_form(uow.session, row), data) if row.state == OPEN else {}
            return {**data, **proposed, **(row.draft or {})}

    def rule_errors(self, task_id: int, data: dict[str, Any], *, actor: Principal) -> dict[str, list[str]]:
        """The form's rules across fields over what the person has typed so far, so the page can mark a
        broken one while they type; nothing is saved (completing checks everything again)."""
        with self.unit_of_work() as uow:
            row = tasks.get_task(uow.session, task_id)
            access.require_task(uow.session, actor, row, "draft")
            calendar = functools.partial(load_calendar, uow.session, row.locality_code)
            try:
                form_rules.check(task_form(uow.session, row), data, self._data_at(uow.session, row), calendar)
            except InvalidDataError as exc:
                return exc.errors
            return {}

    def _data_at(self, session: Session, row: HumanTask) -> dict[str, Any]:
        """The workflow data at a task (its project's data as the task sees it)."""
        from .spiff import runtime

        instance = session.get(ProcessInstance, row.instance_id)
        workflow = runtime.load(instance.state, instances.spec_set(session, self.ctx, instance))
        return runtime.task_data(workflow, row.task_uuid)

    # --- sign-in limit (shared by every worker and server) --------------------------------------
    def try_sign_in(self, address: str, *, limit: int, window: float) -> sign_in_limit.SignInTry:
        """Admit a sign-in try from ``address`` before its password is checked (``retry_after == 0``), or
        refuse it; concurrent tries from one address are counted one at a time. See ``identity.sign_in_limit``."""
        with self.unit_of_work(write=True) as uow:
            attempt = sign_in_limit.admit(uow.session, address, self.clock(), limit=limit, window=window)
            uow.commit()
        return attempt

    def forget_sign_in(self, attempt_id: int) -> None:
        """The try's password was right: it no longer counts against its address."""
        with self.unit_of_work(write=True) as uow:
            sign_in_limit.forget(uow.session, attempt_id)
            uow.commit()

    # --- idempotency keys ----------------------------------------------------------------------
    def reserve_key(
        self, key: str, user_id: int, endpoint: str, fingerprint: str
    ) -> idempotency.Receipt | idempotency.Replay:
        """Reserve a client's idempotency key before its command runs, or the answer to replay."""
        with self.unit_of_work(write=True) as uow:
            found = idempotency.reserve(uow.session, key, user_id, endpoint, fingerprint, self.clock())
            self._commit(uow)
        return found

    def settle_key(self, receipt: idempotency.Receipt, status: int, body: dict[str, Any]) -> None:
        """Keep a refusal (4xx) as the key's answer; the command kept nothing, so this is its own write."""
        with self.unit_of_work(write=True) as uow:
            idempotency.keep(uow.session, receipt, status, body)
            uow.commit()

    def release_key(self, receipt: idempotency.Receipt) -> None:
        with self.unit_of_work(write=True) as uow:
            idempotency.release(uow.session, receipt)
            uow.commit()

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
        actor: tasks.Actor,
        permission: str,
        action: str,
        change: Callable[[Session, HumanTask, str, datetime], None],
        data: dict[str, Any] | None = None,
    ) -> HumanTask:
        with self.unit_of_work(write=True) as uow:
            row = tasks.get_task(uow.session, task_id)
            instances.lock(uow.session, row.instance_id)
            uow.session.refresh(row)
            me = tasks.acting(uow.session, row, actor, permission)
            now = self.clock()
            change(uow.session, row, me, now)
            audit.record(
                uow.session,
                action,
                me,
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
            incidents.open_incident(
                uow.session,
                instance_id=instance_id,
                kind=incidents.STEP_FAILED,
                process_key=instance.stage or instance.process_key,
                locality=instance.locality_code,
                element_id=exc.element_id,
                message=exc.message,
                now=now,
            )
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
