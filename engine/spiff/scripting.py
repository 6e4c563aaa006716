"""Scripts and expressions from BPMN/DMN run in a restricted Python environment.

Designers write gateway conditions, script tasks and decision-table entries; those are untrusted.
Before anything runs, the code's syntax tree is checked (``check_code``, also used at validate and
deploy time):

* no imports, ``global``/``nonlocal``, class definitions, generators or async code;
* no name or attribute starting with ``_`` and no access to ``open``/``eval``/``exec``/``getattr`` …;
* no introspection attributes (``gi_frame``, ``f_back``, ``f_globals``, ``co_*``, ``tb_*``, ``mro``):
  a generator's frame leads back to the interpreter's real built-ins;
* ``str.format`` only on a literal whose fields read no ``_`` attribute or key.

Only a small set of safe built-ins is available, and modules are never exposed, only chosen names:
a module object's attributes (``datetime.sys``) lead straight out of any sandbox. The checked tree
is then rewritten so that the operations that could eat the machine in one C call — ``**``, ``*`` on
sequences, ``<<``, ``range``, padding and ``replace`` on strings, wide format specs — go through guards
with size limits, and a trace function stops a script after a fixed number of lines or seconds.
"""

from __future__ import annotations

import ast
import datetime as _dt
import decimal
import math
import re
import string
import sys
import time
from functools import lru_cache
from types import CodeType, SimpleNamespace
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from ..errors import ExecutionError
from .registry_lookup import provider_ban

MAX_STEPS = 200_000
MAX_SECONDS = 5.0
MAX_LENGTH = 1_000_000  # longest string/list/range a script may build in one operation
MAX_INT_BITS = 100_000  # ~30,000 decimal digits
MAX_FORMAT_WIDTH = 10_000


class UnsafeScriptError(ExecutionError):
    code = "unsafe_script"


class ScriptLimitError(ExecutionError):
    code = "script_limit"


# --------------------------------------------------------------------------- guards (run time)


def _too_big(what: str) -> ScriptLimitError:
    return ScriptLimitError(f"script refused: {what} would be too large")


def _guard_pow(base: Any, exponent: Any, modulo: Any = None) -> Any:
    ints = isinstance(base, int) and isinstance(exponent, int)
    if modulo is None and ints and exponent > 0 and exponent * abs(base).bit_length() > MAX_INT_BITS:
        raise _too_big("the power")
    return pow(base, exponent, modulo)


def _guard_mul(left: Any, right: Any) -> Any:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple | bytes) and isinstance(count, int) and len(seq) * count > MAX_LENGTH:
            raise _too_big("the repeated sequence")
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise _too_big("the product")
    return left * right


def _guard_lshift(left: Any, right: Any) -> Any:
    if isinstance(right, int) and right > MAX_INT_BITS:
        raise _too_big("the shift")
    return left << right


def _guard_mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_widths(left)
    return left % right


def _guard_range(*args: Any) -> range:
    result = range(*args)
    if len(result) > MAX_LENGTH:
        raise _too_big("the range")
    return result


_SIZED_METHODS = {"ljust", "rjust", "center", "zfill", "expandtabs", "replace"}


def _guard_method(obj: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    method = getattr(obj, name)
    if isinstance(obj, str) and name in _SIZED_METHODS:
        if name == "replace" and len(args) >= 2 and isinstance(args[1], str):
            size = len(obj) + (obj.count(args[0]) + 1) * len(args[1])
        elif name == "expandtabs":
            size = len(obj) * max(1, int(args[0]) if args else 8)
        else:
            size = int(args[0]) if args and isinstance(args[0], int) else 0
        if size > MAX_LENGTH:
            raise _too_big(f"the result of {name}()")
    return method(*args, **kwargs)


_GUARDS = {
    "_sf_pow": _guard_pow,
    "_sf_mul": _guard_mul,
    "_sf_lshift": _guard_lshift,
    "_sf_mod": _guard_mod,
    "_sf_method": _guard_method,
}
_BINOP_GUARDS = {ast.Pow: "_sf_pow", ast.Mult: "_sf_mul", ast.LShift: "_sf_lshift", ast.Mod: "_sf_mod"}


# --------------------------------------------------------------------------- the environment

_SAFE_BUILTIN_NAMES = [
    "abs",
    "all",
    "any",
    "bool",
    "dict",
    "enumerate",
    "filter",
    "float",
    "int",
    "isinstance",
    "len",
    "list",
    "map",
    "max",
    "min",
    "reversed",
    "round",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "zip",
    "True",
    "False",
    "None",
    "ValueError",
    "KeyError",
    "Exception",
]
_BUILTINS = __builtins__ if isinstance(__builtins__, dict) else vars(__builtins__)
_SAFE_BUILTINS: dict[str, Any] = {name: _BUILTINS[name] for name in _SAFE_BUILTIN_NAMES} | {"range": _guard_range}

def juel_empty(value: Any) -> bool:
    """JUEL's ``empty``: true for null, an empty text and an empty list or map (translated models)."""
    return value is None or (isinstance(value, str | list | tuple | dict | set) and len(value) == 0)


def juel_property(base: Any, key: Any) -> Any:
    """JUEL's ``a.b`` / ``a['b']`` on process data: a map's entry or a list's item, ``None`` (null) when
    absent or when ``a`` is null — as a Java engine answers for a map, instead of a KeyError."""
    if isinstance(base, dict):
        return base.get(key)
    if isinstance(base, list | tuple) and isinstance(key, int) and -len(base) <= key < len(base):
        return base[key]
    return None


_MATH_NAMES = [name for name in dir(math) if not name.startswith("_") and name not in ("factorial", "comb", "perm")]
#: Namespaces, never modules: ``datetime.sys`` would be the real ``sys``.
SAFE_GLOBALS: dict[str, Any] = {
    "datetime": SimpleNamespace(
        date=_dt.date, datetime=_dt.datetime, time=_dt.time, timedelta=_dt.timedelta, timezone=_dt.timezone
    ),
    "date": _dt.date,
    "timedelta": _dt.timedelta,
    "Decimal": decimal.Decimal,
    "math": SimpleNamespace(**{name: getattr(math, name) for name in _MATH_NAMES}),
    "provider_ban": provider_ban,
    "juel_empty": juel_empty,
    "juel_property": juel_property,
}


#: How a translated JUEL expression reads a variable whose name the sandbox refuses (``input``, ``type``):
#: only in expressions, where the data is at hand (``RestrictedEnvironment.evaluate``).
VARIABLE_HELPER = "juel_variable"


def reserved_names() -> frozenset[str]:
    """Names the sandbox refuses in code however they are meant: a variable of a foreign model called so
    must be read through ``VARIABLE_HELPER``."""
    return frozenset(_FORBIDDEN_NAMES)


def environment_names() -> frozenset[str]:
    """The names an expression finds without any data: the safe builtins and helpers (``round``,
    ``date`` …), so a rule's own names can be told from these."""
    return frozenset(_SAFE_BUILTINS) | frozenset(SAFE_GLOBALS)


# --------------------------------------------------------------------------- the check (before run)

_FORBIDDEN_NAMES = {
    "open",
    "eval",
    "exec",
    "compile",
    "globals",
    "locals",
    "vars",
    "getattr",
    "setattr",
    "delattr",
    "hasattr",
    "__import__",
    "input",
    "print",
    "breakpoint",
    "help",
    "memoryview",
    "type",
    "object",
    "super",
    "dir",
    "classmethod",
    "staticmethod",
    "property",
}
_FORBIDDEN_ATTRIBUTES = {"mro", "format_map", "func_globals", "func_code", "im_func", "im_self"}
_FORBIDDEN_ATTRIBUTE_PREFIXES = ("_", "gi_", "f_", "co_", "cr_", "ag_", "tb_")
_FORBIDDEN_NODES = (
    ast.Import,
    ast.ImportFrom,
    ast.Global,
    ast.Nonlocal,
    ast.ClassDef,
    ast.AsyncFunctionDef,
    ast.AsyncFor,
    ast.AsyncWith,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
)
_NODE_LABELS = {
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.ClassDef: "class definitions",
    ast.Yield: "yield (generators)",
    ast.YieldFrom: "yield (generators)",
}
_WIDTH = re.compile(r"(\d+)")
_PERCENT_WIDTH = re.compile(r"%[-#0 +]*(\d+|\*)")


def _refuse(reason: str) -> UnsafeScriptError:
    return UnsafeScriptError(f"script refused: {reason}")


def _check_widths(text: str) -> None:
    """Refuse %-format widths that would build huge strings ('%999999999d')."""
    for match in _PERCENT_WIDTH.finditer(text):
        if match.group(1) == "*" or int(match.group(1)) > MAX_FORMAT_WIDTH:
            raise _refuse("format width too large")


def _check_format_spec(spec: str) -> None:
    if "{" in spec:
        raise _refuse("format width from a variable is not allowed")
    if any(int(number) > MAX_FORMAT_WIDTH for number in _WIDTH.findall(spec)):
        raise _refuse("format width too large")


def _check_format_literal(text: str) -> None:
    """``'{0.__class__}'.format(x)`` reads attributes without an attribute node: check the fields."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise _refuse(f"bad format string ({exc})") from None
    for _, field_name, spec, _ in parts:
        if field_name and re.search(r"[.\[]\s*_", field_name):
            raise _refuse(f"format field {field_name!r} reads a private attribute")
        if spec:
            _check_format_spec(spec)


def _check_node(node: ast.AST) -> None:
    if isinstance(node, _FORBIDDEN_NODES):
        raise _refuse(f"{_NODE_LABELS.get(type(node), type(node).__name__)} is not allowed")
    if isinstance(node, ast.Name) and (node.id in _FORBIDDEN_NAMES or node.id.startswith("_")):
        raise _refuse(f"name {node.id!r} is not allowed")
    if isinstance(node, ast.arg) and node.arg.startswith("_"):
        raise _refuse(f"name {node.arg!r} is not allowed")
    if isinstance(node, ast.FunctionDef | ast.Lambda) and getattr(node, "name", "").startswith("_"):
        raise _refuse(f"name {node.name!r} is not allowed")  # type: ignore[union-attr]
    if isinstance(node, ast.Attribute):
        if node.attr in _FORBIDDEN_ATTRIBUTES or node.attr.startswith(_FORBIDDEN_ATTRIBUTE_PREFIXES):
            raise _refuse(f"attribute {node.attr!r} is not allowed")
        if node.attr == "format":
            if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                raise _refuse(".format() only on a string literal; use an f-string")
            _check_format_literal(node.value.value)
    if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
        for part in node.format_spec.values:
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                raise _refuse("format width from a variable is not allowed")
            _check_format_spec(part.value)
    if isinstance(node, ast.keyword) and node.arg is not None and node.arg.startswith("_"):
        raise _refuse(f"keyword {node.arg!r} is not allowed")


class _Guard(ast.NodeTransformer):
    """Route size-sensitive operations through the run-time guards (after the check passed)."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        return ast.copy_location(call, node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        if not isinstance(node.target, ast.Name):
            raise _refuse("use 'x = x * y' instead of '*=', '**=', '<<=' or '%=' on an item or attribute")
        value = ast.Call(
            func=ast.Name(guard, ast.Load()), args=[ast.Name(node.target.id, ast.Load()), node.value], keywords=[]
        )
        return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _SIZED_METHODS:
            call = ast.Call(
                func=ast.Name("_sf_method", ast.Load()),
                args=[func.value, ast.Constant(func.attr), *node.args],
                keywords=node.keywords,
            )
            return ast.copy_location(call, node)
        return node


@lru_cache(maxsize=4096)
def compile_checked(source: str, mode: str = "exec") -> CodeType:
    """Check ``source`` and compile it with the guards in place; cached per source text."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise ExecutionError(f"syntax error in script/expression: {exc.msg} (line {exc.lineno})") from None
    for node in ast.walk(tree):
        _check_node(node)
    guarded = ast.fix_missing_locations(_Guard().visit(tree))
    return compile(guarded, "<script>", mode)


def check_code(source: str, mode: str = "exec") -> None:
    """Refuse code that reaches outside the sandbox (raises ``UnsafeScriptError`` / ``ExecutionError``)."""
    compile_checked(source, mode)


class _StepLimit:
    """A trace function that stops runaway scripts after a fixed number of lines or seconds."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.remaining = limit
        self.deadline = time.monotonic() + seconds

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            self.remaining -= 1
            if self.remaining < 0:
                raise ScriptLimitError("script ran too long (step limit reached)")
            if self.remaining % 1000 == 0 and time.monotonic() > self.deadline:
                raise ScriptLimitError("script ran too long (time limit reached)")
        return self


def _run_limited(function: Any, *args: Any) -> Any:
    previous = sys.gettrace()
    sys.settrace(_StepLimit(MAX_STEPS, MAX_SECONDS))
    try:
        return function(*args)
    finally:
        sys.settrace(previous)


class RestrictedEnvironment(TaskDataEnvironment):
    def __init__(self, functions: dict[str, Any] | None = None) -> None:
        env_globals = {"__builtins__": _SAFE_BUILTINS, **SAFE_GLOBALS, **_GUARDS}
        env_globals.update(functions or {})
        super().__init__(env_globals)

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        code = compile_checked(expression, "eval")
        data = _clean(context)
        if VARIABLE_HELPER in code.co_names:  # a translated JUEL name the sandbox keeps for itself
            data = {**data, VARIABLE_HELPER: _variable_reader(data)}
        return _run_limited(super().evaluate, code, data, external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        code = compile_checked(script, "exec")
        if VARIABLE_HELPER in code.co_names:  # a translated JUEL expression in a mapping (``foreign_io``)
            context[VARIABLE_HELPER] = _variable_reader(context)  # a function: taken out again after the run
        return _run_limited(super().execute, code, context, external_context)


def _variable_reader(data: dict[str, Any]) -> Any:
    def variable(name: str) -> Any:
        if name not in data:
            raise NameError(f"name {name!r} is not defined")
        return data[name]

    return variable


def _clean(context: dict[str, Any]) -> dict[str, Any]:
    """Task data never shadows ``__builtins__`` or the guards (data keys come from outside)."""
    if any(key.startswith("_") for key in context):
        return {k: v for k, v in context.items() if not k.startswith("_")}
    return context


def make_script_engine(functions: dict[str, Any] | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(functions))
