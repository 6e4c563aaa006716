"""The guidance catalogue (政府购买服务指导性目录) of each locality: its items and the years they are in effect.

Anyone signed in reads a locality's catalogue — its own items and those it inherits from the places above
it; its finance bureau (finance reviewers and managers of that locality) and administrators add, change,
end and import items, and delete an item no project named. A sheet imports all rows or none, each wrong
row named with its field.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from engine.catalogue import entries, keeping
from engine.errors import InvalidDataError, PermissionDeniedError
from engine.formats.catalogue_sheet import MAX_SHEET_BYTES, read_catalogue_sheet
from engine.store.models import CatalogueEntry

from ..engine_ext import get_engine
from .common import blueprint, me
from .schemas import MAX_ID, Text

bp = blueprint("catalogue", "/catalogue", "The guidance catalogue of each locality.")
ENTRY_URL = f"/<int(max={MAX_ID}):entry_id>"
YEAR = validate.Range(min=entries.MIN_YEAR, max=entries.MAX_YEAR)


class CatalogueQuery(Schema):
    locality = Text(required=True, validate=validate.Length(min=1, max=40))
    q = Text(validate=validate.Length(max=100), metadata={"description": "part of a code or name"})
    year = fields.Integer(validate=YEAR, metadata={"description": "only the items in effect that year"})


class EntrySchema(Schema):
    id = fields.Integer(dump_only=True)
    locality = Text(required=True, attribute="locality_code", validate=validate.Length(min=1, max=40))
    category_code = Text(required=True, validate=validate.Length(max=entries.MAX_CODE))
    category_name = Text(required=True, validate=validate.Length(max=entries.MAX_NAME))
    class_code = Text(required=True, validate=validate.Length(max=entries.MAX_CODE))
    class_name = Text(required=True, validate=validate.Length(max=entries.MAX_NAME))
    code = Text(required=True, validate=validate.Length(max=entries.MAX_CODE))
    name = Text(required=True, validate=validate.Length(max=entries.MAX_NAME))
    from_year = fields.Integer(required=True, validate=YEAR)
    until_year = fields.Integer(load_default=None, allow_none=True, validate=YEAR)


class EntryChangeSchema(EntrySchema):
    """The fields to change (the rest stay); the locality of an item never changes."""

    class Meta:
        exclude = ("locality",)


class ListedSchema(EntrySchema):
    inherited = fields.Boolean(metadata={"description": "an item of a place above the locality"})
    uses = fields.Integer(metadata={"description": "how many projects named it"})


class EndSchema(Schema):
    until_year = fields.Integer(required=True, validate=YEAR, metadata={"description": "its last year in effect"})


class SheetSchema(Schema):
    file = Upload(
        required=True,
        metadata={
            "description": "CSV (UTF-8 or GB18030) or .xlsx: 大类代码, 大类名称, 款代码, 款名称, 目录编码, 项名称, "
            "起始年度, 截止年度"
        },
    )


class ImportedSchema(Schema):
    added = fields.List(fields.Nested(EntrySchema))
    updated = fields.List(fields.Nested(EntrySchema))


def _listed(row: entries.Listed) -> dict[str, Any]:
    entry = row.entry
    return {**{name: getattr(entry, name) for name in ("id", "locality_code", *entries.FIELDS)},
            "inherited": row.inherited, "uses": row.uses}  # fmt: skip


@bp.route("", methods=["GET"])
@bp.arguments(CatalogueQuery, location="query")
@bp.response(200, ListedSchema(many=True))
def list_entries(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The items that apply to a locality (its own and inherited), by code; narrowed by text and year."""
    me()
    rows = get_engine().read(entries.listing, args["locality"], text=args.get("q"), year=args.get("year"))
    return [_listed(row) for row in rows]


@bp.route("", methods=["POST"])
@bp.arguments(EntrySchema)
@bp.response(201, EntrySchema)
def add_entry(args: dict[str, Any]) -> CatalogueEntry:
    """Add an item to a locality's catalogue (its finance reviewers and managers)."""
    engine = get_engine()
    locality = args.pop("locality_code")
    return engine.write(keeping.add, me(), locality, args, now=engine.clock())


@bp.route("/import", methods=["POST"])
@bp.arguments(SheetSchema, location="files")
@bp.response(201, ImportedSchema)
def import_sheet(files: dict[str, Any]) -> entries.Imported:
    """Import a CSV or .xlsx sheet into the catalogue of ``locality`` (a form field): every row right, or
    nothing imported; an item with the code and first year of one the locality has is updated."""
    principal = me()
    engine = get_engine()
    locality = (request.form.get("locality") or "").strip()
    if not locality:
        raise InvalidDataError("locality: 必填 / Required", {"locality": [entries.REQUIRED]})
    if not engine.read(keeping.may_keep, principal, locality):  # before reading the upload
        raise PermissionDeniedError(f"你不能维护{locality}的指导性目录 / you may not keep the catalogue of {locality}")
    upload = files["file"]
    rows = read_catalogue_sheet(upload.read(MAX_SHEET_BYTES + 1), upload.filename or "")
    return engine.write(keeping.import_rows, principal, locality, rows, now=engine.clock())


@bp.route(ENTRY_URL, methods=["GET"])
@bp.response(200, EntrySchema)
def read_entry(entry_id: int) -> CatalogueEntry:
    me()
    return get_engine().read(entries.get_entry, entry_id)


@bp.route(ENTRY_URL, methods=["PATCH"])
@bp.arguments(EntryChangeSchema(partial=True))
@bp.response(200, EntrySchema)
def change_entry(args: dict[str, Any], entry_id: int) -> CatalogueEntry:
    """Change the fields given (the others stay as they are); an item projects named keeps its code."""
    principal = me()
    engine = get_engine()
    return engine.write(keeping.change, principal, entry_id, args, now=engine.clock())


@bp.route(f"{ENTRY_URL}/end", methods=["POST"])
@bp.arguments(EndSchema)
@bp.response(200, EntrySchema)
def end_entry(args: dict[str, Any], entry_id: int) -> CatalogueEntry:
    """End an item's validity: ``until_year`` is its last year in effect; the item is kept."""
    engine = get_engine()
    return engine.write(keeping.end, me(), entry_id, args["until_year"], now=engine.clock())


@bp.route(ENTRY_URL, methods=["DELETE"])
@bp.response(204)
@bp.alt_response(409, description="a project named the item: end its validity instead")
def delete_entry(entry_id: int) -> None:
    """Delete an item entered by mistake; refused for an item a project named."""
    engine = get_engine()
    engine.write(keeping.delete, me(), entry_id, now=engine.clock())
