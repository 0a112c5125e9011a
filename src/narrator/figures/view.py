"""The figures as templates and rule expressions read them.

``View`` wraps the validated figures dict: attribute or item access by official name
(aliases and bracket/quote variants resolve through the schema), numbers come back as
``Q`` carrying their path and name, absent figures as ``Missing``. 科目表 tables also
offer their rows by level (类级/款级/项级) and each row its 类/款 names.
"""

from __future__ import annotations

from decimal import Decimal

from narrator.figures.model import Figures, Node, norm_key, schema, subjects
from narrator.core.values import Missing, Q

_UNIT_OF_LEAF = {"金额": "金额", "数值": "数值", "整数": "个"}
_LEVELS = {3: "类", 5: "款", 7: "项"}


_CHILD_CACHE: dict[tuple[int, str], tuple[str, Node | None]] = {}


def _child_node(node: Node | None, key: str) -> tuple[str, Node | None]:
    if node is None:
        return key, None
    if node.kind == "dict" and not node.lookup:
        # a dict of any keys (年初预算.科目 by code): each key names itself and has the dict's
        # value node, as _child_node_uncached says - no cache entry per department's code
        return key, node.value
    ck = (id(node), key)
    hit = _CHILD_CACHE.get(ck)
    if hit is not None:
        return hit
    out = _child_node_uncached(node, key)
    if len(_CHILD_CACHE) < 8_192:  # schema nodes × names met; codes vary by department, so keep it small
        _CHILD_CACHE[ck] = out
    return out


def _child_node_uncached(node: Node, key: str) -> tuple[str, Node | None]:
    if node.kind == "same":
        node = schema()
    canon = node.lookup.get(norm_key(key)) if node.lookup else None
    if canon is not None:
        return canon, node.children[canon]
    if node.kind == "dict":
        return key, node.value
    if node.kind == "table" and norm_key(key) in node.column_lookup:
        return node.column_lookup[norm_key(key)], Node("leaf", leaf="金额")
    if node.any_key is not None:
        return key, node.any_key
    return key, None


def wrap(value, node: Node | None, path: tuple, label: str):
    if type(value) is Decimal:  # the common case first; the same as the branch below
        leaf = node.leaf if node is not None and node.kind == "leaf" else "金额"
        return Q(value, _UNIT_OF_LEAF.get(leaf, "金额"), label, path)
    if isinstance(value, dict):
        if node is not None and node.kind == "table":
            return TableView(value, node, path, label)
        return View(value, node, path, label)
    if isinstance(value, list):
        item = node.item if node is not None and node.kind == "list" else None
        return [wrap(v, item, path + (i,), label) for i, v in enumerate(value)]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Q(Decimal(value), "个", label, path)
    if isinstance(value, Decimal):
        leaf = node.leaf if node is not None and node.kind == "leaf" else "金额"
        return Q(value, _UNIT_OF_LEAF.get(leaf, "金额"), label, path)
    return value


class View:
    __slots__ = ("_d", "_node", "_path", "_label", "_kids")

    def __init__(self, data: dict, node: Node | None, path: tuple = (), label: str = ""):
        self._d = data
        self._node = node
        self._path = path
        self._label = label
        self._kids = None  # children already wrapped (figures do not change during a render)

    def __getattr__(self, key: str):
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __getitem__(self, key):
        kids = self._kids
        if kids is None:
            kids = self._kids = {}
        else:
            hit = kids.get(key)
            if hit is not None:
                return hit
        v = self._lookup(key)
        kids[key] = v
        return v

    def _lookup(self, key):
        key = str(key)
        canon, node = _child_node(self._node, key)
        if canon in self._d:
            owner = self._d.get("项目名称")  # a project's 预算数 is named with the project
            label = f"{owner} {canon}" if isinstance(owner, str) and canon != "项目名称" else canon
            return wrap(self._d[canon], node, self._path + (canon,), label)
        if key in self._d:
            return wrap(self._d[key], node, self._path + (key,), key)
        return Missing(".".join(map(str, self._path + (canon,))))

    def __contains__(self, key) -> bool:
        canon, _ = _child_node(self._node, str(key))
        return canon in self._d

    def __bool__(self) -> bool:
        return bool(self._d)

    def __iter__(self):
        return iter(self._d)

    def keys(self):
        return self._d.keys()

    def items(self):
        return [(k, self[k]) for k in self._d]

    def get(self, key, default=None):
        v = self[key]
        return default if isinstance(v, Missing) else v

    def __repr__(self):
        return f"View({'.'.join(self._path)})"


class RowView(View):
    """One row of a 科目表: 科目编码, 科目名称, 级次, 类名称, 款名称 and its columns."""

    # the table's names by code (for 类名称/款名称), not the table itself: a row referring to
    # its table, which lists its rows, would make every department's rows a reference cycle
    # left for the garbage collector
    __slots__ = ("_names",)

    def __init__(self, data, node, path, label, table: "TableView"):
        super().__init__(data, node, path, label)
        self._names = table.names()

    def __getitem__(self, key):
        # rows are read several times per sentence (行.合计 …); figures do not change
        # during a render, so each item is worked out once
        kids = self._kids
        if kids is None:
            kids = self._kids = {}
        else:
            hit = kids.get(key)
            if hit is not None:
                return hit
        v = kids[key] = self._row_item(str(key))
        return v

    def _row_item(self, key: str):
        d = self._d
        if key in ("科目编码", "编码"):
            return d["科目编码"]
        if key in ("科目名称", "名称"):
            return d["科目名称"]
        if key == "级次":
            return _LEVELS.get(len(d["科目编码"]), "")
        if key in ("类名称", "款名称"):
            n = 3 if key == "类名称" else 5
            return self._names.get(d["科目编码"][:n], "")
        canon, node = _child_node(self._node, key)
        if canon in d:
            return Q(d[canon], "金额", d["科目名称"] or d["科目编码"], self._path + (canon,))
        return Missing(".".join(map(str, self._path + (canon,))))


class TableView(View):
    __slots__ = ("_rows", "_names")

    def __init__(self, data, node, path, label):
        super().__init__(data, node, path, label)
        self._rows = None
        self._names = None

    def rows(self) -> list[RowView]:
        if self._rows is None:
            names = self.names()
            node, path = self._node, self._path + ("科目",)
            rows = self._rows = []
            new = RowView.__new__
            for d in self._d.get("科目", []):
                code = d["科目编码"]
                # RowView(d, node, path + (code,), d["科目名称"], self), without the calls
                row = new(RowView)
                row._d, row._node, row._path, row._label, row._names = d, node, path + (code,), d["科目名称"], names
                # what _row_item gives for the names every list template prints, and the
                # level that selects rows
                row._kids = {"科目编码": code, "科目名称": d["科目名称"], "级次": _LEVELS.get(len(code), ""),
                             "类名称": names.get(code[:3], ""), "款名称": names.get(code[:5], "")}
                rows.append(row)
        return self._rows

    def names(self) -> dict[str, str]:
        """科目名称 by 科目编码: the table's rows, then the official 类 names it lacks."""
        if self._names is None:
            self._names = {r["科目编码"]: r["科目名称"] for r in self._d.get("科目", [])}
            self._names.update({k: v for k, v in subjects()["功能分类类名"].items() if k not in self._names})
        return self._names

    def name_of(self, code: str) -> str:
        return self.names().get(code, "")

    def row(self, code) -> RowView | Missing:
        code = str(code)
        for r in self.rows():
            if r._d["科目编码"] == code:
                return r
        return Missing(".".join(map(str, self._path + ("科目", code))))

    def __getitem__(self, key):
        key = str(key)
        if key == "科目":
            return self.rows()
        if key in ("类级", "款级", "项级"):
            n = {"类级": 3, "款级": 5, "项级": 7}[key]
            return [r for r in self.rows() if len(r._d["科目编码"]) == n]
        if key == "合计":
            total = self._d.get("合计")
            if total is None:
                return Missing(".".join(map(str, self._path + ("合计",))))
            return RowView({"科目编码": "", "科目名称": "合计", **total}, self._node,
                           self._path + ("合计",), "合计", self)
        return super().__getitem__(key)


def figures_view(fig: Figures) -> View:
    return View(fig.data, schema(), (), "")
