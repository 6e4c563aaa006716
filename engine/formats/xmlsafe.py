"""Parse untrusted XML without ever expanding an entity or touching the network or the disk.

BPMN and DMN files never need a DTD, so any ``<!DOCTYPE`` or ``<!ENTITY`` is refused outright
(that covers XXE and "billion laughs"); the lxml parser is also configured defensively in case a
declaration slips past the scan (e.g. in an unusual encoding).
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import DefinitionError, InputTooLargeError, UnsafeInputError

MAX_XML_BYTES = 5 * 1024 * 1024
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_xml(content: bytes | str, filename: str, *, max_bytes: int = MAX_XML_BYTES) -> etree._ElementTree:
    """Parse ``content`` into an element tree or raise a DefinitionError that names ``filename``."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    if len(raw) > max_bytes:
        raise InputTooLargeError(f"file is {len(raw):,} bytes; the limit is {max_bytes:,} bytes", file=filename)
    if not raw.strip():
        raise DefinitionError("file is empty", file=filename)
    utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
    probe = raw.decode("utf-16", errors="ignore").encode() if utf16 else raw
    if _DECLARATION.search(probe):
        raise UnsafeInputError(
            "DOCTYPE and ENTITY declarations are not allowed in BPMN/DMN files "
            "(entity expansion and external entities are refused)",
            file=filename,
        )
    try:
        tree = etree.ElementTree(etree.fromstring(raw, _parser()))
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(f"malformed XML: {exc.msg}", file=filename, line=exc.lineno) from None
    for node in tree.iter(etree.Entity):
        raise UnsafeInputError("entity references are not allowed", file=filename, line=node.sourceline)
    return tree
