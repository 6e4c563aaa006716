"""The architecture's rules, checked: engine knows nothing of Flask or the web app; its folders form layers,
each importing only from the layers below it; only ``engine/spiff/`` touches SpiffWorkflow; and the web app
holds no SQL — it reads and writes through the Engine (``Engine.read``, ``Engine.write`` and its methods)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
WEB = ENGINE.parent / "web"

# Lowest first. A module may import from its own layer and any layer before it, never from one after.
LAYERS = [
    {"errors", "config", "observability"},
    {"formats"},
    {"store"},
    {"identity"},
    {"registry", "catalogue"},
    {"spiff"},
    {"calendars"},
    {"definitions"},
    {"documents"},
    {"commands"},
    {"queries"},
    {"service", "service_external", "service_migrations"},
    {"compose"},
    {"jobs"},
    {"demo"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _imports(path: Path) -> set[str]:
    """Absolute names of what ``path`` imports (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["engine", *path.relative_to(ENGINE).parent.parts]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            if not node.module:
                names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _part(path: Path) -> str:
    """The layer a module of engine/ belongs to: its folder, or its own name at the top."""
    relative = path.relative_to(ENGINE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_every_engine_module_belongs_to_a_layer() -> None:
    unplaced = {_part(p) for p in ENGINE.rglob("*.py") if "migrations" not in p.parts} - set(RANK) - {"__init__"}
    assert unplaced == set()


def test_engine_never_imports_flask_or_web() -> None:
    offenders = {
        str(path.relative_to(ENGINE)): sorted(
            n for n in _imports(path) if n.split(".")[0] in {"flask", "web", "werkzeug"}
        )
        for path in ENGINE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_each_layer_imports_only_from_layers_below() -> None:
    upward = {}
    for path in ENGINE.rglob("*.py"):
        part = _part(path)
        if part not in RANK:
            continue
        above = sorted(
            name
            for name in _imports(path)
            if name.startswith("engine.") and name.split(".")[1] in RANK and RANK[name.split(".")[1]] > RANK[part]
        )
        if above:
            upward[str(path.relative_to(ENGINE))] = above
    assert upward == {}


def test_spiffworkflow_stays_behind_the_spiff_folder() -> None:
    users = {
        str(path.relative_to(ENGINE))
        for path in ENGINE.rglob("*.py")
        if _part(path) != "spiff" and any(name.split(".")[0] == "SpiffWorkflow" for name in _imports(path))
    }
    assert users == set()


def _sql_in(path: Path) -> list[str]:
    """What in a web module touches the database directly: SQLAlchemy, ``select(…)``, units of work, sessions.

    Read from the syntax tree, so text in strings (a page script's ``selection.select(…)``) and Flask's own
    ``session`` (the signed cookie) do not count.
    """
    found = [f"imports {name}" for name in sorted(_web_imports(path)) if name.split(".")[0] == "sqlalchemy"]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"select", "single_read"}:
                found.append(f"line {node.lineno}: {func.id}(")
            elif isinstance(func, ast.Attribute) and func.attr in {"unit_of_work", "single_read"}:
                found.append(f"line {node.lineno}: .{func.attr}(")
        elif isinstance(node, ast.Attribute) and node.attr == "session":
            found.append(f"line {node.lineno}: .session")
        elif isinstance(node, ast.Name) and node.id == "uow":
            found.append(f"line {node.lineno}: uow")
    return found


def _web_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module)
    return names


def test_the_web_app_holds_no_sql() -> None:
    offenders = {
        name: found
        for path in sorted(WEB.rglob("*.py"))
        if (found := _sql_in(path)) and (name := path.relative_to(WEB).as_posix())
    }
    assert offenders == {}
