"""``camunda:inputOutput`` of an activity as SpiffWorkflow's own pre- and post-scripts.

Camunda 7 sets an activity's ``inputParameter``s as its local variables before it runs and maps its
``outputParameter``s back to the process when it completes. SpiffWorkflow runs a task's ``preScript``
when it becomes ready and its ``postScript`` when it completes, in the task's data; servflow writes both,
at deploy, in the restricted evaluator's language, so the mapping is stored with the spec and runs like
any script:

* before: every input is evaluated against the project's data (a literal text, a ``${…}`` JUEL
  expression of the subset, or a ``camunda:list``/``camunda:map`` of those), then set; a project variable
  of the same name is kept aside meanwhile, as a local variable hides it in Camunda;
* after: every output is evaluated in the task's data (its inputs, what the person submitted, the
  project's data), the inputs are removed and what they hid is put back, then the outputs are set.

While the task waits its data shows the inputs and ``camunda_io`` (what is kept aside). A
``camunda:script`` parameter, a name the sandbox cannot hold, composite text (``Hello ${name}``) or a
mapping on an element that runs no scripts (an event) raises :class:`ForeignError` naming the element's
parameter and what to do instead. Flowable and Activiti have no such mapping on tasks.
"""

from __future__ import annotations

import keyword
import re
from typing import Any, NoReturn

from .dialects import FOREIGN, ForeignError, foreign_children, prefixed
from .juel import JuelError, is_juel, translate
from .scripting import environment_names, reserved_names

#: Elements whose SpiffWorkflow parser reads ``preScript``/``postScript``.
ACTIVITIES = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "subProcess",
        "callActivity",
    }
)
KEPT = "camunda_io"
OUTPUTS = "camunda_outputs"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def has_mapping(node: Any) -> bool:
    return bool(foreign_children(node, "inputOutput"))


def io_scripts(node: Any) -> tuple[str | None, str | None]:
    """``(pre-script, post-script)`` for the node's ``camunda:inputOutput`` (``None`` where there is nothing)."""
    mappings = foreign_children(node, "inputOutput")
    if not mappings:
        return None, None
    local = node.tag.rsplit("}", 1)[-1]
    if local not in ACTIVITIES:
        raise ForeignError(
            prefixed(mappings[0]),
            f"servflow 只在任务和子流程上执行输入/输出映射，{local} 上的不会执行；请把映射移到前后的任务上",
            f"servflow maps inputs and outputs on tasks and sub-processes only, not on a {local}; move the "
            "mapping to the task before or after it",
        )
    inputs = _parameters(mappings, "inputParameter")
    outputs = _parameters(mappings, "outputParameter")
    return _before(inputs), _after(inputs, outputs)


def _parameters(mappings: list[Any], localname: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for mapping in mappings:
        for parameter in mapping:
            if not _is(parameter, localname):
                continue
            name = (parameter.get("name") or "").strip()
            where = f"{prefixed(parameter)} {name!r}"
            if not is_usable_name(name):
                raise ForeignError(
                    prefixed(parameter),
                    f"{where}：这个名字不能作为 servflow 的变量名，请改名（字母开头，仅含字母、数字、下划线）",
                    f"{where}: servflow cannot hold a variable of this name; rename it (a letter, then letters, "
                    "digits, _)",
                )
            if name in found:
                raise ForeignError(prefixed(parameter), f"{where} 重复", f"{where} is declared twice")
            found[name] = _value(parameter, where)
    return found


def is_usable_name(name: str) -> bool:
    """Whether a mapping may set a variable of this name (the sandbox neither refuses nor keeps it)."""
    unusable = reserved_names() | environment_names() | {KEPT, OUTPUTS}
    return bool(_NAME.match(name)) and not keyword.iskeyword(name) and name not in unusable


def unusable_name(attribute: str, name: str) -> ForeignError:
    """The refusal of an attribute naming a variable servflow cannot hold (see :func:`is_usable_name`)."""
    return ForeignError(
        attribute,
        f"{attribute}={name!r}：这个名字不能作为 servflow 的变量名，请改名（字母开头，仅含字母、数字、下划线）",
        f"{attribute}={name!r}: servflow cannot hold a variable of this name; rename it (a letter, then letters, "
        "digits, _)",
    )


def _value(element: Any, where: str) -> str:
    """The Python expression of a parameter's (or list item's, map entry's) value."""
    children = _elements(element)
    if not children:
        return _text(element.text or "", where)
    child = children[0]
    local = child.tag.rsplit("}", 1)[-1]
    if local == "list" and _foreign(child):
        items = [_value(item, where) if _is(item, "value") else _refused(item, where) for item in _elements(child)]
        return f"[{', '.join(items)}]"
    if local == "map" and _foreign(child):
        entries = [
            f"{(entry.get('key') or '')!r}: {_value(entry, where)}" if _is(entry, "entry") else _refused(entry, where)
            for entry in _elements(child)
        ]
        return f"{{{', '.join(entries)}}}"
    return _refused(child, where)


def _elements(element: Any) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str)]


def _refused(child: Any, where: str) -> NoReturn:
    """Refuse a value servflow cannot map: a script, or an element it does not know."""
    local = child.tag.rsplit("}", 1)[-1]
    if local == "script":
        raise ForeignError(
            prefixed(child),
            f"{where} 的值是脚本，servflow 不在映射中运行脚本；请写成表达式 ${{…}}，或在任务的前置脚本"
            "（spiffworkflow:preScript，Python）中算出",
            f"{where} is given by a script, which servflow does not run in a mapping; write it as a ${{…}} "
            "expression, or compute it in the task's pre-script (spiffworkflow:preScript, Python)",
        )
    raise ForeignError(
        prefixed(child),
        f"{where} 的值 {prefixed(child)} 无法映射（可用：文本、${{…}}、camunda:list、camunda:map）",
        f"{where}: {prefixed(child)} cannot be mapped (known: text, ${{…}}, camunda:list, camunda:map)",
    )


def _text(text: str, where: str) -> str:
    text = text.strip()
    if not text:
        return "None"
    if not is_juel(text):
        return repr(text)
    try:
        return translate(text)
    except JuelError as exc:
        raise ForeignError(
            where.split(" ")[0], f"{where}：表达式 {text!r}：{exc.zh}", f"{where}: expression {text!r}: {exc.en}"
        ) from None


def _before(inputs: dict[str, str]) -> str | None:
    if not inputs:
        return None
    values = ", ".join(f"{name!r}: {value}" for name, value in inputs.items())
    lines = [f"{KEPT} = {{'hidden': {{}}, 'inputs': {{{values}}}}}"]
    for name in inputs:
        lines += ["try:", f"    {KEPT}['hidden'][{name!r}] = {name}", "except Exception:", "    pass"]
    lines += [f"{name} = {KEPT}['inputs'][{name!r}]" for name in inputs]
    return "\n".join(lines)


def _after(inputs: dict[str, str], outputs: dict[str, str]) -> str | None:
    if not inputs and not outputs:
        return None
    values = ", ".join(f"{name!r}: {value}" for name, value in outputs.items())
    lines = [f"{OUTPUTS} = {{{values}}}"]
    for name in inputs:
        lines += [f"del {name}", f"if {name!r} in {KEPT}['hidden']:", f"    {name} = {KEPT}['hidden'][{name!r}]"]
    lines += [f"{name} = {OUTPUTS}[{name!r}]" for name in outputs]
    lines.append(f"del {OUTPUTS}" + (f", {KEPT}" if inputs else ""))
    return "\n".join(lines)


def _is(element: Any, localname: str) -> bool:
    return isinstance(element.tag, str) and element.tag in {f"{{{ns}}}{localname}" for ns in FOREIGN}


def _foreign(element: Any) -> bool:
    return element.tag[1:].partition("}")[0] in FOREIGN
