"""A subset of JUEL (the expression language of Camunda 7, Flowable and Activiti) as servflow Python.

Models written for those engines say ``${amount > 1000}`` or ``#{!approved}`` in conditions, timers,
assignees and due dates. servflow runs no Java, so each expression is translated once, at deploy, into
an expression of the restricted evaluator (``engine.spiff.scripting``) — the sandbox then checks it like
any other. The subset is what such models use for data: variables, literals (``true``, ``null``, numbers,
quoted strings), comparison (``==``, ``eq`` …), ``&&``/``||``/``!`` and ``and``/``or``/``not``,
arithmetic (``div``, ``mod``), ``empty``, ``?:``, and property access (``a.b``, ``a['b']``: a missing
key is ``null``, as for a Java map). Everything else — a method call on a bean, ``execution``/``task``,
a lambda, a composite text like ``Hello ${name}`` — raises :class:`JuelError` saying what, so the deploy
is refused naming the element, the attribute and the expression instead of failing when a project
reaches it.

No library was used: the Python JUEL ports on PyPI are unmaintained, and what is needed is a translator
to the sandbox's own language, not an evaluator with its own rules.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from .scripting import VARIABLE_HELPER, reserved_names

#: The helpers the translation calls, present in the sandbox's globals (``scripting.SAFE_GLOBALS``).
EMPTY_HELPER = "juel_empty"
PROPERTY_HELPER = "juel_property"

#: Camunda/Flowable objects that exist only inside a Java engine.
ENGINE_OBJECTS = frozenset({"execution", "task", "authenticatedUserId", "variables", "processEngine"})

_WRAPPED = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.DOTALL)
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.()\[\],])
    )""",
    re.VERBOSE,
)
_WORD_OPERATORS = {
    "and": "&&",
    "or": "||",
    "not": "!",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
}
_CONSTANTS = {"true": "True", "false": "False", "null": "None"}
_BINARY = (  # lowest first; each level's JUEL operators and their Python spelling
    {"||": "or"},
    {"&&": "and"},
    {"==": "==", "!=": "!="},
    {"<": "<", ">": ">", "<=": "<=", ">=": ">="},
    {"+": "+", "-": "-"},
    {"*": "*", "/": "/", "%": "%"},
)


class JuelError(ValueError):
    """An expression outside the subset servflow runs; ``reason`` says what, in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


def is_juel(text: str | None) -> bool:
    """Whether ``text`` is written as a JUEL expression (``${…}`` or ``#{…}``) rather than a literal."""
    return bool(text) and ("${" in text or "#{" in text)  # type: ignore[operator]


def translate(text: str) -> str:
    """The Python expression for one JUEL expression ``${…}``/``#{…}``; raises :class:`JuelError`."""
    match = _WRAPPED.match(text)
    if match is None or "${" in match.group(1) or "#{" in match.group(1):
        raise JuelError(
            f"只支持整体为一个表达式的写法（如 ${{amount > 1000}}），不支持拼接文本 {text.strip()!r}",
            f"only a whole expression such as ${{amount > 1000}} is supported, not the composite text {text.strip()!r}",
        )
    return _Parser(_tokens(match.group(1))).expression_only()


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, name, op, end
    text: str


def _tokens(source: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None:
            raise JuelError(
                f"表达式中有无法识别的字符 {source[position:].strip()[:20]!r}",
                f"cannot read the expression from {source[position:].strip()[:20]!r}",
            )
        kind = match.lastgroup or "op"
        value = match.group(kind)
        if kind == "name" and value in _WORD_OPERATORS:
            kind, value = "op", _WORD_OPERATORS[value]
        tokens.append(_Token(kind, value))
        position = match.end()
    tokens.append(_Token("end", ""))
    return tokens


class _Parser:
    """Recursive descent over JUEL's precedence levels, writing fully parenthesised Python."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self, text: str | None = None) -> _Token:
        token = self.current
        if text is not None and (token.kind != "op" or token.text != text):
            found = token.text or "the end"
            raise JuelError(f"此处应为 {text!r}，实为 {found!r}", f"expected {text!r}, found {found!r}")
        self.index += 1
        return token

    def at(self, *texts: str) -> bool:
        return self.current.kind == "op" and self.current.text in texts

    def expression_only(self) -> str:
        if self.current.kind == "end":
            raise JuelError("表达式为空", "the expression is empty")
        result = self.conditional()
        if self.current.kind != "end":
            raise JuelError(
                f"表达式在 {self.current.text!r} 处多出内容", f"unexpected {self.current.text!r} in the expression"
            )
        return result

    def conditional(self) -> str:
        test = self.binary(0)
        if not self.at("?"):
            return test
        self.take("?")
        then = self.conditional()
        self.take(":")
        otherwise = self.conditional()
        return f"({then} if {test} else {otherwise})"

    def binary(self, level: int) -> str:
        if level == len(_BINARY):
            return self.unary()
        operators = _BINARY[level]
        left = self.binary(level + 1)
        while self.current.kind == "op" and self.current.text in operators:
            python = operators[self.take().text]
            right = self.binary(level + 1)
            left = f"({left} {python} {right})"
        return left

    def unary(self) -> str:
        if self.at("!"):
            self.take()
            return f"(not {self.unary()})"
        if self.at("-"):
            self.take()
            return f"(-{self.unary()})"
        if self.current.kind == "name" and self.current.text == "empty":
            self.take()
            return f"{EMPTY_HELPER}({self.unary()})"
        return self.postfix()

    def postfix(self) -> str:
        root = self.current
        value = self.primary()
        while self.at(".", "[", "("):
            if self.at("("):
                raise _call_refused(root.text)
            if self.take().text == ".":
                name = self.take()
                if name.kind != "name":
                    raise JuelError(
                        f"“.”后应为属性名，实为 {name.text!r}",
                        f"expected a property name after '.', found {name.text!r}",
                    )
                if self.at("("):
                    raise _call_refused(f"{root.text}.{name.text}")
                key = repr(name.text)
            else:
                key = self.conditional()
                self.take("]")
            value = f"{PROPERTY_HELPER}({value}, {key})"
        return value

    def primary(self) -> str:
        token = self.take()
        if token.kind == "number":
            return token.text
        if token.kind == "string":
            return repr(_unquote(token.text))
        if token.kind == "op" and token.text == "(":
            inner = self.conditional()
            self.take(")")
            return f"({inner})"
        if token.kind == "name":
            return _variable(token.text, calls=self.at("("))
        found = token.text or "the end"
        raise JuelError(f"此处应为变量或值，实为 {found!r}", f"expected a variable or a value, found {found!r}")


def _variable(name: str, *, calls: bool) -> str:
    if name in _CONSTANTS:
        return _CONSTANTS[name]
    if calls:
        raise _call_refused(name)
    if name in ENGINE_OBJECTS:
        raise JuelError(
            f"{name} 是 Java 流程引擎的对象，servflow 中不存在；请改用流程变量",
            f"{name} is an object of the Java engine that servflow does not have; use a process variable",
        )
    if name.startswith("_"):
        raise JuelError(f"变量名 {name!r} 不可用，请改名", f"the variable name {name!r} cannot be used; rename it")
    if keyword.iskeyword(name) or name in reserved_names():
        return f"{VARIABLE_HELPER}({name!r})"
    return name


def _call_refused(name: str) -> JuelError:
    return JuelError(
        f"不支持调用方法 {name}(…)（Java Bean 的方法在 servflow 中不能运行）；"
        "请改为外部任务（camunda:type=\"external\" camunda:topic）由工作进程算出结果，再在表达式中使用该变量",
        f"the method call {name}(…) is not supported (beans of a Java engine cannot run in servflow); let an "
        "external task (camunda:type=\"external\" camunda:topic) compute the value and use that variable here",
    )


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", r"\1", body)
