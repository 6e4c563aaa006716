"""How ``servflow worker`` tells "servflow said no" from "servflow was not reached", against a real HTTP
peer on loopback (``http.server``): a dropped connection or a 5xx is waited out with a growing pause, a
refused token stops the worker, and an error answer's code and message reach the log as servflow gave them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.servers import free_port
from workers.client import ApiError, ServflowClient, Topic, Unreachable
from workers.handlers import FinanceApi
from workers.run import Settings, Worker


class Scripted(BaseHTTPRequestHandler):
    """Answers each request with the next of the server's ``answers``: ``None`` drops the connection."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((time.monotonic(), self.path))  # type: ignore[attr-defined]
        answer = self.server.answers.pop(0)  # type: ignore[attr-defined]
        if answer is None:
            self.close_connection = True
            self.connection.close()
            return
        status, content_type, body = answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def peer() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    server.answers, server.seen = [], []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def client_of(server: ThreadingHTTPServer) -> ServflowClient:
    return ServflowClient(f"http://127.0.0.1:{server.server_address[1]}", "token", "worker-1", timeout=5)


def error_json(code: str, message: str) -> bytes:
    return json.dumps({"code": code, "message": message, "errors": {"workerId": ["held by worker-2"]}}).encode()


def test_nothing_listening_is_unreachable_not_an_answer() -> None:
    client = ServflowClient(f"http://127.0.0.1:{free_port()}", "token", "worker-1", timeout=5)
    with pytest.raises(Unreachable, match="/fetch-and-lock"):
        client.fetch_and_lock([Topic("budget.check", 60_000)], max_tasks=1, long_poll_ms=0)


def test_error_answers_carry_servflows_code_and_message(peer: ThreadingHTTPServer) -> None:
    peer.answers += [  # type: ignore[attr-defined]
        (409, "application/json", error_json("conflict", "任务已被其他工作进程锁定")),
        (503, "text/html", b"<h1>Service Unavailable</h1>"),
        None,
    ]
    client = client_of(peer)
    with pytest.raises(ApiError) as held:
        client.complete(7, {"budget_line": "YS-1"})
    assert (held.value.status, held.value.code, held.value.message) == (409, "conflict", "任务已被其他工作进程锁定")
    assert held.value.errors == {"workerId": ["held by worker-2"]} and not held.value.transient
    with pytest.raises(ApiError) as busy:
        client.complete(7, {"budget_line": "YS-1"})
    assert busy.value.status == 503 and busy.value.transient and "Service Unavailable" in busy.value.message
    with pytest.raises(Unreachable):
        client.complete(7, {"budget_line": "YS-1"})


def test_a_worker_waits_out_a_dropped_connection_and_a_503_then_stops_when_its_token_is_refused(
    peer: ThreadingHTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    peer.answers += [  # type: ignore[attr-defined]
        None,
        (503, "application/json", error_json("database_unavailable", "数据库暂不可用")),
        (401, "application/json", error_json("unauthorized", "API token revoked")),
    ]
    worker = Worker(client_of(peer), FinanceApi("http://127.0.0.1:9"), Settings(("budget.check",), long_poll_ms=0))
    with caplog.at_level("WARNING", logger="servflow.worker"), pytest.raises(ApiError, match="token revoked"):
        worker.run()
    times = [at for at, path in peer.seen]  # type: ignore[attr-defined]
    assert [path for at, path in peer.seen] == ["/api/v1/external-tasks/fetch-and-lock"] * 3  # type: ignore[attr-defined]
    assert times[1] - times[0] >= 0.9 and times[2] - times[1] >= 1.9, "the pause doubles after each failure"
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 2 and "again in 1 s" in warnings[0] and "数据库暂不可用" in warnings[1]


class KeepAlive(BaseHTTPRequestHandler):
    """An HTTP/1.1 peer that keeps connections open, or, for calls the server's ``drop_after`` names, closes
    the connection after answering without saying so (a server's idle timeout, as the next call sees it)."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = self.server.seen  # type: ignore[attr-defined]
        seen.append(self.client_address[1])
        body = json.dumps({"id": len(seen), "state": "completed"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if len(seen) in self.server.drop_after:  # type: ignore[attr-defined]
            self.wfile.flush()
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


def test_a_kept_alive_connection_is_reused_and_opened_again_after_the_server_closed_it() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    server.seen, server.drop_after = [], {2}  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = client_of(server)
        answers = [client.complete(7, {"budget_line": "YS-1"})["id"] for _ in range(2)]
        time.sleep(0.2)  # the server has closed the connection the client still holds
        answers.append(client.complete(7, {"budget_line": "YS-1"})["id"])
        other_thread: list[int] = []
        thread = threading.Thread(target=lambda: other_thread.append(client.extend_lock(7, 60_000)["id"]))
        thread.start()
        thread.join(5)
        answers += [*other_thread, client.complete(7, {"budget_line": "YS-1"})["id"]]
    finally:
        server.shutdown()
        server.server_close()
    assert answers == [1, 2, 3, 4, 5], "every call answered once: none lost, none sent twice"
    ports = server.seen  # type: ignore[attr-defined]
    assert ports[0] == ports[1], "the second call went over the first call's connection"
    assert ports[2] != ports[1], "after the server closed it, the call went over a new connection"
    assert ports[3] not in ports[:3] and ports[4] == ports[2], "each thread has its own connection"
