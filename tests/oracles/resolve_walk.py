"""audit/model._Ctx.resolve as first written (at 1968427): every path walked as a list of
candidates, one step at a time, wildcards or not."""

from __future__ import annotations

from narrator.audit.model import _class_codes, _class_names
from narrator.figures.names import WORDS as W


def resolve(ctx, path: tuple, code: str | None = None) -> list[tuple[tuple, object]]:
    results: list[tuple[tuple, object]] = [((), ctx.data)]
    i = 0
    while i < len(path):
        s = path[i]
        new: list[tuple[tuple, object]] = []
        for p, node in results:
            if node is None:
                if s in (W.all_classes, W.all_items):
                    continue
                step = (W.rows, path[i + 1]) if s == W.rows else (s,)
                new.append((p + step, None))
                continue
            t = ctx.table(p[0]) if len(p) == 1 and isinstance(node, dict) and W.rows in node else None
            if t is not None and s in (W.rows, W.all_classes, W.each_class):
                if s == W.rows:
                    codes = [path[i + 1]]
                elif s == W.all_classes:
                    codes = list(t.roots)
                else:
                    codes = [code] if code is not None else []
                for c in codes:
                    new.append((p + (W.rows, c), t.rows.get(c)))
            elif isinstance(node, dict) and s in (W.all_classes, W.each_class):
                names = _class_names()
                if s == W.all_classes:
                    keys = [k for k in node if k in _class_codes()]
                else:
                    keys = [names.get(code)] if code is not None else []
                for k in keys:
                    new.append((p + (k,), node.get(k)))
            elif isinstance(node, dict) and s == W.all_items:
                for k, v in node.items():
                    new.append((p + (k,), v))
            elif isinstance(node, dict):
                new.append((p + (s,), node.get(s)))
            else:
                new.append((p + (s,), None))
        results = new
        i += 2 if s == W.rows else 1
    return results
