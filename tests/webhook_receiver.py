"""A real HTTP receiver on loopback for the webhook tests (importable as ``webhook_receiver``).

``Receiver([500, 500, 500])`` answers its first three POSTs with 500 and every later one with 200, and keeps
what each request carried; ``verified(secret)`` checks a request's signature the way a subscriber would,
with nothing of servflow's code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One request as it arrived, and the status it was answered with."""

    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)

    def verified(self, secret: str) -> bool:
        """The signature is HMAC-SHA256 of ``"<timestamp>.<body>"`` with the secret, as documented."""
        signed = self.headers["X-Servflow-Timestamp"].encode() + b"." + self.body
        expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers["X-Servflow-Signature"])


class Receiver:
    """Answers POSTs with the scripted statuses, then ``then``; ``received`` lists every request."""

    def __init__(self, statuses: Iterable[int] = (), then: int = 200) -> None:
        self.statuses = list(statuses)
        self.then = then
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/servflow"

    @property
    def delivered(self) -> list[Received]:
        """The requests it answered with a 2xx: what the subscriber actually took in."""
        return [r for r in self.received if 200 <= r.answered < 300]

    def _next_status(self) -> int:
        with self._lock:
            return self.statuses.pop(0) if self.statuses else self.then

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver._next_status()
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body, status))
                answer = json.dumps({"status": status, "note": "x" * 3000}).encode()  # longer than 2 kB
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: pytest shows what the test asserts."""

        return Handler

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
