"""The ``servflow`` command: database, deploy, and looking at instances and tasks from a shell.

Refusals print the engine's clear message (file, element, reason) and exit with status 1 — never a
traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.config import EngineConfig
from engine.errors import ServflowError
from engine.migrate import upgrade
from engine.service import Engine

SHIPPED = Path(__file__).resolve().parent.parent


def _engine() -> Engine:
    return Engine(EngineConfig.from_env())


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
    engine = Engine(config)
    engine.ensure_localities()
    engine.dispose()
    click.echo(f"database at {config.database_url} is up to date")


@main.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--locality", default="650000", show_default=True, help="locality code or name")
@click.option("--by", "deployed_by", default="cli", show_default=True)
def deploy(path: Path | None, locality: str, deployed_by: str) -> None:
    """Deploy a .bpmn/.dmn/form file, a folder or a zip (default: the shipped processes and forms)."""
    engine = _engine()
    if path is None:
        from engine.bundles import read_path

        files = {f"processes/{k}": v for k, v in read_path(SHIPPED / "processes").items()}
        files |= {f"forms/{k}": v for k, v in read_path(SHIPPED / "forms").items()}
        result = engine.deploy(files, locality, deployed_by)
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
    """Create demo users for every role in three localities, and demo projects; print the logins."""
    from engine import demo

    engine = _engine()
    logins = demo.seed_users(engine)
    seed_projects = getattr(demo, "seed_projects", None)
    if seed_projects is not None:
        click.echo(f"demo projects: {seed_projects(engine)}")
    click.echo(f"demo logins (password {demo.DEMO_PASSWORD}): admin, " + ", ".join(x.username for x in logins))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Run the web app (development server; use gunicorn 'web:create_app()' in production)."""
    from werkzeug.serving import run_simple

    from web import create_app

    app = create_app()
    click.echo(f"servflow is running at http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True, use_reloader=False)


def run() -> None:
    try:
        main(standalone_mode=False)
    except ServflowError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(1)
