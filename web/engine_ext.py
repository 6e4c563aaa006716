"""One servflow Engine per app, built from the app's configuration."""

from __future__ import annotations

from flask import Flask, current_app

from engine.compose import build_engine
from engine.config import EngineConfig
from engine.jobs import scheduler
from engine.service import Engine

KEY = "servflow_engine"


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_URL") or EngineConfig.from_env().database_url
    app.config["DATABASE_URL"] = url
    engine = build_engine(url)
    app.extensions[KEY] = engine
    if app.config.get("SCHEDULER_ENABLED"):
        # `make run`: timers, reminders and e-mail in-process; production runs `servflow scheduler`.
        app.extensions["servflow_scheduler"] = scheduler.start(
            scheduler.build(url), interval=float(app.config.get("SCHEDULER_INTERVAL", 30))
        )


def get_engine() -> Engine:
    return current_app.extensions[KEY]
