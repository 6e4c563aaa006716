"""Server-side form validation: every shipped form accepts good data and refuses bad data per field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.errors import DefinitionError, InvalidDataError
from engine.formats.forms import (
    INPUT_TYPES,
    MAX_FORM_BYTES,
    example_submission,
    load_form,
    validate_submission,
)

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
FORM_FILES = sorted(FORMS_DIR.glob("*.form.json"))

# A value of the wrong kind for each component type.
WRONG_VALUE = {
    "textfield": 123,
    "textarea": ["not", "text"],
    "number": "十二",
    "datetime": "2025-13-01",
    "select": "__no_such_option__",
    "radio": "__no_such_option__",
    "checkbox": "yes",
    "checklist": "not-a-list",
    "dynamiclist": "not-a-list",
    "filepicker": "not-a-list",
}


def load(path: Path) -> dict[str, Any]:
    return load_form(path.read_bytes(), source=path.name)


def make_form(*components: dict[str, Any]) -> dict[str, Any]:
    return load_form(json.dumps({"type": "default", "components": list(components)}), source="test")


def refused(form: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(InvalidDataError) as caught:
        validate_submission(form, data)
    return caught.value.errors


def value_fields(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Top-level keyed components whose value a client may submit (not display-only, not readonly)."""
    result = []
    for component in components:
        if component.get("readonly") or component.get("disabled"):
            continue
        if component["type"] in INPUT_TYPES or component["type"] == "dynamiclist":
            result.append(component)
        elif component["type"] == "group" and not component.get("path"):
            result.extend(value_fields(component["components"]))
    return result


def field_key(component: dict[str, Any]) -> str:
    return component.get("key") or component["path"]


# --------------------------------------------------------------------------- every shipped form


def test_there_are_forms() -> None:
    assert len(FORM_FILES) >= 20


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_form_is_well_formed(path: Path) -> None:
    form = load(path)
    assert form["id"] == path.name.removesuffix(".form.json")
    assert form["type"] == "default"
    for component in value_fields(form["components"]):
        label = component.get("label") or component.get("dateLabel")
        assert label and any("\u4e00" <= ch <= "\u9fff" for ch in label), f"{field_key(component)}: Chinese label"
        assert field_key(component).islower(), "keys are snake_case"


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_valid_submission_passes(path: Path) -> None:
    form = load(path)
    data = example_submission(form)
    cleaned = validate_submission(form, {**data, "not_a_field": "dropped"})
    assert "not_a_field" not in cleaned
    for component in value_fields(form["components"]):
        assert field_key(component) in cleaned, "every form key is present in cleaned data"
    json.dumps(cleaned)  # task data must be JSON-serializable


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_missing_required_fields_are_named(path: Path) -> None:
    form = load(path)
    required = [
        field_key(c)
        for c in value_fields(form["components"])
        if c.get("validate", {}).get("required") and not c.get("conditional")
    ]
    assert required, "every shipped form asks for something"
    errors = refused(form, {})
    assert sorted(errors) == sorted(required)
    assert all(messages == ["必填 / Required"] for messages in errors.values())


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_wrong_values_are_refused_per_field(path: Path) -> None:
    form = load(path)
    fields = value_fields(form["components"])
    bad = {field_key(c): WRONG_VALUE[c["type"]] for c in fields}
    errors = refused(form, {**example_submission(form), **bad})
    assert sorted(errors) == sorted(bad)
    for messages in errors.values():
        assert all(" / " in m for m in messages), "Chinese / English messages"


# --------------------------------------------------------------------------- rules, by hand

MONEY = {"type": "number", "key": "amount", "label": "金额", "decimalDigits": 2, "validate": {"required": True}}


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [(1234.5, 1234.5), ("1234.50", 1234.5), (1000, 1000), ("1000.00", 1000), (0.1, 0.1), ("12.3", 12.3)],
)
def test_money_is_a_plain_number(submitted: Any, expected: Any) -> None:
    cleaned = validate_submission(make_form(MONEY), {"amount": submitted})
    assert cleaned["amount"] == expected
    assert type(cleaned["amount"]) is type(expected)


@pytest.mark.parametrize("submitted", [1.234, "0.001", "12.345", "1e-3"])
def test_money_with_more_than_two_places_is_refused(submitted: Any) -> None:
    assert refused(make_form(MONEY), {"amount": submitted}) == {"amount": ["最多 2 位小数 / At most 2 decimal places"]}


@pytest.mark.parametrize("submitted", [True, "abc", "NaN", "Infinity", {"v": 1}, "1234567890123456"])
def test_number_rejects_non_numbers_and_unsafe_precision(submitted: Any) -> None:
    assert "amount" in refused(make_form(MONEY), {"amount": submitted})


def test_number_range_and_integer_digits() -> None:
    form = make_form(
        {"type": "number", "key": "count", "label": "数量", "decimalDigits": 0, "validate": {"min": 1, "max": 10}}
    )
    assert validate_submission(form, {"count": 10}) == {"count": 10}
    assert refused(form, {"count": 0}) == {"count": ["不能小于 1 / Must be at least 1"]}
    assert refused(form, {"count": 11}) == {"count": ["不能大于 10 / Must be at most 10"]}
    assert "count" in refused(form, {"count": 2.5})


DATE = {
    "type": "datetime",
    "subtype": "date",
    "key": "signed_date",
    "dateLabel": "日期",
    "validate": {"required": True},
}


@pytest.mark.parametrize("submitted", ["2025-02-29", "2025/03/01", "2025-3-1", "2025-03-01T10:00", 20250301])
def test_bad_dates_are_refused(submitted: Any) -> None:
    assert refused(make_form(DATE), {"signed_date": submitted}) == {
        "signed_date": ["日期格式应为 YYYY-MM-DD / Date must be YYYY-MM-DD"]
    }


def test_dates_stay_iso_strings() -> None:
    assert validate_submission(make_form(DATE), {"signed_date": "2024-02-29"}) == {"signed_date": "2024-02-29"}


def test_options_are_enforced() -> None:
    form = make_form(
        {
            "type": "radio",
            "key": "review_decision",
            "label": "结论",
            "values": [{"label": "同意", "value": "approve"}, {"label": "退回", "value": "return"}],
            "validate": {"required": True},
        }
    )
    assert validate_submission(form, {"review_decision": "return"}) == {"review_decision": "return"}
    assert refused(form, {"review_decision": "maybe"}) == {
        "review_decision": ["不是有效选项 / Not one of the allowed options"]
    }


def test_text_length_and_pattern() -> None:
    form = load(FORMS_DIR / "winner_confirmation.form.json")
    good = example_submission(form)
    errors = refused(form, {**good, "winner_credit_code": "91650100MA7AB1C2D", "winner_name": "x" * 201})
    assert errors["winner_credit_code"][0].startswith("统一社会信用代码应为18位")
    assert errors["winner_name"] == ["最多 200 个字符 / At most 200 characters"]
    short = make_form({"type": "textarea", "key": "opinion", "label": "意见", "validate": {"minLength": 2}})
    assert refused(short, {"opinion": "好"}) == {"opinion": ["至少 2 个字符 / At least 2 characters"]}


def test_blank_required_text_is_missing() -> None:
    form = make_form({"type": "textfield", "key": "name", "label": "名称", "validate": {"required": True}})
    assert refused(form, {"name": ""}) == {"name": ["必填 / Required"]}
    assert refused(form, {"name": None}) == {"name": ["必填 / Required"]}


def test_required_checkbox_must_be_checked() -> None:
    form = make_form({"type": "checkbox", "key": "confirmed", "label": "确认", "validate": {"required": True}})
    assert validate_submission(form, {"confirmed": True}) == {"confirmed": True}
    assert refused(form, {"confirmed": False}) == {"confirmed": ["必须勾选 / Must be checked"]}


def test_optional_fields_default_so_gateways_can_read_them() -> None:
    form = make_form(
        {"type": "textfield", "key": "note", "label": "说明"},
        {"type": "checkbox", "key": "flag", "label": "标记"},
        {"type": "dynamiclist", "path": "rows", "label": "行", "components": [dict(MONEY)]},
    )
    assert validate_submission(form, {"note": ""}) == {"note": None, "flag": False, "rows": []}


def test_conditional_fields_are_not_required_but_still_checked() -> None:
    form = load(FORMS_DIR / "procurement_failure.form.json")
    base = {"failure_action": "reprocure", "failure_reason": "流标"}
    assert validate_submission(form, base)["new_method"] is None
    assert refused(form, {**base, "new_method": "lottery"}) == {
        "new_method": ["不是有效选项 / Not one of the allowed options"]
    }


def test_readonly_fields_cannot_be_overwritten() -> None:
    form = load(FORMS_DIR / "evaluation_confirmation.form.json")
    cleaned = validate_submission(form, {"evaluation_confirmed": True, "total_score": 100, "evaluation_grade": "优"})
    assert "total_score" not in cleaned and "evaluation_grade" not in cleaned


def test_dynamic_list_errors_name_the_row() -> None:
    form = load(FORMS_DIR / "contract_signing.form.json")
    data = example_submission(form)
    plan = [
        {"instalment_name": "首期", "pay_condition": "none", "amount": "100.00"},
        {"instalment_name": "尾款", "pay_condition": "someday", "amount": 1.005},
    ]
    errors = refused(form, {**data, "payment_plan": plan})
    assert errors == {
        "payment_plan[1].pay_condition": ["不是有效选项 / Not one of the allowed options"],
        "payment_plan[1].amount": ["最多 2 位小数 / At most 2 decimal places"],
    }
    assert refused(form, {**data, "payment_plan": []}) == {"payment_plan": ["必填 / Required"]}
    assert refused(form, {**data, "payment_plan": ["x"]}) == {"payment_plan[0]": ["应为对象 / Must be an object"]}
    cleaned = validate_submission(form, {**data, "payment_plan": plan[:1]})
    assert cleaned["payment_plan"] == [{"instalment_name": "首期", "pay_condition": "none", "amount": 100}]


def test_submission_must_be_an_object() -> None:
    assert refused(make_form(MONEY), ["not", "a", "dict"]) == {"_form": ["应为对象 / Must be an object"]}  # type: ignore[arg-type]


def test_error_message_lists_fields() -> None:
    with pytest.raises(InvalidDataError) as caught:
        validate_submission(make_form(MONEY, DATE), {})
    assert caught.value.code == "invalid_data"
    assert "amount" in caught.value.message and "signed_date" in caught.value.message


# --------------------------------------------------------------------------- broken definitions


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"components": {}}', "components"),
        ('{"components": [{"type": "signature", "key": "sig"}]}', "unsupported component type"),
        ('{"components": [{"type": "textfield", "key": "my-field"}]}', "Python identifier"),
        ('{"components": [{"type": "textfield", "key": "class"}]}', "Python identifier"),
        ('{"components": [{"type": "textfield", "key": "a"}, {"type": "number", "key": "a"}]}', "duplicate"),
        ('{"components": [{"type": "textfield", "key": "a", "validate": {"pattern": "("}}]}', "pattern"),
        ('{"components": [{"type": "number", "key": "a", "decimalDigits": -1}]}', "decimalDigits"),
        ('{"components": [{"type": "number", "key": "a", "validate": {"min": "1"}}]}', "validate.min"),
        ('{"components": [{"type": "datetime", "key": "a", "subtype": "time"}]}', "subtype"),
        ('{"components": [{"type": "select", "key": "a"}]}', "values"),
        ('{"components": [{"type": "dynamiclist", "components": []}]}', "path"),
        (
            '{"components": [{"type": "textfield", "key": "a", "validate": {"pattern": "^[0-9]+$"},'
            ' "properties": {"example": "abc"}}]}',
            "example",
        ),
    ],
)
def test_broken_forms_are_refused_at_load(text: str, fragment: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_form(text, source="broken.form.json")
    assert fragment in caught.value.reason
    assert caught.value.file == "broken.form.json"


def test_unknown_component_names_its_key() -> None:
    with pytest.raises(DefinitionError) as caught:
        load_form('{"components": [{"type": "signature", "key": "sig"}]}', source="f.json")
    assert caught.value.element_id == "sig"


def test_display_and_unknown_keyless_components_are_ignored() -> None:
    form = load_form(
        '{"components": [{"type": "text", "text": "说明"}, {"type": "fancy-banner"},'
        ' {"type": "textfield", "key": "a"}]}',
        source="f.json",
    )
    assert validate_submission(form, {"a": "x"}) == {"a": "x"}


def test_oversized_form_is_refused() -> None:
    padding = "x" * MAX_FORM_BYTES
    with pytest.raises(DefinitionError, match="larger than"):
        load_form(f'{{"components": [], "padding": "{padding}"}}'.encode(), source="big.json")


def test_a_wrong_credit_code_check_character_is_refused_on_its_row() -> None:
    form = load(FORMS_DIR / "bid_evaluation.form.json")
    good = example_submission(form)
    row = good["candidates"][0]
    wrong = {
        **row,
        "candidate_rank": 2,
        "credit_code": row["credit_code"][:-1] + ("0" if row["credit_code"][-1] != "0" else "1"),
    }
    errors = refused(form, {**good, "candidates": [row, wrong]})
    assert list(errors) == ["candidates[1].credit_code"]  # the pattern passes; the 18th character does not
    assert "校验" in errors["candidates[1].credit_code"][0]


def test_an_unknown_text_format_or_a_bad_credit_code_example_is_refused_at_load() -> None:
    field = {"type": "textfield", "key": "code", "properties": {"format": "creditcode"}}
    with pytest.raises(DefinitionError, match=r"properties\.format 'creditcode' is unknown"):
        load_form(json.dumps({"components": [field]}), source="t.form.json")
    field["properties"] = {"format": "credit_code", "example": "91650100MA8892759A"}
    with pytest.raises(DefinitionError, match="not a valid 统一社会信用代码"):
        load_form(json.dumps({"components": [field]}), source="t.form.json")
