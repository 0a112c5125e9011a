"""The imports of src/narrator: no circle between modules, no private name of another package.

Every import counts, at module level or inside a function: a circle hidden in a function
body is still a circle. A package is the first level under narrator (core, figures, sources,
render, check, audit, report, batch, cli); a top-level module (pipeline) is its own package.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
ROOT_PKG = "narrator"


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted((SRC / ROOT_PKG).rglob("*.py")):
        parts = list(p.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


MODULES = _modules()


def _package(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(mod: str, path: Path):
    """(target module, imported name or None, line) for every narrator import of ``mod``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    aliases: dict[str, str] = {}  # local name -> narrator module, for attribute access
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod.split(".") if is_pkg else mod.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != ROOT_PKG and not target.startswith(ROOT_PKG + "."):
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                if sub in MODULES:
                    aliases[a.asname or a.name] = sub
                    yield sub, None, node.lineno
                else:
                    yield target, a.name, node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(ROOT_PKG + "."):
                    if a.asname:
                        aliases[a.asname] = a.name
                    yield a.name, None, node.lineno
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and node.attr.startswith("_") and not node.attr.startswith("__")):
            yield aliases[node.value.id], node.attr, node.lineno


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for target, _name, _line in _imports(mod, path):
            if target in MODULES and target != mod:
                graph[mod].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_walk_sees_the_packages():
    assert {"narrator.core.numbers", "narrator.check.checker", "narrator.pipeline", "narrator.cli"} <= set(MODULES)
    assert "narrator.figures.model" in _graph()["narrator.sources.workbook.sheets"]


# No circle is known: the set must stay empty (a new circle fails).
KNOWN_CYCLES: list = []


def test_no_import_circle_between_modules():
    cycles = _cycles(_graph())
    new = [c for c in cycles if c not in KNOWN_CYCLES]
    assert not new, "import circles: " + "; ".join(" ↔ ".join(c) for c in new)
    assert cycles == KNOWN_CYCLES, "a known circle is gone: remove it from KNOWN_CYCLES"


def test_no_module_imports_a_private_name_of_another_package():
    bad = []
    for mod, path in MODULES.items():
        for target, name, line in _imports(mod, path):
            if name and name.startswith("_") and not name.startswith("__") and _package(target) != _package(mod):
                bad.append(f"{path.relative_to(SRC)}:{line}: {target}.{name}")
    assert not bad, "private names used across packages:\n" + "\n".join(bad)


# Each stage's switch between a fast path and its reference: the one module that may import
# the ``_fast`` module, reading core.fast (NARRATOR_REFERENCE=1) to pick.
DISPATCHERS = {
    "narrator.check.align_fast": {"narrator.check.checker"},
    "narrator.audit.kinds_fast": {"narrator.audit.engine"},
    "narrator.figures.loader_fast": {"narrator.figures.load"},
    "narrator.render.engine_fast": {"narrator.render.engine"},
    "narrator.sources.pdf_fast": {"narrator.sources.documents"},
}


def _fast_modules() -> set[str]:
    return {m for m in MODULES if m.rsplit(".", 1)[-1].endswith("_fast")}


def test_every_fast_module_has_its_dispatcher():
    assert _fast_modules() == set(DISPATCHERS)
    for dispatchers in DISPATCHERS.values():
        for d in dispatchers:
            assert "narrator.core.fast" in _graph()[d], f"{d} picks its path without core.fast"


def test_only_the_dispatchers_import_a_fast_module():
    graph = _graph()
    bad = [f"{mod} imports {target}" for mod, targets in graph.items() for target in targets
           if target in DISPATCHERS and mod not in DISPATCHERS[target] and not mod.endswith("_fast")]
    assert not bad, "a fast module imported past its dispatcher:\n" + "\n".join(bad)


def test_a_reference_never_imports_its_fast_module():
    # what a fast module imports from its own package is its reference
    graph = _graph()
    for fast_mod in DISPATCHERS:
        for ref in graph[fast_mod]:
            if _package(ref) == _package(fast_mod) and ref not in DISPATCHERS[fast_mod]:
                assert fast_mod not in _reachable(graph, ref), f"{ref} reaches {fast_mod}"


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for w in graph[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen
