"""A project's dossier (项目档案): every submitted document in one zip, with an index in Chinese.

The archive copy records must be kept for (政府采购法 Art.42: at least 15 years). Files are placed by
stage and task, and ``目录.csv`` lists each with its stage, task, who gave it, when, size and SHA-256,
so an archivist can check every file against the index. The zip is written as it is sent, one chunk at
a time, so a project of gigabytes needs no more memory than a small one.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..calendars.deadlines import CHINA
from .reading import Listed
from .uploads import clean_name

INDEX_NAME = "目录.csv"
INDEX_HEADERS = ("序号", "阶段", "任务", "文件名", "提交人", "提交时间", "大小（字节）", "SHA-256", "档案内路径")


@dataclass(frozen=True)
class Entry:
    path: str
    listed: Listed


def entries(listed: list[Listed], stage_label: Callable[[str], str]) -> list[Entry]:
    """Where each document goes in the zip: ``01 阶段/任务/文件名``, made unique when names repeat."""
    order = {stage: n for n, stage in enumerate(dict.fromkeys(item.task.process_key for item in listed), 1)}
    taken: set[str] = set()
    found = []
    for item in listed:
        stage = clean_name(stage_label(item.task.process_key))
        folder = f"{order[item.task.process_key]:02d} {stage}/{clean_name(item.task.name)}"
        path = _unique(f"{folder}/{item.document.file_name}", taken)
        taken.add(path)
        found.append(Entry(path, item))
    return found


def _unique(path: str, taken: set[str]) -> str:
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext:
        stem, dot, ext = path, "", ""
    candidate, n = path, 2
    while candidate in taken:
        candidate = f"{stem}（{n}）{dot}{ext}"
        n += 1
    return candidate


def index_csv(found: list[Entry], stage_label: Callable[[str], str], when: Callable[[Listed], str]) -> bytes:
    """The index, UTF-8 with a byte-order mark so that Excel opens it in Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(INDEX_HEADERS)
    for n, entry in enumerate(found, 1):
        item = entry.listed
        writer.writerow(
            (
                n,
                stage_label(item.task.process_key),
                item.task.name,
                item.document.file_name,
                item.uploaded_by_name,
                when(item),
                item.document.size,
                item.document.sha256,
                entry.path,
            )
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class _Pipe:
    """A write-only file for ``zipfile`` whose bytes are taken away as soon as they are written."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """zipfile flushes; there is nothing to flush before the bytes are drained."""

    def drain(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def zip_stream(found: list[Entry], index: bytes, read_chunk: Callable[[int, int], bytes]) -> Iterator[bytes]:
    """The dossier's bytes as they are made: the index first, then each document chunk by chunk
    (``read_chunk(blob_id, seq)``)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        archive.writestr(INDEX_NAME, index)
        yield pipe.drain()
        for entry in found:
            document = entry.listed.document
            with archive.open(_member(entry), "w", force_zip64=True) as member:
                for seq in range(entry.listed.chunks):
                    member.write(read_chunk(document.blob_id, seq))
                    yield pipe.drain()
            yield pipe.drain()
    yield pipe.drain()


def _member(entry: Entry) -> zipfile.ZipInfo:
    """A zip member dated when the file was given, in China time (zip dates carry no zone)."""
    at = entry.listed.document.uploaded_at.astimezone(CHINA)
    member = zipfile.ZipInfo(entry.path, (at.year, at.month, at.day, at.hour, at.minute, at.second))
    member.compress_type = zipfile.ZIP_DEFLATED
    return member
