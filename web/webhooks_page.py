"""Webhook subscriptions in the browser (/webhooks/): a locality's managers (and administrators) see the
systems subscribed to its events and what was delivered to them, add or pause a subscription, and send a
failed delivery again.

The rules are the engine's (``engine.commands.webhooks``), the same as the API's; the secret a new
subscription signs with is shown on the page that answers its creation, once.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.commands import webhooks
from engine.errors import InvalidDataError, PermissionDeniedError
from engine.identity import access
from engine.identity.localities import REGION, locality_codes
from engine.queries import webhooks as webhook_log
from engine.store.events import KINDS
from engine.store.models import DELIVERY_DEAD, DELIVERY_DELIVERED, DELIVERY_PENDING, WebhookSubscription

from .auth import current_principal, login_required
from .engine_ext import get_engine
from .i18n import t

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
STATES = (DELIVERY_PENDING, DELIVERY_DELIVERED, DELIVERY_DEAD)
SHOWN_DELIVERIES = 50


def _localities() -> list[str]:
    """The localities whose subscriptions the person keeps, in code order; refused when there are none."""
    principal = current_principal()
    if not access.may_anywhere(principal, webhooks.ACTION):
        raise PermissionDeniedError(t("hooks.may_not"))
    engine = get_engine()
    kept = engine.read(access.localities_for, principal, webhooks.ACTION)
    return engine.read(locality_codes) if kept is None else sorted(kept)


def _page(
    *,
    created: WebhookSubscription | None = None,
    errors: dict[str, list[str]] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Any:
    localities = _localities()
    asked = (request.values.get("locality") or "").strip()
    locality = asked if asked in localities else (REGION if REGION in localities else localities[0])
    state = request.args.get("state") if request.args.get("state") in STATES else None
    engine = get_engine()
    principal = current_principal()
    found = engine.read(webhook_log.deliveries, principal, locality=locality, state=state, per_page=SHOWN_DELIVERIES)
    page = render_template(
        "webhooks/index.html",
        localities=localities,
        locality=locality,
        subscriptions=engine.read(webhook_log.subscriptions, principal, locality),
        deliveries=found.rows,
        total=found.total,
        state=state,
        states=STATES,
        kinds=KINDS,
        created=created,
        errors=errors or {},
        form=form or {"events": []},
    )
    return page, status


@bp.get("/")
@login_required
def index() -> Any:
    return _page()


@bp.post("/")
@login_required
def subscribe() -> Any:
    form = {
        "url": (request.form.get("url") or "").strip(),
        "events": request.form.getlist("events"),
        "description": (request.form.get("description") or "").strip(),
    }
    engine = get_engine()
    try:
        created = engine.write(
            webhooks.subscribe,
            current_principal(),
            locality=(request.form.get("locality") or "").strip(),
            now=engine.clock(),
            **form,
        )
    except InvalidDataError as exc:
        flash(t("hooks.fix_errors"), "error")
        return _page(errors=exc.errors, form=form, status=422)
    flash(t("hooks.added", url=created.url), "success")
    return _page(created=created)


@bp.post("/<int:subscription_id>/active")
@login_required
def set_active(subscription_id: int) -> Any:
    engine = get_engine()
    active = request.form.get("active") == "1"
    found = engine.write(webhooks.change, current_principal(), subscription_id, {"active": active}, now=engine.clock())
    flash(t("hooks.resumed" if active else "hooks.paused", url=found.url), "success")
    return redirect(url_for("webhooks.index", locality=found.locality_code))


@bp.post("/<int:subscription_id>/delete")
@login_required
def remove(subscription_id: int) -> Any:
    engine = get_engine()
    principal = current_principal()
    found = engine.read(webhooks.managed, principal, subscription_id)
    engine.write(webhooks.remove, principal, subscription_id, now=engine.clock())
    flash(t("hooks.removed", url=found.url), "success")
    return redirect(url_for("webhooks.index", locality=found.locality_code))


@bp.post("/deliveries/<int:delivery_id>/resend")
@login_required
def resend(delivery_id: int) -> Any:
    engine = get_engine()
    engine.write(webhooks.resend, current_principal(), delivery_id, now=engine.clock())
    flash(t("hooks.resent", id=delivery_id), "success")
    return redirect(url_for("webhooks.index", locality=request.form.get("locality") or None))
