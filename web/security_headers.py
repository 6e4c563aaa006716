"""Security headers on every response; assets are same-origin (bundled), so the policy can be strict.

Scripts run only from files the app serves (``script-src 'self'``): no page has an inline ``<script>`` or an
``on…=`` handler; what a page's script needs comes in ``data-*`` attributes or a
``<script type="application/json">`` block, which the browser never runs. Styles may still be inline.
"""

from __future__ import annotations

from flask import Flask, Response

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
    ),
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _add(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
