"""The register of organizations in the browser: everyone signed in looks organizations up; managers of a
locality register one with its 统一社会信用代码 or import a sheet (all rows or none, every wrong row shown).

The rules are the engine's (``engine.identity.registry_admin``), the same as the API's.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import ConflictError, InvalidDataError, PermissionDeniedError
from engine.formats.organization_sheet import MAX_SHEET_BYTES, read_organization_sheet
from engine.identity import access, kinds, organizations, registry_admin
from engine.identity.localities import locality_codes

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import current_language, t

bp = Blueprint("organizations", __name__, url_prefix="/organizations")


def kind_label(code: str) -> str:
    kind = kinds.BY_CODE.get(code)
    if kind is None:
        return code
    return kind.zh if current_language() == "zh" else kind.en


def _page(errors: dict[str, list[str]] | None = None, form: dict[str, str] | None = None, status: int = 200) -> Any:
    principal = current_principal()
    locality = (request.args.get("locality") or "").strip() or None
    kind = (request.args.get("kind") or "").strip() or None
    engine = get_engine()
    try:
        rows = engine.read(organizations.list_organizations, locality, kind)
    except InvalidDataError:
        rows, kind = [], None
    return (
        render_template(
            "organizations/index.html",
            rows=rows,
            kinds=kinds.KINDS,
            kind_label=kind_label,
            localities=engine.read(locality_codes),
            chosen_locality=locality,
            chosen_kind=kind,
            may_manage=access.may_anywhere(principal, registry_admin.ACTION),
            errors=errors or {},
            form=form or {},
        ),
        status,
    )


@bp.get("/")
@login_required
def index() -> Any:
    return _page()


@bp.post("/")
@login_required
def register() -> Any:
    form = {name: (request.form.get(name) or "").strip() for name in ("kind", "locality", "name", "credit_code")}
    try:
        created = get_engine().write(
            registry_admin.register,
            current_principal(),
            kind=form["kind"],
            locality=form["locality"],
            name=form["name"],
            credit_code=form["credit_code"] or None,
        )
    except InvalidDataError as exc:
        flash(t("org.fix_errors"), "error")
        return _page(exc.errors, form, 422)
    flash(t("org.registered", name=created.name), "success")
    return redirect(url_for("organizations.index", locality=created.locality_code))


@bp.post("/import")
@login_required
def import_sheet() -> Any:
    principal = current_principal()
    if not access.may_anywhere(principal, registry_admin.ACTION):
        raise PermissionDeniedError(t("org.may_not"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(t("org.choose_file"), "error")
        return _page({"file": [t("org.choose_file")]}, status=422)
    try:
        rows = read_organization_sheet(upload.read(MAX_SHEET_BYTES + 1), upload.filename)
        created = get_engine().write(registry_admin.import_rows, principal, rows)
    except InvalidDataError as exc:
        flash(exc.message, "error")
        return _page(exc.errors, status=422)
    flash(t("org.imported", count=len(created)), "success")
    return redirect(url_for("organizations.index"))


@bp.get("/<int:organization_id>")
@login_required
def show(organization_id: int) -> Any:
    return _members_page(organization_id)


def _members_page(organization_id: int, errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    principal = current_principal()
    engine = get_engine()
    found, usernames = engine.read(registry_admin.members, organization_id)
    may_manage = engine.read(access.allowed, principal, registry_admin.ACTION, found.locality_code)
    page = render_template(
        "organizations/show.html",
        organization=found,
        members=usernames,
        kind_label=kind_label,
        may_manage=may_manage,
        errors=errors or {},
    )
    return page, status


@bp.post("/<int:organization_id>/members")
@login_required
def add_member(organization_id: int) -> Any:
    username = (request.form.get("username") or "").strip()
    try:
        get_engine().write(registry_admin.add_member, current_principal(), organization_id, username)
    except InvalidDataError as exc:
        flash(t("org.fix_errors"), "error")
        return _members_page(organization_id, exc.errors, 422)
    flash(t("org.member_added", user=username), "success")
    return redirect(url_for("organizations.show", organization_id=organization_id))


@bp.post("/<int:organization_id>/members/remove")
@login_required
def remove_member(organization_id: int) -> Any:
    username = (request.form.get("username") or "").strip()
    return _change(organization_id, registry_admin.remove_member, username, done=t("org.member_removed", user=username))


@bp.post("/<int:organization_id>/deactivate")
@login_required
def deactivate(organization_id: int) -> Any:
    return _change(organization_id, registry_admin.deactivate, done=t("org.deactivated"))


def _change(organization_id: int, command: Any, *args: Any, done: str) -> Any:
    """Run a change of the register; a refusal (holds open tasks) is shown on the organization's page."""
    try:
        get_engine().write(command, current_principal(), organization_id, *args)
    except (ConflictError, InvalidDataError) as exc:
        flash(str(exc), "error")
        return _members_page(
            organization_id, getattr(exc, "errors", None), 409 if isinstance(exc, ConflictError) else 422
        )
    flash(done, "success")
    return redirect(url_for("organizations.show", organization_id=organization_id))
