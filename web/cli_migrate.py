"""``servflow migrate``: move running projects from one version to another, or see first who would move."""

from __future__ import annotations

import click

from engine.commands.migration_plan import Plan
from engine.compose import build_engine


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        old, equals, new = pair.partition("=")
        if not equals or not old or not new:
            raise click.BadParameter(f"{pair!r}: write old=new", param_hint="--map")
        mapping[old] = new
    return mapping


@click.command()
@click.option("--from", "sources", type=int, multiple=True, required=True, help="source version id (repeatable)")
@click.option("--to", "target", type=int, required=True, help="target version id")
@click.option("--map", "pairs", multiple=True, help="old element id=new element id (repeatable)")
@click.option("--locality", default=None, help="only the projects of this locality")
@click.option("--stage", default=None, help="only the projects now in this stage")
@click.option("--dry-run", is_flag=True, help="list every matching project and whether it can move; move none")
@click.option("--by", "actor", default="cli", show_default=True, help="who the migrated events name")
def migrate(
    sources: tuple[int, ...],
    target: int,
    pairs: tuple[str, ...],
    locality: str | None,
    stage: str | None,
    dry_run: bool,
    actor: str,
) -> None:
    """Move running projects to another version; one line per project that cannot move, and a total."""
    plan = Plan(sources=sources, target=target, mapping=_mapping(pairs), locality=locality, stage=stage)
    engine = build_engine()
    try:
        if dry_run:
            verdicts = engine.migration_dry_run(plan, actor=actor)
            for v in verdicts:
                why = "; ".join(r["message"] for r in v.reasons)
                extra = f"adds {', '.join(v.ahead)}" if v.ahead else ""
                click.echo(
                    f"{v.instance_id}\t{v.business_key}\t{'can move' if v.can_move else 'cannot move'}\t{why or extra}"
                )
            movable = sum(1 for v in verdicts if v.can_move)
            click.echo(f"{movable} of {len(verdicts)} projects can move")
            return
        batch = engine.migrate(plan, actor=actor)
        for failure in batch.results:
            click.echo(f"{failure['instance_id']}\tnot moved\t{failure['message']}")
        click.echo(f"batch {batch.id}: moved {batch.moved} of {batch.total}, {batch.failed} not moved")
    finally:
        engine.dispose()
