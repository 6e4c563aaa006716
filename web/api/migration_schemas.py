"""Schemas of ``/api/v1/migrations``: a migration plan in, a dry run or a batch report out."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from engine.commands.migration_plan import STATUSES, Plan

from .schemas import MAX_ID, Text

_ID = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
_ELEMENT = validate.Length(min=1, max=200)


class MigrationPlanSchema(Schema):
    """The plan: ``from`` (source version ids), ``to`` (target version id), ``mapping`` (old element id →
    new), the filters, and ``dry_run`` (only judge every project) or ``instance`` (move that one now)."""

    from_ = fields.List(_ID, data_key="from", required=True, validate=validate.Length(min=1, max=100))
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    mapping = fields.Dict(keys=Text(validate=_ELEMENT), values=Text(validate=_ELEMENT), load_default=dict)
    locality = Text(validate=validate.Length(min=1, max=40), load_default=None)
    stage = Text(validate=validate.Length(min=1, max=200), load_default=None)
    status = fields.List(Text(validate=validate.OneOf(STATUSES)), validate=validate.Length(min=1, max=4))
    dry_run = fields.Boolean(load_default=False)
    instance = fields.Integer(validate=validate.Range(min=1, max=MAX_ID), load_default=None)

    @post_load
    def to_plan(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        statuses = tuple(data.get("status") or Plan.__dataclass_fields__["statuses"].default)
        plan = Plan(
            sources=tuple(data["from_"]),
            target=data["to"],
            mapping=data["mapping"],
            locality=data["locality"],
            stage=data["stage"],
            statuses=statuses,
        )
        return {"plan": plan, "dry_run": data["dry_run"], "instance": data["instance"]}


class MigrationReasonSchema(Schema):
    code = fields.String()
    element_id = fields.String()
    message = fields.String()


class MigrationVerdictSchema(Schema):
    """One project: can it move (or did it), why not, where its live steps go, the steps added ahead
    of it (it will pass them) and behind it (it has passed them: it does not need them)."""

    instance_id = fields.Integer()
    business_key = fields.String()
    locality = fields.String()
    stage = fields.String(allow_none=True)
    status = fields.String()
    can_move = fields.Boolean()
    reasons = fields.List(fields.Nested(MigrationReasonSchema))
    moved = fields.Dict(keys=fields.String(), values=fields.String())
    ahead = fields.List(fields.String())
    passed = fields.List(fields.String())


class MigrationDryRunSchema(Schema):
    projects = fields.List(fields.Nested(MigrationVerdictSchema))
    can_move = fields.Integer()
    cannot_move = fields.Integer()


class MigrationFailureSchema(Schema):
    instance_id = fields.Integer()
    code = fields.String()
    message = fields.String()
    reasons = fields.List(fields.Nested(MigrationReasonSchema))


class MigrationBatchSchema(Schema):
    """A batch and its progress: ``moved + failed`` of ``total`` done; ``finished_at`` once it is over."""

    id = fields.Integer()
    process_key = fields.String()
    target_version_id = fields.Integer()
    plan = fields.Dict()
    created_by = fields.String()
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    total = fields.Integer()
    moved = fields.Integer()
    failed = fields.Integer()
    results = fields.List(fields.Nested(MigrationFailureSchema))
