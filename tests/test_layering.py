"""The architecture's rules, checked: engine knows nothing of Flask or the web app; only runtime-side
modules touch SpiffWorkflow's runtime classes."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
SPIFF_ALLOWED = {
    "runtime.py",
    "serializer.py",
    "compaction.py",
    "parsing.py",
    "scripting.py",
    "scenarios.py",
    "messages.py",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_engine_never_imports_flask_or_web() -> None:
    offenders = {
        str(path.relative_to(ENGINE)): sorted(
            n for n in _imports(path) if n.split(".")[0] in {"flask", "web", "werkzeug"}
        )
        for path in ENGINE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_spiffworkflow_stays_behind_the_runtime_modules() -> None:
    users = {
        path.name
        for path in ENGINE.glob("*.py")
        if any(name.split(".")[0] == "SpiffWorkflow" for name in _imports(path))
    }
    assert users <= SPIFF_ALLOWED, users - SPIFF_ALLOWED
