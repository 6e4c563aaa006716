"""Several scheduler processes on one PostgreSQL: every due timer fires exactly once, crashes are survived.

Real OS processes (``python -m engine.scheduler --once``) against the real server. 1,000 projects are
made by cloning one started project's rows in SQL (setting up through the engine would take longer
than the test), each waiting on a one-hour timer that became due an hour ago.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.compose import build_engine
from engine.service import Engine
from engine.store.models import AuditEvent, ProcessInstance, TimerJob
from support import REPO, fixture_bytes

pytestmark = pytest.mark.slow
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def pg(request: pytest.FixtureRequest, engine: Engine, database_url: str) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("lease races need PostgreSQL's row locks")
    yield engine


def make_due_projects(database_url: str, count: int) -> None:
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    seed = build_engine(database_url, clock=lambda: two_hours_ago, deadlines=False)
    seed.deploy(fixture_bytes("bpmn/timers.bpmn"), "650000")
    first = seed.start("timers", locality="650000", business_key="P-0")
    (job,) = first_jobs(seed)
    uuids = sorted(set(UUID.findall(first.state)))
    columns = [c.name for c in ProcessInstance.__table__.columns if c.name not in ("id", "business_key", "state")]
    with seed.db.begin() as conn:
        template = conn.execute(select(*(ProcessInstance.__table__.c[c] for c in columns))).one()._asdict()
        for n in range(1, count):
            fresh = {old: str(uuid.uuid4()) for old in uuids}  # each clone gets its own task ids
            state = UUID.sub(lambda m, fresh=fresh: fresh.get(m.group(0), m.group(0)), first.state)
            instance_id = conn.execute(
                ProcessInstance.__table__.insert()
                .values(**template, business_key=f"P-{n}", state=state)
                .returning(ProcessInstance.__table__.c.id)
            ).scalar_one()
            conn.execute(
                TimerJob.__table__.insert().values(
                    instance_id=instance_id,
                    kind=job.kind,
                    task_uuid=fresh[job.task_uuid],
                    due_at=job.due_at,
                    attempts=0,
                )
            )
    seed.dispose()


def scheduler_process(database_url: str, owner: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SERVFLOW_SMTP_HOST": ""}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine.jobs.scheduler",
            "--once",
            "--database-url",
            database_url,
            "--owner",
            owner,
            *extra,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def fired_per_instance(engine: Engine) -> dict[int, int]:
    with engine.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEvent.instance_id, func.count())
            .where(AuditEvent.action == "timer_fired")
            .group_by(AuditEvent.instance_id)
        )
        return dict(rows.all())


def first_jobs(engine: Engine) -> list[TimerJob]:
    """Each project's cooling-off timer job (the boundary jobs created by firing come later)."""
    with engine.unit_of_work() as uow:
        first = select(func.min(TimerJob.id)).group_by(TimerJob.instance_id)
        return list(uow.session.scalars(select(TimerJob).where(TimerJob.id.in_(first))))


def test_two_scheduler_processes_fire_a_thousand_due_timers_exactly_once(pg: Engine, database_url: str) -> None:
    make_due_projects(database_url, 1000)
    started = time.monotonic()
    runs = [scheduler_process(database_url, owner, "--batch", "25") for owner in ("A", "B")]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    elapsed = time.monotonic() - started

    assert sorted(fired_per_instance(pg).values()) == [1] * 1000
    jobs = first_jobs(pg)
    assert len(jobs) == 1000 and all(job.done_at is not None for job in jobs)
    by_owner = {owner: sum(job.lease_owner == owner for job in jobs) for owner in ("A", "B")}
    assert by_owner["A"] + by_owner["B"] == 1000
    assert by_owner["A"] > 0 and by_owner["B"] > 0, (by_owner, elapsed)
    with pg.unit_of_work() as uow:
        waiting = uow.session.scalar(select(func.count()).select_from(TimerJob).where(TimerJob.done_at.is_(None)))
    assert waiting == 1000  # each project now waits on its task's one-day boundary timer


def test_a_killed_scheduler_leaves_its_leased_jobs_to_another_after_the_lease(pg: Engine, database_url: str) -> None:
    make_due_projects(database_url, 200)
    victim = scheduler_process(database_url, "victim", "--batch", "200", "--lease", "2")
    assert victim.stdout is not None
    for line in victim.stdout:
        if "victim claimed 200 timer jobs" in line:
            break
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    stranded = {job.id for job in first_jobs(pg) if job.lease_owner == "victim" and job.done_at is None}
    assert len(stranded) > 100  # killed mid-sweep, holding leases

    time.sleep(2.1)  # the lease runs out
    rescue = scheduler_process(database_url, "rescuer", "--lease", "2")
    output = rescue.communicate(timeout=60)[0]
    assert rescue.returncode == 0, output
    jobs = {job.id: job for job in first_jobs(pg)}
    assert all(jobs[job_id].done_at is not None and jobs[job_id].lease_owner == "rescuer" for job_id in stranded)
    assert sorted(fired_per_instance(pg).values()) == [1] * 200
