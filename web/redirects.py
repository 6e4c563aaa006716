"""Where a ``next`` parameter may send a person: back to a page of this site, never to another one.

Browsers drop tabs and newlines inside a URL and read ``\\`` as ``/``, so ``/\\t/evil.example`` and
``/\\evil.example`` both mean ``//evil.example`` — another host. The target is read the way a browser
will read it before it is judged.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def local_target(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site (as a browser will read it), else ``default``."""
    if not target:
        return default
    as_read = "".join(ch for ch in target if ch >= " " and ch != "\x7f").replace("\\", "/")
    parts = urlsplit(as_read)
    if not as_read.startswith("/") or as_read.startswith("//") or parts.scheme or parts.netloc:
        return default
    return as_read
