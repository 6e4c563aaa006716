"""gunicorn's settings for servflow: ``gunicorn -c docker/gunicorn.conf.py 'web:create_app()'``.

A file, not a module of ``web``: importing ``web`` would import prometheus-client before this file sets
its directory below.

Metrics in multi-process mode: each worker is its own process with its own counters, so prometheus-client
keeps them in files under ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them up. The directory is set
here, in the master, before any worker imports the app (prometheus-client reads it at import), emptied
when the master starts (values of an earlier run would count again), and a worker that exits is marked
dead (``child_exit``), so its live gauges stop counting while its counters keep adding up.

Logs: gunicorn's own lines go through servflow's formatter (``SERVFLOW_LOG_FORMAT``: ``json`` in Docker),
and the app logs each request itself (``servflow.http``, with its id), so gunicorn's access log is off.
Workers default to ``WEB_CONCURRENCY`` (gunicorn reads it), about cores + 1: requests are CPU-bound.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from engine.observability import logs

# Before anything imports prometheus-client: it picks file-backed values only if this is set when imported.
_METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="servflow-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _METRICS_DIR

bind = os.environ.get("SERVFLOW_BIND", "0.0.0.0:5000")
accesslog = None

_FORMATTER = "servflow_json" if logs.log_format() == "json" else "servflow_text"
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "servflow_json": {"()": "engine.observability.logs.JsonFormatter"},
        "servflow_text": {"()": "engine.observability.logs.TextFormatter"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": _FORMATTER, "stream": "ext://sys.stdout"},
    },
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        "spiff": {"level": "WARNING"},
    },
}


def on_starting(server: Any) -> None:
    """Start with an empty metrics directory: the files of an earlier run would be added in again."""
    directory = Path(_METRICS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    for entry in directory.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker that exited holds no connection any more: drop its live gauges from the sums."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
