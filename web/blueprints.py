"""The app's blueprints, one per page area, registered by ``create_app`` in this order."""

from __future__ import annotations

from flask import Blueprint


def BLUEPRINTS() -> list[Blueprint]:  # noqa: N802 - reads like the constant list it is
    from . import auth, home

    return [auth.bp, home.bp]
