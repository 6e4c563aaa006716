"""A user task's Camunda/Flowable/Activiti attributes as servflow's own task settings.

``camunda:assignee="demo"``, ``flowable:candidateGroups="management,sales"``, ``activiti:dueDate="${d}"``
mean in servflow what they meant in the engine the model was written for; they are read once, at
deploy, into the ``servflow:task`` settings every task row is made from (``commands.tasks.sync``):

========================  ==========================================================================
attribute                 servflow setting (values are expressions of the restricted evaluator)
========================  ==========================================================================
assignee                  ``candidateUser``: the username the task is assigned to
candidateUsers            ``candidateUser`` as a list when there is no assignee: the first active one
candidateGroups           ``candidateGroups``: each group a role (code, Chinese or English label), an
                          organization (its 统一社会信用代码), or else a locality's own role of that name
formKey                   ``formKey``: a form of the bundle (``camunda-forms:…:x.form`` is form ``x``)
formData, formProperty    ``formKey`` ``formData:<task id>``: the form made of the fields (``foreign_forms``);
                          a task with both a form key and fields is refused (keep one)
dueDate, followUpDate     ``dueDate``/``followUpDate``: a date, a date-time or a duration from creation
priority                  ``priority`` (a whole number)
========================  ==========================================================================

A literal is quoted (``demo`` → ``'demo'``, a comma list → a list); ``${…}`` is translated from JUEL.
What cannot be mapped raises :class:`ForeignError` naming the attribute and the value.
"""

from __future__ import annotations

from typing import Any

from .dialects import ForeignError, foreign_attribute, prefixed
from .foreign_forms import field_elements, generated_form, generated_form_key
from .juel import JuelError, is_juel, translate
from .timer_values import iso_duration, iso_moment

#: Prefixes of a Camunda Forms key (form-js files deployed with the process): the form's name follows.
_FORM_PREFIXES = ("camunda-forms:deployment:", "camunda-forms:app:", "camunda-forms:")
_FORM_SUFFIXES = (".form.json", ".form", ".json")
#: Keys of forms servflow cannot render: HTML pages of a Java web application.
_HTML_FORM_PREFIXES = ("embedded:", "app:", "deployment:")


def user_task_settings(node: Any) -> dict[str, str]:
    """The servflow task settings a ``userTask`` element's foreign attributes amount to (may be empty)."""
    settings: dict[str, str] = {}
    assignee = foreign_attribute(node, "assignee")
    users = foreign_attribute(node, "candidateUsers")
    if assignee:
        settings["candidateUser"] = _expression(*assignee)
    elif users:
        settings["candidateUser"] = _expression(*users, as_list=True)
    groups = foreign_attribute(node, "candidateGroups")
    if groups:
        settings["candidateGroups"] = _expression(*groups, as_list=True)
    form = foreign_attribute(node, "formKey")
    fields = field_elements(node)
    if form and fields:
        raise ForeignError(
            form[0],
            f"任务既有表单键 {form[1]!r} 又有 {_field_list(fields)} 字段，只能保留一种："
            "删去表单键以使用这些字段生成的表单，或删去字段以使用表单文件",
            f"the task has both the form key {form[1]!r} and {_field_list(fields)} fields; keep one: remove the "
            "form key to use the form made of the fields, or remove the fields to use the form file",
        )
    if form:
        settings["formKey"] = form_key(*form)
    elif fields:
        generated_form(node)  # refuses what the generated form could not honour
        settings["formKey"] = generated_form_key(node.get("id") or "")
    for name in ("dueDate", "followUpDate"):
        found = foreign_attribute(node, name)
        if found:
            settings[name] = _date_expression(*found)
    priority = foreign_attribute(node, "priority")
    if priority:
        if not priority[1].isdigit():
            raise ForeignError(
                priority[0], f"优先级 {priority[1]!r} 应为整数", f"priority {priority[1]!r} must be a whole number"
            )
        settings["priority"] = priority[1]
    return settings


def form_key(attribute: str, value: str) -> str:
    """The bundle form a foreign ``formKey`` names; an HTML form of a Java web application is refused."""
    if is_juel(value):
        raise ForeignError(
            attribute,
            f"表单键 {value!r} 不能是表达式，请写表单文件名",
            f"the form key {value!r} cannot be an expression; name a form file of the bundle",
        )
    if value.startswith(_HTML_FORM_PREFIXES):
        raise ForeignError(
            attribute,
            f"{value!r} 是 Java Web 应用里的 HTML 表单，servflow 无法显示；请在表单编辑器中做一个表单（form-js），"
            "或改用 camunda:formData 字段",
            f"{value!r} is an HTML form of a Java web application, which servflow cannot show; make a form-js "
            "form in the form editor (Camunda Forms files work as they are) or declare camunda:formData fields",
        )
    for prefix in _FORM_PREFIXES:
        value = value.removeprefix(prefix)
    for suffix in _FORM_SUFFIXES:
        if value.endswith(suffix):
            return value[: -len(suffix)].rsplit("/", 1)[-1]
    return value


def _field_list(fields: list[Any]) -> str:
    return prefixed(fields[0].getparent() if fields[0].getparent().tag.endswith("formData") else fields[0])


def _expression(attribute: str, value: str, *, as_list: bool = False) -> str:
    if is_juel(value):
        try:
            return translate(value)
        except JuelError as exc:
            raise ForeignError(attribute, f"表达式 {value!r}：{exc.zh}", f"expression {value!r}: {exc.en}") from None
    if as_list:
        return repr([part.strip() for part in value.split(",") if part.strip()])
    return repr(value)


def _date_expression(attribute: str, value: str) -> str:
    if is_juel(value):
        return _expression(attribute, value)
    if iso_duration(value) is None and iso_moment(value) is None:
        raise ForeignError(
            attribute,
            f"{value!r} 不是 ISO 8601 日期（2025-03-01）、日期时间或时长（P3D）",
            f"{value!r} is not an ISO 8601 date (2025-03-01), date-time or duration (P3D)",
        )
    return repr(value)
