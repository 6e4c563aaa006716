"""The ``servflow`` command: database, deploy, and looking at instances and tasks from a shell.

Refusals print the engine's clear message (file, element, reason) and exit with status 1 — never a
traceback.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from engine import demo
from engine.compose import build_engine
from engine.config import EngineConfig
from engine.errors import ServflowError
from engine.service import Engine
from engine.store import tally
from engine.store.migrate import upgrade

from .cli_migrate import migrate


def _engine() -> Engine:
    return build_engine()


@click.group()
def main() -> None:
    """servflow — 政府购买服务 workflow service."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (creates the SQLite file if needed)."""
    config = EngineConfig.from_env()
    upgrade(config.database_url)
    engine = build_engine(config)
    engine.ensure_localities()
    engine.dispose()
    click.echo(f"database at {config.database_url} is up to date")


@main.group("tally")
def tally_commands() -> None:
    """The open-task tally dashboards count from (kept by database triggers)."""


@tally_commands.command("check")
def tally_check() -> None:
    """Compare the tally with the open tasks; exit 1 and list the buckets that disagree."""
    drifted = _engine().read(tally.drift)
    for d in drifted:
        bucket = "\t".join("-" if value is None else str(value) for value in d.bucket)
        click.echo(f"{d.tally}\t{bucket}\ttally {d.tallied}\topen {d.actual}")
    if drifted:
        click.echo(f"{len(drifted)} buckets disagree; run: servflow tally rebuild", err=True)
        sys.exit(1)
    click.echo("tally matches the open tasks")


@tally_commands.command("compact")
def tally_compact() -> None:
    """Fold the delta rows into one row per bucket now (the scheduler does it every sweep)."""
    done = _engine().write(tally.compact)
    click.echo(f"folded {done.folded} rows into {done.written}")


@tally_commands.command("rebuild")
def tally_rebuild() -> None:
    """Recount the tally from the open tasks (repair; writers to tasks wait for it on PostgreSQL)."""
    buckets = _engine().write(tally.rebuild)
    click.echo(f"tally rebuilt: {buckets} buckets")


@main.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--locality", default="650000", show_default=True, help="locality code or name")
@click.option("--by", "deployed_by", default="cli", show_default=True)
def deploy(path: Path | None, locality: str, deployed_by: str) -> None:
    """Deploy a .bpmn/.dmn/form file, a folder or a zip (default: the shipped processes and forms)."""
    engine = _engine()
    if path is None:
        from engine.definitions.shipped import shipped_bundle

        result = engine.deploy(shipped_bundle(), locality, deployed_by)
    else:
        result = engine.deploy_path(path, locality, deployed_by)
    for key, version in result.created:
        click.echo(f"deployed {key} v{version} for {result.locality}")
    for key in result.unchanged:
        click.echo(f"unchanged {key}")


@main.command()
@click.option("--locality", default=None)
@click.option("--status", default=None)
def instances(locality: str | None, status: str | None) -> None:
    """List projects (process instances)."""
    for inst in _engine().instances(locality=locality, status=status):
        click.echo(
            f"{inst.id}\t{inst.locality_code}\t{inst.business_key}\t{inst.status}\t{inst.stage or '-'}\t{inst.title}"
        )


@main.command()
@click.option("--locality", default=None)
@click.option("--role", default=None)
@click.option("--state", default="open", show_default=True)
def tasks(locality: str | None, role: str | None, state: str) -> None:
    """List human tasks."""
    for task in _engine().tasks(state=state, locality=locality, role=role):
        due = task.due_date.isoformat() if task.due_date else "-"
        click.echo(
            f"{task.id}\t{task.instance_id}\t{task.locality_code}\t{task.role or '-'}\t"
            f"{task.process_key}\t{task.name}\t{task.assignee or '-'}\t{due}"
        )


@main.command()
def seed() -> None:
    """Create demo users for every role in three localities, the demo guidance catalogue and demo projects;
    print the logins."""

    engine = _engine()
    for warning in demo.seed_calendars(engine):
        click.echo(f"WARNING calendar {warning}", err=True)
    logins = demo.seed_users(engine)
    click.echo(f"demo catalogue: {demo.seed_catalogue(engine)}")
    click.echo(f"demo projects: {demo.seed_projects(engine)}")
    click.echo(f"demo logins (password {demo.DEMO_PASSWORD}): admin, " + ", ".join(x.username for x in logins))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--demo-systems", is_flag=True, help="also run the simulated finance systems and a worker")
def serve(host: str, port: int, demo_systems: bool) -> None:
    """Run the web app (development server; use gunicorn 'web:create_app()' in production)."""
    import logging

    from werkzeug.serving import run_simple

    from engine.observability import logs
    from web import create_app
    from web import demo_systems as systems

    logs.configure()  # SERVFLOW_LOG_FORMAT: text here unless asked for json
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # servflow.http logs each request, with its id
    app = create_app({"SCHEDULER_ENABLED": True})
    if demo_systems and systems.start(_engine(), f"http://{host}:{port}"):
        click.echo(f"demo finance systems at http://127.0.0.1:{systems.FINANCE_PORT}/, a worker on the shipped topics")
    click.echo(f"servflow is running at http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.command()
@click.option("--once", is_flag=True, help="run one sweep and exit")
@click.option("--interval", default=30.0, show_default=True, help="seconds between sweeps")
@click.option("--lease", default=60.0, show_default=True, help="seconds a claimed timer job stays this process's")
def scheduler(once: bool, interval: float, lease: float) -> None:
    """Fire due BPMN timers, send reminders and escalations, e-mail notifications (own process)."""
    from engine.jobs import scheduler as sched

    args = ["--interval", str(interval), "--lease", str(lease)] + (["--once"] if once else [])
    sched.main(args)


@main.command()
@click.option("--topic", "topics", multiple=True, required=True, help="a topic to work on (repeat for more)")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, envvar="SERVFLOW_URL", help="servflow's URL")
@click.option("--token", envvar="SERVFLOW_WORKER_TOKEN", required=True, help="API token of a user with role worker")
@click.option("--worker-id", default=None, help="the lock holder's name [default: <host>-<pid>]")
@click.option("--max-tasks", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--lock-ms", default=60_000, show_default=True, type=click.IntRange(1_000, 86_400_000))
@click.option("--long-poll-ms", default=30_000, show_default=True, type=click.IntRange(0, 60_000))
@click.option(
    "--finance-url", default="http://127.0.0.1:5055", show_default=True, envvar="SERVFLOW_FINANCE_URL",
    help="the budget system, treasury and procurement platform the handlers call",
)  # fmt: skip
@click.option("--once", is_flag=True, help="fetch once, answer what came, exit")
def worker(
    topics: tuple[str, ...],
    url: str,
    token: str,
    worker_id: str | None,
    max_tasks: int,
    lock_ms: int,
    long_poll_ms: int,
    finance_url: str,
    once: bool,
) -> None:
    """Do the external tasks of TOPICs with the shipped handlers (budget.check, budget.commit, treasury.pay,
    procurement.publish) until SIGTERM."""
    from workers import run
    from workers.client import ApiError

    settings = run.Settings(topics, max_tasks=max_tasks, lock_ms=lock_ms, long_poll_ms=long_poll_ms)
    try:
        started = run.start(url, token, settings, worker_id=worker_id, finance_url=finance_url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--topic") from None
    try:
        started.run(once=once)
    except ApiError as exc:
        raise click.ClickException(f"servflow refused the worker: {exc}") from None


@main.command("finance-sim")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5055, show_default=True)
def finance_sim(host: str, port: int) -> None:
    """Run the simulated budget system, treasury and procurement platform (tests and the demo)."""
    from workers import finance_sim as sim

    click.echo(f"finance simulator at http://{host}:{port}/  (Ctrl+C to stop)")
    sim.serve(host, port)


@main.group()
def calendar() -> None:
    """Working-day calendars (holidays, 调休, local days such as 古尔邦节)."""


@calendar.command("seed")
@click.option("--years", "years", type=int, multiple=True, required=True, help="e.g. --years 2025 --years 2026")
@click.argument("more_years", type=int, nargs=-1)
@click.option("--locality", default="650000", show_default=True)
def calendar_seed(years: tuple[int, ...], more_years: tuple[int, ...], locality: str) -> None:
    """Enter the national holidays of the given years from the chinese_calendar package."""
    from engine.calendars import calendar_store

    results = _engine().write(calendar_store.seed_years, [*years, *more_years], locality)
    for r in results:
        click.echo(f"{locality} {r.year}: {r.added} days added, {r.kept} already there")


@calendar.command("add-day")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--locality", default="650000", show_default=True)
@click.option("--off/--working", default=True, help="a day off (default) or a working day")
@click.option("--note", default="", help="e.g. 古尔邦节")
def calendar_add_day(day: datetime, locality: str, off: bool, note: str) -> None:
    """Make DAY (yyyy-MM-dd) a day off or a working day in a locality."""
    from engine.calendars import calendar_store

    _engine().write(calendar_store.set_day, locality, day.date(), working=not off, note=note)
    click.echo(f"{locality} {day.date().isoformat()}: {'day off' if off else 'working day'} {note}".rstrip())


@calendar.command("remove-day")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--locality", default="650000", show_default=True)
def calendar_remove_day(day: datetime, locality: str) -> None:
    """Remove a locality's own entry for DAY (the parent's calendar decides again)."""
    from engine.calendars import calendar_store

    removed = _engine().write(calendar_store.remove_day, locality, day.date())
    click.echo(f"{locality} {day.date().isoformat()}: {'removed' if removed else 'no entry'}")


@calendar.command("list")
@click.option("--locality", default="650000", show_default=True)
@click.option("--year", type=int, default=None)
def calendar_list(locality: str, year: int | None) -> None:
    """The days a locality entered itself (holidays, 调休, local days)."""
    from engine.calendars import calendar_store

    for row in _engine().read(calendar_store.own_days, locality, year):
        click.echo(f"{row.day.isoformat()}\t{'working' if row.working else 'off'}\t{row.note}")


main.add_command(migrate)


def run() -> None:
    try:
        main(standalone_mode=False)
    except ServflowError as exc:
        click.echo(f"error: {exc.message}", err=True)
        for problem in exc.details.get("problems") or []:  # a refused deploy lists every error it found
            where = " ".join(part for part in (problem.get("file"), problem.get("element_id")) if part)
            click.echo(f"  {where}: {problem['message']}", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(1)
