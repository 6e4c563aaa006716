"""Scripts and expressions from BPMN/DMN run in a restricted Python environment.

Designers write gateway conditions, script tasks and decision-table entries; those are untrusted.
Before anything runs, the code's syntax tree is checked: no imports, no names or attributes with
double underscores, no access to ``open``/``eval``/``exec``/``globals`` and friends. Only a small set
of safe built-ins is available, and a step counter bounds how long any one script may run.
"""

from __future__ import annotations

import ast
import datetime as _dt
import decimal
import math
import sys
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from .errors import ExecutionError

_SAFE_BUILTINS = {
    name: getattr(__builtins__, name) if not isinstance(__builtins__, dict) else __builtins__[name]
    for name in (
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
        "range",
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
    )
}
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
    "__import__",
    "input",
    "breakpoint",
    "help",
    "memoryview",
    "type",
    "object",
    "super",
    "dir",
}
_FORBIDDEN_NODES = (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.AsyncFunctionDef, ast.Await)
MAX_STEPS = 200_000


class UnsafeScriptError(ExecutionError):
    code = "unsafe_script"


@lru_cache(maxsize=4096)
def check_code(source: str, mode: str = "exec") -> None:
    """Refuse code that reaches outside the sandbox; results are cached per source text."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise ExecutionError(f"syntax error in script/expression: {exc.msg} (line {exc.lineno})") from None
    for node in ast.walk(tree):
        if isinstance(node, _FORBIDDEN_NODES):
            raise UnsafeScriptError(f"{type(node).__name__} is not allowed in scripts")
        if isinstance(node, ast.Name) and (node.id in _FORBIDDEN_NAMES or node.id.startswith("__")):
            raise UnsafeScriptError(f"name {node.id!r} is not allowed in scripts")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise UnsafeScriptError(f"attribute {node.attr!r} is not allowed in scripts")


class _StepLimit:
    """A trace function that stops runaway loops after a fixed number of executed lines."""

    def __init__(self, limit: int) -> None:
        self.remaining = limit

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            self.remaining -= 1
            if self.remaining < 0:
                raise ExecutionError("script ran too long (step limit reached)")
        return self


def _run_limited(function: Any, *args: Any) -> Any:
    previous = sys.gettrace()
    sys.settrace(_StepLimit(MAX_STEPS))
    try:
        return function(*args)
    finally:
        sys.settrace(previous)


class RestrictedEnvironment(TaskDataEnvironment):
    def __init__(self, functions: dict[str, Any] | None = None) -> None:
        env_globals = {
            "__builtins__": _SAFE_BUILTINS,
            "datetime": _dt,
            "date": _dt.date,
            "timedelta": _dt.timedelta,
            "Decimal": decimal.Decimal,
            "math": math,
        }
        env_globals.update(functions or {})
        super().__init__(env_globals)

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        check_code(expression, "eval")
        return _run_limited(super().evaluate, expression, context, external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        check_code(script, "exec")
        return _run_limited(super().execute, script, context, external_context)


def make_script_engine(functions: dict[str, Any] | None = None) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(functions))
