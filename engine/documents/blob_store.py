"""Content-addressed file content in the database, in chunks, so it streams both ways everywhere.

Every app server sees the same store because it is the database (PostgreSQL ``bytea``, SQLite ``BLOB``);
no shared disk is needed. A file is written as 256 KiB chunks in a few short transactions (an upload never
holds SQLite's write lock for long), then sealed with its SHA-256: if the same content is already stored,
the new copy is dropped and the stored one used. An unsealed blob is an upload in progress (or one a crash
cut short, which ``purge`` removes); nothing reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ..store.models import Blob, BlobChunk, Document

CHUNK_BYTES = 256 * 1024
#: Chunks written per transaction while an upload streams in (4 MiB).
CHUNKS_PER_WRITE = 16


def open_blob(session: Session, now: datetime) -> int:
    """A new, empty, unsealed blob to write chunks into."""
    return session.execute(insert(Blob).values(size=0, chunks=0, created_at=now).returning(Blob.id)).scalar_one()


def append(session: Session, blob_id: int, first_seq: int, pieces: Iterable[bytes]) -> None:
    """Write chunks ``first_seq, first_seq + 1, …`` of an unsealed blob."""
    rows = [{"blob_id": blob_id, "seq": first_seq + i, "data": piece} for i, piece in enumerate(pieces)]
    if rows:
        session.execute(insert(BlobChunk), rows)


def seal(session: Session, blob_id: int, sha256: str, size: int, chunks: int) -> int:
    """Finish a blob; returns the id to refer to, an earlier blob of the same content when there is one
    (this one is then dropped)."""
    stored = session.scalar(select(Blob.id).where(Blob.sha256 == sha256))
    if stored is not None:
        discard(session, blob_id)
        return stored
    session.execute(update(Blob).where(Blob.id == blob_id).values(sha256=sha256, size=size, chunks=chunks))
    return blob_id


def discard(session: Session, blob_id: int) -> None:
    session.execute(delete(BlobChunk).where(BlobChunk.blob_id == blob_id))
    session.execute(delete(Blob).where(Blob.id == blob_id))


def chunk(session: Session, blob_id: int, seq: int) -> bytes:
    return session.execute(
        select(BlobChunk.data).where(BlobChunk.blob_id == blob_id, BlobChunk.seq == seq)
    ).scalar_one()


def purge(session: Session, cut_short_before: datetime) -> int:
    """Remove uploads a crash cut short (unsealed and older than ``cut_short_before``) and content no
    document refers to any more (files removed from a form before it was submitted); returns how many.

    A blob an upload is just attaching a document to is skipped (PostgreSQL: the new document's key
    lock; SQLite: writers take turns), so content in use is never removed."""
    referenced = select(Document.id).where(Document.blob_id == Blob.id).exists()
    gone = list(
        session.scalars(
            select(Blob.id)
            .where(
                ((Blob.sha256.is_(None)) & (Blob.created_at < cut_short_before))
                | ((Blob.sha256.is_not(None)) & ~referenced)
            )
            .with_for_update(skip_locked=True)
        )
    )
    for blob_id in gone:
        discard(session, blob_id)
    return len(gone)
