"""Simplified Chinese by default, English on request; dates yyyy-MM-dd, money ¥1,234,567.00.

Messages live in ``web/translations/*.json`` (one file per page area, each ``{"zh": {...}, "en": {...}}``)
and are merged at start-up; a missing English text falls back to the Chinese one, a missing key shows
the key itself so it is noticed.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, redirect, request, session

from .redirects import local_target

LANGUAGES = ("zh", "en")
CHINA = ZoneInfo("Asia/Shanghai")
_CATALOG: dict[str, dict[str, str]] = {"zh": {}, "en": {}}
bp = Blueprint("i18n", __name__)


def load_catalogs(folder: Path) -> None:
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for lang in LANGUAGES:
            _CATALOG[lang].update(data.get(lang, {}))


def current_language() -> str:
    lang = session.get("lang") if _has_request() else None
    return lang if lang in LANGUAGES else "zh"


def t(key: str, **values: Any) -> str:
    lang = current_language()
    text = _CATALOG[lang].get(key) or _CATALOG["zh"].get(key) or key
    return text.format(**values) if values else text


def format_money(value: Any) -> str:
    """¥1,234,567.00 — two places, thousands separators; blank for no value."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def format_date(value: Any) -> str:
    """yyyy-MM-dd; datetimes are shown on the China calendar day."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(CHINA)
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def format_datetime(value: Any) -> str:
    if not isinstance(value, datetime):
        return format_date(value)
    if value.tzinfo is not None:
        value = value.astimezone(CHINA)
    return value.strftime("%Y-%m-%d %H:%M")


def format_size(value: int | None) -> str:
    """File sizes as people read them: 980 B, 12.5 KB, 3.2 MB (1024-based, as file managers show)."""
    size = float(value or 0)
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            break
        size /= 1024
    return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"


def _has_request() -> bool:
    from flask import has_request_context

    return has_request_context()


@bp.get("/lang/<lang>")
def switch(lang: str) -> Any:
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(local_target(request.args.get("next") or request.referrer, "/"))


def init_app(app: Flask) -> None:
    load_catalogs(Path(__file__).parent / "translations")
    app.jinja_env.globals.update(t=t, current_language=current_language)
    app.jinja_env.filters.update(money=format_money, date=format_date, datetime=format_datetime, size=format_size)
    app.register_blueprint(bp)
