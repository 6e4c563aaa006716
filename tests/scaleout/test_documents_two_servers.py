"""Two app servers on one database serve the same documents: a file uploaded through one is downloaded,
byte for byte, through the other — real gunicorn processes, on SQLite and on PostgreSQL, because the
content lives in the database, not on an app server's disk."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
from pathlib import Path
from urllib.parse import quote

from bench.servers import admin_tokens, free_port, gunicorn, wait_until_serving
from engine.demo.seed import shipped_bundle
from engine.service import Engine

#: Over the store's 4 MiB write batch, so the upload is written in several transactions and read back
#: in many chunks.
CONTENT = b"%PDF-1.7\n" + os.urandom(5 * 1024 * 1024 + 123)


def _call(port: int, method: str, path: str, token: str, body: bytes | None = None) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/octet-stream"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def test_a_document_uploaded_through_one_server_is_served_by_the_other(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-TWO-1", actor="system")
    (task,) = engine.open_tasks(instance.id)
    (token,) = admin_tokens(engine, 1)
    ports = [free_port(), free_port()]
    servers = [gunicorn(database_url, port, 2, tmp_path / f"app-{port}.log") for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            server.start()
            wait_until_serving(port, server)
        name = quote("采购需求.pdf")
        path = f"/api/v1/tasks/{task.id}/documents/application_files?name={name}"
        status, body, _ = _call(ports[0], "POST", path, token, CONTENT)
        assert status == 201, body
        document = json.loads(body)
        assert document["sha256"] == hashlib.sha256(CONTENT).hexdigest()

        status, content, headers = _call(ports[1], "GET", f"/api/v1/documents/{document['id']}", token)
        assert status == 200 and content == CONTENT
        assert headers["Content-Type"] == "application/pdf" and int(headers["Content-Length"]) == len(CONTENT)
    finally:
        for server in servers:
            server.stop()
