"""No import cycles in board/: between modules, and between areas.

Read from the source (no import is run): every `import board.x` and
`from .x import y` is an edge from the importing module to the module it
names (or to `pkg.y` when `y` is a submodule of `pkg`). Two edges are left
out, because Python itself orders them and they are the blueprint idiom
(microblog's): a package's `__init__` importing its own submodules (the
views that register on its `bp`), and a module importing its own package or
an ancestor of it (which Python has initialised first anyway).

Areas are the sub-packages of board/ plus each top-level module; the app
factory (`board/__init__.py`) stands above them all and is left out of the
area graph.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "board"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                child = f"{target}.{alias.name}"
                found.add(child if child in modules else target)
    return {m for m in found if m in modules}


def _edges() -> dict[str, set[str]]:
    modules = _modules()
    edges = {}
    for name, path in modules.items():
        targets = _imports(name, path, modules)
        edges[name] = {
            t
            for t in targets
            if t != name
            and not t.startswith(name + ".")  # a package registering its own views
            and not name.startswith(t + ".")  # a module's own package, run first anyway
        }
    return edges


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _area(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def test_the_reader_sees_the_imports_it_should():
    """A guard for the test itself: known edges are found."""
    edges = _edges()
    assert (
        "board.errors" in edges["board.boards.pages"] or "board.htmx" in edges["board.boards.pages"]
    )
    assert "board.access" in edges["board.routing"]
    assert "board.editing.views" not in edges["board.editing"]  # the registration idiom


def test_no_import_cycle_between_modules():
    cycles = _cycles(_edges())
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_import_cycle_between_areas():
    graph: dict[str, set[str]] = {}
    for source, targets in _edges().items():
        if source == "board":
            continue  # the app factory imports every area
        for target in targets:
            if target != "board" and _area(source) != _area(target):
                graph.setdefault(_area(source), set()).add(_area(target))
    cycles = _cycles(graph)
    assert cycles == [], "area cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


@pytest.mark.parametrize("area", ["boards", "moves", "editing", "comments", "share", "reports"])
def test_views_never_import_other_views(area):
    """Shared answers live in pages/helpers modules, not in another view."""
    edges = _edges()
    views = [name for name in edges if name.startswith(f"board.{area}.") and "views" in name]
    for name in views:
        others = [t for t in edges[name] if t.endswith("views") and t != name]
        assert others == [], f"{name} imports {others}"
