"""The landing page: where a signed-in person starts (their inbox), otherwise the sign-in page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, url_for

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Any:
    if g.get("principal") is None:
        return redirect(url_for("auth.login"))
    return render_template("home/index.html")


@bp.get("/healthz")
def health() -> Any:
    return {"status": "ok"}
