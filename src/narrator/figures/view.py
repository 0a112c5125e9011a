"""The figures as templates and rule expressions read them.

``View`` wraps the validated figures dict: attribute or item access by official name
(aliases and bracket/quote variants resolve through the schema), numbers come back as
``Q`` carrying their path and name, absent figures as ``Missing``. 科目表 tables also
offer their rows by level (类级/款级/项级) and each row its 类/款 names.
"""

from __future__ import annotations

from decimal import Decimal

from narrator.figures.model import Figures, Node, norm_key, schema, subjects
from narrator.figures.names import WORDS
from narrator.core.values import Missing, Q

_UNIT_OF_LEAF = WORDS.value_units
_LEVELS = WORDS.levels
_AMT, _COUNT = WORDS.amount, WORDS.count_unit
_CODE, _NAME, _ROWS, _TOTAL = WORDS.code, WORDS.name, WORDS.rows, WORDS.total
_ROW_CODE, _ROW_NAME, _LEVEL, _CLASS_NAME, _KUAN_NAME = (WORDS.row_code, WORDS.row_name, WORDS.level,
                                                         WORDS.class_name, WORDS.kuan_name)


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
        return node.column_lookup[norm_key(key)], Node("leaf", leaf=_AMT)
    if node.any_key is not None:
        return key, node.any_key
    return key, None


def wrap(value, node: Node | None, path: tuple, label: str):
    if type(value) is Decimal:  # the common case first; the same as the branch below
        leaf = node.leaf if node is not None and node.kind == "leaf" else _AMT
        return Q(value, _UNIT_OF_LEAF.get(leaf, _AMT), label, path)
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
        return Q(Decimal(value), _COUNT, label, path)
    if isinstance(value, Decimal):
        leaf = node.leaf if node is not None and node.kind == "leaf" else _AMT
        return Q(value, _UNIT_OF_LEAF.get(leaf, _AMT), label, path)
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
            owner = self._d.get(WORDS.project_name)  # a project's 预算数 is named with the project
            label = f"{owner} {canon}" if isinstance(owner, str) and canon != WORDS.project_name else canon
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
        if key == _CODE or key == _ROW_CODE:
            return d[_CODE]
        if key == _NAME or key == _ROW_NAME:
            return d[_NAME]
        if key == _LEVEL:
            return _LEVELS.get(len(d[_CODE]), "")
        if key == _CLASS_NAME or key == _KUAN_NAME:
            n = 3 if key == _CLASS_NAME else 5
            return self._names.get(d[_CODE][:n], "")
        canon, node = _child_node(self._node, key)
        if canon in d:
            return Q(d[canon], _AMT, d[_NAME] or d[_CODE], self._path + (canon,))
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
            node, path = self._node, self._path + (_ROWS,)
            rows = self._rows = []
            new = RowView.__new__
            for d in self._d.get(_ROWS, []):
                code = d[_CODE]
                # RowView(d, node, path + (code,), d[_NAME], self), without the calls
                row = new(RowView)
                row._d, row._node, row._path, row._label, row._names = d, node, path + (code,), d[_NAME], names
                # what _row_item gives for the names every list template prints, and the
                # level that selects rows
                row._kids = {_CODE: code, _NAME: d[_NAME], _LEVEL: _LEVELS.get(len(code), ""),
                             _CLASS_NAME: names.get(code[:3], ""), _KUAN_NAME: names.get(code[:5], "")}
                rows.append(row)
        return self._rows

    def names(self) -> dict[str, str]:
        """科目名称 by 科目编码: the table's rows, then the official 类 names it lacks."""
        if self._names is None:
            self._names = {r[_CODE]: r[_NAME] for r in self._d.get(_ROWS, [])}
            self._names.update({k: v for k, v in subjects()[WORDS.class_names].items() if k not in self._names})
        return self._names

    def name_of(self, code: str) -> str:
        return self.names().get(code, "")

    def row(self, code) -> RowView | Missing:
        code = str(code)
        for r in self.rows():
            if r._d[_CODE] == code:
                return r
        return Missing(".".join(map(str, self._path + (_ROWS, code))))

    def __getitem__(self, key):
        key = str(key)
        if key == _ROWS:
            return self.rows()
        n = WORDS.level_rows.get(key)
        if n is not None:
            return [r for r in self.rows() if len(r._d[_CODE]) == n]
        if key == _TOTAL:
            total = self._d.get(_TOTAL)
            if total is None:
                return Missing(".".join(map(str, self._path + (_TOTAL,))))
            return RowView({_CODE: "", _NAME: _TOTAL, **total}, self._node,
                           self._path + (_TOTAL,), _TOTAL, self)
        return super().__getitem__(key)


def figures_view(fig: Figures) -> View:
    return View(fig.data, schema(), (), "")
