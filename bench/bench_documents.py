"""Documents: a worker's memory while a 50 MB file streams in and out, and the project page at 1M tasks.

**Memory** (target: a 50 MB upload and download use < 20 MB of worker memory). One gunicorn worker on a
fresh database; its peak resident memory (``VmHWM``) is reset through ``/proc/<pid>/clear_refs`` before
each request and read after it. Baseline in the same run: the same worker answering a small JSON request
(what any request costs); the 50 MB file's own size is printed beside, for what reading it whole would add.

**Project page** (target: p95 ≤ 100 ms server time at 1M tasks). ``bench_inbox``'s million-task load on
PostgreSQL (100,000 on SQLite), then ``GET /projects/<id>`` through the Flask app for projects picked at
random, as the administrator and as the locality's manager (who reads it under ``instance.read_all``).
Baseline in the same run: ``GET /healthz`` through the same app.

Run: ``python -m bench.bench_documents [--skip-memory] [--pg-tasks N --sqlite-tasks N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import os
import random
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from bench.bench_inbox import Shape, load_postgres, load_sqlite, quantiles
from bench.common import print_table
from bench.servers import admin_tokens, free_port, gunicorn, pg_database, wait_until_serving
from engine.compose import build_engine
from engine.demo.seed import DEMO_PASSWORD, seed_users, shipped_bundle
from engine.service import Engine
from engine.store.migrate import upgrade
from web import create_app

MEGABYTE = 1024 * 1024
FILE_MB = 50
REPEAT = 40


# --------------------------------------------------------------------------- memory


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def _resident_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _growth_mb(pid: int, action: object) -> float:
    """How far the worker's resident memory peaked above where it stood, while ``action()`` ran."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current resident size
    before = _resident_kb(pid)
    action()  # type: ignore[operator]
    return (_peak_kb(pid) - before) / 1024


class _Pdf(io.RawIOBase):
    """A 50 MB PDF made as it is read, so the client's memory is not what is measured either."""

    def __init__(self, size: int) -> None:
        self.left, self.head = size, b"%PDF-1.7\n"
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        chunk = (self.head + os.urandom(n))[:n]
        self.head = b""
        buffer[:n] = chunk
        self.digest.update(chunk)
        self.left -= n
        return n


def _call(port: int, method: str, path: str, token: str, body: object = None, length: int | None = None) -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if length is not None:
        headers |= {"Content-Type": "application/octet-stream", "Content-Length": str(length)}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    digest, size, start = hashlib.sha256(), 0, b""
    while chunk := response.read(MEGABYTE):
        digest.update(chunk)
        size += len(chunk)
        start = start or chunk[:4096]
    connection.close()
    return response.status, digest.hexdigest(), size, start


def memory(url: str, label: str, folder: Path) -> list[tuple[str, ...]]:
    engine = build_engine(url, deadlines=False)
    engine.ensure_localities()
    seed_users(engine)
    engine.deploy(shipped_bundle(), "650000", "bench")
    instance = engine.start("lifecycle", locality="650100", business_key="BENCH-DOC-1", actor="system")
    (task,) = engine.open_tasks(instance.id)
    (token,) = admin_tokens(engine, 1)
    engine.dispose()
    port = free_port()
    server = gunicorn(url, port, 1, folder / f"bench-documents-{port}.log")
    server.start()
    try:
        wait_until_serving(port, server)
        (worker,) = server.children()
        _call(port, "GET", "/api/v1/tasks?per_page=5", token)  # warm the worker up once
        baseline = _growth_mb(worker, lambda: _call(port, "GET", "/api/v1/tasks?per_page=5", token))
        pdf = _Pdf(FILE_MB * MEGABYTE)
        answers: list[tuple] = []
        path = f"/api/v1/tasks/{task.id}/documents/application_files?name={quote('实施方案.pdf')}"
        upload = _growth_mb(worker, lambda: answers.append(_call(port, "POST", path, token, pdf, FILE_MB * MEGABYTE)))
        status, _, _, body = answers[-1]
        if status != 201:
            raise RuntimeError(f"upload answered {status}: {body[:300]!r}")
        download_path = f"/api/v1/documents/{json.loads(body)['id']}"
        download = _growth_mb(worker, lambda: answers.append(_call(port, "GET", download_path, token)))
        _, digest, size, _ = answers[-1]
        if digest != pdf.digest.hexdigest() or size != FILE_MB * MEGABYTE:
            raise RuntimeError("the download is not the file uploaded")
    finally:
        server.stop()
    return [
        (label, "small JSON request (baseline)", f"{baseline:.1f}", f"{baseline / FILE_MB:.2f}"),
        (label, f"upload {FILE_MB} MB", f"{upload:.1f}", f"{upload / FILE_MB:.2f}"),
        (label, f"download {FILE_MB} MB", f"{download:.1f}", f"{download / FILE_MB:.2f}"),
    ]


# --------------------------------------------------------------------------- project page


def project_page(engine: Engine, url: str, shape: Shape, label: str) -> list[tuple[str, ...]]:
    seed_users(engine)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "CSRF_ENABLED": False})
    rng = random.Random(5)
    picks = [rng.randrange(1, shape.instances + 1) for _ in range(REPEAT)]
    rows = []
    for who in ("admin", "manager_urumqi"):
        client = app.test_client()
        client.post("/login", data={"username": who, "password": DEMO_PASSWORD})
        baseline = _timed(lambda c=client: c.get("/healthz"), REPEAT)
        readable = [i for i in picks if client.get(f"/projects/{i}").status_code == 200]
        page = _timed_each([lambda i=i, c=client: c.get(f"/projects/{i}") for i in readable])
        (b50, b95), (p50, p95) = quantiles(baseline), quantiles(page)
        rows.append((label, f"{who}: GET /healthz (baseline)", f"{b50:.1f} / {b95:.1f}", "1.0"))
        rows.append((label, f"{who}: GET /projects/<id> ({len(readable)} projects)", f"{p50:.1f} / {p95:.1f}",
                     f"{p95 / max(b95, 0.01):.0f}"))  # fmt: skip
    app.extensions["servflow_engine"].dispose()
    return rows


def _timed(action: object, repeat: int) -> list[float]:
    return _timed_each([action] * repeat)


def _timed_each(actions: list) -> list[float]:
    samples = []
    for action in actions:
        started = time.perf_counter()
        response = action()
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"answered {response.status_code}")
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--pg-tasks", type=int, default=1_000_000)
    parser.add_argument("--sqlite-tasks", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        if not args.skip_memory:
            rows = []
            sqlite_url = f"sqlite:///{folder}/memory.sqlite"
            upgrade(sqlite_url)
            rows += memory(sqlite_url, "SQLite", here)
            with pg_database("servflow_bench_documents") as url:
                rows += memory(url, "PostgreSQL", here)
            header = ("backend", "request", "worker memory peak above its resident size, MB", "× the file's size")
            print_table(f"Worker memory, one gunicorn worker, a {FILE_MB} MB PDF (target < 20 MB)", rows, header)
        rows = []
        if args.pg_tasks:
            with pg_database("servflow_bench_project_page") as url:
                engine = build_engine(url, deadlines=False)
                shape = Shape(args.pg_tasks)
                load_postgres(engine, shape)
                rows += project_page(engine, url, shape, f"PostgreSQL, {shape.tasks:,} tasks")
                engine.dispose()
        if args.sqlite_tasks:
            url = f"sqlite:///{folder}/page.sqlite"
            upgrade(url)
            engine = build_engine(url, deadlines=False)
            shape = Shape(args.sqlite_tasks)
            load_sqlite(engine, shape)
            rows += project_page(engine, url, shape, f"SQLite, {shape.tasks:,} tasks")
            engine.dispose()
        header = ("backend", "request", "p50 / p95 ms", "p95 × baseline")
        print_table(f"Project page, server time through the Flask app, {REPEAT} projects (target p95 ≤ 100 ms)",
                    rows, header)  # fmt: skip


if __name__ == "__main__":
    main()
