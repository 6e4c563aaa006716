"""Collect the files of a deploy: one file, a folder or a zip, checked before anything is parsed.

A bundle is a plain ``{relative name: bytes}`` mapping. Zips are untrusted: names that escape the
bundle (absolute, ``..``), too many entries, and entries that inflate far beyond their compressed size
(zip bombs) are refused before they are read into memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from ..errors import DefinitionError, InputTooLargeError, UnsafeInputError

BUNDLE_SUFFIXES = (".bpmn", ".bpmn20.xml", ".dmn", ".form", ".form.json", ".json")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_BUNDLE_BYTES = 50 * 1024 * 1024
MAX_FILES = 500
MAX_ZIP_RATIO = 200


def is_bundle_file(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(BUNDLE_SUFFIXES)


def read_path(path: str | Path) -> dict[str, bytes]:
    """Read a .bpmn/.dmn/form file, a folder (recursively) or a .zip into a bundle."""
    path = Path(path)
    if not path.exists():
        raise DefinitionError("no such file or folder", file=str(path))
    if path.is_dir():
        files = {
            p.relative_to(path).as_posix(): p
            for p in sorted(path.rglob("*"))
            if p.is_file() and is_bundle_file(p.name) and not _hidden(p.relative_to(path))
        }
        if not files:
            raise DefinitionError("the folder holds no .bpmn, .dmn or form files", file=str(path))
        _check_count(len(files), str(path))
        return {name: _read_limited(p) for name, p in files.items()}
    if path.suffix.lower() == ".zip":
        return read_zip(_read_limited(path, MAX_BUNDLE_BYTES), source=path.name)
    if not is_bundle_file(path.name):
        raise DefinitionError("not a .bpmn, .dmn, .form(.json) or .zip file", file=path.name)
    return {path.name: _read_limited(path)}


def read_zip(content: bytes, *, source: str = "upload.zip") -> dict[str, bytes]:
    """Unpack a zip bundle held in memory, refusing traversal and bombs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise DefinitionError("not a valid zip file", file=source) from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        _check_count(len(infos), source)
        total = 0
        bundle: dict[str, bytes] = {}
        for info in infos:
            name = _safe_member_name(info.filename, source)
            if _hidden(PurePosixPath(name)) or not is_bundle_file(name):
                continue
            if info.file_size > MAX_FILE_BYTES:
                raise InputTooLargeError(
                    f"zip entry {name} unpacks to {info.file_size:,} bytes; limit {MAX_FILE_BYTES:,}",
                    file=source,
                )
            if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                raise InputTooLargeError(f"zip entry {name} is compressed suspiciously well (zip bomb?)", file=source)
            total += info.file_size
            if total > MAX_BUNDLE_BYTES:
                raise InputTooLargeError("zip unpacks to more than the bundle limit", file=source)
            with archive.open(info) as member:
                data = member.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise InputTooLargeError(f"zip entry {name} is larger than it claims", file=source)
            bundle[name] = data
    if not bundle:
        raise DefinitionError("the zip holds no .bpmn, .dmn or form files", file=source)
    return bundle


def check_bundle(files: Mapping[str, bytes]) -> None:
    """Limits for bundles that arrive already in memory (uploads through the API or pages)."""
    _check_count(len(files), "bundle")
    for name, data in files.items():
        _safe_member_name(name, name)
        if len(data) > MAX_FILE_BYTES:
            raise InputTooLargeError(f"file is {len(data):,} bytes; limit {MAX_FILE_BYTES:,}", file=name)
    if sum(len(d) for d in files.values()) > MAX_BUNDLE_BYTES:
        raise InputTooLargeError("bundle is larger than the limit", file="bundle")


def _safe_member_name(name: str, source: str) -> str:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise UnsafeInputError(f"entry {name!r} points outside the bundle", file=source)
    return path.as_posix()


def _check_count(count: int, source: str) -> None:
    if count > MAX_FILES:
        raise InputTooLargeError(f"{count} files; a bundle holds at most {MAX_FILES}", file=source)


def _hidden(relative: PurePosixPath | Path) -> bool:
    return any(part.startswith((".", "__MACOSX")) for part in relative.parts)


def _read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    size = path.stat().st_size
    if size > limit:
        raise InputTooLargeError(f"file is {size:,} bytes; the limit is {limit:,}", file=path.name)
    return path.read_bytes()
