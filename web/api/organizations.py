"""The register of organizations: finance bureaus, purchasing departments, agents, providers, evaluators.

Anyone signed in reads it (the parties of public procurement are public); managers keep it for their
locality and the places below, administrators everywhere. A sheet imports all rows or none, each wrong
row named with its field.
"""

from __future__ import annotations

from typing import Any

from engine.errors import PermissionDeniedError
from engine.formats.organization_sheet import MAX_SHEET_BYTES, read_organization_sheet
from engine.identity import access, organizations, registry_admin
from engine.store.models import Organization

from ..engine_ext import get_engine
from .common import blueprint, me
from .schemas import (
    MAX_ID,
    MemberSchema,
    MembersSchema,
    OrganizationQuery,
    OrganizationSchema,
    OrganizationSheetSchema,
)

bp = blueprint("organizations", "/organizations", "The register of organizations and their people.")
ORGANIZATION_URL = f"/<int(max={MAX_ID}):organization_id>"


@bp.route("", methods=["GET"])
@bp.arguments(OrganizationQuery, location="query")
@bp.response(200, OrganizationSchema(many=True))
def list_organizations(args: dict[str, Any]) -> list[Organization]:
    """Active organizations, by locality and name; filter by locality (code or name) and kind."""
    me()
    return get_engine().read(organizations.list_organizations, args.get("locality"), args.get("kind"))


@bp.route("", methods=["POST"])
@bp.arguments(OrganizationSchema)
@bp.response(201, OrganizationSchema)
def register(args: dict[str, Any]) -> Organization:
    """Register an organization (managers of its locality or above); the credit code is checked."""
    return get_engine().write(
        registry_admin.register,
        me(),
        kind=args["kind"],
        locality=args["locality_code"],
        name=args["name"],
        credit_code=args["credit_code"],
    )


@bp.route("/import", methods=["POST"])
@bp.arguments(OrganizationSheetSchema, location="files")
@bp.response(201, OrganizationSchema(many=True))
def import_sheet(files: dict[str, Any]) -> list[Organization]:
    """Import a CSV or .xlsx sheet of organizations: every row right, or nothing imported."""
    principal = me()
    if not access.may_anywhere(principal, registry_admin.ACTION):  # before reading the upload
        raise PermissionDeniedError("你不能登记机构 / you may not register organizations")
    upload = files["file"]
    rows = read_organization_sheet(upload.read(MAX_SHEET_BYTES + 1), upload.filename or "")
    return get_engine().write(registry_admin.import_rows, principal, rows)


@bp.route(f"{ORGANIZATION_URL}/members", methods=["GET"])
@bp.response(200, MembersSchema)
def list_members(organization_id: int) -> dict[str, Any]:
    me()
    found, usernames = get_engine().read(registry_admin.members, organization_id)
    return {"organization": found, "members": usernames}


@bp.route(f"{ORGANIZATION_URL}/members", methods=["POST"])
@bp.arguments(MemberSchema)
@bp.response(200, MembersSchema)
def add_member(args: dict[str, Any], organization_id: int) -> dict[str, Any]:
    """Make a person a member of the organization (managers of its locality or above)."""
    get_engine().write(registry_admin.add_member, me(), organization_id, args["username"])
    found, usernames = get_engine().read(registry_admin.members, organization_id)
    return {"organization": found, "members": usernames}


@bp.route(f"{ORGANIZATION_URL}/members/<string(maxlength=100):username>", methods=["DELETE"])
@bp.response(200, MembersSchema)
@bp.alt_response(409, description="the person still holds open tasks of this organization")
def remove_member(organization_id: int, username: str) -> dict[str, Any]:
    """Take a person out of the organization (managers of its locality or above); refused while they hold
    one of its open tasks."""
    get_engine().write(registry_admin.remove_member, me(), organization_id, username)
    found, usernames = get_engine().read(registry_admin.members, organization_id)
    return {"organization": found, "members": usernames}


@bp.route(ORGANIZATION_URL, methods=["DELETE"])
@bp.response(200, OrganizationSchema)
@bp.alt_response(409, description="the organization still holds open tasks")
def deactivate(organization_id: int) -> Organization:
    """Take the organization off the register (kept for the projects and records that name it); refused
    while it holds open tasks."""
    return get_engine().write(registry_admin.deactivate, me(), organization_id)
