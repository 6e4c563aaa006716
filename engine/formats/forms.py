"""Server-side validation of task submissions from the same form-js JSON the browser renders.

The browser validates with form-js, but a browser is not a trust boundary: every completion is
checked again here, from the very same ``forms/<formKey>.form.json``, so a designer edits a rule
once and both sides enforce it. A marshmallow schema is built from the form's components.

Rules of the cleaned data (what lands in task data, where gateways and scripts read it):

* Only keyed input components are kept; unknown submitted keys are dropped, and so are
  ``readonly``/``disabled`` components, which only *display* values the process computed (a client
  must not be able to overwrite, say, a computed ``total_score``).
* Every field of the form is present in the result, so gateway expressions never hit a missing
  name: an empty optional field becomes ``None`` (checkbox: ``False``; checklist/dynamiclist: ``[]``).
* A number arrives as a JSON number (a boolean is not one) or as text in plain ASCII notation
  (``-1234.56``): full-width (``１２３``) and Arabic-Indic digits, exponents (``1E2``), ``1_000``,
  ``NaN`` and ``Infinity``, which Python's ``Decimal`` would all take, are refused.
* Numbers are returned as ``int`` when integral, otherwise ``float``. A number with more decimal
  places than its ``decimalDigits`` (money uses 2) is refused rather than rounded, and at most 15
  significant digits are accepted, so the float written to JSON reproduces the submitted decimal
  exactly (``float(Decimal("1234.57"))`` round-trips; money up to 10^13 yuan stays exact). Gateways
  compare these plain numbers (``budget >= tender_threshold``) without conversions; scripts that add
  money should ``round(..., 2)``.
* Dates (``datetime`` with ``subtype: "date"``) stay ``'YYYY-MM-DD'`` strings: they compare
  lexicographically in expressions and DMN tables and serialize without conversion.
* ``conditional`` (form-js ``hide`` expressions) is not evaluated server-side; a conditional field
  is therefore never required (it may have been hidden), but its value is still type-checked.
* ``validate.pattern`` is tested like form-js does (``RegExp.test``: a search, anchor it with
  ``^...$``). A text field with ``properties.format: "credit_code"`` must hold a valid 统一社会信用代码,
  check character included (GB 32100), which no pattern can express.
* A file field (``filepicker``) takes the ids of documents uploaded to it (``engine.formats.file_fields``
  has its limits); the engine replaces them with the documents' stored facts.

Error messages are Chinese with English after ``' / '`` (e.g. ``"必填 / Required"``), one list per
failing field; fields inside a dynamic list are named ``path[index].key``.

``example_submission`` derives a valid submission from a form (for tests, demos and smoke runs); a
patterned text field supplies its sample in form-js ``properties.example``, checked at load time.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import keyword
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from engine.errors import DefinitionError, InvalidDataError
from engine.formats.credit_code import credit_code_problems
from engine.formats.file_fields import FILE_FIELD, file_components, rule_of
from engine.formats.form_checks import field_checks, field_prefills

MAX_FORM_BYTES = 1_000_000
MAX_NESTING = 4
MAX_SIGNIFICANT_DIGITS = 15
#: ``properties.format`` of a text field holding a 统一社会信用代码: checked to its GB 32100 check character.
CREDIT_CODE = "credit_code"

#: Components that hold a value (and must carry a key).
INPUT_TYPES = frozenset(
    {"textfield", "textarea", "number", "select", "radio", "checkbox", "checklist", "datetime", FILE_FIELD}
)
#: Components that contain other components.
CONTAINER_TYPES = frozenset({"group", "dynamiclist"})
#: Display-only components: no key, no value.
DISPLAY_TYPES = frozenset({"text", "html", "spacer", "separator", "image", "button"})
OPTION_TYPES = frozenset({"select", "radio", "checklist"})

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")
#: How a number may be written as text: Decimal() and float() also take full-width and Arabic-Indic
#: digits, exponents, underscores, NaN and Infinity, none of which a person means in a form.
_NUMBER_TEXT_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)

MSG_REQUIRED = "必填 / Required"
MSG_CHECKED = "必须勾选 / Must be checked"
MSG_TEXT = "应为文本 / Must be text"
MSG_NUMBER = "应为数字 / Must be a number"
MSG_NUMBER_TEXT = (
    "数字只能用半角数字 0-9 书写，可带负号和一个小数点（如 -1234.56） / "
    "A number must be written with ASCII digits 0-9, an optional leading minus and one optional decimal point "
    "(e.g. -1234.56)"
)
MSG_DATE = "日期格式应为 YYYY-MM-DD / Date must be YYYY-MM-DD"
MSG_BOOL = "应为是或否 / Must be true or false"
MSG_OPTION = "不是有效选项 / Not one of the allowed options"
MSG_LIST = "应为列表 / Must be a list"
MSG_OBJECT = "应为对象 / Must be an object"
MSG_PATTERN = "格式不正确 / Invalid format"
MSG_EMAIL = "邮箱格式不正确 / Invalid email address"
MSG_PHONE = "电话号码格式不正确 / Invalid phone number"
MSG_DOCUMENT = "应为已上传文件的编号 / Must name an uploaded file"


# --------------------------------------------------------------------------- form definition


def _fail(reason: str, source: str, key: str | None = None) -> DefinitionError:
    return DefinitionError(reason, file=source, element_id=key)


def load_form(text: str | bytes, *, source: str) -> dict[str, Any]:
    """Parse a form-js JSON document and check that the server can enforce it.

    Done at deploy time so that a broken form is refused with its file and component named,
    instead of failing when somebody submits a task. Raises ``DefinitionError``.
    """
    size = len(text.encode("utf-8")) if isinstance(text, str) else len(text)
    if size > MAX_FORM_BYTES:
        raise _fail(f"form larger than {MAX_FORM_BYTES} bytes", source)
    try:
        form = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _fail(f"not valid JSON: {exc}", source) from exc
    if not isinstance(form, dict):
        raise _fail("a form must be a JSON object", source)
    components = form.get("components")
    if not isinstance(components, list):
        raise _fail("a form needs a 'components' list", source)
    _check_components(components, source, seen=set(), depth=0)
    for component, nested in file_components(components):
        if nested:
            raise _fail("a file field cannot sit in a dynamic list or a group with a path", source, component["key"])
    try:
        list(field_checks(components))
        list(field_prefills(components))
    except ValueError as exc:
        raise _fail(str(exc), source) from None
    return form


def _check_components(components: list[Any], source: str, seen: set[str], depth: int) -> None:
    """Check one level of components; ``seen`` spans a data scope so duplicate keys are caught."""
    if depth > MAX_NESTING:
        raise _fail(f"components nested deeper than {MAX_NESTING} levels", source)
    for component in components:
        if not isinstance(component, dict) or not isinstance(component.get("type"), str):
            raise _fail("every component must be an object with a 'type'", source)
        ctype = component["type"]
        key = component.get("key")
        if ctype in INPUT_TYPES:
            _check_key(key, source, seen, ctype)
            _check_input(component, source)
        elif ctype in CONTAINER_TYPES:
            _check_container(component, source, seen, depth)
        elif ctype in DISPLAY_TYPES or key is None:
            # Display components and unknown keyless ones hold no data: harmless to ignore.
            continue
        else:
            raise _fail(f"unsupported component type {ctype!r}", source, str(key))


def _check_key(key: Any, source: str, seen: set[str], what: str) -> None:
    """Keys become task-data names read by gateway expressions, so they must be identifiers."""
    if not isinstance(key, str) or not _KEY_RE.match(key) or keyword.iskeyword(key):
        raise _fail(f"{what} needs a key that is a Python identifier, got {key!r}", source)
    if key in seen:
        raise _fail(f"duplicate key {key!r}", source, key)
    seen.add(key)


def _check_container(component: dict[str, Any], source: str, seen: set[str], depth: int) -> None:
    children = component.get("components")
    if not isinstance(children, list):
        raise _fail(f"{component['type']} needs a 'components' list", source, component.get("path"))
    path = component.get("path") or None
    if component["type"] == "dynamiclist" and path is None:
        raise _fail("dynamiclist needs a 'path'", source)
    if path is None:
        _check_components(children, source, seen, depth + 1)
    else:
        _check_key(path, source, seen, component["type"])
        _check_components(children, source, set(), depth + 1)


def _check_input(component: dict[str, Any], source: str) -> None:
    key = component["key"]
    ctype = component["type"]
    rules = component.get("validate", {})
    if not isinstance(rules, dict):
        raise _fail("'validate' must be an object", source, key)
    for name in ("min", "max"):
        if name in rules and not _is_number(rules[name]):
            raise _fail(f"validate.{name} must be a number", source, key)
    for name in ("minLength", "maxLength"):
        if name in rules and (not isinstance(rules[name], int) or rules[name] < 0):
            raise _fail(f"validate.{name} must be a non-negative integer", source, key)
    if "pattern" in rules:
        try:
            re.compile(rules["pattern"])
        except (re.error, TypeError) as exc:
            raise _fail(f"validate.pattern does not compile: {exc}", source, key) from exc
    example = (component.get("properties") or {}).get("example")
    if example is not None and (
        not isinstance(example, str) or (rules.get("pattern") and not re.search(rules["pattern"], example))
    ):
        raise _fail("properties.example must be a string matching validate.pattern", source, key)
    text_format = (component.get("properties") or {}).get("format")
    if text_format is not None and text_format != CREDIT_CODE:
        raise _fail(f"properties.format {text_format!r} is unknown (known: {CREDIT_CODE})", source, key)
    if text_format == CREDIT_CODE and example and credit_code_problems(example):
        raise _fail("properties.example is not a valid 统一社会信用代码", source, key)
    if ctype == "number":
        digits = component.get("decimalDigits")
        if digits is not None and (not isinstance(digits, int) or isinstance(digits, bool) or digits < 0):
            raise _fail("decimalDigits must be a non-negative integer", source, key)
    if ctype == FILE_FIELD:
        try:
            rule_of(component)
        except ValueError as exc:
            raise _fail(str(exc), source, key) from None
    if ctype == "datetime" and component.get("subtype", "date") != "date":
        raise _fail("only datetime components with subtype 'date' are supported", source, key)
    if ctype in OPTION_TYPES and "values" in component:
        values = component["values"]
        if not isinstance(values, list) or not values or not all(isinstance(v, dict) and "value" in v for v in values):
            raise _fail("'values' must be a non-empty list of {label, value}", source, key)
    elif ctype in OPTION_TYPES and not (component.get("valuesKey") or component.get("valuesExpression")):
        raise _fail(f"{ctype} needs 'values'", source, key)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --------------------------------------------------------------------------- marshmallow fields


class FormNumber(fields.Field):
    """A form-js number: a JSON int/float (not a boolean) or a string of ASCII digits with an optional
    leading minus and decimal point, limited to ``decimal_digits`` places. Strings in any other notation
    (full-width or Arabic-Indic digits, exponents, ``1_000``, ``NaN``, ``Infinity``) are refused."""

    def __init__(self, decimal_digits: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.decimal_digits = decimal_digits

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValidationError(MSG_NUMBER)
        text = value.strip(" \t\r\n") if isinstance(value, str) else str(value)
        wrong = MSG_NUMBER_TEXT if isinstance(value, str) else MSG_NUMBER
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(wrong) from exc
        if not number.is_finite():
            raise ValidationError(wrong)
        number = number.normalize()
        _sign, digits, exponent = number.as_tuple()
        if not isinstance(exponent, int):  # only NaN/Infinity have a str exponent
            raise ValidationError(MSG_NUMBER)
        places = max(0, -exponent)
        if self.decimal_digits is not None and places > self.decimal_digits:
            raise ValidationError(f"最多 {self.decimal_digits} 位小数 / At most {self.decimal_digits} decimal places")
        if len(digits) + max(0, exponent) > MAX_SIGNIFICANT_DIGITS:
            raise ValidationError(
                f"最多 {MAX_SIGNIFICANT_DIGITS} 位有效数字 / At most {MAX_SIGNIFICANT_DIGITS} significant digits"
            )
        # After the checks of the value itself, so "1e-3" is still told it has too many places.
        if isinstance(value, str) and not _NUMBER_TEXT_RE.fullmatch(text):
            raise ValidationError(MSG_NUMBER_TEXT)
        return int(number) if places == 0 else float(number)


class FormDate(fields.Field):
    """A calendar date kept as its ``'YYYY-MM-DD'`` string (sortable, JSON-ready)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not _DATE_RE.match(value):
            raise ValidationError(MSG_DATE)
        try:
            _dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(MSG_DATE) from exc
        return value


class FormText(fields.Field):
    """Text that must be a JSON string (no numbers turned into text), refused with the bilingual message."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(MSG_TEXT)
        return value


class FormBool(fields.Field):
    """A checkbox: only JSON true/false, no 'yes'/1 guessing."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(MSG_BOOL)
        return value


class FormDocuments(fields.Field):
    """A file field: the documents uploaded for it, as ``[{"id": 7, …}]`` (what the page sends back) or
    ``[7]``; cleaned to their ids, which the engine checks and completes from the document store."""

    def __init__(self, max_files: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_files = max_files

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[int]:
        if not isinstance(value, list):
            raise ValidationError(MSG_LIST)
        ids = [item.get("id") if isinstance(item, dict) else item for item in value]
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ValidationError(MSG_DOCUMENT)
        ids = list(dict.fromkeys(ids))
        if len(ids) > self.max_files:
            raise ValidationError(f"最多 {self.max_files} 个文件 / At most {self.max_files} files")
        return ids


class FormSchema(Schema):
    """Base of generated schemas: drops unknown keys and treats blanks as missing."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _blank_is_missing(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError(MSG_OBJECT)
        return {k: v for k, v in data.items() if v is not None and v != "" and v != []}


def _search(pattern: str, message: str) -> Callable[[str], None]:
    """Mirror form-js ``new RegExp(pattern).test(value)``: an unanchored search."""
    compiled = re.compile(pattern)

    def check(value: str) -> None:
        if not compiled.search(value):
            raise ValidationError(message)

    return check


def _text_validators(component: dict[str, Any]) -> list[Any]:
    rules = component.get("validate", {})
    result: list[Any] = []
    low, high = rules.get("minLength"), rules.get("maxLength")
    if low is not None:
        result.append(validate.Length(min=low, error=f"至少 {low} 个字符 / At least {low} characters"))
    if high is not None:
        result.append(validate.Length(max=high, error=f"最多 {high} 个字符 / At most {high} characters"))
    if rules.get("pattern"):
        result.append(_search(rules["pattern"], rules.get("patternErrorMessage") or MSG_PATTERN))
    if (component.get("properties") or {}).get("format") == CREDIT_CODE:
        result.append(_credit_code)
    kind = rules.get("validationType")
    if kind == "email":
        result.append(_search(_EMAIL_RE.pattern, MSG_EMAIL))
    elif kind == "phone":
        result.append(_search(_PHONE_RE.pattern, MSG_PHONE))
    return result


def _credit_code(value: str) -> None:
    """The GB 32100 check the browser's pattern cannot make: the 18th character, over the first 17."""
    problems = credit_code_problems(value)
    if problems:
        raise ValidationError(problems)


def _number_validators(component: dict[str, Any]) -> list[Any]:
    rules = component.get("validate", {})
    result: list[Any] = []
    if rules.get("min") is not None:
        low = rules["min"]
        result.append(validate.Range(min=low, error=f"不能小于 {low} / Must be at least {low}"))
    if rules.get("max") is not None:
        high = rules["max"]
        result.append(validate.Range(max=high, error=f"不能大于 {high} / Must be at most {high}"))
    return result


def _option_validator(component: dict[str, Any]) -> list[Any]:
    if "values" not in component:
        return []  # options come from task data at run time; only the type is checked
    choices = [v["value"] for v in component["values"]]
    return [validate.OneOf(choices, error=MSG_OPTION)]


#: What an empty optional field becomes, so that every form key exists in task data.
_EMPTY: dict[str, Any] = {"checkbox": False, "checklist": list, "dynamiclist": list, FILE_FIELD: list}


def _is_required(component: dict[str, Any]) -> bool:
    return bool(component.get("validate", {}).get("required")) and not component.get("conditional")


def _field_for(component: dict[str, Any]) -> fields.Field:
    """One marshmallow field for one keyed component (or container with a path)."""
    ctype = component["type"]
    required = _is_required(component)
    common: dict[str, Any] = {
        "required": required,
        "error_messages": {"required": MSG_REQUIRED, "null": MSG_REQUIRED},
    }
    if not required:
        common["load_default"] = _EMPTY.get(ctype)
    at_least_one = [validate.Length(min=1, error=MSG_REQUIRED)] if required else []
    if ctype in ("textfield", "textarea"):
        return FormText(validate=_text_validators(component), **common)
    if ctype == "number":
        return FormNumber(component.get("decimalDigits"), validate=_number_validators(component), **common)
    if ctype == "datetime":
        return FormDate(**common)
    if ctype in ("select", "radio"):
        return fields.Raw(validate=_option_validator(component), **common)
    if ctype == "checkbox":
        checked = [validate.Equal(True, error=MSG_CHECKED)] if required else []
        return FormBool(validate=checked, **common)
    if ctype == "checklist":
        return fields.List(fields.Raw(validate=_option_validator(component)), validate=at_least_one, **common)
    if ctype == FILE_FIELD:
        return FormDocuments(rule_of(component).max_files, validate=at_least_one, **common)
    schema = _schema_for(component["components"])
    if ctype == "group":
        return fields.Nested(schema, **common)
    nested = fields.Nested(schema, error_messages={"type": MSG_OBJECT})
    return fields.List(nested, validate=at_least_one, **common)


def _collect_fields(components: list[dict[str, Any]], into: dict[str, fields.Field]) -> None:
    for component in components:
        ctype = component["type"]
        if component.get("readonly") is True or component.get("disabled") is True:
            continue
        if ctype in INPUT_TYPES:
            into[component["key"]] = _field_for(component)
        elif ctype in CONTAINER_TYPES:
            path = component.get("path") or None
            if path is None:
                _collect_fields(component["components"], into)
            else:
                into[path] = _field_for(component)


def _schema_for(components: list[dict[str, Any]]) -> Schema:
    collected: dict[str, fields.Field] = {}
    _collect_fields(components, collected)
    for field in collected.values():
        if isinstance(field, fields.List):
            field.error_messages = {**field.error_messages, "invalid": MSG_LIST}
    return FormSchema.from_dict(collected, name="FormSubmission")()


# --------------------------------------------------------------------------- submission


def _flatten(messages: Any, prefix: str, out: dict[str, list[str]]) -> None:
    """marshmallow nests errors ({list: {0: {key: [...]}}}); the API wants one flat name per field."""
    if isinstance(messages, dict):
        for name, inner in messages.items():
            if isinstance(name, int):
                _flatten(inner, f"{prefix}[{name}]", out)
            elif name == "_schema":  # the object itself was wrong, not one of its fields
                _flatten(inner, prefix, out)
            else:
                _flatten(inner, f"{prefix}.{name}" if prefix else str(name), out)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out.setdefault(prefix or "_form", []).extend(messages)
    elif isinstance(messages, list):
        for inner in messages:
            _flatten(inner, prefix, out)
    else:
        out.setdefault(prefix or "_form", []).append(str(messages))


@functools.lru_cache(maxsize=256)
def _cached_schema(components_json: str) -> Schema:
    """Schemas are rebuilt only when a form's components change (keyed by their canonical JSON)."""
    return _schema_for(json.loads(components_json))


def validate_submission(form: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Check ``data`` against ``form`` (as returned by :func:`load_form`) and return cleaned data.

    See the module docstring for the shape of the result. Raises ``InvalidDataError`` whose
    ``errors`` maps each failing field to its messages.
    """
    schema = _cached_schema(json.dumps(form.get("components", []), sort_keys=True, ensure_ascii=False))
    try:
        return schema.load(data)  # type: ignore[return-value]
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        _flatten(exc.messages, "", errors)
        names = ", ".join(sorted(errors))
        raise InvalidDataError(f"提交的数据有误 / Invalid data: {names}", errors=errors) from None


# --------------------------------------------------------------------------- examples

EXAMPLE_DATE = "2025-03-03"


def example_submission(form: dict[str, Any]) -> dict[str, Any]:
    """A submission that passes ``validate_submission`` for ``form``, derived from the form alone.

    Tests, demo data and end-to-end smoke runs complete tasks with it, so they keep working when a
    designer edits a form. A patterned text field needs ``properties.example`` (checked against
    the pattern by :func:`load_form`), since a value cannot be guessed from a regular expression.
    """
    return _example_of(form.get("components", []))


def _example_of(components: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for component in components:
        ctype = component["type"]
        if component.get("readonly") is True or component.get("disabled") is True:
            continue
        if ctype in CONTAINER_TYPES:
            inner = _example_of(component["components"])
            path = component.get("path") or None
            if path is None:
                result.update(inner)
            else:
                result[path] = [inner] if ctype == "dynamiclist" else inner
        elif ctype in INPUT_TYPES:
            value = _example_value(component)
            if value is not None:
                result[component["key"]] = value
    return result


def _example_value(component: dict[str, Any]) -> Any:
    ctype = component["type"]
    rules = component.get("validate", {})
    if ctype in ("textfield", "textarea"):
        example = (component.get("properties") or {}).get("example")
        if example is not None:
            return example
        low, high = rules.get("minLength") or 1, rules.get("maxLength")
        text = "示例" * ((low + 1) // 2)
        return text[:high] if high else text
    if ctype == "number":
        low, high = rules.get("min"), rules.get("max")
        value = max(low, 1) if low is not None else 1
        return min(value, high) if high is not None else value
    if ctype == "datetime":
        return EXAMPLE_DATE
    if ctype == "checkbox":
        return True
    if ctype == FILE_FIELD:
        return None  # a file must be uploaded first; a required file field has no example
    values = component.get("values")
    if not values:
        return None
    return [values[0]["value"]] if ctype == "checklist" else values[0]["value"]
