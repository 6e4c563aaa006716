"""Small, valid files for demo projects' file fields: a one-page PDF naming the project and the field.

The demo should look like a year of real work, and every stage of 政府购买服务 leaves documents; these
stand in for them. The PDF is written by hand (objects, cross-reference table, trailer) because no PDF
library is needed for one line of text, and it opens in any reader.
"""

from __future__ import annotations


def sample_pdf(*lines: str) -> bytes:
    """A one-page A4 PDF showing ``lines`` (ASCII; others are replaced) in Helvetica."""
    text = " ".join(
        f"({_escape(line)}) Tj 0 -18 Td" for line in (line.encode("ascii", "replace").decode() for line in lines)
    )
    stream = f"BT /F1 12 Tf 72 770 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
