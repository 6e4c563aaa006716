"""Which documents a person may read, and a project's documents for its page and dossier.

A submitted document is read under its project's reading rule: whoever may read the project may read its
files, and someone who may not gets "does not exist", as for the project itself. A file still on an open
task (a draft's attachment) is read only by who uploaded it and who may work on the task.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFoundError
from ..identity import access
from ..identity.users import Principal
from ..store.models import OPEN, SUBMITTED, Blob, Document, HumanTask, User


@dataclass(frozen=True)
class Listed:
    """A submitted document with the task and stage it belongs to and who gave it."""

    document: Document
    task: HumanTask
    uploaded_by_name: str
    chunks: int


@dataclass(frozen=True)
class Readable:
    """A document the person may read, with how many chunks its content has (to stream them)."""

    document: Document
    chunks: int


def readable_document(session: Session, principal: Principal, document_id: int) -> Readable:
    document = session.get(Document, document_id)
    if document is None or not _may_read(session, principal, document):
        raise NotFoundError(f"document {document_id} does not exist")
    return Readable(document, session.get_one(Blob, document.blob_id).chunks)


def _may_read(session: Session, principal: Principal, document: Document) -> bool:
    if document.state == SUBMITTED:
        return access.readable_instance_or_none(session, principal, document.instance_id) is not None
    if principal.is_admin or document.uploaded_by == principal.username:
        return True
    task = session.get(HumanTask, document.human_task_id)
    return task is not None and task.state == OPEN and access.can_work_task(principal, task)


def project_documents(session: Session, principal: Principal, instance_id: int) -> list[Listed]:
    """The submitted documents of a project the person may read, in the order the tasks were done."""
    instance = access.readable_instance(session, principal, instance_id)
    rows = session.execute(
        select(Document, HumanTask, Blob.chunks)
        .join(HumanTask, HumanTask.id == Document.human_task_id)
        .join(Blob, Blob.id == Document.blob_id)
        .where(Document.instance_id == instance.id, Document.state == SUBMITTED)
        .order_by(HumanTask.completed_at, HumanTask.id, Document.id)
    ).all()
    people = {document.uploaded_by for document, _task, _chunks in rows}
    names = dict(session.execute(select(User.username, User.display_name).where(User.username.in_(people))).all())
    return [
        Listed(document, task, names.get(document.uploaded_by) or document.uploaded_by, chunks)
        for document, task, chunks in rows
    ]
