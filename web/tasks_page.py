"""One task: its form beside the project's summary, diagram and history; complete, draft, hand over.

The form is rendered in the browser with form-js from the definition stored with the process version
that owns the task, and the very same definition validates the submission here before the engine
completes the task, so the rules are written once. Completion and drafts are JSON endpoints answering
``{code, message, errors}`` on failure (422 per-field errors, 409 when someone else got there first);
the claim/assign/delegate buttons are plain forms that come back to where they were pressed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError, ServflowError
from engine.identity import access
from engine.queries import inbox, incidents, project_page
from engine.queries.option_labels import label_of
from engine.service import Engine

from .auth import current_principal, login_required
from .csrf import csrf_token
from .engine_ext import get_engine
from .errors import error_body
from .i18n import format_datetime, t
from .inbox import china_now, due_badge, waiting_label
from .redirects import local_target

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

MONEY_KEYS = frozenset({"budget", "contract_amount"})


@bp.get("/<int:task_id>")
@login_required
def show(task_id: int) -> Any:
    principal = current_principal()
    engine = get_engine()
    found = engine.read(inbox.task_page, principal, task_id)
    context, task, team, labels = found.context, found.context.task, found.team, found.labels
    editable = inbox.can_work_on(principal, task)
    if editable and context.form is not None:
        data = engine.task_data(task_id)
    else:  # a completed task shows what was submitted; someone else's open task its saved draft
        data = engine.read(project_page.completed_values, task_id) or task.draft or {}
    earlier = engine.read(project_page.submissions, principal, context.instance.id, before=task.id)
    now = china_now()
    recorded = context.instance.summary
    summary = [(key, label_of(labels, key, recorded[key])) for key in found.summary_keys if recorded.get(key)]
    return render_template(
        "tasks/show.html",
        task=task,
        ctx=context,
        summary=summary,
        money_keys=MONEY_KEYS,
        editable=editable,
        claimable=editable and task.assignee is None,
        is_lead=access.is_lead_for(principal, task) and task.state == "open",
        team=team,
        config={
            "form": context.form,
            "data": data,
            "editable": editable,
            "completeUrl": url_for("tasks.complete", task_id=task.id),
            "draftUrl": url_for("tasks.draft", task_id=task.id),
            "rulesUrl": url_for("tasks.rules", task_id=task.id),
            "documents": document_options(task.id if editable else None),
            "bpmn": context.bpmn_xml if _has_layout(context.bpmn_xml) else None,
            "current": context.current_ids,
            "done": context.done_ids,
        },
        due=due_badge(task.due_date, now.date(), task.state == "open"),
        waiting=waiting_label(task.created_at, task.completed_at or now),
        me=principal,
        submissions=submission_blocks(earlier),
    )


def document_options(task_id: int | None) -> dict[str, Any]:
    """How the page's file fields upload (to the task, when it is editable) and what they say."""
    texts = {name: t(f"doc.{key}") for name, key in DOCUMENT_TEXTS.items()}
    options: dict[str, Any] = {"downloadUrl": "/documents", "texts": texts}
    if task_id is not None:
        options |= {"uploadUrl": f"/tasks/{task_id}/documents", "csrfToken": csrf_token()}
    return options


DOCUMENT_TEXTS = {
    "choose": "choose",
    "uploading": "uploading",
    "remove": "remove",
    "none": "none",
    "tooBig": "too_big",
    "tooMany": "too_many",
    "failed": "failed",
}


def submission_blocks(found: list[project_page.Submission]) -> list[dict[str, Any]]:
    """Earlier submissions as the page renders them: read-only in their own forms (or as a comment)."""
    return [
        {
            "task_id": s.task.id,
            "name": s.task.name,
            "by": s.task.completed_by,
            "at": format_datetime(s.task.completed_at),
            "form": s.form,
            "data": s.data,
        }
        for s in found
    ]


def _has_layout(xml: str | None) -> bool:
    """bpmn-js can only draw files with diagram interchange; others get the list of steps instead."""
    return bool(xml) and "BPMNDiagram" in xml


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidDataError(t("task.bad_body"), errors={"_form": [t("task.bad_body")]})
    return body


def _conflict_answer(exc: ConflictError) -> tuple[dict[str, Any], int]:
    """409 with a message a person understands: who got there first, and that nothing typed is lost."""
    body = error_body(exc)
    if exc.details.get("completed_by"):
        when = exc.details.get("completed_at")
        at = format_datetime(datetime.fromisoformat(when)) if when else ""
        body["message"] = t("task.conflict_completed", who=_display_name(exc.details["completed_by"]), at=at)
    elif exc.details.get("assignee"):
        body["message"] = t("task.conflict_claimed", who=_display_name(exc.details["assignee"]))
    else:
        body["message"] = t("task.conflict")
    return body, 409


def _display_name(username: str) -> str:
    return get_engine().read(inbox.display_name, username)


@bp.post("/<int:task_id>/complete")
@login_required
def complete(task_id: int) -> Any:
    engine = get_engine()
    try:
        done, instance_id, next_names = engine.complete_and_answer(
            task_id,
            _json_body(),
            actor=current_principal(),
            answer=lambda instance, task, open_tasks: (task, instance.id, [t.name for t in open_tasks]),
        )
    except ConflictError as exc:
        return _conflict_answer(exc)
    except InvalidDataError as exc:
        body = error_body(exc)
        body["message"] = t("task.fix_errors")
        return body, 422
    following = "、".join(dict.fromkeys(next_names)) or _systems_next(engine, instance_id) or t("task.nothing_next")
    flash(t("task.completed_next", name=done.name, next=following), "success")
    return {"ok": True, "redirect": url_for("projects.show", instance_id=instance_id)}


@bp.post("/<int:task_id>/rules")
@login_required
def rules(task_id: int) -> Any:
    """The form's cross-field rules over the typed values, for marking them while the person types."""
    return {"errors": get_engine().rule_errors(task_id, _json_body(), actor=current_principal())}


@bp.post("/<int:task_id>/draft")
@login_required
def draft(task_id: int) -> Any:
    try:
        saved = get_engine().save_draft(task_id, _json_body(), actor=current_principal())
    except ConflictError as exc:
        return _conflict_answer(exc)
    at = format_datetime(china_now())
    return {"ok": True, "message": t("task.draft_saved", at=at), "draft": saved.draft}


# --------------------------------------------------------------------------- hand-over buttons


def _back(task_id: int) -> Any:
    return redirect(local_target(request.form.get("next"), url_for("tasks.show", task_id=task_id)))


def _colleague(field: str) -> str:
    username = (request.form.get(field) or "").strip()
    if not username:
        abort(400, description=t("task.choose"))
    return username


@bp.post("/<int:task_id>/<action>")
@login_required
def act(task_id: int, action: str) -> Any:
    principal = current_principal()
    engine = get_engine()
    try:
        if action == "claim":
            task = engine.claim(task_id, actor=principal)
            message = t("task.claimed", name=task.name)
        elif action == "unclaim":
            task = engine.unclaim(task_id, actor=principal)
            message = t("task.unclaimed", name=task.name)
        elif action == "assign":
            who = _colleague("assignee")
            engine.assign(task_id, who, actor=principal)
            message = t("task.assigned", who=_display_name(who))
        elif action == "delegate":
            who = _colleague("to")
            engine.delegate(task_id, who, actor=principal)
            message = t("task.delegated", who=_display_name(who))
        elif action == "take-back":
            task = engine.take_back(task_id, actor=principal)
            message = t("task.taken_back", name=task.name)
        else:
            abort(404)
    except ConflictError as exc:
        flash(_conflict_answer(exc)[0]["message"], "error")
        return _back(task_id)
    except (PermissionDeniedError, NotFoundError):
        raise
    except ServflowError as exc:
        flash(exc.message, "error")
        return _back(task_id)
    flash(message, "success")
    return _back(task_id)


def _systems_next(engine: Engine, instance_id: int) -> str:
    """What the project waits for when no person acts next: the other systems' work (核对预算指标 …)."""
    waiting = engine.read(incidents.waiting_on_systems, instance_id)
    if not waiting:
        return ""
    return t("task.waiting_systems", names="、".join(dict.fromkeys(row.name for row in waiting)))
