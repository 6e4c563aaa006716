"""One servflow Engine per app, built from the app's configuration."""

from __future__ import annotations

from flask import Flask, current_app

from engine.config import EngineConfig
from engine.service import Engine

KEY = "servflow_engine"


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_URL") or EngineConfig.from_env().database_url
    app.config["DATABASE_URL"] = url
    app.extensions[KEY] = Engine(EngineConfig(database_url=url))


def get_engine() -> Engine:
    return current_app.extensions[KEY]
