"""Log lines an operator's tools can read: one JSON object a line, or plain text for a person at a terminal.

``SERVFLOW_LOG_FORMAT=json`` (Docker's default) writes ``{"time", "level", "logger", "message", …}`` with
the fields of the work in hand (``request_id``, ``user``, ``path`` from ``context``) and those a call
passes in ``extra`` (``status``, ``duration_ms``); ``text`` (the default elsewhere) writes the same as one
readable line. The web app, gunicorn (``web.gunicorn_conf``) and the scheduler all configure logging
here, so every process of a deployment writes the same shape.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from . import context

#: The fields a log line may carry beside the message, in the order they are written.
FIELDS = ("request_id", "user", "path", "method", "status", "duration_ms", "sweep")
#: ``LogRecord`` attributes of every record, never written as fields of their own.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    """The work's fields, then the record's own ``extra`` (a request's status is known only at its end)."""
    found = dict(context.fields())
    found.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object a line; an exception's traceback goes in ``exc_info`` (no line breaks in a line)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_fields(record))
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger message key=value …`` for reading at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extra = " ".join(f"{key}={value}" for key, value in _fields(record).items() if value is not None)
        return f"{text} {extra}" if extra else text


def log_format(environ: dict[str, str] | None = None) -> str:
    """``json`` or ``text``, from ``SERVFLOW_LOG_FORMAT`` (anything else is refused, not guessed)."""
    value = (environ if environ is not None else os.environ).get("SERVFLOW_LOG_FORMAT", "text").strip().lower()
    if value not in {"json", "text"}:
        raise ValueError(f"SERVFLOW_LOG_FORMAT must be json or text, not {value!r}")
    return value


def formatter(kind: str | None = None) -> logging.Formatter:
    return JsonFormatter() if (kind or log_format()) == "json" else TextFormatter()


def configure(level: int = logging.INFO) -> None:
    """Send every logger's lines to stdout in the configured format; SpiffWorkflow's chatter is held back."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change
