"""The provider registry in the browser (承接主体名录): look a provider up with its qualifications, credit
record, blacklist history and won projects; finance reviewers and managers record a qualification,
blacklist a provider for a period or lift a ban. A provider's people see their own entry only.

The rules are the engine's (``engine.registry``), the same as the API's.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.calendars.deadlines import local_date
from engine.errors import InvalidDataError
from engine.identity.localities import locality_codes
from engine.registry import credit, directory

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import t

bp = Blueprint("providers", __name__, url_prefix="/providers")
BAN_FIELDS = ("reason", "source", "starts_on", "ends_on")
QUALIFICATION_FIELDS = ("name", "number", "valid_from", "valid_until")


def _today() -> Any:
    return local_date(get_engine().clock())


@bp.get("/")
@login_required
def index() -> Any:
    engine = get_engine()
    locality = (request.args.get("locality") or "").strip() or None
    q = (request.args.get("q") or "").strip()[:200] or None
    banned = {"yes": True, "no": False}.get(request.args.get("banned") or "")
    try:
        rows = engine.read(
            directory.list_providers, current_principal(), _today(), locality=locality, q=q, banned=banned
        )
    except InvalidDataError:
        rows = []
    return render_template(
        "providers/index.html",
        rows=rows,
        localities=engine.read(locality_codes),
        chosen={"locality": locality or "", "q": q or "", "banned": request.args.get("banned") or ""},
    )


@bp.get("/<int:organization_id>")
@login_required
def show(organization_id: int) -> Any:
    return _entry_page(organization_id)


def _entry_page(
    organization_id: int, errors: dict[str, dict[str, list[str]]] | None = None, forms: dict[str, Any] | None = None
) -> Any:
    entry = get_engine().read(directory.provider_entry, current_principal(), organization_id, _today())
    page = render_template("providers/show.html", entry=entry, errors=errors or {}, forms=forms or {})
    return page, 422 if errors else 200


@bp.post("/<int:organization_id>/blacklist")
@login_required
def add_ban(organization_id: int) -> Any:
    form = _form(BAN_FIELDS)
    return _write(organization_id, "ban", form, t("prov.banned_done"), credit.add_ban, organization_id, **form)


@bp.post("/<int:organization_id>/qualifications")
@login_required
def add_qualification(organization_id: int) -> Any:
    form = _form(QUALIFICATION_FIELDS)
    done = t("prov.qualification_done", name=form["name"])
    return _write(organization_id, "qualification", form, done, credit.add_qualification, organization_id, **form)


@bp.post("/<int:organization_id>/blacklist/<int:entry_id>/lift")
@login_required
def lift_ban(organization_id: int, entry_id: int) -> Any:
    form = _form(("reason",))
    return _write(organization_id, f"lift-{entry_id}", form, t("prov.lifted_done"), credit.lift_ban, entry_id, **form)


def _form(names: tuple[str, ...]) -> dict[str, str]:
    return {name: (request.form.get(name) or "").strip() for name in names}


def _write(
    organization_id: int, form_name: str, form: dict[str, str], done: str, command: Any, *args: Any, **kw: Any
) -> Any:
    """Run a registry write; a refused field is shown on the form it came from, with what was typed."""
    engine = get_engine()
    try:
        engine.write(command, current_principal(), *args, now=engine.clock(), **kw)
    except InvalidDataError as exc:
        flash(t("org.fix_errors"), "error")
        return _entry_page(organization_id, {form_name: exc.errors}, {form_name: form})
    flash(done, "success")
    return redirect(url_for("providers.show", organization_id=organization_id))
