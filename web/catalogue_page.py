"""The guidance catalogue in the browser (/catalogue/): everyone signed in looks a locality's catalogue up —
its own items and those it inherits — by code, name or year; its finance bureau (finance reviewers and
managers of that locality) and administrators add, edit, end and import items, and delete one entered by
mistake that no project named.

The rules are the engine's (``engine.catalogue.keeping``), the same as the API's.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.calendars.deadlines import local_date
from engine.catalogue import entries, keeping
from engine.errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from engine.formats.catalogue_sheet import MAX_SHEET_BYTES, read_catalogue_sheet
from engine.identity.localities import REGION, locality_codes

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import t

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")
ROW_KEY = re.compile(r"^row (\d+): (\w+)$")


def _home_locality() -> str:
    """The locality a person's catalogue page opens on: where their first grant is, else the region."""
    grants = current_principal().grants
    return grants[0].locality if grants else REGION


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _form() -> dict[str, str]:
    return {name: (request.form.get(name) or "").strip() for name in entries.FIELDS}


def error_lines(errors: dict[str, list[str]]) -> list[str]:
    """An import's refusals as people read them: 第3行 · 目录编码：…, never the field's code."""
    lines = []
    for key, messages in errors.items():
        found = ROW_KEY.match(key)
        where = t("cat.row", row=found.group(1)) + " · " + t(f"cat.field.{found.group(2)}") if found else ""
        lines.extend(t("cat.error_line", where=where, message=m) if where else m for m in messages)
    return lines


def _page(errors: dict[str, list[str]] | None = None, form: dict[str, str] | None = None, status: int = 200) -> Any:
    engine = get_engine()
    locality = (request.values.get("locality") or "").strip() or _home_locality()
    text = (request.args.get("q") or "").strip()[:100] or None
    year_text = (request.args.get("year") or "").strip()
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    try:
        rows = engine.read(entries.listing, locality, text=text, year=year)
    except NotFoundError:
        locality, rows = REGION, engine.read(entries.listing, REGION, text=text, year=year)
    errors = errors or {}
    page = render_template(
        "catalogue/index.html",
        rows=rows,
        localities=engine.read(locality_codes),
        locality=locality,
        text=text or "",
        year=year,
        this_year=local_date(engine.clock()).year,
        may_keep=engine.read(keeping.may_keep, current_principal(), locality),
        errors=errors,
        import_errors=error_lines({k: v for k, v in errors.items() if k.startswith("row ") or k == "file"}),
        form=form or {},
        fields=entries.FIELDS,
    )
    return page, status


@bp.get("/")
@login_required
def index() -> Any:
    return _page()


@bp.post("/")
@login_required
def add() -> Any:
    form = _form()
    locality = (request.form.get("locality") or "").strip()
    engine = get_engine()
    try:
        entry = engine.write(keeping.add, current_principal(), locality, form, now=engine.clock())
    except InvalidDataError as exc:
        flash(t("cat.fix_errors"), "error")
        return _page(exc.errors, form, 422)
    flash(t("cat.added", code=entry.code, name=entry.name), "success")
    return redirect(url_for("catalogue.index", locality=entry.locality_code))


@bp.post("/import")
@login_required
def import_sheet() -> Any:
    principal = current_principal()
    locality = (request.form.get("locality") or "").strip()
    engine = get_engine()
    if not engine.read(keeping.may_keep, principal, locality or REGION):  # before reading the upload
        raise PermissionDeniedError(t("cat.may_not"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(t("cat.choose_file"), "error")
        return _page({"file": [t("cat.choose_file")]}, status=422)
    try:
        rows = read_catalogue_sheet(upload.read(MAX_SHEET_BYTES + 1), upload.filename)
        result = engine.write(keeping.import_rows, principal, locality, rows, now=engine.clock())
    except InvalidDataError as exc:
        flash(exc.message, "error")
        return _page(exc.errors, status=422)
    flash(t("cat.imported", added=len(result.added), updated=len(result.updated)), "success")
    return redirect(url_for("catalogue.index", locality=locality))


@bp.get("/<int:entry_id>")
@login_required
def edit(entry_id: int) -> Any:
    return _edit_page(entry_id)


@bp.post("/<int:entry_id>")
@login_required
def change(entry_id: int) -> Any:
    form = _form()
    engine = get_engine()
    try:
        entry = engine.write(keeping.change, current_principal(), entry_id, form, now=engine.clock())
    except InvalidDataError as exc:
        flash(t("cat.fix_errors"), "error")
        return _edit_page(entry_id, exc.errors, form, 422)
    flash(t("cat.changed", code=entry.code), "success")
    return redirect(url_for("catalogue.index", locality=entry.locality_code))


@bp.post("/<int:entry_id>/end")
@login_required
def end(entry_id: int) -> Any:
    until = (request.form.get("until_year") or "").strip()
    engine = get_engine()
    try:
        entry = engine.write(keeping.end, current_principal(), entry_id, until, now=engine.clock())
    except InvalidDataError as exc:
        flash(t("cat.fix_errors"), "error")
        return _edit_page(entry_id, exc.errors, status=422)
    flash(t("cat.ended", code=entry.code, year=entry.until_year), "success")
    return redirect(url_for("catalogue.index", locality=entry.locality_code))


@bp.post("/<int:entry_id>/delete")
@login_required
def delete(entry_id: int) -> Any:
    engine = get_engine()
    entry = engine.read(entries.get_entry, entry_id)
    try:
        engine.write(keeping.delete, current_principal(), entry_id, now=engine.clock())
    except ConflictError as exc:
        flash(exc.message, "error")
        return _edit_page(entry_id, status=409)
    flash(t("cat.deleted", code=entry.code), "success")
    return redirect(url_for("catalogue.index", locality=entry.locality_code))


def _edit_page(
    entry_id: int, errors: dict[str, list[str]] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Any:
    engine = get_engine()
    entry = engine.read(entries.get_entry, entry_id)
    values = form or {name: _shown(getattr(entry, name)) for name in entries.FIELDS}
    page = render_template(
        "catalogue/edit.html",
        entry=entry,
        form=values,
        errors=errors or {},
        uses=engine.read(entries.use_count, entry_id),
        may_keep=engine.read(keeping.may_keep, current_principal(), entry.locality_code),
        this_year=local_date(engine.clock()).year,
        fields=entries.FIELDS,
    )
    return page, status
