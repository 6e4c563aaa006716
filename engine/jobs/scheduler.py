"""The scheduler: fire due BPMN timers, remind, escalate, warn about missing calendars, send e-mail.

One *sweep* does all of it and is safe to run in any number of processes at once:

* **Timers.** Due ``timer_job`` rows are *claimed* in a short transaction that sets ``lease_owner`` and
  ``lease_expires_at`` (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent schedulers take
  disjoint jobs; SQLite's single writer does the same serially). Each job is then fired through
  ``Engine.fire_timers`` in its own transaction, which marks the job done together with the step it
  caused. A process that dies holding leases loses them when they expire; another scheduler then
  claims the jobs again. A failing job records ``attempts`` and ``last_error`` and is retried after a
  backoff (1, 2, 4 … minutes, at most an hour), carried in ``lease_expires_at``.
* **Reminders.** An open task with ``remind_on`` on or before today (China time) and no ``reminded_at``
  notifies its assignee, or every holder of its role in its locality when nobody claimed it.
* **Escalation.** An open task with ``escalate_on`` on or before today notifies the ``manager`` role of
  its locality (nearest locality up the tree that has one). It is repeated while the task stays open:
  the next escalation is ``escalateAfter`` units (at least 1) after the previous escalation day,
  counted like any deadline on the locality's calendar, and stored back in ``escalate_on``; so
  ``escalate_on`` always means "the next time a manager is told" and ``escalated_at`` the last time.
  Each occurrence has its own dedupe key. A scheduler that was down for a week sends one catch-up
  escalation, not seven.
* **Calendars.** Administrators are told once per locality and year when the current year — or,
  in the last ``calendar_warning_days`` of a year, the next — has no working-day calendar, before any
  deadline fails on it.
* **E-mail.** Queued notifications are mailed when SMTP is configured.
* **Webhooks.** Due webhook deliveries are claimed with a lease and POSTed, signed, to their subscribers
  (``engine.jobs.webhooks``); an overdue task's first escalation is also a ``task_overdue`` event.
* **Directory.** With an LDAP directory configured, its accounts are checked every ten minutes and the ones
  it no longer has or disabled stop (``directory_sync``), tokens and sessions included. With OpenID
  providers, the refresh tokens they issued are spent every ten minutes and a person whose grant the
  provider refuses stops likewise (``openid_access``).
* **External tasks.** Locks whose time ran out are released, so another worker fetches the task
  (``engine.commands.external_tasks.release_expired``).
* **Tally.** The open-task tally's delta rows are folded (``engine.store.tally.compact``): a few thousand
  rows scanned when there is nothing to fold, and only one scheduler does it at a time.
* **Vacuum.** Where the PostgreSQL server's autovacuum is off, the hot tables are vacuumed after 5,000
  changes (``engine.store.vacuum``), as migration 0004 asks autovacuum to do elsewhere.

Each sweep is one piece of work with its own id (``sweep-<hex>``), and each timer job it fires its own
(``sweep-<hex>.timer-<job id>``): the id is on every log line and audit event the work writes. Sweeps,
their duration and each timer's lag (due → fired) are metrics (``observability.metrics``).

``python -m engine.jobs.scheduler`` (or ``servflow scheduler``) runs sweeps every N seconds with APScheduler;
``--once`` runs one sweep and exits; ``--metrics-port`` serves the process's metrics for Prometheus.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..calendars import calendar_store
from ..calendars.deadline_hook import CalendarCache
from ..calendars.deadlines import DeadlineRule, escalation_date, local_date
from ..commands import announce
from ..commands.instances import BPMN_TIMER, RUNNING
from ..compose import build_engine
from ..documents import blob_store
from ..errors import CalendarError, DefinitionError
from ..identity import access, openid
from ..identity.ldap_directory import LdapSettings
from ..identity.localities import get_locality
from ..identity.roles import BY_CODE
from ..observability import context, logs, metrics
from ..service import Engine
from ..store import events, outbox, tally
from ..store.models import OPEN, HumanTask, ProcessInstance, ProcessVersion, TimerJob, User
from ..store.outbox import Notice
from ..store.vacuum import vacuum_hot_tables
from . import notifications
from .directory_sync import DirectorySync
from .notifications import SmtpSettings
from .openid_access import OpenIdAccessCheck
from .webhooks import WebhookSender, WebhookSettings

log = logging.getLogger("servflow.scheduler")

MANAGER_ROLE = "manager"
UNFINISHED_UPLOAD_AGE = timedelta(days=1)


@dataclass
class SweepReport:
    """What one sweep did. ``reminded``/``escalated`` count the tasks whose notice was written in this
    sweep (to one or more people); a notice deduplication dropped, already sent by this or another
    scheduler, counts nowhere. ``warned`` counts notification rows written."""

    fired: int = 0
    failed: int = 0
    reminded: int = 0
    escalated: int = 0
    warned: int = 0
    emailed: int = 0
    email_failed: int = 0
    folded: int = 0
    purged: int = 0
    webhooks_delivered: int = 0
    webhooks_failed: int = 0
    webhooks_dead: int = 0
    locks_released: int = 0
    accounts_stopped: int = 0
    openid_stopped: int = 0
    vacuumed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"fired {self.fired}, failed {self.failed}, reminded {self.reminded}, escalated {self.escalated}, "
            f"calendar warnings {self.warned}, e-mailed {self.emailed} (failed {self.email_failed}), "
            f"tally rows folded {self.folded}, file contents purged {self.purged}, "
            f"webhooks delivered {self.webhooks_delivered} (failed {self.webhooks_failed}, dead {self.webhooks_dead}), "
            f"external-task locks released {self.locks_released}, directory accounts stopped {self.accounts_stopped}, "
            f"OpenID accounts stopped {self.openid_stopped}, "
            f"vacuumed {', '.join(self.vacuumed) or 'nothing'}"
        )


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    """One sweeper; ``sweep()`` is what APScheduler calls every few seconds."""

    def __init__(
        self,
        engine: Engine,
        *,
        owner: str | None = None,
        lease_seconds: float = 60.0,
        batch: int = 50,
        retry_seconds: float = 60.0,
        max_retry_seconds: float = 3600.0,
        smtp: SmtpSettings | None = None,
        calendar_warning_days: int = 61,
        webhooks: WebhookSettings | None = None,
        directory: LdapSettings | None = None,
        openid_access: OpenIdAccessCheck | None = None,
    ) -> None:
        self.engine = engine
        self.owner = owner or default_owner()
        self.lease = timedelta(seconds=lease_seconds)
        self.batch = batch
        self.retry_seconds = retry_seconds
        self.max_retry_seconds = max_retry_seconds
        self.smtp = smtp
        self.calendar_warning_days = calendar_warning_days
        self.calendars = CalendarCache(engine.session_factory, ttl=60.0)
        self.webhooks = WebhookSender(engine.session_factory, engine.clock, self.owner, webhooks or WebhookSettings())
        self.directory = DirectorySync(engine, directory) if directory is not None else None
        self.openid_access = openid_access

    # --- the sweep ---------------------------------------------------------------------------
    def sweep(self) -> SweepReport:
        """One sweep as one piece of work: its own id on what it logs and writes, counted and timed."""
        started = time.perf_counter()
        with context.work(request_id=context.new_id("sweep-")):
            try:
                report = self._sweep()
            except Exception:
                metrics.SWEEPS.labels("failed").inc()
                raise
            finally:
                metrics.SWEEP_SECONDS.observe(time.perf_counter() - started)
        metrics.SWEEPS.labels("ok").inc()
        metrics.LAST_SWEEP.set(time.time())
        return report

    def _sweep(self) -> SweepReport:
        report = SweepReport()
        self.fire_due_timers(report)
        steps = (
            self.send_reminders,
            self.escalate_overdue,
            self.check_calendars,
            self.compact_tally,
            self.purge_files,
            self.vacuum,
            self.send_webhooks,
            self.release_expired_locks,
            self.sync_directory,
            self.check_openid_access,
        )
        for step in steps:
            step(report)
        if self.smtp is not None:
            mailed = notifications.send_pending(self.engine.session_factory, self.smtp, self.engine.clock)
            report.emailed, report.email_failed = mailed.sent, mailed.failed
        log.info("sweep by %s: %s", self.owner, report)
        return report

    def sync_directory(self, report: SweepReport) -> None:
        """Every few minutes: accounts the directory no longer has, or disabled, stop (``directory_sync``)."""
        if self.directory is not None and self.directory.due(self.engine.clock()):
            report.accounts_stopped = self.directory.run()

    def check_openid_access(self, report: SweepReport) -> None:
        """Every few minutes: people an OpenID provider no longer lets in stop (``openid_access``)."""
        if self.openid_access is not None and self.openid_access.due(self.engine.clock()):
            report.openid_stopped = self.openid_access.run()

    def release_expired_locks(self, report: SweepReport) -> None:
        """External tasks whose worker's lock ran out are offered again (the worker died or is late)."""
        report.locks_released = self.engine.release_expired_locks()

    # --- timers ------------------------------------------------------------------------------
    def claim(self) -> list[int]:
        """Lease up to ``batch`` due, unleased (or lease-expired) timer jobs of running projects."""
        now = self.engine.clock()
        with self.engine.unit_of_work(write=True) as uow:
            running = select(ProcessInstance.id).where(ProcessInstance.status == RUNNING)
            ids = list(
                uow.session.scalars(
                    select(TimerJob.id)
                    .where(
                        TimerJob.kind == BPMN_TIMER,
                        TimerJob.done_at.is_(None),
                        TimerJob.due_at < now,
                        or_(TimerJob.lease_expires_at.is_(None), TimerJob.lease_expires_at < now),
                        TimerJob.instance_id.in_(running),
                    )
                    .order_by(TimerJob.due_at, TimerJob.id)
                    .limit(self.batch)
                    .with_for_update(of=TimerJob, skip_locked=True)
                )
            )
            if ids:
                uow.session.execute(
                    update(TimerJob)
                    .where(TimerJob.id.in_(ids))
                    .values(lease_owner=self.owner, lease_expires_at=now + self.lease)
                )
            uow.commit()
        if ids:
            log.info("%s claimed %d timer jobs", self.owner, len(ids))
        return ids

    def fire(self, job_id: int) -> bool | None:
        """Fire one claimed job: True when done, False when it failed, None when it was no longer ours."""
        with self.engine.unit_of_work() as uow:
            job = uow.session.get(TimerJob, job_id)
            if job is None or job.done_at is not None or job.lease_owner != self.owner:
                return None
            instance_id, due_at = job.instance_id, job.due_at
        try:
            with context.work(request_id=f"{context.request_id() or context.new_id('sweep-')}.timer-{job_id}"):
                self.engine.fire_timers(instance_id)
        except Exception as exc:  # any failure of one job must not stop the others
            self._failed(job_id, exc)
            return False
        with self.engine.unit_of_work(write=True) as uow:
            # Still open after firing: not due by the workflow's own reckoning; let it go for a later sweep.
            released = uow.session.execute(
                update(TimerJob)
                .where(TimerJob.id == job_id, TimerJob.done_at.is_(None), TimerJob.lease_owner == self.owner)
                .values(lease_owner=None, lease_expires_at=self.engine.clock() + self.lease)
            ).rowcount
            uow.commit()
        if not released:
            metrics.TIMER_LAG.observe(max((self.engine.clock() - due_at).total_seconds(), 0.0))
        return not released

    def fire_due_timers(self, report: SweepReport) -> None:
        while ids := self.claim():
            for job_id in ids:
                outcome = self.fire(job_id)
                if outcome:
                    report.fired += 1
                elif outcome is False:
                    report.failed += 1

    def _failed(self, job_id: int, exc: Exception) -> None:
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        log.warning("timer job %s failed: %s", job_id, message)
        with self.engine.unit_of_work(write=True) as uow:
            job = uow.session.get(TimerJob, job_id)
            if job is None:
                return
            attempts = (job.attempts or 0) + 1
            delay = min(self.retry_seconds * 2 ** (attempts - 1), self.max_retry_seconds)
            uow.session.execute(
                update(TimerJob)
                .where(TimerJob.id == job_id)
                .values(
                    attempts=attempts,
                    last_error=message[:2000],
                    lease_owner=None,
                    lease_expires_at=self.engine.clock() + timedelta(seconds=delay),
                )
            )
            uow.commit()

    # --- reminders and escalation -------------------------------------------------------------
    def _open_tasks_due(self, session: Session, column: Any, *extra: Any) -> list[tuple[HumanTask, ProcessInstance]]:
        today = local_date(self.engine.clock())
        rows = session.execute(
            select(HumanTask, ProcessInstance)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.state == OPEN, column.is_not(None), column <= today, *extra)
            .order_by(HumanTask.id)
            .limit(500)
            .with_for_update(of=HumanTask, skip_locked=True)
        )
        return list(rows)

    def send_reminders(self, report: SweepReport) -> None:
        now = self.engine.clock()
        with self.engine.unit_of_work(write=True) as uow:
            session = uow.session
            for task, instance in self._open_tasks_due(session, HumanTask.remind_on, HumanTask.reminded_at.is_(None)):
                recipients = [task.assignee] if task.assignee else self._role_members(session, task)
                recipients = recipients or notifications.admins(session)
                written = outbox.notify(session, recipients, _reminder(task, instance, _holder(session, task)), now)
                # A plain UPDATE: no optimistic-lock bump, so a person working on the task is not
                # told "someone else changed it" because a reminder went out.
                session.execute(update(HumanTask).where(HumanTask.id == task.id).values(reminded_at=now))
                report.reminded += 1 if written else 0
            uow.commit()

    @staticmethod
    def _role_members(session: Session, task: HumanTask) -> list[str]:
        """Who is reminded of an unclaimed task: its party's people of its role, else the role's holders."""
        if not task.role:
            return []
        if task.organization_id is not None:
            return [name for name, _ in access.colleagues(session, task)]
        return notifications.role_holders(session, task.role, task.locality_code)

    def escalate_overdue(self, report: SweepReport) -> None:
        now = self.engine.clock()
        today = local_date(now)
        with self.engine.unit_of_work(write=True) as uow:
            session = uow.session
            for task, instance in self._open_tasks_due(session, HumanTask.escalate_on):
                managers = notifications.role_holders(session, MANAGER_ROLE, task.locality_code)
                recipients = managers or notifications.admins(session)
                written = outbox.notify(session, recipients, _escalation(task, instance, _holder(session, task)), now)
                if task.escalated_at is None:  # the first escalation: the task became overdue
                    announce.task_event(session, events.TASK_OVERDUE, instance, task, now)
                following = self._next_escalation(session, task, instance, today, report)
                session.execute(
                    update(HumanTask).where(HumanTask.id == task.id).values(escalated_at=now, escalate_on=following)
                )
                report.escalated += 1 if written else 0
            uow.commit()

    def _next_escalation(
        self, session: Session, task: HumanTask, instance: ProcessInstance, today: date, report: SweepReport
    ) -> date | None:
        """The next escalation day after ``today``: every ``escalateAfter`` units (≥ 1) after the last one."""
        after, unit = 1, "workingDays"
        version_id = instance.bound_versions.get(task.process_key, instance.process_version_id)
        version = session.get(ProcessVersion, version_id)
        settings = ((version.task_config if version else {}).get(task.element_id) or {}).get("deadline") or {}
        try:
            rule = DeadlineRule.from_attributes(settings, element_id=task.element_id)
        except DefinitionError:
            rule = None
        if rule is not None and rule.escalate_after is not None:
            after, unit = max(rule.escalate_after, 1), rule.unit
        day = task.escalate_on
        try:
            calendar = self.calendars.get(task.locality_code)
            while day is not None and day <= today:
                day = escalation_date(day, after, unit, calendar)
        except CalendarError as exc:
            report.errors.append(exc.message)
            return None  # check_calendars tells the administrators; nothing is guessed
        return day

    def check_calendars(self, report: SweepReport) -> None:
        now = self.engine.clock()
        today = local_date(now)
        years = [today.year]
        if (date(today.year, 12, 31) - today).days < self.calendar_warning_days:
            years.append(today.year + 1)
        with self.engine.unit_of_work(write=True) as uow:
            session = uow.session
            gaps = calendar_store.uncovered(session, years)
            if not gaps:
                return
            recipients = notifications.admins(session)
            for code, year in gaps:
                name = get_locality(session, code).name_zh
                notice = Notice(
                    notifications.CALENDAR_MISSING,
                    f"【工作日历缺失】{name}{year}年工作日历尚未录入",
                    f"{name}（{code}）尚无{year}年的工作日历（节假日与调休安排）。"
                    f"期限落在{year}年的任务将无法计算办理期限，相关操作会被拒绝。\n"
                    f"请运行 servflow calendar seed --years {year}，或手工录入当年的节假日后标记该年已覆盖。",
                    key=f"calendar:{code}:{year}",
                )
                report.warned += outbox.notify(session, recipients, notice, now)
            uow.commit()

    # --- open-task tally ---------------------------------------------------------------------
    def compact_tally(self, report: SweepReport) -> None:
        """Fold the tally's delta rows, so dashboards keep summing a few thousand rows."""
        with self.engine.unit_of_work(write=True) as uow:
            report.folded = tally.compact(uow.session).folded
            uow.commit()

    def purge_files(self, report: SweepReport) -> None:
        """Drop file content no document keeps (``documents.blob_store.purge``); uploads cut short by a
        crash are given a day, so one still streaming in is never taken."""
        cut_short_before = self.engine.clock() - UNFINISHED_UPLOAD_AGE
        try:
            with self.engine.unit_of_work(write=True) as uow:
                report.purged = blob_store.purge(uow.session, cut_short_before)
                uow.commit()
        except IntegrityError:  # a document took the content while it was being purged: next sweep
            report.errors.append("file purge met a new document; retried at the next sweep")

    def vacuum(self, report: SweepReport) -> None:
        """Vacuum the hot tables where the server's autovacuum is off (``engine.store.vacuum``)."""
        report.vacuumed = vacuum_hot_tables(self.engine.db)

    def send_webhooks(self, report: SweepReport) -> None:
        """POST the due webhook deliveries (``engine.jobs.webhooks``)."""
        sent = self.webhooks.send_due()
        report.webhooks_delivered, report.webhooks_failed, report.webhooks_dead = sent.delivered, sent.failed, sent.dead


def _role_zh(code: str | None) -> str:
    role = BY_CODE.get(code or "")
    return role.zh if role else (code or "")


def _holder(session: Session, task: HumanTask) -> str:
    """Who holds the task, as people read it: their name (and username), or that nobody has claimed it."""
    if not task.assignee:
        return f"未认领（{_role_zh(task.role)}）"
    name = session.scalar(select(User.display_name).where(User.username == task.assignee))
    return f"{name}（{task.assignee}）" if name else task.assignee


def _reminder(task: HumanTask, instance: ProcessInstance, holder: str) -> Notice:
    due = task.due_date.isoformat() if task.due_date else ""
    return Notice(
        notifications.REMINDER,
        f"【待办提醒】「{task.name}」将于{due}到期",
        f"项目：{instance.title}（{instance.business_key}）\n任务：{task.name}\n办理期限：{due}\n"
        f"办理人：{holder}\n请在期限内办理。",
        key=f"remind:{task.id}",
        instance_id=instance.id,
        human_task_id=task.id,
    )


def _escalation(task: HumanTask, instance: ProcessInstance, holder: str) -> Notice:
    due = task.due_date.isoformat() if task.due_date else ""
    occurrence = task.escalate_on.isoformat() if task.escalate_on else ""
    return Notice(
        notifications.ESCALATION,
        f"【逾期督办】「{task.name}」已超过办理期限{due}",
        f"项目：{instance.title}（{instance.business_key}）\n任务：{task.name}\n办理期限：{due}\n"
        f"办理人：{holder}\n督办日期：{occurrence}\n"
        "该任务仍未办结，请督促办理或改派。",
        key=f"escalate:{task.id}:{occurrence}",
        instance_id=instance.id,
        human_task_id=task.id,
    )


# --- running it --------------------------------------------------------------------------------


def build(
    database_url: str | None = None, *, owner: str | None = None, lease_seconds: float = 60.0, batch: int = 50
) -> Scheduler:
    """A scheduler on its own Engine (with the database-backed deadline hook), SMTP from the environment."""
    engine = build_engine(database_url)
    settings = _servflow_env()
    return Scheduler(
        engine,
        owner=owner,
        lease_seconds=lease_seconds,
        batch=batch,
        smtp=SmtpSettings.from_env(),
        webhooks=WebhookSettings.from_env(),
        directory=LdapSettings.from_config(settings),
        openid_access=_openid_access(engine, settings),
    )


def _openid_access(engine: Engine, settings: dict[str, str]) -> OpenIdAccessCheck | None:
    """The check of the OpenID providers whose sign-ins keep refresh tokens; it needs the app's secret key,
    which sealed them."""
    providers = {n: p for n, p in openid.providers_from_config(settings).items() if p.check_access}
    if not providers:
        return None
    if not settings.get("SECRET_KEY"):
        log.warning("SERVFLOW_SECRET_KEY is not set: OpenID access of %s is not checked", ", ".join(providers))
        return None
    return OpenIdAccessCheck(engine, providers, settings["SECRET_KEY"])


def _servflow_env() -> dict[str, str]:
    """``SERVFLOW_*`` variables without the prefix, as the web app reads its settings."""
    return {key.removeprefix("SERVFLOW_"): value for key, value in os.environ.items() if key.startswith("SERVFLOW_")}


def start(scheduler: Scheduler, *, interval: float = 30.0, blocking: bool = False) -> Any:
    """Run ``scheduler.sweep`` every ``interval`` seconds with APScheduler (first sweep right away).

    ``blocking=False`` returns a started BackgroundScheduler (for running inside the web process; call
    ``shutdown()`` on it); ``blocking=True`` runs a BlockingScheduler until interrupted.
    """
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    aps = BlockingScheduler(timezone=UTC) if blocking else BackgroundScheduler(timezone=UTC, daemon=True)
    aps.add_job(
        _safe_sweep,
        "interval",
        args=[scheduler],
        seconds=interval,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
        id="servflow-sweep",
    )
    aps.start()
    return aps


def _safe_sweep(scheduler: Scheduler) -> None:
    try:
        scheduler.sweep()
    except Exception:  # a database hiccup must not kill the loop; the next sweep retries
        log.exception("sweep failed")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.jobs.scheduler", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: SERVFLOW_DATABASE_URL")
    parser.add_argument("--once", action="store_true", help="run one sweep and exit")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between sweeps")
    parser.add_argument("--lease", type=float, default=60.0, help="seconds a claimed timer job stays ours")
    parser.add_argument("--batch", type=int, default=50, help="timer jobs claimed at a time")
    parser.add_argument("--owner", default=None, help="name in lease_owner (default host:pid)")
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=_env_port(),
        help="serve /metrics here (default SERVFLOW_SCHEDULER_METRICS_PORT)",
    )
    parser.add_argument(
        "--metrics-address",
        default=os.environ.get("SERVFLOW_SCHEDULER_METRICS_ADDRESS", "127.0.0.1"),
        help="address the metrics port listens on (default SERVFLOW_SCHEDULER_METRICS_ADDRESS or 127.0.0.1)",
    )
    args = parser.parse_args(argv)
    logs.configure()
    if args.metrics_port:
        # No token here: bind it to loopback or a network only Prometheus reaches.
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr=args.metrics_address)
    scheduler = build(args.database_url, owner=args.owner, lease_seconds=args.lease, batch=args.batch)
    try:
        if args.once:
            print(scheduler.sweep(), flush=True)
        else:
            start(scheduler, interval=args.interval, blocking=True)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.engine.dispose()
    return 0


def _env_port() -> int | None:
    value = os.environ.get("SERVFLOW_SCHEDULER_METRICS_PORT", "").strip()
    return int(value) if value else None


if __name__ == "__main__":
    sys.exit(main())
