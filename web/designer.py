"""The process designer's workspace: list, model, validate, deploy, compare, roll back, import, export.

Every page and endpoint is scoped to one locality in the URL; only that locality's designers (and
admins) may use it. A designer sees the locality's own versions and the ones it inherits from its
ancestors (which it forks by deploying an edited copy), never another locality's.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from lxml import etree

from engine import definitions
from engine.definitions import workspace
from engine.definitions.validation import ValidationReport
from engine.formats.bundles import MAX_FILE_BYTES, is_bundle_file, read_zip
from engine.formats.xmlsafe import parse_xml
from engine.identity.localities import get_locality, locality_codes
from engine.identity.roles import ROLES
from engine.identity.users import Principal
from engine.queries import designs
from engine.spiff.parsing import BPMN_NS, classify, scenario_process_key
from engine.spiff.scenarios import scenario_file_name
from engine.store.models import ProcessVersion

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .errors import wants_json
from .i18n import t

bp = Blueprint("designer", __name__, url_prefix="/designer")

_PROCESS_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,99}")


def designer_localities(principal: Principal) -> list[str]:
    """Locality codes the person designs for: their designer grants, or every locality for admins."""
    if principal.is_admin:
        return get_engine().read(locality_codes)
    return sorted({g.locality for g in principal.grants if g.role == "designer"})


def require_designer(locality: str) -> str:
    """The locality's code if the signed-in person may design for it; 403 otherwise."""
    principal = current_principal()
    code = get_engine().read(get_locality, locality).code
    if not (principal.is_admin or principal.has_role("designer", code)):
        abort(403, description=t("designer.forbidden"))
    return code


@bp.get("/")
@login_required
def index() -> Any:
    mine = designer_localities(current_principal())
    if not mine:
        abort(403, description=t("designer.forbidden"))
    locality = request.args.get("locality") or mine[0]
    code = require_designer(locality)
    processes = get_engine().read(workspace.visible_processes, code)
    return render_template("designer/index.html", locality=code, localities=mine, processes=processes)


@bp.get("/<locality>/process/<key>")
@login_required
def edit(locality: str, key: str) -> Any:
    code = require_designer(locality)
    opened = get_engine().read(designs.editing, key, code)
    version = opened.version
    return _modeler_page(code, key, version.name or key, version.source_file, opened.source, opened.files, version)


@bp.get("/<locality>/new")
@login_required
def new(locality: str) -> Any:
    code = require_designer(locality)
    key = request.args.get("key", "").strip()
    name = request.args.get("name", "").strip() or key
    if not _PROCESS_KEY.fullmatch(key):
        flash(t("designer.bad_key"), "error")
        return redirect(url_for("designer.index", locality=code))
    files = get_engine().read(definitions.effective_files, code)
    source = render_template("designer/new_process.bpmn", key=key, name=name)
    return _modeler_page(code, key, name, f"{key}.bpmn", source, files, None)


def _modeler_page(
    code: str, key: str, name: str, file: str, source: str, files: dict[str, str], version: ProcessVersion | None
) -> str:
    kinds = {n: _kind(n, text) for n, text in files.items()}
    data = {
        "locality": code,
        "key": key,
        "file": file,
        "bpmn": source,
        "forms": {n: text for n, text in sorted(files.items()) if kinds[n] == "form"},
        "dmn": {n: text for n, text in sorted(files.items()) if kinds[n] == "dmn"},
        "scenarioFile": scenario_file_name(key),
        "scenarios": files.get(scenario_file_name(key), ""),
        "roles": [role.zh for role in ROLES],
        "urls": {
            "validate": url_for("designer.validate", locality=code),
            "deploy": url_for("designer.deploy", locality=code),
            "versions": url_for("designer.versions", locality=code, key=key),
        },
    }
    return render_template("designer/modeler.html", locality=code, key=key, name=name, version=version, data=data)


def _kind(name: str, text: str) -> str:
    """'scenarios', 'form', 'bpmn' or 'dmn' for a file of a deployed (hence well-formed) bundle."""
    if scenario_process_key(name):
        return "scenarios"
    if classify(name, text.encode("utf-8")) == "form":
        return "form"
    return "bpmn" if etree.QName(parse_xml(text, name).getroot()).namespace == BPMN_NS else "dmn"


def _posted_files() -> dict[str, bytes]:
    body = request.get_json(silent=True)
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, dict) or not files:
        abort(400, description=t("designer.no_files"))
    if not all(isinstance(n, str) and isinstance(v, str) for n, v in files.items()):
        abort(400, description=t("designer.no_files"))
    return {name: text.encode("utf-8") for name, text in files.items()}


@bp.post("/<locality>/validate")
@login_required
def validate(locality: str) -> Any:
    code = require_designer(locality)
    files = _posted_files()
    return get_engine().read(workspace.check, code, files).to_dict()


@bp.post("/<locality>/deploy")
@login_required
def deploy(locality: str) -> Any:
    code = require_designer(locality)
    files = _posted_files()
    body = request.get_json(silent=True) or {}
    comment = str(body.get("comment") or "")[:500]
    outcome = _checked_deploy(code, files, comment, acknowledged=body.get("acknowledge") is True)
    if outcome.result is None:
        return _refusal(outcome.report), 422
    return _deployed(outcome.result)


def _checked_deploy(
    code: str, files: dict[str, bytes], comment: str, *, acknowledged: bool = False
) -> workspace.CheckedDeploy:
    """Validate and deploy in one transaction; a refused bundle writes nothing (the check only reads)."""
    return get_engine().write(
        workspace.checked_deploy, code, files, current_principal().username, comment, acknowledged=acknowledged
    )


def _refusal(report: ValidationReport) -> dict[str, Any]:
    if report.deployable:  # only other processes' scenarios fail: the designer may acknowledge them
        message = t("designer.acknowledge", count=len(report.scenario_warnings))
    else:
        message = t("designer.refused", errors=len(report.errors), scenarios=len(report.failed_scenarios))
    return {"code": "invalid_definition", "message": message, "errors": {}, **report.to_dict()}


def _deployed(result: definitions.DeployResult) -> dict[str, Any]:
    return {
        "ok": True,
        "created": [{"process": key, "version": number} for key, number in result.created],
        "unchanged": result.unchanged,
        "deployment_id": result.deployment_id,
        "message": _deployed_message(result),
    }


def _deployed_message(result: definitions.DeployResult) -> str:
    if not result.created:
        return t("designer.unchanged")
    return t("designer.deployed", versions="、".join(f"{k} v{n}" for k, n in result.created))


@bp.get("/<locality>/process/<key>/versions")
@login_required
def versions(locality: str, key: str) -> Any:
    code = require_designer(locality)
    found = get_engine().read(designs.history, key, code)
    if not found.versions:
        abort(404, description=t("designer.no_versions"))
    return render_template(
        "designer/versions.html", locality=code, key=key, versions=found.versions, comments=found.comments
    )


@bp.get("/<locality>/process/<key>/diff")
@login_required
def diff(locality: str, key: str) -> Any:
    code = require_designer(locality)
    try:
        a, b = int(request.args["a"]), int(request.args["b"])
    except (KeyError, ValueError):
        abort(400, description=t("designer.pick_two"))
    found = get_engine().read(designs.comparison, a, b, key, code)
    if found is None:
        abort(404)
    return render_template(
        "designer/diff.html", locality=code, key=key, old=found.old, new=found.new, diff=found.changes
    )


@bp.get("/<locality>/versions/<int:version_id>.bpmn")
@login_required
def download_bpmn(locality: str, version_id: int) -> Any:
    code = require_designer(locality)
    version, source = get_engine().read(designs.version_source, version_id, code)
    name = f"{version.process_key}-{version.locality_code}-v{version.version}.bpmn"
    return _attachment(source.encode("utf-8"), name, "application/xml")


@bp.get("/<locality>/versions/<int:version_id>.zip")
@login_required
def download_zip(locality: str, version_id: int) -> Any:
    code = require_designer(locality)
    version, files = get_engine().read(designs.deployment_files, version_id, code)
    return _attachment(
        _zip(files), f"deployment-{version.locality_code}-{version.deployment_id}.zip", "application/zip"
    )


@bp.get("/<locality>/export.zip")
@login_required
def export(locality: str) -> Any:
    code = require_designer(locality)
    files = get_engine().read(definitions.effective_files, code)
    if not files:
        abort(404, description=t("designer.no_versions"))
    return _attachment(_zip(files), f"servflow-{code}.zip", "application/zip")


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text)
    return buffer.getvalue()


def _attachment(content: bytes, name: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/<locality>/versions/<int:version_id>/rollback")
@login_required
def rollback(locality: str, version_id: int) -> Any:
    code = require_designer(locality)
    version, files = get_engine().read(designs.rollback_files, version_id, code)
    comment = t("designer.rollback_comment", version=version.version, locality=version.locality_code)
    outcome = _checked_deploy(code, files, comment, acknowledged=True)  # back to what once ran: warnings noted
    return _finish_form_deploy(outcome, url_for("designer.versions", locality=code, key=version.process_key))


@bp.post("/<locality>/import")
@login_required
def import_bundle(locality: str) -> Any:
    code = require_designer(locality)
    uploads = [f for f in request.files.getlist("file") if f and f.filename]
    if not uploads:
        abort(400, description=t("designer.no_files"))
    files: dict[str, bytes] = {}
    for upload in uploads:
        name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]
        content = upload.read(MAX_FILE_BYTES * 10 + 1)
        if name.lower().endswith(".zip"):
            files.update(read_zip(content, source=name))
        elif is_bundle_file(name):
            files[name] = content
        else:
            abort(400, description=t("designer.bad_upload", name=name))
    comment = str(request.form.get("comment") or t("designer.import_comment"))[:500]
    outcome = _checked_deploy(code, files, comment)
    return _finish_form_deploy(outcome, url_for("designer.index", locality=code))


def _finish_form_deploy(outcome: workspace.CheckedDeploy, back: str) -> Any:
    """JSON for scripts, else a redirect with a message (or the problem list when refused)."""
    if outcome.result is None:
        if wants_json():
            return _refusal(outcome.report), 422
        return render_template("designer/refused.html", report=outcome.report, back=back), 422
    if wants_json():
        return _deployed(outcome.result)
    flash(_deployed_message(outcome.result), "success")
    return redirect(back)
