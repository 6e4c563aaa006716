"""Documents as an API: upload a file to a task's file field, list a project's documents, download one.

``POST /api/v1/tasks/{id}/documents/{field}?name=合同.pdf`` takes the file as the raw request body
(``curl --data-binary @合同.pdf``) and answers the document, whose id the task's completion then names in
that field (``{"contract_scan": [{"id": 7}]}``). Refusals: 413 over the field's size, 415 a content the
field does not take (judged by the bytes, not the name), 404 a task or field the caller may not work on.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.documents import reading
from engine.documents.attach import descriptor

from ..documents import receive_upload, send_document, send_dossier
from ..engine_ext import get_engine
from ..i18n import format_datetime
from .common import blueprint, json_response, me
from .schemas import MAX_ID

bp = blueprint("documents", "", "Documents: files attached to tasks' form fields, and a project's dossier.")


@bp.route(f"/tasks/<int(max={MAX_ID}):task_id>/documents/<field_key>", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
    parameters=[{"in": "query", "name": "name", "schema": {"type": "string"}, "description": "the file's name"}],
)
def upload_document(task_id: int, field_key: str) -> Response:
    """Add a file to a file field of an open task the caller may work on."""
    body, status = receive_upload(task_id, field_key)
    return json_response(body, status)


@bp.route(f"/instances/<int(max={MAX_ID}):instance_id>/documents", methods=["GET"])
def list_documents(instance_id: int) -> Response:
    """The project's submitted documents, in the order their tasks were done."""
    listed = get_engine().read(reading.project_documents, me(), instance_id)
    items: list[dict[str, Any]] = [
        {
            **descriptor(item.document),
            "task_id": item.task.id,
            "task": item.task.name,
            "stage": item.task.process_key,
            "field": item.document.field_key,
            "uploaded_by": item.document.uploaded_by,
            "uploaded_at": format_datetime(item.document.uploaded_at),
        }
        for item in listed
    ]
    return json_response({"items": items})


@bp.route(f"/documents/<int(max={MAX_ID}):document_id>", methods=["GET"])
def download_document(document_id: int) -> Response:
    """A document's content, if the caller may read its project."""
    return send_document(document_id)


@bp.route(f"/instances/<int(max={MAX_ID}):instance_id>/dossier.zip", methods=["GET"])
def download_dossier(instance_id: int) -> Response:
    """The project's dossier: every document in a zip with its index 目录.csv."""
    return send_dossier(instance_id)
