"""Operations (/operations/): the incidents of the projects a manager oversees, and what to do about them.

Administrators see every locality's, a locality's managers theirs and the ones below
(``incident.manage``). Each incident can be retried (its task offered again), retried after correcting
variables the failed step reads (a JSON object, refused with the reason when it is not one), or given up
by cancelling its project with a reason. The rules are the engine's, the same as the API's.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.commands.external_tasks import RESERVED
from engine.errors import InvalidDataError, InvalidStateError
from engine.queries import incidents
from engine.queries.incidents import IncidentFilter

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import t
from .redirects import local_target

bp = Blueprint("operations", __name__, url_prefix="/operations")
STATES = ("open", "resolved", "all")


def _filter() -> IncidentFilter:
    state = request.args.get("state", "open")
    return IncidentFilter(
        state=state if state in STATES else "open",
        locality=(request.args.get("locality") or "").strip() or None,
        process=(request.args.get("process") or "").strip() or None,
        error=(request.args.get("error") or "").strip()[:200] or None,
    )


@bp.get("/")
@login_required
def index() -> Any:
    wanted = _filter()
    engine = get_engine()
    principal = current_principal()
    rows = engine.read(incidents.incident_list, principal, wanted)
    localities, processes = engine.read(incidents.filter_choices, principal)
    return render_template(
        "operations/index.html",
        rows=rows,
        editable=_editable,
        wanted=wanted,
        localities=localities,
        processes=processes,
        states=STATES,
    )


def _editable(variables: dict[str, Any] | None) -> dict[str, Any]:
    """The variables a person may correct (servflow's own, such as the locality, are not theirs to change)."""
    return {name: value for name, value in (variables or {}).items() if name not in RESERVED}


def _back() -> Any:
    return redirect(local_target(request.form.get("next"), url_for("operations.index")))


def _variables() -> dict[str, Any] | None:
    text = (request.form.get("variables") or "").strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        message = t("ops.variables_not_json", reason=str(exc))
        raise InvalidDataError(message, errors={"variables": [message]}) from None
    if not isinstance(value, dict):
        message = t("ops.variables_not_object")
        raise InvalidDataError(message, errors={"variables": [message]})
    return value


@bp.post("/incidents/<int:incident_id>/retry")
@login_required
def retry(incident_id: int) -> Any:
    try:
        retries = int(request.form.get("retries") or 1)
        get_engine().retry_incident(incident_id, retries=retries, variables=_variables(), actor=current_principal())
    except ValueError:
        flash(t("ops.retries_number"), "error")
        return _back()
    except (InvalidDataError, InvalidStateError) as exc:
        flash(t("ops.not_retried", id=incident_id, reason=exc.message), "error")
        return _back()
    flash(t("ops.retried", id=incident_id), "success")
    return _back()


@bp.post("/incidents/<int:incident_id>/cancel")
@login_required
def cancel(incident_id: int) -> Any:
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash(t("ops.reason_needed"), "error")
        return _back()
    try:
        get_engine().cancel_incident(incident_id, reason=reason[:500], actor=current_principal())
    except InvalidStateError as exc:
        flash(t("ops.not_cancelled", id=incident_id, reason=exc.message), "error")
        return _back()
    flash(t("ops.cancelled", id=incident_id), "success")
    return _back()
