"""The tree reads as the pipeline: module imports (read with ast) flow one way.

Data flows source → AST → checks → policy → (runtime | render | change); the runtime a service
loads must not drag the compiler in, and Lark stays inside the two front-end modules that parse.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "compiler"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["slac", *parts])


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".")
    # A module's own package is one level up; a package's __init__ is its own package.
    base = base if is_package else base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:`, which only the type checker imports."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        deps: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, is_package, node.level, node.module)
                # `from . import x` depends on the submodule x when x is one, else on the package.
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    deps.add(sub if sub in modules else target)
        graph[module] = deps
    return graph


GRAPH = _graph()
INTERNAL = set(GRAPH)


def _internal(deps: set[str]) -> set[str]:
    return {d for d in deps if d in INTERNAL and d != "slac"}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def find_circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every circle met by a depth-first walk, each as the path that closes it."""
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(edges.get(m, ())):
            if state.get(d) == 1:
                circles.append(stack[stack.index(d) :] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    return circles


def test_no_import_circles() -> None:
    # A package's __init__ importing its own submodules (re-exports) is one edge like any other:
    # a submodule that imports its package's private helpers back closes a circle.
    edges = {m: _internal(deps) - {m} for m, deps in GRAPH.items()}
    circles = find_circles(edges)
    assert circles == [], "import circles: " + "; ".join(" → ".join(c) for c in circles)


def test_the_circle_finder_finds_circles() -> None:
    assert find_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_circles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


FRONT_END = ("slac.nodes", "slac.to_ast", "slac.syntax", "slac.checks", "slac.policy.build", "slac.driver", "slac.fmt")


@pytest.mark.parametrize(
    ("room", "forbidden"),
    [
        ("slac.runtime", (*FRONT_END, "slac.render", "slac.change", "slac.cli")),
        ("slac.policy.load", (*FRONT_END, "slac.render", "slac.change", "slac.cli", "slac.runtime")),
        ("slac.policy.view", (*FRONT_END, "slac.render", "slac.change", "slac.cli", "slac.runtime")),
        ("slac.policy.codec", (*FRONT_END, "slac.render", "slac.change", "slac.cli", "slac.runtime")),
        ("slac.policy.schema", (*FRONT_END, "slac.render", "slac.change", "slac.cli", "slac.runtime")),
        ("slac.render", ("slac.nodes", "slac.to_ast", "slac.syntax", "slac.checks", "slac.policy.build", "slac.cli")),
        ("slac.change", ("slac.nodes", "slac.to_ast", "slac.syntax", "slac.checks", "slac.policy.build", "slac.cli")),
        ("slac.plan", (*FRONT_END, "slac.render", "slac.change", "slac.cli")),
    ],
)
def test_room_imports_only_what_it_may(room: str, forbidden: tuple[str, ...]) -> None:
    assert any(_within(m, room) for m in GRAPH), f"{room} is not in the tree"
    bad = sorted(
        f"{m} imports {d}"
        for m, deps in GRAPH.items()
        if _within(m, room)
        for d in _internal(deps)
        if any(_within(d, f) for f in forbidden)
    )
    assert bad == []


def test_lark_only_in_the_parsing_modules() -> None:
    users = sorted(m for m, deps in GRAPH.items() if any(_within(d, "lark") for d in deps))
    assert set(users) <= {"slac.syntax", "slac.to_ast"} | {m for m in users if _within(m, "slac.to_ast")}, users


def test_the_oracle_does_not_ship() -> None:
    assert not (PACKAGE / "runtime" / "reference.py").exists()
    assert not any("reference" in d and "oracle" in d for deps in GRAPH.values() for d in deps)


MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _too_long(path: Path, root: Path = ROOT) -> list[str]:
    text = path.read_text(encoding="utf-8")
    out = []
    if len(text.splitlines()) > MAX_MODULE_LINES:
        out.append(f"{path.relative_to(root)}: {len(text.splitlines())} lines")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                out.append(f"{path.relative_to(root)}:{node.lineno} {node.name}: {length} lines")
    return out


def test_modules_and_functions_stay_readable() -> None:
    """No module over 600 lines, no function over 80: a room that grows past that is split."""
    assert [p for path in sorted(PACKAGE.rglob("*.py")) for p in _too_long(path)] == []


def test_the_length_rule_sees_a_long_function(tmp_path: Path) -> None:
    long = tmp_path / "long.py"
    long.write_text("def f():\n" + "    x = 1\n" * 90, encoding="utf-8")
    assert _too_long(long, tmp_path) == ["long.py:1 f: 91 lines"]


def test_the_plan_engines_load_only_when_chosen() -> None:
    """duckdb, sqlglot and pyspark are imported inside slac.plan only, lazily: `import slac` and the numpy path stay light."""
    import subprocess
    import sys

    code = (
        "import sys, slac, slac.runtime.engines, slac.plan, slac.plan.calendars; "
        "print(' '.join(m for m in ('duckdb', 'sqlglot', 'pyspark') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""
