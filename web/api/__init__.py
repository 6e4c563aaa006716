"""Placeholder: the /api/v1 HTTP API (flask-smorest) is being built."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach the API to the app."""
