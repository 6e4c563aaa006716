"""A user task's ``camunda:formData`` / ``flowable:formProperty`` fields as a generated form-js form.

Camunda 7 shows a *generated task form* for a user task that declares its fields instead of naming a
form file; Flowable and Activiti do the same with ``formProperty``. servflow makes one form-js form of
them at deploy, kept with the process version under the key ``formData:<task id>`` like a form file of the
bundle, so the task page renders it, the task API returns it and a completion is validated with it
(``formats.forms.validate_submission``) exactly as for a designed form.

=========================  =================================================================================
field                      form-js component
=========================  =================================================================================
``string``                 ``textfield``
``long``, ``integer``      ``number`` with no decimals
``double`` (Flowable)      ``number``
``boolean``                ``checkbox``
``date``                   ``datetime`` (date picker; the value is ``YYYY-MM-DD``)
``enum``                   ``select`` with the field's ``value`` options (id → value, name → label)
=========================  =================================================================================

``defaultValue`` (Flowable ``default``) is the field's default; a ``${…}`` one is a prefill expression
(translated from JUEL), evaluated over the project's data when the task opens. ``camunda:validation``
constraints: ``required``, ``readonly``, ``minlength``/``maxlength`` (text), ``min``/``max`` (numbers);
Flowable's ``required="true"`` and ``writable="false"`` the same. A required boolean is satisfied by an
unchecked box, as in Camunda (the value is never null). Anything else — another type, a ``validator``
class, a constraint on a type it does not apply to, a Flowable value ``expression`` — raises
:class:`ForeignError` naming the field and the value, so the deploy is refused rather than the rule lost.
``camunda:properties`` of a field are hints for a custom task list and have no effect there either.
"""

from __future__ import annotations

import keyword
import re
from datetime import date
from typing import Any

from .dialects import FOREIGN, ForeignError, foreign_children, prefixed
from .juel import JuelError, is_juel, translate

GENERATED_PREFIX = "formData:"
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_CAMUNDA_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")  # Camunda's default date pattern dd/MM/yyyy
_TEXT, _WHOLE, _DECIMAL = "string", ("long", "integer"), "double"
_TYPES = ("string", "long", "integer", "double", "boolean", "date", "enum")
_FLOWABLE_KNOWN = {"id", "name", "type", "variable", "default", "datePattern", "required", "writable", "readable"}


def generated_form_key(element_id: str) -> str:
    """The key the generated form of task ``element_id`` is kept under with its process version."""
    return f"{GENERATED_PREFIX}{element_id}"


def is_generated(form_key: str | None) -> bool:
    return bool(form_key) and form_key.startswith(GENERATED_PREFIX)  # type: ignore[union-attr]


def field_elements(node: Any) -> list[Any]:
    """The ``formField``s of the node's ``formData`` and its ``formProperty``s, of any dialect."""
    found = [child for data in foreign_children(node, "formData") for child in data if _is(child, "formField")]
    return found + foreign_children(node, "formProperty")


def generated_form(node: Any) -> dict[str, Any] | None:
    """The form-js form of a task's declared fields, or ``None`` when it declares none."""
    elements = field_elements(node)
    if not elements:
        return None
    components, seen = [], set()
    for element in elements:
        component = _component(element)
        if component["key"] in seen:
            raise _refuse(element, f"字段 {component['key']!r} 重复", f"field {component['key']!r} is declared twice")
        seen.add(component["key"])
        components.append(component)
    element_id = node.get("id") or ""
    return {"type": "default", "id": generated_form_key(element_id), "schemaVersion": 16, "components": components}


def _component(element: Any) -> dict[str, Any]:
    flowable = _is(element, "formProperty")
    field_id = (element.get("id") or "").strip()
    key = (element.get("variable") or "").strip() if flowable else ""
    key = key or field_id
    if not _IDENTIFIER.match(key) or keyword.iskeyword(key):
        raise _refuse(
            element,
            f"字段名 {key!r} 不能作为变量名（字母开头，仅含字母、数字、下划线）",
            f"the field id {key!r} cannot be a variable name (a letter, then letters, digits, _)",
        )
    if flowable:
        unknown = sorted(set(element.attrib) - _FLOWABLE_KNOWN)
        if unknown:
            value = element.get(unknown[0])
            raise _refuse(
                element,
                f"字段 {key!r} 的 {unknown[0]}={value!r} 在 servflow 中不能运行，请删去；字段的值就是同名变量",
                f"{unknown[0]}={value!r} of field {key!r} cannot run in servflow; "
                "remove it: the field's value is the variable of its name",
            )
    kind = (element.get("type") or _TEXT).strip()
    label = (element.get("name") if flowable else element.get("label")) or field_id
    component: dict[str, Any] = {"key": key, "id": f"Field_{key}", "label": label}
    if kind == _TEXT:
        component["type"] = "textfield"
    elif kind in _WHOLE or kind == _DECIMAL:
        component["type"] = "number"
        if kind in _WHOLE:
            component["decimalDigits"] = 0
    elif kind == "boolean":
        component["type"] = "checkbox"
    elif kind == "date":
        component.update(type="datetime", subtype="date", dateLabel=label)
    elif kind == "enum":
        component.update(type="select", values=_options(element, key))
    else:
        raise _refuse(
            element,
            f"字段 {key!r} 的类型 {kind!r} 无法映射（可用：{', '.join(_TYPES)}）",
            f"field {key!r} has type {kind!r}, which servflow cannot map (known: {', '.join(_TYPES)})",
        )
    rules: dict[str, Any] = {}
    for name, config in _constraints(element, flowable):
        _constrain(element, key, kind, name, config, component, rules)
    if rules:
        component["validate"] = rules
    default = element.get("default" if flowable else "defaultValue")
    if default is not None and default.strip():
        _default(element, key, kind, default.strip(), component)
    return component


def _options(element: Any, key: str) -> list[dict[str, str]]:
    values = [child for child in element if _is(child, "value")]
    if not values:
        raise _refuse(element, f"枚举字段 {key!r} 没有选项（value）", f"the enum field {key!r} has no value options")
    return [{"label": v.get("name") or v.get("id") or "", "value": v.get("id") or ""} for v in values]


def _constraints(element: Any, flowable: bool) -> list[tuple[str, str | None]]:
    if flowable:
        found = []
        if (element.get("required") or "").strip() == "true":
            found.append(("required", None))
        if (element.get("writable") or "").strip() == "false":
            found.append(("readonly", None))
        if (element.get("readable") or "").strip() == "false":
            found.append(("readable=false", None))
        return found
    return [
        ((c.get("name") or "").strip(), c.get("config"))
        for validation in element
        if _is(validation, "validation")
        for c in validation
        if _is(c, "constraint")
    ]


def _constrain(
    element: Any, key: str, kind: str, name: str, config: str | None, component: dict[str, Any], rules: dict[str, Any]
) -> None:
    if name == "required":
        if kind != "boolean":  # a checkbox is true or false, never null: Camunda's required holds
            rules["required"] = True
        return
    if name == "readonly":
        component["readonly"] = True
        return
    limits = {
        "minlength": ("minLength", (_TEXT,)),
        "maxlength": ("maxLength", (_TEXT,)),
        "min": ("min", (*_WHOLE, _DECIMAL)),
        "max": ("max", (*_WHOLE, _DECIMAL)),
    }
    if name in limits:
        rule, kinds = limits[name]
        if kind not in kinds:
            raise _refuse(
                element,
                f"字段 {key!r}（{kind}）不能有约束 {name}",
                f"field {key!r} ({kind}) cannot take the constraint {name}: it applies to {' or '.join(kinds)} fields",
            )
        number = _number(config, whole=rule in ("minLength", "maxLength") or kind in _WHOLE)
        if number is None or (rule in ("minLength", "maxLength") and number < 0):
            raise _refuse(
                element,
                f"字段 {key!r} 的约束 {name} 的值 {config!r} 不是有效数字",
                f"the constraint {name} of field {key!r} has config {config!r}, not a valid number",
            )
        rules[rule] = number
        return
    if name == "validator":
        raise _refuse(
            element,
            f"字段 {key!r} 的自定义校验器 {config!r} 是 Java 代码，servflow 不能运行；"
            "请在表单编辑器中用规则（check）或 pattern 表达",
            f"the custom validator {config!r} of field "
            f"{key!r} is Java code servflow cannot run; express it as a form rule (check) or a pattern in "
            "the form editor",
        )
    raise _refuse(
        element,
        f"字段 {key!r} 的约束 {name!r} 无法执行（可用：required、readonly、minlength、maxlength、min、max）",
        f"the constraint {name!r} of field {key!r} cannot be honoured (known: required, "
        "readonly, minlength, maxlength, min, max)",
    )


def _default(element: Any, key: str, kind: str, text: str, component: dict[str, Any]) -> None:
    if is_juel(text):
        try:
            component["properties"] = {"prefill": translate(text)}
        except JuelError as exc:
            raise _refuse(
                element,
                f"字段 {key!r} 的默认值 {text!r}：{exc.zh}",
                f"the default value {text!r} of field {key!r}: {exc.en}",
            ) from None
        return
    value: Any = text
    if kind in _WHOLE or kind == _DECIMAL:
        value = _number(text, whole=kind in _WHOLE)
    elif kind == "boolean":
        value = {"true": True, "false": False}.get(text)
    elif kind == "date":
        value = _iso_date(text)
    elif kind == "enum" and text not in [option["value"] for option in component["values"]]:
        value = None
    if value is None:
        raise _refuse(
            element,
            f"字段 {key!r} 的默认值 {text!r} 不是有效的 {kind}",
            f"the default value {text!r} of field {key!r} is not a valid {kind}",
        )
    component["defaultValue"] = value


def _number(text: str | None, *, whole: bool) -> int | float | None:
    try:
        return int((text or "").strip()) if whole else float((text or "").strip())
    except ValueError:
        return None


def _iso_date(text: str) -> str | None:
    match = _CAMUNDA_DATE.match(text)
    if match:
        text = f"{match.group(3)}-{match.group(2)}-{match.group(1)}"
    try:
        return date.fromisoformat(text).isoformat() if len(text) == 10 else None
    except ValueError:
        return None


def _is(element: Any, localname: str) -> bool:
    return isinstance(element.tag, str) and element.tag in {f"{{{ns}}}{localname}" for ns in FOREIGN}


def _refuse(element: Any, zh: str, en: str) -> ForeignError:
    return ForeignError(prefixed(element), zh, en)
