"""Count the Chinese string literals in Python code: the words that should live in rules/.

    python benchmarks/cjk_literals.py [FOLDER] [--top N]

Counts, per module, the string constants (AST ``Constant`` nodes of type ``str``) that hold
at least one CJK ideograph (U+4E00–U+9FFF), docstrings excluded; f-string pieces count one
each. Prints the total and the modules with most. FOLDER defaults to src/narrator.
"""

from __future__ import annotations

import argparse
import ast
import collections
import re
from pathlib import Path

CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parent.parent


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def count(folder: Path) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                    and CJK.search(node.value)):
                counts[str(path.relative_to(folder.parent.parent) if folder.is_relative_to(ROOT) else path)] += 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default=str(ROOT / "src" / "narrator"))
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()
    counts = count(Path(a.folder).resolve())
    print(sum(counts.values()))
    for name, n in counts.most_common(a.top):
        print(n, name)


if __name__ == "__main__":
    main()
