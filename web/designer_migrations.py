"""迁移运行中的项目: the designer moves a process's running projects to another version of it.

One page per process of the designer's locality: choose source versions, the target and filters, see the
dry run (each project: can it move, or why not; the steps it will pass and those it has passed), edit the
element mapping, migrate, and read the batch's report, which reverts a moved project while nothing happened
to it since. Everything goes through the Engine's migration
door, which checks the designer's rights and moves each project in its own transaction.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine.commands.migration_plan import Plan
from engine.errors import ServflowError
from engine.queries import designs

from .auth import current_principal, login_required
from .designer import require_designer
from .engine_ext import get_engine
from .i18n import t

bp = Blueprint("designer_migrations", __name__, url_prefix="/designer")


def parse_mapping(text: str) -> dict[str, str]:
    """``old=new`` per line (blank lines ignored) as the plan's element mapping; a line without both
    sides is refused as a whole, naming it."""
    mapping = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        old, equals, new = (part.strip() for part in line.partition("="))
        if not equals or not old or not new:
            raise ValueError(line.strip())
        mapping[old] = new
    return mapping


@bp.route("/<locality>/process/<key>/migrate", methods=["GET", "POST"])
@login_required
def migrate(locality: str, key: str) -> Any:
    code = require_designer(locality)
    versions = [v for v in get_engine().read(designs.history, key, code).versions if v.locality_code == code]
    if not versions:
        abort(404, description=t("designer.no_versions"))
    newest = max(versions, key=lambda v: v.version)
    form = request.form if request.method == "POST" else request.args
    target = int(form.get("to") or newest.id)
    sources = [int(v) for v in form.getlist("from")] or [v.id for v in versions if v.id != target]
    mapping_text = form.get("mapping", "")
    context: dict[str, Any] = {
        "locality": code,
        "key": key,
        "versions": sorted(versions, key=lambda v: v.version, reverse=True),
        "target": target,
        "sources": sources,
        "stage": form.get("stage", ""),
        "mapping_text": mapping_text,
        "verdicts": None,
        "error": None,
    }
    if request.method == "POST":
        try:
            plan = Plan(
                sources=tuple(sources),
                target=target,
                mapping=parse_mapping(mapping_text),
                locality=code,
                stage=form.get("stage") or None,
            )
            if form.get("action") == "migrate":
                batch = get_engine().migrate(plan, actor=current_principal())
                return redirect(url_for(".report", locality=code, key=key, batch_id=batch.id))
            context["verdicts"] = get_engine().migration_dry_run(plan, actor=current_principal())
        except ValueError as exc:
            context["error"] = t("migrate.bad_mapping_line", line=str(exc))
        except ServflowError as exc:
            context["error"] = exc.message
    return render_template("designer/migrate.html", **context)


@bp.get("/<locality>/process/<key>/migrations/<int:batch_id>")
@login_required
def report(locality: str, key: str, batch_id: int) -> Any:
    code = require_designer(locality)
    batch = get_engine().migration_batch(batch_id)
    if batch.locality_code != code or batch.process_key != key:
        abort(404)
    return render_template("designer/migration_report.html", locality=code, key=key, batch=batch)


@bp.post("/<locality>/process/<key>/migrations/<int:batch_id>/revert")
@login_required
def revert(locality: str, key: str, batch_id: int) -> Any:
    """The report's 撤销迁移: a project of the batch back to the version it came from, while nothing
    happened to it since (its number as the dry run listed it)."""
    code = require_designer(locality)
    back = redirect(url_for("designer_migrations.report", locality=code, key=key, batch_id=batch_id))
    try:
        instance_id = int(request.form.get("instance_id", ""))
    except ValueError:
        flash(t("migrate.not_reverted", reason=t("migrate.project_number")), "error")
        return back
    try:
        get_engine().revert_migration(instance_id, actor=current_principal())
    except ServflowError as exc:
        flash(t("migrate.not_reverted", reason=exc.message), "error")
    else:
        flash(t("migrate.reverted", id=instance_id), "success")
    return back
