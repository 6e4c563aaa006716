"""Marshmallow schemas of the /api/v1 requests and responses; the OpenAPI document is built from them.

Input strings refuse NUL characters and unpaired surrogates (neither database stores them), free-form
``data``/``payload`` objects are bounded in depth and size, and refuse non-finite numbers and keys
starting with ``_`` (never visible to scripts), so bad input is a 422 that names the field, never a 500.
"""

from __future__ import annotations

import math
from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate

MAX_ID = 2**31 - 1
MAX_DEPTH = 20
MAX_ITEMS = 5_000
DUE_FILTERS = ("overdue", "today", "week")  # as in the inbox
SORTS = ("due", "created", "priority")


def _check_text(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("不能包含 NUL 字符 / Must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("不是有效的 Unicode 文本 / Not valid Unicode text") from None


class Text(fields.String):
    """A string both databases can store."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        _check_text(text)
        return text


class JSONObject(fields.Dict):
    """A free-form JSON object (task data, a message payload), checked for what would break storage."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        result = super()._deserialize(value, attr, data, **kwargs)
        counter = [0]
        _check_json(result, 0, counter)
        for key in result:
            if key.startswith("_"):
                raise ValidationError(f"键不能以 _ 开头 / Key {key!r} must not start with '_'")
        return result


def _check_json(value: Any, depth: int, counter: list[int]) -> None:
    counter[0] += 1
    if depth > MAX_DEPTH:
        raise ValidationError(f"嵌套过深 / Nested deeper than {MAX_DEPTH} levels")
    if counter[0] > MAX_ITEMS:
        raise ValidationError(f"内容过多 / More than {MAX_ITEMS} values")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError("数字无效 / Numbers must be finite")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(str(key))
            _check_json(item, depth + 1, counter)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1, counter)


def _id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


# --------------------------------------------------------------------------- shared


class ErrorSchema(Schema):
    """Every error: a machine code, a message for a person, and per-field messages."""

    code = fields.String(required=True, metadata={"description": "machine-readable error code"})
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), required=True, metadata={"description": "field name → list of messages"})
    details = fields.Dict(keys=fields.String())


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(1, 100))


class PageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


# --------------------------------------------------------------------------- versions


class VersionQuery(Schema):
    locality = Text(validate=validate.Length(max=40))
    key = Text(validate=validate.Length(max=200))


class VersionSchema(Schema):
    id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    locality = fields.String(required=True, attribute="locality_code")
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    source_file = fields.String(required=True)
    content_hash = fields.String(required=True)
    calls = fields.List(fields.String(), required=True)
    forms = fields.Method("_form_keys", required=True, metadata={"type": "array", "items": {"type": "string"}})
    deployed_by = fields.String(required=True)
    deployed_at = fields.DateTime(required=True)

    def _form_keys(self, version: Any) -> list[str]:
        return sorted(version.forms or {})


class DeployForm(Schema):
    locality = Text(required=True, validate=validate.Length(min=1, max=40))
    comment = Text(load_default="", validate=validate.Length(max=1000))


class UploadSchema(Schema):
    file = Upload(required=True, metadata={"description": ".bpmn, .dmn, .form.json or a .zip bundle"})


class DeployUploadSchema(UploadSchema, DeployForm):
    """The deploy request as the document shows it: one multipart form with the file and its fields.

    Only documentation: smorest documents one request body per operation, so deploy parses the
    file (``UploadSchema``, location ``files``) and the fields (``DeployForm``, ``form``) apart.
    """


class CreatedVersionSchema(Schema):
    process_key = fields.String(required=True)
    version = fields.Integer(required=True)


class DeployResultSchema(Schema):
    locality = fields.String(required=True)
    deployment_id = fields.Integer(allow_none=True, required=True)
    created = fields.List(fields.Nested(CreatedVersionSchema), required=True)
    unchanged = fields.List(fields.String(), required=True)


class ProblemSchema(Schema):
    severity = fields.String(required=True)
    code = fields.String(required=True)
    file = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    message = fields.String(required=True)
    zh = fields.String()
    en = fields.String()


class ValidationReportSchema(Schema):
    ok = fields.Boolean(required=True)
    problems = fields.List(fields.Nested(ProblemSchema), required=True)
    scenarios = fields.List(fields.Dict(keys=fields.String()), required=True)
    processes = fields.List(fields.String(), required=True)


# --------------------------------------------------------------------------- instances and tasks


class InstanceQuery(PageQuery):
    locality = Text(validate=validate.Length(max=40))
    status = fields.String(validate=validate.OneOf(["running", "suspended", "completed", "cancelled"]))
    q = Text(validate=validate.Length(max=100))


class StartSchema(Schema):
    process_key = Text(required=True, validate=validate.Length(min=1, max=200))
    locality = Text(required=True, validate=validate.Length(min=1, max=40))
    business_key = Text(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(min=1, max=100), validate.Regexp(r"\S", error="不能为空白 / Must not be blank")],
        metadata={"description": "the project's number; when left out, numbered by the bundle's pattern"},
    )
    title = Text(validate=validate.Length(max=300))
    data = JSONObject(load_default=dict)
    organization_id = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "the purchasing department that applies, for a person who works for several"},
    )


class ReasonSchema(Schema):
    reason = Text(load_default="", validate=validate.Length(max=1000))


class TaskSchema(Schema):
    id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    name = fields.String(required=True)
    element_id = fields.String(required=True)
    stage = fields.String(required=True, attribute="process_key")
    form_key = fields.String(allow_none=True, required=True)
    role = fields.String(allow_none=True, required=True)
    locality = fields.String(required=True, attribute="locality_code")
    assignee = fields.String(allow_none=True, required=True)
    delegated_from = fields.String(allow_none=True, required=True)
    state = fields.String(required=True)
    priority = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    due_date = fields.Date(allow_none=True, required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)
    completed_by = fields.String(allow_none=True, required=True)


class TaskRowSchema(TaskSchema):
    business_key = fields.String(required=True)
    title = fields.String(required=True)


class AuditSchema(Schema):
    id = fields.Integer(required=True)
    instance_id = fields.Integer(allow_none=True, required=True)
    human_task_id = fields.Integer(allow_none=True, required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    element_id = fields.String(allow_none=True, required=True)
    at = fields.DateTime(required=True)
    data = fields.Raw(allow_none=True, required=True, metadata={"type": "object"})


class InstanceSchema(Schema):
    id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    locality = fields.String(required=True, attribute="locality_code")
    business_key = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(allow_none=True, required=True)
    department = fields.String(allow_none=True, required=True)
    summary = fields.Dict(keys=fields.String(), required=True)
    error = fields.Dict(keys=fields.String(), allow_none=True, required=True)
    started_by = fields.String(required=True)
    started_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True, required=True)


class InstanceDetailSchema(InstanceSchema):
    tasks = fields.List(fields.Nested(TaskSchema), required=True, metadata={"description": "open tasks"})
    history = fields.List(fields.Nested(AuditSchema))


class InstancePageSchema(PageSchema):
    items = fields.List(fields.Nested(InstanceSchema), required=True)


class TaskQuery(PageQuery):
    state = fields.String(load_default="open", validate=validate.OneOf(["open", "completed", "cancelled"]))
    role = Text(validate=validate.Length(max=100))
    locality = Text(validate=validate.Length(max=40))
    stage = Text(validate=validate.Length(max=200))
    assignee = Text(validate=validate.Length(max=100), metadata={"description": "a username, or 'me'"})
    due = fields.String(validate=validate.OneOf(DUE_FILTERS))
    q = Text(validate=validate.Length(max=100), metadata={"description": "text in the project's title or key"})
    sort = fields.String(load_default="due", validate=validate.OneOf(SORTS))


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskRowSchema), required=True)


class TaskDetailSchema(TaskRowSchema):
    form = fields.Dict(keys=fields.String(), allow_none=True, required=True)
    data = fields.Dict(keys=fields.String(), required=True, metadata={"description": "what the form opens with"})


class AssignSchema(Schema):
    assignee = Text(required=True, allow_none=True, validate=validate.Length(min=1, max=100))


class DelegateSchema(Schema):
    to = Text(required=True, validate=validate.Length(min=1, max=100))


class CompleteSchema(Schema):
    data = JSONObject(load_default=dict)


class CompletedSchema(Schema):
    task = fields.Nested(TaskSchema, required=True)
    instance = fields.Nested(InstanceDetailSchema, required=True)


# --------------------------------------------------------------------------- messages, figures, audit, tokens


class MessageSchema(Schema):
    business_key = Text(required=True, validate=validate.Length(min=1, max=100))
    message = Text(required=True, validate=validate.Length(min=1, max=200))
    locality = Text(validate=validate.Length(min=1, max=40))
    payload = JSONObject(load_default=dict)


class FiguresQuery(Schema):
    locality = Text(validate=validate.Length(max=40))


class FigureSchema(Schema):
    key = fields.String(required=True)
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True)


class FiguresSchema(Schema):
    today = fields.Date(required=True)
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    by_stage = fields.List(fields.Nested(FigureSchema), required=True)
    by_locality = fields.List(fields.Nested(FigureSchema), required=True)
    instances = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class AuditQuery(PageQuery):
    instance_id = fields.Integer(validate=validate.Range(1, MAX_ID))  # a query string: "12" is 12
    actor = Text(validate=validate.Length(max=100))
    action = Text(validate=validate.Length(max=40))


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditSchema), required=True)


class TokenCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True, required=True)
    revoked_at = fields.DateTime(allow_none=True, required=True)


class TokenCreatedSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "shown once; only its hash is kept"})


class OrganizationQuery(Schema):
    locality = Text(validate=validate.Length(max=40))
    kind = Text(validate=validate.Length(max=40), metadata={"description": "a kind's code or its Chinese name"})


class OrganizationSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = Text(required=True, validate=validate.Length(min=1, max=40))
    locality = Text(required=True, attribute="locality_code", validate=validate.Length(min=1, max=40))
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    credit_code = Text(load_default=None, allow_none=True, validate=validate.Length(max=40))
    is_active = fields.Boolean(dump_only=True)


class OrganizationSheetSchema(Schema):
    file = Upload(
        required=True,
        metadata={"description": "CSV (UTF-8 or GB18030) or .xlsx: 类型, 所属地区, 名称, 统一社会信用代码"},
    )


class MemberSchema(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=100))


class MembersSchema(Schema):
    organization = fields.Nested(OrganizationSchema, required=True)
    members = fields.List(fields.String(), required=True)


class ProviderQuery(Schema):
    locality = Text(validate=validate.Length(max=40))
    q = Text(validate=validate.Length(max=200), metadata={"description": "part of the name or credit code"})
    banned = fields.Boolean(metadata={"description": "only providers barred today (true) or not (false)"})


class BlacklistEntrySchema(Schema):
    id = fields.Integer(dump_only=True)
    organization_id = fields.Integer(dump_only=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=500))
    source = Text(load_default="", validate=validate.Length(max=200), metadata={"description": "处罚决定书文号 …"})
    starts_on = Text(required=True, validate=validate.Length(max=40), metadata={"description": "yyyy-MM-dd"})
    ends_on = Text(
        required=True, validate=validate.Length(max=40), metadata={"description": "yyyy-MM-dd, the last day barred"}
    )
    decided_by = fields.String(dump_only=True)
    decided_at = fields.DateTime(dump_only=True)
    lifted_by = fields.String(dump_only=True)
    lifted_at = fields.DateTime(dump_only=True)
    lift_reason = fields.String(dump_only=True)


class LiftSchema(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class QualificationSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    number = Text(load_default="", validate=validate.Length(max=100))
    valid_from = Text(load_default=None, allow_none=True, validate=validate.Length(max=40))
    valid_until = Text(load_default=None, allow_none=True, validate=validate.Length(max=40))
    recorded_by = fields.String(dump_only=True)
    recorded_at = fields.DateTime(dump_only=True)


class CreditRecordSchema(Schema):
    instance_id = fields.Integer(allow_none=True)
    grade = fields.String()
    score = fields.Float(allow_none=True)
    source = fields.String()
    note = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class WonProjectSchema(Schema):
    id = fields.Integer()
    business_key = fields.String()
    title = fields.String()
    locality = fields.String(attribute="locality_code")
    status = fields.String()
    stage = fields.String(allow_none=True)


class ProviderRowSchema(Schema):
    organization = fields.Nested(OrganizationSchema)
    ban = fields.Nested(BlacklistEntrySchema, allow_none=True, metadata={"description": "the ban in force today"})


class ProviderEntrySchema(ProviderRowSchema):
    qualifications = fields.List(fields.Nested(QualificationSchema))
    credit_records = fields.List(fields.Nested(CreditRecordSchema))
    blacklist = fields.List(fields.Nested(BlacklistEntrySchema))
    projects = fields.List(fields.Nested(WonProjectSchema))
