"""The run machinery is layered: no import cycle among its modules (counting imports made only for
type checking or inside functions), none of it knows the server, and each module imports alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import brickyard

SRC = Path(brickyard.__file__).parent.parent
RUNS = "brickyard.local.runs"


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "brickyard").rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the brickyard modules it imports, wherever the import statement is."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_local_workspace_has_no_import_cycle() -> None:
    modules = _modules()
    graph = _graph({k: v for k, v in modules.items() if k.startswith("brickyard.local")})
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_run_modules_do_not_know_the_server() -> None:
    graph = _graph(_modules())
    reaching = {
        name: sorted(t for t in targets if t.startswith("brickyard.local.server"))
        for name, targets in graph.items()
        if name.startswith(RUNS)
    }
    assert {name: targets for name, targets in reaching.items() if targets} == {}


def test_each_run_module_imports_on_its_own() -> None:
    names = sorted(name for name in _modules() if name.startswith(RUNS + "."))
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('brickyard')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as err:\n"
        "        failed.append(f'{name}: {err!r}')\n"
        "print('\\n'.join(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
