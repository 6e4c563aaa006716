"""Number and money fields take plain ASCII notation only (issue #10).

Python's ``Decimal``/``int``/``float`` read full-width and Arabic-Indic digits, exponents, ``1_000``,
``NaN`` and ``Infinity``; a form must not turn ``"１２３"`` into 123 or ``"1E2"`` into 100 behind the
person's back. JSON numbers stay accepted; a boolean is not a number.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.errors import InvalidDataError
from engine.formats.forms import MSG_NUMBER, MSG_NUMBER_TEXT, load_form, validate_submission

MONEY = {"type": "number", "key": "budget", "label": "预算金额（元）", "decimalDigits": 2}
COUNT = {"type": "number", "key": "count", "label": "数量"}


def form_of(*components: dict[str, Any]) -> dict[str, Any]:
    return load_form(json.dumps({"type": "default", "components": list(components)}), source="test")


def refusal(form: dict[str, Any], data: dict[str, Any]) -> InvalidDataError:
    with pytest.raises(InvalidDataError) as caught:
        validate_submission(form, data)
    return caught.value


NOT_PLAIN = [
    "１２３",  # full-width
    "١٢٣",  # Arabic-Indic
    "۱۲۳",  # extended Arabic-Indic (Persian)
    "१२३",  # Devanagari
    "１２.５",
    "1E2",
    "1e2",
    "2E+1",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1_000",
    "+5",
    ".5",
    "5.",
    "1,000",
    "0x10",
    "十二",
    "1 000",
]


@pytest.mark.parametrize("field", [MONEY, COUNT], ids=["money", "number"])
@pytest.mark.parametrize("submitted", NOT_PLAIN)
def test_text_in_any_other_notation_is_refused_naming_the_field(field: dict[str, Any], submitted: str) -> None:
    key = field["key"]
    error = refusal(form_of(field), {key: submitted})
    assert error.errors == {key: [MSG_NUMBER_TEXT]}
    assert key in error.message


def test_the_message_says_what_is_accepted_in_both_languages() -> None:
    chinese, english = MSG_NUMBER_TEXT.split(" / ")
    assert "0-9" in chinese and "小数点" in chinese
    assert "ASCII digits 0-9" in english and "decimal point" in english


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [("123", 123), ("1234.56", 1234.56), ("-5", -5), ("0", 0), (" 12 ", 12), ("0012.50", 12.5)],
)
def test_plain_ascii_text_is_still_a_number(submitted: str, expected: int | float) -> None:
    cleaned = validate_submission(form_of(MONEY), {"budget": submitted})
    assert cleaned["budget"] == expected and type(cleaned["budget"]) is type(expected)


@pytest.mark.parametrize(("submitted", "expected"), [(123, 123), (1234.56, 1234.56), (-5, -5), (0, 0), (1e3, 1000)])
def test_json_numbers_stay_accepted(submitted: int | float, expected: int | float) -> None:
    assert validate_submission(form_of(MONEY), {"budget": submitted}) == {"budget": expected}


@pytest.mark.parametrize("submitted", [True, False, float("nan"), float("inf"), float("-inf"), [1], {"v": 1}])
def test_booleans_and_non_finite_json_values_are_not_numbers(submitted: Any) -> None:
    assert refusal(form_of(MONEY), {"budget": submitted}).errors == {"budget": [MSG_NUMBER]}


def test_a_number_inside_a_dynamic_list_is_named_by_its_row() -> None:
    form = form_of({"type": "dynamiclist", "path": "instalments", "components": [MONEY]})
    error = refusal(form, {"instalments": [{"budget": "100"}, {"budget": "１００"}]})
    assert error.errors == {"instalments[1].budget": [MSG_NUMBER_TEXT]}
