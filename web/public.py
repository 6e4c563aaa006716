"""The public disclosure page (信息公开): announcements the processes published, no sign-in needed.

Only ``Disclosure`` rows are read here — the fields a task marked ``servflow:disclose`` chose to
publish — so nothing else about a project can leak through this page — and the providers blacklisted today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request

from engine.calendars.deadlines import local_date
from engine.queries import reporting
from engine.queries.option_labels import OptionLabels, label_of
from engine.queries.public_page import public_page
from engine.store.models import Disclosure

from . import exports
from .dashboard import int_arg, text_arg
from .engine_ext import get_engine
from .i18n import format_money, t
from .labels import locality_label

bp = Blueprint("public", __name__, url_prefix="/public")
PER_PAGE = 20
DOWNLOAD_LIMIT = 100_000


def is_money_field(name: str) -> bool:
    return name == "budget" or "amount" in name


def field_label(name: str) -> str:
    key = f"pub.field.{name}"
    text = t(key)
    return name if text == key else text


def kind_label(kind: str) -> str:
    key = f"pub.kind.{kind}"
    text = t(key)
    return kind if text == key else text


def show_value(name: str, value: Any, labels: OptionLabels | None = None) -> str:
    """A published value as people read it: a choice as its form labels it (公开招标, not ``open_tender``),
    money as ¥1,234.00, lists joined with 、."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(show_value(name, v, labels) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{show_value(k, v, labels)}" for k, v in value.items())
    if isinstance(value, bool):
        return t("pub.yes") if value else t("pub.no")
    if is_money_field(name) and reporting.to_money(value) is not None:
        return format_money(value)
    return str(label_of(labels or {}, name, value))


def download_value(name: str, value: Any, labels: OptionLabels | None = None) -> Any:
    """In a download money stays a number (two places), so spreadsheets can sum it."""
    if is_money_field(name) and reporting.to_money(value) is not None:
        return reporting.to_money(value)
    return show_value(name, value, labels)


def date_arg(name: str) -> date | None:
    raw = text_arg(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, description=t("pub.error.date", value=raw[:40]))


def filters() -> reporting.DisclosureFilter:
    kind = text_arg("kind")
    if kind is not None and kind not in reporting.DISCLOSURE_KINDS:
        abort(400, description=t("pub.error.kind", kind=kind[:40]))
    result = reporting.DisclosureFilter(
        locality=text_arg("locality"),
        kind=kind,
        date_from=date_arg("from"),
        date_to=date_arg("to"),
    )
    if result.date_from and result.date_to and result.date_from > result.date_to:
        abort(400, description=t("pub.error.range"))
    return result


@bp.get("/")
def index() -> Any:
    wanted = filters()
    page = int_arg("page", 1, 1, 1_000_000)
    engine = get_engine()
    fmt = exports.requested_format()
    shown = engine.read(
        public_page,
        wanted,
        local_date(engine.clock()),
        page=1 if fmt else page,
        per_page=DOWNLOAD_LIMIT if fmt else PER_PAGE,
    )
    found, localities = shown.found, shown.localities
    if found is None:
        abort(404, description=t("pub.error.locality", code=(wanted.locality or "")[:40]))
    if fmt:
        return disclosures_download(found.items, fmt, shown.labels)
    return render_template(
        "public/index.html",
        found=found,
        bans=shown.bans,
        wanted=wanted,
        kinds=reporting.DISCLOSURE_KINDS,
        localities=localities,
        kind_label=kind_label,
        field_label=field_label,
        show_value=show_value,
        labels=shown.labels,
        args={k: v for k, v in request.args.items() if k != "page" and v},
    )


def disclosures_download(items: list[Disclosure], fmt: str, labels: dict[int, OptionLabels]) -> Any:
    """One column per published field (in order of first appearance) after the common ones."""
    fields = list(dict.fromkeys(name for item in items for name in item.data if name != "business_key"))
    header = [t("pub.col.published"), t("pub.col.kind"), t("pub.col.locality"), t("pub.col.title"), t("pub.project_no")]
    rows = (
        [d.published_at, kind_label(d.kind), locality_label(d.locality_code), d.title, d.data.get("business_key")]
        + [download_value(name, d.data.get(name), labels.get(d.instance_id)) for name in fields]
        for d in items
    )
    return exports.download("disclosures", fmt, header + [field_label(name) for name in fields], rows)
