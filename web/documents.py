"""Documents over HTTP: upload a file to a task's file field, download a document, a project's dossier.

Uploads are the request body itself (``POST …?name=合同.pdf``, any content type), read as a stream so a
50 MB file never sits in a worker's memory; a download and the dossier zip stream out chunk by chunk the
same way. The pages' routes live here and the API's (``web.api.documents``) call the same three helpers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from engine.calendars.deadlines import local_date
from engine.documents import dossier, reading
from engine.errors import ServflowError
from engine.formats.file_fields import MAX_MB, MEGABYTE

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import format_datetime, t

bp = Blueprint("documents", __name__)
#: The request body a file field may take at most; each field's own limit is checked as it streams.
MAX_BODY = MAX_MB * MEGABYTE + 1


def receive_upload(task_id: int, field_key: str) -> tuple[dict[str, Any], int]:
    """Store the request body as a file of the task's field; 201 with the document's descriptor.

    A refused upload's unread rest is read and dropped before the refusal is answered: a client still
    sending would otherwise see the connection reset instead of the message saying why.
    """
    request.max_content_length = MAX_BODY
    try:
        descriptor = get_engine().upload_document(
            task_id,
            field_key,
            request.args.get("name", ""),
            request.stream,
            declared_size=request.content_length,
            actor=current_principal(),
        )
    except ServflowError:
        _drain(request.stream)
        raise
    return descriptor, 201


def _drain(stream: Any) -> None:
    if (request.content_length or 0) > MAX_BODY:
        return  # too much to read for nothing: the client is told by the connection closing
    try:
        while stream.read(MEGABYTE):
            pass
    except HTTPException:  # a body without a length grew over the maximum
        return


def send_document(document_id: int) -> Response:
    """A document the caller may read (else 404), streamed with its name and type."""
    engine = get_engine()
    found = engine.read(reading.readable_document, current_principal(), document_id)
    document = found.document

    def content() -> Iterator[bytes]:
        for seq in range(found.chunks):
            yield engine.document_chunk(document.blob_id, seq)

    response = Response(content(), mimetype=document.media_type, direct_passthrough=True)
    response.content_length = document.size
    response.set_etag(document.sha256)
    response.headers["Content-Disposition"] = _attachment(document.file_name)
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


def send_dossier(instance_id: int) -> Response:
    """The project's dossier zip (every submitted document, with 目录.csv), streamed as it is written."""
    engine = get_engine()
    listed = engine.read(reading.project_documents, current_principal(), instance_id)
    instance = engine.get_instance(instance_id)

    def stage(key: str) -> str:
        return t(f"dash.stage.{key}")

    found = dossier.entries(listed, stage)
    index = dossier.index_csv(found, stage, lambda item: format_datetime(item.document.uploaded_at))
    response = Response(dossier.zip_stream(found, index, engine.document_chunk), mimetype="application/zip")
    day = local_date(engine.clock()).isoformat()
    response.headers["Content-Disposition"] = _attachment(f"项目档案-{instance.business_key}-{day}.zip")
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


def _attachment(name: str) -> str:
    """``Content-Disposition`` for a Chinese file name: RFC 6266's ``filename*``, with an ASCII fallback."""
    fallback = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.post("/tasks/<int:task_id>/documents/<field_key>")
@login_required
def upload(task_id: int, field_key: str) -> Any:
    return receive_upload(task_id, field_key)


@bp.get("/documents/<int:document_id>")
@login_required
def download(document_id: int) -> Response:
    return send_document(document_id)


@bp.get("/projects/<int:instance_id>/dossier.zip")
@login_required
def project_dossier(instance_id: int) -> Response:
    return send_dossier(instance_id)
