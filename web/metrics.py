"""``GET /metrics``: the server's metrics in Prometheus's text format, for an allowed scraper only.

Under gunicorn (``web.gunicorn_conf`` sets ``PROMETHEUS_MULTIPROC_DIR``) the answer adds up every worker's
counters from the files they keep there, whichever worker answers; elsewhere (``servflow serve``, tests) it
is this process's. The backlog — open and overdue tasks, incidents, due timers, webhooks, unsent e-mail,
external tasks — is read from the database at the scrape (``engine.queries.backlog``), so every server
reports the same numbers.

A scrape is answered before sign-in is looked at (its bearer token is not an API token) and only for an
address on ``SERVFLOW_METRICS_ALLOW`` (addresses or networks, comma-separated; default ``127.0.0.1,::1``)
or with ``Authorization: Bearer <SERVFLOW_METRICS_TOKEN>``: 401 asks for the token when one is set, 403
refuses otherwise. The figures say how busy the service is and which topics exist; they are not public.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from engine.queries.backlog import Backlog, backlog

from .engine_ext import get_engine

PATH = "/metrics"
DEFAULT_ALLOW = "127.0.0.1,::1"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def init_app(app: Flask) -> None:
    """Answer scrapes first among the app's hooks (``web.request_log`` still logs and counts them)."""
    app.config.setdefault("METRICS_ALLOW", DEFAULT_ALLOW)
    app.config.setdefault("METRICS_TOKEN", None)
    app.extensions["servflow_metrics_allow"] = allow_list(str(app.config["METRICS_ALLOW"]))
    app.before_request_funcs.setdefault(None, []).insert(0, _scrape)


def allow_list(value: str) -> tuple[Network, ...]:
    """The networks of ``SERVFLOW_METRICS_ALLOW``; a bad entry stops the app at start, not at a scrape."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip())


def _scrape() -> Response | None:
    if request.path != PATH:
        return None
    refusal = _refusal()
    if refusal is not None:
        return refusal
    body = generate_latest(_instruments()) + generate_latest(_backlog_registry())
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Cache-Control": "no-store"})


def _refusal() -> Response | None:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and given.lower().startswith("bearer ") and hmac.compare_digest(given[7:].strip(), str(token)):
        return None
    if _allowed(request.remote_addr):
        return None
    if token:
        return Response("metrics need a bearer token\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response("metrics are not served to this address\n", 403)


def _allowed(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in current_app.extensions["servflow_metrics_allow"])


def _instruments() -> CollectorRegistry:
    """Every gunicorn worker's counts when they keep them in files; else this process's own."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


def _backlog_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    mailing = bool(current_app.config.get("SMTP_HOST"))
    registry.register(_BacklogCollector(get_engine().read(backlog, datetime.now(UTC), mailing=mailing)))
    return registry


class _BacklogCollector(Collector):
    """The backlog read once for this scrape, as gauges."""

    def __init__(self, figures: Backlog) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Any]:
        f = self.figures
        yield _gauge("servflow_tasks_open", "Open human tasks", f.open_tasks)
        yield _gauge("servflow_tasks_overdue", "Open human tasks past their due date (China date)", f.overdue_tasks)
        incidents = GaugeMetricFamily("servflow_incidents_open", "Open incidents by kind", labels=["kind"])
        for kind, count in sorted(f.open_incidents.items()):
            incidents.add_metric([kind], count)
        yield incidents
        yield _gauge("servflow_timers_due", "BPMN timers past their due time, not fired yet", f.timers_due)
        yield _gauge(
            "servflow_timers_oldest_due_seconds", "How long the oldest unfired due timer is late", f.oldest_timer_due
        )
        webhooks = GaugeMetricFamily(
            "servflow_webhook_deliveries", "Webhook deliveries waiting (pending) or given up (dead)", labels=["state"]
        )
        for state, count in sorted(f.webhooks.items()):
            webhooks.add_metric([state], count)
        yield webhooks
        yield _gauge(
            "servflow_webhook_oldest_due_seconds",
            "How long the oldest due webhook delivery waits",
            f.oldest_webhook_due,
        )
        if f.unsent_emails is not None:
            yield _gauge("servflow_notifications_unsent", "Notifications not yet e-mailed", f.unsent_emails)
        external = GaugeMetricFamily("servflow_external_tasks_open", "Open external tasks by topic", labels=["topic"])
        for topic, count in sorted(f.external_tasks.items()):
            external.add_metric([topic], count)
        yield external


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
