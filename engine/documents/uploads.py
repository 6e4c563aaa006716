"""Receiving a file for a form field of an open task: checked, streamed into the store, recorded.

An upload is refused as early as it can be, and then nothing is kept: by its declared length before a
byte is read, by its content's kind after the first 8 KiB, by its real length while it streams. Only a
whole, checked file becomes a document, in one transaction with its seal and its audit event.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, TypeVar

from sqlalchemy.orm import Session

from ..definitions.versions import task_form
from ..errors import FileKindError, FileTooLargeError, NotFoundError
from ..formats.file_fields import MEGABYTE, FileRule, file_fields
from ..formats.file_kinds import SNIFF_BYTES, Kind, sniff
from ..identity import access
from ..identity.users import Principal
from ..store import audit
from ..store.models import OPEN, Document, HumanTask
from . import blob_store

T = TypeVar("T")
Write = Callable[[Callable[[Session], T]], T]
MAX_NAME = 200
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class Target:
    """Where an upload goes: a task the person may work on, and the rule of its file field."""

    task_id: int
    instance_id: int
    rule: FileRule


@dataclass(frozen=True)
class Received:
    """A whole, checked upload in a blob not yet sealed (``record`` seals it with its document)."""

    blob_id: int
    size: int
    sha256: str
    chunks: int
    kind: Kind


def target(session: Session, principal: Principal, task_id: int, field_key: str) -> Target:
    """The task and field an upload is for, if this person may work on the task now."""
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFoundError(f"task {task_id} does not exist")
    access.require_task(session, principal, task, "draft")
    if task.state != OPEN:
        raise NotFoundError(f"task {task_id} is no longer open: files can only be added to an open task")
    rule = file_fields(task_form(session, task)).get(field_key)
    if rule is None:
        raise NotFoundError(f"the form of task {task_id} has no file field {field_key!r}")
    return Target(task.id, task.instance_id, rule)


def too_large(rule: FileRule) -> FileTooLargeError:
    limit = f"{rule.max_bytes / MEGABYTE:g}"
    message = f"「{rule.label}」每个文件不能超过 {limit} MB / Each file of “{rule.label}” must be at most {limit} MB"
    return FileTooLargeError(message, errors={rule.key: [message]})


def receive(write: Write, stream: BinaryIO, rule: FileRule, *, declared: int | None, now: datetime) -> Received:
    """Stream an upload into a new blob in a few short transactions; on any refusal or failure the blob
    is removed again and the error raised. Memory use is one write batch (4 MiB), whatever the size."""
    if declared is not None and declared > rule.max_bytes:
        raise too_large(rule)
    head = _read_up_to(stream, SNIFF_BYTES)
    kind = _checked_kind(head, rule)
    blob_id = write(lambda session: blob_store.open_blob(session, now))
    try:
        size, digest, chunks = _stream_chunks(write, stream, blob_id, head, rule)
    except BaseException:
        discard(write, blob_id)
        raise
    return Received(blob_id, size, digest, chunks, kind)


def discard(write: Write, blob_id: int) -> None:
    """Remove an upload that will not become a document."""
    write(lambda session: blob_store.discard(session, blob_id))


def _checked_kind(head: bytes, rule: FileRule) -> Kind:
    if not head:
        message = f"「{rule.label}」：文件是空的 / “{rule.label}”: the file is empty"
        raise FileKindError(message, errors={rule.key: [message]})
    kind = sniff(head, complete=len(head) < SNIFF_BYTES)
    if kind is None or kind not in rule.kinds:
        seen_zh, seen_en = (kind.label, kind.label) if kind is not None else ("无法识别的格式", "not a document kind")
        message = (
            f"「{rule.label}」只收 {rule.kinds_label} 文件，此文件的内容是 {seen_zh} / "
            f"“{rule.label}” takes {rule.kinds_label} files; this file's content is {seen_en}"
        )
        raise FileKindError(message, errors={rule.key: [message]})
    return kind


def _stream_chunks(write: Write, stream: BinaryIO, blob_id: int, head: bytes, rule: FileRule) -> tuple[int, str, int]:
    """Write the upload's chunks in batches; returns its size, SHA-256 and number of chunks."""
    digest = hashlib.sha256()
    size = seq = 0
    batch: list[bytes] = []

    def flush(first: int, pieces: list[bytes]) -> None:
        write(lambda session: blob_store.append(session, blob_id, first, pieces))

    piece = head + _read_up_to(stream, blob_store.CHUNK_BYTES - len(head))
    while piece:
        size += len(piece)
        if size > rule.max_bytes:
            raise too_large(rule)
        digest.update(piece)
        batch.append(piece)
        if len(batch) == blob_store.CHUNKS_PER_WRITE:
            flush(seq, batch)
            seq, batch = seq + len(batch), []
        piece = _read_up_to(stream, blob_store.CHUNK_BYTES)
    if batch:
        flush(seq, batch)
        seq += len(batch)
    return size, digest.hexdigest(), seq


def _read_up_to(stream: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes: a request stream may hand out less than asked before its end."""
    parts: list[bytes] = []
    wanted = limit
    while wanted > 0:
        part = stream.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def clean_name(name: str) -> str:
    """A file name as people gave it, minus folders and characters no file system or zip takes."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")
    if len(cleaned) > MAX_NAME:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else cleaned[:MAX_NAME]
    return cleaned or "文件"


def record(
    session: Session, principal: Principal, task_id: int, field_key: str, received: Received, name: str, now: datetime
) -> Document:
    """Seal a stored upload and make it the field's document, with its audit event (the project's history
    names every file): one transaction, so the content is never sealed without a document. The task is
    checked again, as it may have been completed or handed over while the file streamed in."""
    into = target(session, principal, task_id, field_key)
    actor = principal.username
    document = Document(
        instance_id=into.instance_id,
        human_task_id=into.task_id,
        field_key=into.rule.key,
        file_name=clean_name(name),
        media_type=received.kind.media_type,
        size=received.size,
        sha256=received.sha256,
        blob_id=blob_store.seal(session, received.blob_id, received.sha256, received.size, received.chunks),
        uploaded_by=actor,
        uploaded_at=now,
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        "document_uploaded",
        actor,
        now,
        instance_id=into.instance_id,
        human_task_id=into.task_id,
        data={"document": document.id, "field": into.rule.key, "name": document.file_name, "sha256": received.sha256},
    )
    return document
