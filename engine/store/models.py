"""The tables servflow keeps, as SQLAlchemy 2 typed models.

Three kinds of rows: immutable definitions (deployments, process versions), the live state of each
project (instance + its human-task projection + timer jobs), and append-only history (audit events);
besides them, the open-task tally that triggers keep for dashboards.
History never goes back into the live workflow state: that is what keeps a command's cost flat.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend (SQLite forgets the zone, PostgreSQL keeps it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def utcnow() -> datetime:
    return datetime.now(UTC)


class Locality(Base):
    """A region, city or district; a locality inherits its parent's definitions and calendar."""

    __tablename__ = "locality"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("locality.code"))


class Deployment(Base):
    """One deploy command: the full effective bundle of a locality at that moment (immutable)."""

    __tablename__ = "deployment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    locality_code: Mapped[str] = mapped_column(ForeignKey("locality.code"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, Any]] = mapped_column()
    deployed_by: Mapped[str] = mapped_column(String(100))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")


class ProcessVersion(Base):
    """A deployed, immutable version of one executable process for one locality.

    ``spec`` is SpiffWorkflow's parsed spec (with its embedded sub-processes) serialized once here, so
    instances never carry it. Called processes are bound when an instance starts (``calls``), which is
    how a locality that redeploys one stage changes the lifecycle for new projects only.
    """

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("locality_code", "process_key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200))
    locality_code: Mapped[str] = mapped_column(ForeignKey("locality.code"))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300), default="")
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(300))
    spec: Mapped[dict[str, Any]] = mapped_column()
    calls: Mapped[list[Any]] = mapped_column()
    forms: Mapped[dict[str, Any]] = mapped_column()
    task_config: Mapped[dict[str, Any]] = mapped_column()
    deployed_by: Mapped[str] = mapped_column(String(100))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessInstance(Base):
    """One project running through a process; its workflow state holds only the live frontier."""

    __tablename__ = "process_instance"
    __table_args__ = (
        UniqueConstraint("locality_code", "business_key"),
        Index("ix_instance_status", "locality_code", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    bound_versions: Mapped[dict[str, Any]] = mapped_column()
    process_key: Mapped[str] = mapped_column(String(200))
    locality_code: Mapped[str] = mapped_column(ForeignKey("locality.code"))
    business_key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="running")
    stage: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200), index=True)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The project's own parties, bound as it goes: lane role → organization id (engine.commands.parties).
    parties: Mapped[dict[str, Any] | None] = mapped_column()
    state: Mapped[str] = mapped_column(Text)
    state_format: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[dict[str, Any] | None] = mapped_column()
    started_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


# human_task.state: open until completed, or cancelled when its workflow task is no longer ready.
OPEN = "open"
COMPLETED = "completed"
CANCELLED = "cancelled"


class HumanTask(Base):
    """Inbox projection of a READY user task, kept in step with the workflow in the same transaction."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_task_inbox", "locality_code", "role", "state", "due_date"),
        Index("ix_task_assignee", "assignee", "state", "due_date"),
        Index("ix_task_instance", "instance_id", "state"),
        Index("ix_task_completed_by", "completed_by", "completed_at"),
        # Open tasks only (a fifth of the table, migration 0002): group inboxes, and every dashboard count
        # or overdue list, read these without touching completed rows or joining process_instance.
        Index(
            "ix_task_open_group",
            *("locality_code", "role", "due_date", "id"),
            postgresql_where=text("state = 'open' AND assignee IS NULL"),
            sqlite_where=text("state = 'open' AND assignee IS NULL"),
        ),
        Index(
            "ix_task_open_due",
            *("locality_code", "due_date", "id", "process_key", "role", "assignee", "department", "instance_id"),
            postgresql_where=text("state = 'open'"),
            sqlite_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    task_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    process_key: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    form_key: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(100))
    locality_code: Mapped[str] = mapped_column(String(40))
    # The project's department while the task is open (tasks.sync, instances.write_back), so dashboards
    # count by department without joining process_instance.
    department: Mapped[str | None] = mapped_column(String(200))
    # The project's party of the task's role when it has one: then only that organization's people work it.
    organization_id: Mapped[int | None] = mapped_column(Integer)
    assignee: Mapped[str | None] = mapped_column(String(100))
    delegated_from: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="open")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    draft: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date | None] = mapped_column()
    remind_on: Mapped[date | None] = mapped_column()
    escalate_on: Mapped[date | None] = mapped_column()
    reminded_at: Mapped[datetime | None] = mapped_column()
    escalated_at: Mapped[datetime | None] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    completed_by: Mapped[str | None] = mapped_column(String(100))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class OpenTaskTally(Base):
    """How many tasks are open per (locality, stage, department, due date), as append-only deltas.

    Database triggers on ``human_task`` (migration 0003) add a +1 row when a task becomes open in a
    bucket and a −1 row when it leaves it, so region-wide dashboard counts sum a few thousand rows
    instead of every open task; no shared counter row means concurrent completions never wait on each
    other. ``engine.store.tally.compact`` folds the deltas back into one row per bucket.
    """

    __tablename__ = "open_task_tally"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    locality_code: Mapped[str] = mapped_column(String(40))
    process_key: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column()
    n: Mapped[int] = mapped_column(Integer)


class PersonTaskTally(Base):
    """How many tasks are open per person (locality, assignee, due date), or, for unclaimed tasks, per
    group they wait in (locality, role, party, due date): the dashboard's count by person.

    Kept like :class:`OpenTaskTally` by triggers (migration 0015). A claimed task's row leaves role and
    party empty — the count by person groups by who holds the task — so there are about as many buckets as
    people × due dates, not one per task.
    """

    __tablename__ = "person_task_tally"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    locality_code: Mapped[str] = mapped_column(String(40))
    assignee: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(100))
    organization_id: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column()
    n: Mapped[int] = mapped_column(Integer)


class TimerJob(Base):
    """A point in time the engine must act at; claimed by a scheduler with a lease."""

    __tablename__ = "timer_job"
    __table_args__ = (Index("ix_timer_due", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    kind: Mapped[str] = mapped_column(String(20))
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    due_at: Mapped[datetime] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column()


class AuditEvent(Base):
    """Append-only history: who did what to which project and task, with what data."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    human_task_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    element_id: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any] | None] = mapped_column()
    # The HTTP request (X-Request-Id) or scheduler sweep whose command wrote it (migration 0013).
    request_id: Mapped[str | None] = mapped_column(String(64))


class User(Base):
    """A person who signs in; what they may see and do comes from their role grants."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Organization(Base):
    """A party of the purchase-of-services chain: a finance bureau, a purchasing department, a procurement
    agent, a provider, an evaluator or a supervisor, in the locality where it is registered
    (``engine.identity.organizations`` says which kinds there are and checks every row it writes)."""

    __tablename__ = "organization"
    __table_args__ = (
        UniqueConstraint("locality_code", "name"),
        Index("ix_organization_kind", "locality_code", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    locality_code: Mapped[str] = mapped_column(ForeignKey("locality.code"))
    name: Mapped[str] = mapped_column(String(200))
    # 统一社会信用代码, canonical (engine.formats.credit_code); required of providers and procurement agents.
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProviderQualification(Base):
    """A licence or certificate a provider holds (资质), with its period of validity, as finance recorded it."""

    __tablename__ = "provider_qualification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(100), default="")
    valid_from: Mapped[date | None] = mapped_column()
    valid_until: Mapped[date | None] = mapped_column()
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CreditRecord(Base):
    """One entry of a provider's credit record (信用记录): a project's evaluation grade and score, or an
    entry finance made; one per project and source, replaced when the project is evaluated again."""

    __tablename__ = "credit_record"
    __table_args__ = (UniqueConstraint("organization_id", "instance_id", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class BlacklistEntry(Base):
    """A provider barred from awards (黑名单) from ``starts_on`` to ``ends_on`` (both days included), until
    finance lifts it; kept after it ends or is lifted, as the record of what was decided."""

    __tablename__ = "blacklist_entry"
    __table_args__ = (Index("ix_blacklist_organization", "organization_id", "ends_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_by: Mapped[str | None] = mapped_column(String(100))
    lifted_at: Mapped[datetime | None] = mapped_column()
    lift_reason: Mapped[str | None] = mapped_column(String(500))


class Membership(Base):
    """A person working for an organization (a purchaser of their department, a provider's staff …)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoleGrant(Base):
    """One role of one user in one locality (e.g. finance reviewer in 乌鲁木齐), optionally held within an
    organization (``organization_id``: the finance reviewer of 乌鲁木齐市财政局)."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "locality_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(100))
    locality_code: Mapped[str] = mapped_column(ForeignKey("locality.code"))
    is_lead: Mapped[bool] = mapped_column(default=False)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", name="fk_role_grant_organization_id"), index=True
    )


class ApiToken(Base):
    """A bearer token for another system; only its hash is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class OidcGrant(Base):
    """The refresh token an OpenID provider gave a person at sign-in (sealed: ``identity.openid.seal``), which
    the scheduler spends to ask the provider whether it still lets them in (``jobs.openid_access``)."""

    __tablename__ = "oidc_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), unique=True)
    provider: Mapped[str] = mapped_column(String(64))
    refresh_token: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column()  # issued or last refreshed
    lease_until: Mapped[datetime | None] = mapped_column()  # a scheduler is checking it until then


class WebSession(Base):
    """One signed-in browser session; the cookie carries a random id whose SHA-256 is kept here, and signing
    out deletes the row, so a copied cookie is worthless once its owner has signed out."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SignInAttempt(Base):
    """A sign-in from one network address that failed or is still being checked, shared by every worker and
    server (``engine.identity.sign_in_limit``); rows older than the window are deleted as new ones come."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (Index("ix_sign_in_attempt_address", "address", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)


class IdempotencyRecord(Base):
    """The answer given to a client's keyed request, replayed when the client retries."""

    __tablename__ = "idempotency_record"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarYear(Base):
    """A year for which a locality's calendar has data; a deadline outside covered years is an error."""

    __tablename__ = "calendar_year"

    locality_code: Mapped[str] = mapped_column(ForeignKey("locality.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100), default="")


class CalendarEntry(Base):
    """A day that differs from the Mon–Fri rule in a locality (holiday, 调休 working weekend, local day off)."""

    __tablename__ = "calendar_entry"

    locality_code: Mapped[str] = mapped_column(ForeignKey("locality.code"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    working: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(String(200), default="")


class Notification(Base):
    """Outbox of reminders and escalations: shown in the app, e-mailed when SMTP is configured."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient", "recipient", "read_at"),
        # What the mailer has yet to send (migration 0013): read every sweep and counted at every scrape.
        Index(
            "ix_notification_unsent",
            "created_at",
            postgresql_where=text("email_sent_at IS NULL AND email_error IS NULL"),
            sqlite_where=text("email_sent_at IS NULL AND email_error IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    instance_id: Mapped[int | None] = mapped_column(Integer)
    human_task_id: Mapped[int | None] = mapped_column(Integer)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()
    email_sent_at: Mapped[datetime | None] = mapped_column()
    email_error: Mapped[str | None] = mapped_column(Text)


class Disclosure(Base):
    """A public announcement (信息公开) a process recorded: result, contract, acceptance …"""

    __tablename__ = "disclosure"
    __table_args__ = (Index("ix_disclosure_locality", "locality_code", "published_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    locality_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    element_id: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column()
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class Blob(Base):
    """A file's content, stored once however many documents carry it (content-addressed by SHA-256).

    The bytes live in ``blob_chunk`` rows so that uploads and downloads stream in pieces on every database
    and every app server reads the same store; ``sha256`` is set when the last piece has arrived, until
    then the blob is an upload in progress that nothing may read.
    """

    __tablename__ = "blob"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BlobChunk(Base):
    __tablename__ = "blob_chunk"

    blob_id: Mapped[int] = mapped_column(ForeignKey("blob.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


# document.state: uploaded to a task still open (a draft's attachment), or submitted with the task.
UPLOADED = "uploaded"
SUBMITTED = "submitted"


class Document(Base):
    """A file attached to a form field of a project's task: who, when, what it is (by content)."""

    __tablename__ = "document"
    __table_args__ = (
        Index("ix_document_instance", "instance_id", "state"),
        Index("ix_document_task", "human_task_id", "field_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    human_task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"))
    field_key: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    blob_id: Mapped[int] = mapped_column(ForeignKey("blob.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=UPLOADED)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CatalogueEntry(Base):
    """An item (项) of a locality's guidance catalogue (政府购买服务指导性目录) with its category (大类) and
    class (款), in effect from ``from_year`` to ``until_year`` (both included; none: until further notice).

    A city runs on its region's items and its own (``engine.catalogue``); an item is never deleted once a
    project named it (``CatalogueUse``) — its validity is ended instead.
    """

    __tablename__ = "catalogue_entry"
    __table_args__ = (
        UniqueConstraint("locality_code", "code", "from_year"),
        Index("ix_catalogue_entry_code", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    locality_code: Mapped[str] = mapped_column(ForeignKey("locality.code"))
    category_code: Mapped[str] = mapped_column(String(20))
    category_name: Mapped[str] = mapped_column(String(200))
    class_code: Mapped[str] = mapped_column(String(20))
    class_name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    from_year: Mapped[int] = mapped_column(Integer)
    until_year: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class CatalogueUse(Base):
    """A project whose application named a catalogue item (written once, never updated: no contention)."""

    __tablename__ = "catalogue_use"

    entry_id: Mapped[int] = mapped_column(ForeignKey("catalogue_entry.id"), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- external tasks and incidents ------------------------------------------------------------------


class ExternalTask(Base):
    """A service task a project waits on, published on its topic for workers of other systems.

    Written by ``engine.commands.external_tasks.sync`` when the workflow reaches the task (``variables``
    is the data handed over, fixed then). A worker fetches and locks it (``worker_id``,
    ``lock_expires_at``); a failure sets ``retries`` left and ``retry_at`` (not offered before); at no
    retries left the project gets an ``Incident``. ``state`` is ``open`` until completed (or cancelled with
    its project or by a boundary event), and the row stays as the record.
    """

    __tablename__ = "external_task"
    __table_args__ = (Index("ix_external_task_fetch", "state", "topic", "retry_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    process_key: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(200))
    locality_code: Mapped[str] = mapped_column(String(40))
    business_key: Mapped[str] = mapped_column(String(100))
    variables: Mapped[dict[str, Any]] = mapped_column()
    settings: Mapped[dict[str, Any]] = mapped_column()
    state: Mapped[str] = mapped_column(String(20), default="open")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(200))
    lock_expires_at: Mapped[datetime | None] = mapped_column()
    retries: Mapped[int | None] = mapped_column(Integer)
    retry_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_message: Mapped[str | None] = mapped_column(String(1000))
    error_details: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()
    completed_by: Mapped[str | None] = mapped_column(String(200))


class Incident(Base):
    """Something a project cannot get past without a person: an external task out of retries
    (``kind='external_task'``), or a script, expression or gateway that failed (``'step_failed'``).

    Open while ``resolved_at`` is empty; the same element failing again adds to ``attempts`` of the open
    incident instead of opening another. Retrying, editing variables and cancelling are recorded on it
    (``resolution``) and in the audit trail.
    """

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_open", "resolved_at", "locality_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    external_task_id: Mapped[int | None] = mapped_column(ForeignKey("external_task.id"))
    kind: Mapped[str] = mapped_column(String(20))
    process_key: Mapped[str] = mapped_column(String(200))
    locality_code: Mapped[str] = mapped_column(String(40))
    element_id: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(String(1000))
    details: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(String(20))


# --- outbound events: webhook subscriptions, the event outbox and its deliveries -------------------------

# webhook_delivery.state: waiting for its next attempt, received by the subscriber, or given up on.
DELIVERY_PENDING = "pending"
DELIVERY_DELIVERED = "delivered"
DELIVERY_DEAD = "dead"


class WebhookSubscription(Base):
    """Another system that wants to hear of a locality's events: the address they are POSTed to, the secret
    that signs them and the kinds it asked for (``engine.store.events``). A locality's subscription also
    hears the events of every place below it, so the region's budget system hears of every city's projects.
    """

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    locality_code: Mapped[str] = mapped_column(ForeignKey("locality.code"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[Any]] = mapped_column()
    description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column()


class OutboundEvent(Base):
    """Something that happened to a project that subscribers asked to hear of, written in the transaction of
    the change itself; only events with at least one delivery are kept."""

    __tablename__ = "outbound_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    locality_code: Mapped[str] = mapped_column(String(40))
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Set through ``task`` at the flush: a task row created in the same step has no id before it.
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))
    payload: Mapped[dict[str, Any]] = mapped_column()
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[HumanTask | None] = relationship()


class WebhookDelivery(Base):
    """One event on its way to one subscription, and the log of trying: how many attempts, the last answer
    (status, the first 2 kB of its body) or error; claimed by a scheduler with a lease, like timer jobs."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
        Index("ix_webhook_delivery_subscription", "subscription_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbound_event.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscription.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default=DELIVERY_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_response: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column()
    resent_by: Mapped[str | None] = mapped_column(String(100))
    resent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[OutboundEvent] = relationship()


class MigrationBatch(Base):
    """A batch moving running projects of one process to another version: its plan, and each project's
    result written as it goes, so whoever started it (or anyone else) reads the progress while it runs."""

    __tablename__ = "migration_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200))
    target_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    plan: Mapped[dict[str, Any]] = mapped_column()
    locality_code: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    total: Mapped[int] = mapped_column(Integer, default=0)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    results: Mapped[list[Any]] = mapped_column(default=list)
