"""Refuse JSON bodies nested deeper than any form needs, before anything parses them.

Python's JSON parser and everything after it (schema checks, form validation, SpiffWorkflow's data
copies) recurse once per level: a 2 KB body nested a thousand levels deep ends in a RecursionError, a
500. The deepest thing a form submits is a repeating list inside a group, a handful of levels, so every
JSON request body is measured first and one nested deeper than ``MAX_JSON_DEPTH`` is a 400 naming why.
"""

from __future__ import annotations

import re
from itertools import accumulate

from flask import Flask, abort, request

MAX_JSON_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes) -> int:
    """How deeply ``body``'s arrays and objects nest (brackets inside strings do not count)."""
    steps = (1 if b in b"[{" else -1 for b in _BRACKET.findall(_STRING.sub(b"", body)))
    return max(accumulate(steps, initial=0))


def _refuse_deep_json() -> None:
    if request.is_json and request.content_length != 0:
        depth = json_depth(request.get_data(cache=True))
        if depth > MAX_JSON_DEPTH:
            abort(
                400,
                description=f"JSON 嵌套过深（{depth} 层，最多 {MAX_JSON_DEPTH} 层）/ "
                f"JSON nested too deeply ({depth} levels, at most {MAX_JSON_DEPTH})",
            )


def init_app(app: Flask) -> None:
    app.before_request(_refuse_deep_json)
