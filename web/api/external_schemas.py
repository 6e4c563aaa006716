"""Schemas of the external-task (workers) and incident endpoints.

Field names follow Camunda 7's external-task REST API (``workerId``, ``topicName``, ``lockDuration`` in
milliseconds, ``variables``), so workers written for it need only a new base URL and a token. Variables
may be plain values or Camunda's ``{"value": …, "type": …}`` objects.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from .schemas import JSONObject, Text

MAX_MS = 24 * 3600 * 1000


def plain_variables(variables: dict[str, Any]) -> dict[str, Any]:
    """Camunda's typed variables (``{"amount": {"value": 5, "type": "Integer"}}``) as plain values."""
    return {name: value["value"] if _typed(value) else value for name, value in variables.items()}


def _typed(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value and set(value) <= {"value", "type", "valueInfo"}


class _WithVariables(Schema):
    @post_load
    def unwrap(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "variables" in data:
            data["variables"] = plain_variables(data["variables"])
        return data


class TopicSchema(Schema):
    topicName = Text(required=True, validate=validate.Length(min=1, max=200))
    lockDuration = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_MS))
    variables = fields.List(Text(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=200))
    businessKey = Text(validate=validate.Length(min=1, max=100))
    processInstanceId = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class FetchAndLockSchema(Schema):
    workerId = Text(required=True, validate=validate.Length(min=1, max=200))
    maxTasks = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))
    asyncResponseTimeout = fields.Integer(load_default=0, validate=validate.Range(min=0, max=60_000))
    topics = fields.List(fields.Nested(TopicSchema), required=True, validate=validate.Length(min=1, max=50))


class LockedTaskSchema(Schema):
    id = fields.Integer()
    topicName = fields.String()
    workerId = fields.String()
    lockExpirationTime = fields.String(allow_none=True)
    processInstanceId = fields.Integer()
    businessKey = fields.String()
    processDefinitionKey = fields.String()
    activityId = fields.String()
    activityName = fields.String()
    locality = fields.String()
    retries = fields.Integer(allow_none=True)
    errorMessage = fields.String(allow_none=True)
    priority = fields.Integer()
    variables = fields.Dict()


class CompleteExternalSchema(_WithVariables):
    workerId = Text(required=True, validate=validate.Length(min=1, max=200))
    variables = JSONObject(load_default=dict)


class FailureSchema(Schema):
    workerId = Text(required=True, validate=validate.Length(min=1, max=200))
    errorMessage = Text(required=True, validate=validate.Length(min=1, max=1000))
    errorDetails = Text(validate=validate.Length(max=100_000))
    retries = fields.Integer(validate=validate.Range(min=0, max=100))
    retryTimeout = fields.Integer(validate=validate.Range(min=0, max=MAX_MS))


class BpmnErrorSchema(_WithVariables):
    workerId = Text(required=True, validate=validate.Length(min=1, max=200))
    errorCode = Text(required=True, validate=validate.Length(min=1, max=200))
    errorMessage = Text(load_default="", validate=validate.Length(max=1000))
    variables = JSONObject(load_default=dict)


class ExtendLockSchema(Schema):
    workerId = Text(required=True, validate=validate.Length(min=1, max=200))
    newDuration = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_MS))


class ExternalTaskStateSchema(Schema):
    id = fields.Integer()
    state = fields.String()
    activityId = fields.String(attribute="element_id")
    topicName = fields.String(attribute="topic")
    processInstanceId = fields.Integer(attribute="instance_id")
    retries = fields.Integer(allow_none=True)
    workerId = fields.String(attribute="worker_id", allow_none=True)
    errorMessage = fields.String(attribute="error_message", allow_none=True)


class IncidentQuery(Schema):
    state = Text(load_default="open", validate=validate.OneOf(["open", "resolved", "all"]))
    locality = Text(validate=validate.Length(max=40))
    process = Text(validate=validate.Length(max=200))
    error = Text(validate=validate.Length(max=200))
    instance = fields.Integer(validate=validate.Range(min=1))


class IncidentSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    business_key = fields.String()
    title = fields.String()
    kind = fields.String()
    process_key = fields.String()
    locality_code = fields.String()
    element_id = fields.String(allow_none=True)
    message = fields.String()
    details = fields.String(allow_none=True)
    attempts = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    topic = fields.String(allow_none=True)
    variables = fields.Dict(allow_none=True)


class RetrySchema(Schema):
    retries = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100))
    variables = JSONObject(load_default=dict)


class CancelSchema(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))
