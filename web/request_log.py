"""Each request as one piece of work: its id, one log line when answered, counted and timed for ``/metrics``.

The id is the caller's ``X-Request-Id`` when it is a plain token (a load balancer's, a client's retry
carrying its own), else a new one; it is answered in the same header and bound to the request's context
(``engine.observability.context``), so every log line of the request and every audit event its command
writes carry it. The hooks run first of all, so a request refused early (a bad token's 401) is logged and
counted too. Endpoints are labelled by their URL rule (``/api/v1/tasks/<int:task_id>/complete``), never the
raw path, so the metrics keep a bounded number of series whatever ids clients send.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from engine.observability import context, metrics

from . import metrics as scrape

log = logging.getLogger("servflow.http")
HEADER = "X-Request-Id"


def init_app(app: Flask) -> None:
    """Call last in ``create_app``: the id is bound before every other hook, the user after sign-in's."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.before_request(_bind_user)
    app.after_request(_answered)
    app.teardown_request(_end)


def _begin() -> None:
    g.request_started = time.perf_counter()
    g.request_context = context.begin(
        request_id=context.accepted_id(request.headers.get(HEADER)),
        path=request.path,
        method=request.method,
        user=None,
    )


def _bind_user() -> None:
    principal = g.get("principal")
    if principal is not None:
        context.bind(user=principal.username)


def _answered(response: Response) -> Response:
    request_id = context.request_id()
    if request_id is None:  # a request whose first hook never ran (nothing to log: it was never ours)
        return response
    response.headers[HEADER] = request_id
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    endpoint = request.url_rule.rule if request.url_rule is not None else _unrouted(request.path)
    metrics.HTTP_REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    metrics.HTTP_SECONDS.labels(request.method, endpoint).observe(seconds)
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={"status": response.status_code, "duration_ms": round(seconds * 1000, 1)},
    )
    return response


def _unrouted(path: str) -> str:
    """The label of a request no URL rule matched: the scrape (answered by a hook), or any 404."""
    return scrape.PATH if path == scrape.PATH else "(unmatched)"


def _end(_exc: BaseException | None) -> None:
    token = g.pop("request_context", None)
    if token is not None:
        context.end(token)
