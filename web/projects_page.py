"""The project page (项目详情): one project as a whole — where it is, who acts next, every task with what
it submitted, its parties, announcements and history, with the lifecycle and stage diagrams.

Everyone who may read the project may open it (its parties' people, managers and auditors of its
locality); anyone else gets 404, as for every project read. Linked from the inbox, the task pages (and
the answer to a completed task), and the register.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.calendars.deadlines import local_date
from engine.documents import reading
from engine.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from engine.queries.project_page import project_view
from engine.queries.start_page import OUTSIDE, catalogue_answers, start_choices

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import t
from .tasks_page import submission_blocks

bp = Blueprint("projects", __name__, url_prefix="/projects")
START_FIELDS = ("locality", "process_key", "organization_id", "title", "business_key", "catalogue")


@bp.get("/new")
@login_required
def new() -> Any:
    return _start_page({}, {})


@bp.post("/new")
@login_required
def start() -> Any:
    """Start the project and open its first task for the person who started it (the application)."""
    form = {name: (request.form.get(name) or "").strip() for name in START_FIELDS}
    errors: dict[str, list[str]] = {}
    if not form["locality"]:
        errors["locality"] = [t("start.required")]
    if not form["process_key"]:
        errors["process_key"] = [t("start.required")]
    if not form["title"]:
        errors["title"] = [t("start.required")]
    engine = get_engine()
    service: dict[str, Any] = {}
    if form["locality"]:
        try:
            service = engine.read(catalogue_answers, form["locality"], form["catalogue"], _this_year())
        except InvalidDataError as exc:
            errors.update(exc.errors)
        except NotFoundError as exc:
            errors["locality"] = [exc.message]
    if errors:
        return _start_page(form, errors)
    chosen = int(form["organization_id"]) if form["organization_id"].isdigit() else None
    mine = engine.read(start_choices, current_principal()).departments.get(form["locality"], [])
    applying = [name for i, name in mine if chosen in (None, i)]
    data = {"project_name": form["title"], **({"department": applying[0]} if len(applying) == 1 else {}), **service}
    try:
        instance = engine.start(
            form["process_key"],
            locality=form["locality"],
            business_key=form["business_key"] or None,
            data=data,
            actor=current_principal(),
            title=form["title"],
            organization_id=chosen,
        )
    except InvalidDataError as exc:  # e.g. the chosen catalogue item ended a moment ago
        fields = {name if name in START_FIELDS else "_form": messages for name, messages in exc.errors.items()}
        return _start_page(form, fields or {"_form": [exc.message]})
    except ConflictError as exc:
        return _start_page(form, {"business_key": [exc.message]})
    except (NotFoundError, PermissionDeniedError) as exc:
        return _start_page(form, {"process_key": [exc.message]})
    first = [task for task in engine.open_tasks(instance.id) if task.assignee in (None, current_principal().username)]
    flash(t("start.started", number=instance.business_key), "success")
    if first:
        return redirect(url_for("tasks.show", task_id=first[0].id))
    return redirect(url_for("projects.show", instance_id=instance.id))


def _start_page(form: dict[str, str], errors: dict[str, list[str]]) -> Any:
    year = _this_year()
    choices = get_engine().read(start_choices, current_principal(), year)
    if not choices.localities:
        raise PermissionDeniedError(t("start.may_not"))
    page = render_template("projects/new.html", choices=choices, form=form, errors=errors, year=year, outside=OUTSIDE)
    return page, 422 if errors else 200


def _this_year() -> int:
    """The year whose catalogue the page offers: today's, on the China calendar (the engine's clock)."""
    return local_date(get_engine().clock()).year


@bp.get("/<int:instance_id>")
@login_required
def show(instance_id: int) -> Any:
    engine = get_engine()
    view = engine.read(project_view, current_principal(), instance_id, local_date(engine.clock()))
    diagrams = [
        {"title": d.title, "xml": d.xml, "done": d.done, "current": d.current, "counts": d.counts}
        for d in view.diagrams
    ]
    documents = engine.read(reading.project_documents, current_principal(), instance_id)
    by_stage: dict[str, list[reading.Listed]] = {}
    for item in documents:
        by_stage.setdefault(item.task.process_key, []).append(item)
    return render_template(
        "projects/show.html",
        view=view,
        diagrams=diagrams,
        submissions=submission_blocks(view.submissions),
        documents=by_stage,
    )
