"""Files and an application the documents tests share: the smallest PDF, PNG and Windows program, and a
乌鲁木齐 application of 乌鲁木齐市民政局 that goes straight to the finance review."""

from __future__ import annotations

import json

from engine.formats.forms import example_submission
from support import REPO

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)

_FORM = json.loads((REPO / "forms" / "project_application.form.json").read_text(encoding="utf-8"))
APPLICATION = example_submission(_FORM) | {
    "project_name": "社区居家养老服务",
    "department": "乌鲁木齐市民政局",
    "budget": 800_000,
    "category": "basic_public",
    "in_catalogue": True,
    "catalogue_code": "A0101",
    "proposed_method": "auto",
    "public_service": False,
}
