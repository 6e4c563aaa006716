"""Process versions: list, read one and its BPMN, deploy a bundle, validate a bundle without deploying.

A bundle arrives as one multipart file: a ``.bpmn``/``.dmn``/``.form.json`` file or a ``.zip`` of them.
Zips are checked for path traversal and bombs, XML for entity declarations, and every script and
condition passes the script sandbox's check before anything is stored.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from flask import Response

from engine.definitions import validation
from engine.errors import DefinitionError, InputTooLargeError, PermissionDeniedError
from engine.formats.bundles import MAX_BUNDLE_BYTES, is_bundle_file, read_zip
from engine.identity import access
from engine.queries import deployed
from engine.store.models import ProcessVersion

from ..engine_ext import get_engine
from .common import blueprint, me
from .schemas import (
    MAX_ID,
    DeployForm,
    DeployResultSchema,
    DeployUploadSchema,
    UploadSchema,
    ValidationReportSchema,
    VersionQuery,
    VersionSchema,
)

bp = blueprint("versions", "/versions", "Deployed process versions (immutable) and deploying new ones.")


@bp.route("", methods=["GET"])
@bp.arguments(VersionQuery, location="query")
@bp.response(200, VersionSchema(many=True))
def list_versions(args: dict[str, Any]) -> list[ProcessVersion]:
    """Versions the caller may read: their localities', the ones they inherit, and below where they oversee."""
    return get_engine().read(deployed.readable_versions, me(), locality=args.get("locality"), key=args.get("key"))


@bp.route(f"/<int(max={MAX_ID}):version_id>", methods=["GET"])
@bp.response(200, VersionSchema)
def get_version(version_id: int) -> ProcessVersion:
    return get_engine().read(deployed.readable_version, me(), version_id)


@bp.route(f"/<int(max={MAX_ID}):version_id>/xml", methods=["GET"])
@bp.response(200, content_type="application/xml", description="the BPMN XML the version was deployed from")
def get_version_xml(version_id: int) -> Response:
    return Response(get_engine().read(deployed.readable_source, me(), version_id).xml, mimetype="application/xml")


def _bundle(upload: Any) -> dict[str, bytes]:
    """The uploaded file as a bundle: a zip unpacked (checked), any other file under its bare name."""
    content = upload.read(MAX_BUNDLE_BYTES + 1)
    if len(content) > MAX_BUNDLE_BYTES:
        raise InputTooLargeError(f"upload is larger than the limit of {MAX_BUNDLE_BYTES:,} bytes", file=upload.filename)
    name = PurePosixPath((upload.filename or "upload").replace("\\", "/")).name or "upload"
    if name.lower().endswith(".zip") or content.startswith(b"PK\x03\x04"):
        return read_zip(content, source=name)
    if not is_bundle_file(name):
        raise DefinitionError("not a .bpmn, .dmn, .form(.json) or .zip file", file=name)
    return {name: content}


def _one_multipart_body(view: Any) -> Any:
    """Document the file and the form fields as the one multipart body a client sends.

    smorest turns only the first body argument into the request body and would list the others as
    OpenAPI 2 ``formData`` parameters, which OpenAPI 3 does not have: the document would not say that
    ``locality`` is required. Parsing is unchanged (the decorators below).
    """
    arguments = view._apidoc["arguments"]
    kept = [p for p in arguments["parameters"] if p["in"] not in ("form", "files")]
    body = {"in": "files", "required": True, "schema": DeployUploadSchema, "content_type": "multipart/form-data"}
    arguments["parameters"] = [body, *kept]
    return view


@bp.route("", methods=["POST"])
@_one_multipart_body
@bp.arguments(DeployForm, location="form")
@bp.arguments(UploadSchema, location="files")
@bp.response(201, DeployResultSchema, description="new versions were created")
@bp.alt_response(200, schema=DeployResultSchema, description="nothing changed: every process was already deployed")
def deploy(form: dict[str, Any], files: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Deploy a bundle to a locality (its designers and administrators only)."""
    engine = get_engine()
    principal = me()
    engine.read(access.require, principal, "definition.deploy", form["locality"])  # before reading the upload
    result = engine.deploy(_bundle(files["file"]), form["locality"], deployed_by=principal, comment=form["comment"])
    body = {
        "locality": result.locality,
        "deployment_id": result.deployment_id,
        "created": [{"process_key": key, "version": number} for key, number in result.created],
        "unchanged": result.unchanged,
    }
    return body, 201 if result.changed else 200


@bp.route("/validate", methods=["POST"])
@bp.arguments(UploadSchema, location="files")
@bp.response(200, ValidationReportSchema)
def validate(files: dict[str, Any]) -> dict[str, Any]:
    """Every problem of a bundle at once, without deploying (designers and administrators)."""
    if not access.may_anywhere(me(), "definition.validate"):
        raise PermissionDeniedError("only process designers may validate bundles")
    return validation.validate_bundle(_bundle(files["file"])).to_dict()
