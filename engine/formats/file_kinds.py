"""What a file is, judged by its content and never by its name.

A form field's ``accept`` (``.pdf,.docx,.jpg``, as in an HTML file input) names the kinds it takes; the
server reads the first bytes of an upload and refuses a file whose content is not one of them, so a
renamed executable is refused as an executable. Magic numbers come from the ``filetype`` library; two
kinds it cannot see are recognised here: OFD (GB/T 33190, the format of Chinese e-invoices, a zip with an
``OFD.xml``) and plain text (UTF-8 or GB18030 without control bytes), for ``.txt``/``.csv``.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import filetype

#: How many leading bytes decide the kind (``filetype`` reads at most 8 KiB; Office files need that).
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    """A file kind people name by extension: its extensions, media type and the label a page shows."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    label: str


KINDS: tuple[Kind, ...] = (
    Kind("pdf", (".pdf",), "application/pdf", "PDF"),
    Kind("ofd", (".ofd",), "application/ofd", "OFD"),
    Kind("doc", (".doc",), "application/msword", "Word 97-2003"),
    Kind("docx", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    Kind("xls", (".xls",), "application/vnd.ms-excel", "Excel 97-2003"),
    Kind("xlsx", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    Kind("ppt", (".ppt",), "application/vnd.ms-powerpoint", "PowerPoint 97-2003"),
    Kind("pptx", (".pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint"),
    Kind("odt", (".odt",), "application/vnd.oasis.opendocument.text", "ODF 文本"),
    Kind("ods", (".ods",), "application/vnd.oasis.opendocument.spreadsheet", "ODF 表格"),
    Kind("jpg", (".jpg", ".jpeg"), "image/jpeg", "JPEG"),
    Kind("png", (".png",), "image/png", "PNG"),
    Kind("gif", (".gif",), "image/gif", "GIF"),
    Kind("tif", (".tif", ".tiff"), "image/tiff", "TIFF"),
    Kind("bmp", (".bmp",), "image/bmp", "BMP"),
    Kind("webp", (".webp",), "image/webp", "WebP"),
    Kind("zip", (".zip",), "application/zip", "ZIP"),
    Kind("rar", (".rar",), "application/vnd.rar", "RAR"),
    Kind("7z", (".7z",), "application/x-7z-compressed", "7z"),
    Kind("txt", (".txt", ".csv"), "text/plain", "文本"),
)
BY_NAME = {kind.name: kind for kind in KINDS}
BY_EXTENSION = {ext: kind for kind in KINDS for ext in kind.extensions}
#: ``filetype``'s extension for the kinds it knows under another name.
_FILETYPE_NAMES = {"jpx": "jpg", "apng": "png"}
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13}


def kinds_for_accept(accept: str) -> list[Kind]:
    """The kinds a field's ``accept`` names; raises ``ValueError`` naming an entry it does not know
    (media-type wildcards such as ``image/*`` are taken too)."""
    found: list[Kind] = []
    for entry in (part.strip().lower() for part in accept.split(",")):
        if not entry:
            continue
        if entry.endswith("/*"):
            matching = [k for k in KINDS if k.media_type.startswith(entry[:-1])]
        elif "/" in entry:
            matching = [k for k in KINDS if k.media_type == entry]
        else:
            matching = [BY_EXTENSION[entry]] if entry in BY_EXTENSION else []
        if not matching:
            known = " ".join(sorted(BY_EXTENSION))
            raise ValueError(f"unknown file kind {entry!r} in accept (known: {known})")
        found.extend(k for k in matching if k not in found)
    return found


def sniff(head: bytes, *, complete: bool) -> Kind | None:
    """The kind of a file from its first ``SNIFF_BYTES`` (``complete``: the file is no longer than that);
    ``None`` when it is none of ``KINDS`` (an executable, a script, random bytes …)."""
    guessed = filetype.guess(head) if head else None
    if guessed is not None:
        name = _FILETYPE_NAMES.get(guessed.extension, guessed.extension)
        if name == "zip" and _is_ofd(head):
            return BY_NAME["ofd"]
        return BY_NAME.get(name)
    return BY_NAME["txt"] if _is_text(head, complete=complete) else None


def _is_ofd(head: bytes) -> bool:
    """OFD's first entry is ``OFD.xml`` (GB/T 33190 §7.2); its name sits at offset 30 of the zip."""
    return head[30:37] == b"OFD.xml"


def _is_text(head: bytes, *, complete: bool) -> bool:
    if not head or any(byte in _CONTROL for byte in head):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:  # a character cut at the end of the sniffed bytes is fine unless the file ends there
            codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return True
    return False
