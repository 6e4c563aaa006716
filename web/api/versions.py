"""Process versions: list, read one and its BPMN, deploy a bundle, validate a bundle without deploying.

A bundle arrives as one multipart file: a ``.bpmn``/``.dmn``/``.form.json`` file or a ``.zip`` of them.
Zips are checked for path traversal and bombs, XML for entity declarations, and every script and
condition passes the script sandbox's check before anything is stored.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from flask import Response
from sqlalchemy import select

from engine.definitions import validation
from engine.definitions.versions import source_of
from engine.errors import DefinitionError, NotFoundError, PermissionDeniedError, UnsafeInputError
from engine.formats.bundles import MAX_BUNDLE_BYTES, is_bundle_file, read_zip
from engine.identity import access
from engine.store.models import ProcessVersion

from ..engine_ext import get_engine
from .common import blueprint, locality_code, me, reading
from .schemas import (
    MAX_ID,
    DeployForm,
    DeployResultSchema,
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
    principal = me()
    with reading() as session:
        codes = access.readable_definition_localities(session, principal)
        query = select(ProcessVersion).where(access.in_localities(ProcessVersion.locality_code, codes))
        if args.get("locality"):
            query = query.where(ProcessVersion.locality_code == args["locality"])
        if args.get("key"):
            query = query.where(ProcessVersion.process_key == args["key"])
        query = query.order_by(ProcessVersion.process_key, ProcessVersion.locality_code, ProcessVersion.version)
        return list(session.scalars(query.limit(1000)))


def _readable_version(session: Any, version_id: int) -> ProcessVersion:
    version = session.get(ProcessVersion, version_id)
    codes = access.readable_definition_localities(session, me())
    if version is None or (codes is not None and version.locality_code not in codes):
        raise NotFoundError(f"process version {version_id} does not exist")
    return version


@bp.route(f"/<int(max={MAX_ID}):version_id>", methods=["GET"])
@bp.response(200, VersionSchema)
def get_version(version_id: int) -> ProcessVersion:
    with reading() as session:
        return _readable_version(session, version_id)


@bp.route(f"/<int(max={MAX_ID}):version_id>/xml", methods=["GET"])
@bp.response(200, content_type="application/xml", description="the BPMN XML the version was deployed from")
def get_version_xml(version_id: int) -> Response:
    with reading() as session:
        version = _readable_version(session, version_id)
        xml = source_of(session, version)
    return Response(xml, mimetype="application/xml")


def _bundle(upload: Any) -> dict[str, bytes]:
    """The uploaded file as a bundle: a zip unpacked (checked), any other file under its bare name."""
    content = upload.read(MAX_BUNDLE_BYTES + 1)
    if len(content) > MAX_BUNDLE_BYTES:
        raise UnsafeInputError(f"upload is larger than the limit of {MAX_BUNDLE_BYTES:,} bytes", file=upload.filename)
    name = PurePosixPath((upload.filename or "upload").replace("\\", "/")).name or "upload"
    if name.lower().endswith(".zip") or content.startswith(b"PK\x03\x04"):
        return read_zip(content, source=name)
    if not is_bundle_file(name):
        raise DefinitionError("not a .bpmn, .dmn, .form(.json) or .zip file", file=name)
    return {name: content}


def _refuse_unsafe_code(files: dict[str, bytes]) -> None:
    """Deploy never stores a script or condition the sandbox would refuse at run time."""
    report = validation.validate_bundle(files, scenarios=False)
    unsafe = [p for p in report.problems if p.code == "expression" and p.severity == validation.ERROR]
    if unsafe:
        first = unsafe[0]
        raise DefinitionError(first.en, file=first.file, element_id=first.element_id)


@bp.route("", methods=["POST"])
@bp.arguments(DeployForm, location="form")
@bp.arguments(UploadSchema, location="files")
@bp.response(201, DeployResultSchema, description="new versions were created")
@bp.alt_response(200, schema=DeployResultSchema, description="nothing changed: every process was already deployed")
def deploy(form: dict[str, Any], files: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Deploy a bundle to a locality (its designers and administrators only)."""
    principal = me()
    with reading() as session:
        code = locality_code(session, form["locality"])
        if not access.allowed(session, principal, "definition.deploy", code):
            raise PermissionDeniedError(f"you may not deploy to locality {code}")
    bundle = _bundle(files["file"])
    _refuse_unsafe_code(bundle)
    result = get_engine().deploy(bundle, code, deployed_by=principal.username, comment=form["comment"])
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
