"""Binding a completion's files: the documents a form's file fields name become the task's record.

The submission names documents by id; each must have been uploaded to this task and to that field. Their
stored facts (name, size, type, checksum) replace whatever the client sent, so task data, gateways and
the history carry the truth, and the documents are marked submitted — from then on read under the
project's reading rule. Files uploaded to the task but left out of the submission are dropped.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidDataError
from ..formats.file_fields import file_fields
from ..store.models import SUBMITTED, Document, HumanTask


def descriptor(document: Document) -> dict[str, Any]:
    """How a document appears in task data and in a form's file field."""
    return {
        "id": document.id,
        "name": document.file_name,
        "size": document.size,
        "type": document.media_type,
        "sha256": document.sha256,
    }


def attach(session: Session, task: HumanTask, form: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each file field's ids replaced by its documents, which are marked submitted."""
    rules = file_fields(form)
    if not rules:
        return data
    uploaded = {d.id: d for d in session.scalars(select(Document).where(Document.human_task_id == task.id))}
    errors: dict[str, list[str]] = {}
    kept: set[int] = set()
    result = dict(data)
    for key in rules:
        chosen = [uploaded.get(i) for i in data.get(key) or []]
        if any(d is None or d.field_key != key for d in chosen):
            errors[key] = ["文件不是上传到本栏的，请重新上传 / A file was not uploaded to this field; upload it again"]
            continue
        result[key] = [descriptor(d) for d in chosen if d is not None]
        kept.update(d.id for d in chosen if d is not None)
    if errors:
        raise InvalidDataError(f"提交的数据有误 / Invalid data: {', '.join(sorted(errors))}", errors=errors)
    for document in uploaded.values():
        if document.id in kept:
            document.state = SUBMITTED
        else:
            session.delete(document)
    return result
