"""The shape of the code, checked: the kernel imports no feature, features import each other's
services only, the feature graph has no cycle, and no import hides inside a function.

Read from the source with `ast` (nothing is imported), so a new cycle fails here with the
modules that make it, before it can fail at start-up.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "site" / "ashiato"

# Modules that assemble the site from every feature (they may import anything).
ASSEMBLY = {"app", "cli", "demo", "features", "piccolo_conf", "__main__", "catalogs"}
# Imports inside a function that are there for a reason other than a cycle.
ALLOWED_LOCAL_IMPORTS = {
    # Each command loads only what it needs, so `ashiato i18n check` does not start a web app.
    "ashiato.cli",
    # Piccolo's conf module is found by name at run time, as Piccolo itself loads it.
    "ashiato.db",
}
# A feature may use another feature's service layer (and its tables for foreign keys), never
# what lies beneath or above it.
PRIVATE_LAYERS = {"queries", "routes"}


@dataclass(frozen=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module, dotted
    line: int
    local: bool  # inside a function body (not under `if TYPE_CHECKING:`)


def _module_name(path: Path) -> str:
    if path.is_relative_to(PACKAGE):
        parts = ("ashiato", *path.relative_to(PACKAGE).with_suffix("").parts)
    else:
        parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources() -> list[Path]:
    paths = [*PACKAGE.rglob("*.py"), *(ROOT / "mailgate").rglob("*.py")]
    return [p for p in paths if "piccolo_migrations" not in p.parts]


def _imports_of(path: Path) -> list[Import]:
    source = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # annotations only: never executed
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(source, alias.name, child.lineno, inner))
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    # `from ashiato.x import service` names a module; `import Member` a name.
                    target = f"{child.module}.{alias.name}"
                    found.append(Import(source, target, child.lineno, inner))
            visit(child, inner)

    visit(tree, False)
    return [i for i in found if i.target.split(".")[0] in {"ashiato", "mailgate"}]


def _features() -> set[str]:
    return {p.parent.name for p in PACKAGE.glob("*/feature.py")}


def _feature_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "ashiato" and len(parts) > 1 and parts[1] in _features():
        return parts[1]
    return None


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 else None


ALL_IMPORTS = [imp for path in _sources() for imp in _imports_of(path)]


def _where(imp: Import) -> str:
    return f"{imp.source} (line {imp.line}) imports {imp.target}"


def test_the_checker_sees_the_features_and_their_imports() -> None:
    assert {"accounts", "diaries", "friends", "communities"} <= _features()
    assert any(imp.source == "ashiato.app" for imp in ALL_IMPORTS)


def test_kernel_modules_import_no_feature() -> None:
    offending = [
        _where(imp)
        for imp in ALL_IMPORTS
        if _feature_of(imp.source) is None
        and imp.source.split(".")[0] == "ashiato"
        and imp.source.split(".")[1] not in ASSEMBLY
        and _feature_of(imp.target) is not None
    ]
    assert offending == [], "the kernel must not depend on a feature:\n" + "\n".join(offending)


def test_no_feature_reaches_into_another_features_queries_or_routes() -> None:
    offending = [
        _where(imp)
        for imp in ALL_IMPORTS
        if (target := _feature_of(imp.target)) is not None
        and _layer_of(imp.target) in PRIVATE_LAYERS
        and _feature_of(imp.source) != target
        and imp.source.split(".")[1] not in ASSEMBLY
    ]
    assert offending == [], "use the other feature's service instead:\n" + "\n".join(offending)


def test_no_route_module_imports_another_route_module() -> None:
    offending = [
        _where(imp)
        for imp in ALL_IMPORTS
        if imp.source.endswith(".routes") or ".routes." in imp.source
        if imp.target.endswith(".routes") or ".routes." in imp.target
        if imp.source.rsplit(".", 1)[0] != imp.target.rsplit(".", 1)[0]
    ]
    assert offending == [], "\n".join(offending)


def test_no_import_hides_inside_a_function() -> None:
    offending = [
        _where(imp) for imp in ALL_IMPORTS if imp.local and imp.source not in ALLOWED_LOCAL_IMPORTS
    ]
    assert offending == [], "import at the top of the module:\n" + "\n".join(offending)


def _feature_graph() -> dict[str, dict[str, Import]]:
    graph: dict[str, dict[str, Import]] = defaultdict(dict)
    for imp in ALL_IMPORTS:
        source, target = _feature_of(imp.source), _feature_of(imp.target)
        if source and target and source != target:
            graph[source].setdefault(target, imp)
    return graph


def _cycle(graph: dict[str, dict[str, Import]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, {})):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_feature_graph_has_no_cycle() -> None:
    graph = _feature_graph()
    cycle = _cycle(graph)
    if cycle:
        edges = [_where(graph[a][b]) for a, b in zip(cycle, cycle[1:], strict=False)]
        pytest.fail("feature cycle " + " → ".join(cycle) + ":\n" + "\n".join(edges))


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The checker itself can fail: a made-up graph with a cycle is reported."""
    edge = Import("ashiato.a.service", "ashiato.b.service", 1, False)
    graph = {"a": {"b": edge}, "b": {"c": edge}, "c": {"a": edge}, "d": {"a": edge}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b": edge}, "b": {}}) is None
