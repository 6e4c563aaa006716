"""Hostile or broken files are refused with a message that names the file and element; nothing is read."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.errors import DefinitionError, UnsafeInputError
from engine.formats.bundles import read_path, read_zip
from engine.service import Engine
from support import fixture_bytes


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records any request, to prove the parser never fetches anything."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<!ENTITY x 'pwned'>")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def _bpmn_with_doctype(doctype: str, body: str = "&xxe;") -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        f'<bpmn:process id="p" name="{body}" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>'
        "</bpmn:definitions>"
    ).encode()


def test_external_entities_are_refused_and_nothing_is_fetched(
    engine: Engine, tmp_path: Path, listener: tuple[str, list[str]]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    url, hits = listener
    for doctype in (
        f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>',
        f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{url}/entity">]>',
        f'<!DOCTYPE d SYSTEM "{url}/dtd">',
        f'<!DOCTYPE d [<!ENTITY % remote SYSTEM "{url}/param"> %remote;]>',
    ):
        with pytest.raises(UnsafeInputError) as refused:
            engine.deploy({"xxe.bpmn": _bpmn_with_doctype(doctype)}, "650000")
        assert refused.value.file == "xxe.bpmn"
        assert "DOCTYPE" in refused.value.message
        assert "TOP-SECRET" not in refused.value.message
    assert hits == []
    assert engine.versions() == []


def test_billion_laughs_is_refused_quickly(engine: Engine) -> None:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{"&lol{}; ".format(i - 1 if i > 1 else "") * 10}">' for i in range(1, 10)
    ]
    doctype = "<!DOCTYPE d [" + "".join(entities) + "]>"
    with pytest.raises(UnsafeInputError):
        engine.deploy({"laughs.bpmn": _bpmn_with_doctype(doctype, "&lol9;")}, "650000")


def test_entity_declaration_hidden_in_utf16_is_refused(engine: Engine) -> None:
    content = (
        _bpmn_with_doctype('<!DOCTYPE d [<!ENTITY xxe "x">]>')
        .decode()
        .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    )
    with pytest.raises(DefinitionError):
        engine.deploy({"utf16.bpmn": content.encode("utf-16")}, "650000")


def test_huge_file_is_refused_before_parsing(engine: Engine) -> None:
    padding = b"<!-- " + b"x" * (6 * 1024 * 1024) + b" -->"
    with pytest.raises(UnsafeInputError, match="limit"):
        engine.deploy({"huge.bpmn": _bpmn_with_doctype("", "ok") + padding}, "650000")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"<bpmn:definitions", "malformed XML"),
        (b"not xml at all", "neither XML"),
        (b'<x xmlns="urn:other"/>', "expected <definitions>"),
        (b"", "empty"),
    ],
)
def test_malformed_files_name_the_file(engine: Engine, content: bytes, expected: str) -> None:
    with pytest.raises(DefinitionError) as refused:
        engine.deploy({"broken.bpmn": content}, "650000")
    assert refused.value.file == "broken.bpmn"
    assert expected in refused.value.message


def test_unsupported_element_is_named(engine: Engine) -> None:
    approval = fixture_bytes("bpmn/approval.bpmn")["approval.bpmn"].decode()
    broken = approval.replace(
        '<bpmn:endEvent id="end">',
        '<bpmn:complexGateway id="odd_gateway"><bpmn:incoming>f4</bpmn:incoming></bpmn:complexGateway>'
        '<bpmn:endEvent id="end">',
    ).replace('targetRef="end"/>\n  </bpmn:process>', 'targetRef="end"/>\n  </bpmn:process>')
    broken = broken.replace(
        '<bpmn:sequenceFlow id="f4" sourceRef="review_small" targetRef="end"/>',
        '<bpmn:sequenceFlow id="f4" sourceRef="review_small" targetRef="odd_gateway"/>',
    )
    files = fixture_bytes("forms/application.form.json") | {"approval.bpmn": broken.encode()}
    with pytest.raises(DefinitionError) as refused:
        engine.deploy(files, "650000")
    assert refused.value.file == "approval.bpmn"
    assert "odd_gateway" in refused.value.message or refused.value.element_id == "odd_gateway"


def test_zip_bundles_refuse_traversal_and_bombs(tmp_path: Path) -> None:
    def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression) as archive:
            for name, data in entries.items():
                archive.writestr(name, data)
        return buffer.getvalue()

    with pytest.raises(UnsafeInputError, match="outside the bundle"):
        read_zip(make_zip({"../evil.bpmn": b"<x/>"}))
    with pytest.raises(UnsafeInputError, match="outside the bundle"):
        read_zip(make_zip({"/etc/evil.bpmn": b"<x/>"}))
    with pytest.raises(UnsafeInputError):
        read_zip(make_zip({"bomb.bpmn": b"\0" * (20 * 1024 * 1024)}))
    with pytest.raises(DefinitionError, match="not a valid zip"):
        read_zip(b"PK\x03\x04garbage")
    good = make_zip(fixture_bytes("bpmn/approval.bpmn") | {"forms/application.form.json": b"{}"})
    path = tmp_path / "bundle.zip"
    path.write_bytes(good)
    assert sorted(read_path(path)) == ["approval.bpmn", "forms/application.form.json"]
