"""A fast reader for the plain YAML that figures files are written in.

``parse_subset(text)`` reads block mappings, block sequences, single-line flow mappings and
sequences of scalars, plain and quoted scalars, comments and blank lines - what
``batch.dump_figures_yaml`` writes and what officers usually type - about ten times faster
than libyaml through PyYAML. Scalars are typed exactly as ``yamlio.parse_yaml_fast`` types
them (YAML 1.2 numbers: int, or Decimal from the source text; true/false; null/~).

Anything else - anchors, tags, block scalars, multi-line or escaped strings, tabs, odd
indentation, duplicate keys, dates, very long keys - makes it return None, and the caller
falls back to the existing readers, which keep their exact results and error messages.
"""

from __future__ import annotations

import re
from decimal import Decimal

from narrator.core.caches import per_document
from narrator.core.diskcache import compiled_patterns
from narrator.core.yamlio import FastLoader
from narrator.figures.names import WORDS


class _Fallback(Exception):
    """Raised inside the reader when the text leaves the subset."""


# Characters libyaml rejects or treats as line breaks, and tabs/lone CRs: the subset avoids them.
# Written as the characters themselves, not as the complement of the allowed ones: the same set
# (a test compares every code point), compiled in ~1 ms instead of ~9 at every start-up.
_BAD_CHARS, _INT, _FLOAT = compiled_patterns("patterns", [   # (compiled programs from the cache folder)
    "[\x00-\t\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]", r"[-+]?[0-9]+\Z",
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z"])
# A plain scalar may not start with these (some could, followed by a non-space; never needed)
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_NUM_START = frozenset("0123456789-+.")
_FLOW_SPECIAL = re.compile(r"[:{}\[\]#'\"]")
_LONG_KEY = 1000  # libyaml refuses implicit keys over 1024 characters

_BOOL = {"true": True, "false": False}
_NULLS = frozenset(("~", "null", "Null", "NULL"))


def _resolver_table():
    """The fast loader's own implicit resolvers for non-numeric plain scalars, by first char."""
    if FastLoader is None:  # pragma: no cover - without libyaml there is no fast path to match
        return None
    table = {}
    for ch, pairs in FastLoader.yaml_implicit_resolvers.items():
        rest = [(tag, rx) for tag, rx in pairs
                if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
        if rest and ch is not None:
            table[ch] = rest
    if FastLoader.yaml_implicit_resolvers.get(None):  # pragma: no cover - none in PyYAML
        return None
    return table


_RESOLVERS = _resolver_table()


def _plain(s: str):
    """Type a plain scalar (already trimmed, non-empty) as the fast loader does."""
    c = s[0]
    if c in _NUM_START:
        if _INT.match(s):
            if len(s) > 4000:  # int() refuses; let the other readers report it
                raise _Fallback
            return int(s, 10)
        if _FLOAT.match(s):
            return Decimal(s)
    pairs = _RESOLVERS.get(c)
    if pairs:
        for tag, rx in pairs:
            if rx.match(s):
                if tag == "tag:yaml.org,2002:bool":
                    return _BOOL[s.lower()]
                if tag == "tag:yaml.org,2002:null":
                    return None
                raise _Fallback  # timestamp, merge key, value key: not in the subset
    return s


def _bad_start(s: str) -> bool:
    """Whether s cannot begin a plain scalar here ('-5' can; '- 5', '&a', '"...' cannot)."""
    c = s[0]
    return c in _NOT_PLAIN_START and not (c == "-" and len(s) > 1 and s[1] != " ")


def _quoted(s: str, start: int) -> tuple[str, int]:
    """A single-line quoted scalar at s[start]; returns (text, index after the closing quote)."""
    q = s[start]
    if q == '"':
        end = s.find('"', start + 1)
        if end < 0:
            raise _Fallback
        text = s[start + 1:end]
        if "\\" in text:
            raise _Fallback  # escapes: leave them to the full readers
        return text, end + 1
    parts = []
    i = start + 1
    while True:
        end = s.find("'", i)
        if end < 0:
            raise _Fallback
        parts.append(s[i:end])
        if s.startswith("'", end + 1):  # '' is one quote
            parts.append("'")
            i = end + 2
            continue
        return "".join(parts), end + 1


def _rest_is_comment(s: str, i: int) -> None:
    """After a value: nothing, or spaces then a comment."""
    tail = s[i:]
    if tail and not (tail[0] == " " and tail.lstrip(" ")[:1] in ("", "#")):
        raise _Fallback


def _flow_scalar(part: str):
    """One key or value inside a flow collection (trimmed)."""
    if not part:
        raise _Fallback
    c = part[0]
    if c == '"' or c == "'":
        text, end = _quoted(part, 0)
        if end != len(part):
            raise _Fallback
        return text
    if _bad_start(part) or _FLOW_SPECIAL.search(part):
        raise _Fallback
    return _plain(part)


_MISS = object()
# Flow keys and values as written (with their spaces) -> typed scalar. Keys and many values
# (column names, quoted codes, subject names, amounts) repeat from row to row and file to file;
# typing is a pure function of the text, and every value stored (str, int, Decimal, bool,
# None) is immutable, so sharing one between trees is safe.
_KEY_CACHE: dict = per_document({}, "loader_fast._KEY_CACHE")
_BLOCK_KEY_CACHE: dict = per_document({}, "loader_fast._BLOCK_KEY_CACHE")  # the same for "key:" lines (their checks differ from flow keys')
_VALUE_CACHE: dict = per_document({}, "loader_fast._VALUE_CACHE")
_CACHE_LIMIT = 4_096  # entries per cache: a department's recurring spellings fit; emptied when full (flat memory over a batch)
# The most common value, an amount like 1234.56: a float of the fast loader, never an int
_AMOUNT = re.compile(r" *(-?[0-9]+\.[0-9]+) *\Z")
_PLAIN_AMOUNT = re.compile(r"-?[0-9]+\.[0-9]+\Z").match  # the same, alone (no spaces, no comment)


def _flow_key(raw: str):
    text = raw.strip(" ")
    if not text or len(text) > _LONG_KEY:
        raise _Fallback
    key = _flow_scalar(text)
    if len(_KEY_CACHE) >= _CACHE_LIMIT:
        _KEY_CACHE.clear()
    _KEY_CACHE[raw] = key
    return key


def _flow_value(raw: str):
    text = raw.strip(" ")
    return _remember(raw, _flow_scalar(text) if text else None)


def _remember(raw: str, value):
    if len(_VALUE_CACHE) >= _CACHE_LIMIT:
        _VALUE_CACHE.clear()
    _VALUE_CACHE[raw] = value
    return value


# The usual 科目 row, `- {科目编码: "2040101", 科目名称: name, column: 1234.56, ...}`, is read
# while the text is split into lines, by one regular expression per indentation and key layout
# (rows of a table share a few layouts; each row tries the layout of the row before it first).
# The expression pins down the whole line - the indentation, the keys literally, a quoted code
# of digits, a name and amounts with no flow characters - so what it accepts, _flow_mapping
# reads the same (and _row_name turns down names with characters libyaml rejects); the row
# is built in its validated form with fewer steps. A run of such lines
# stands in the list of lines as its first line, with its rows beside it (see _split).
_CODE, _NAME = WORDS.code, WORDS.name
_ROW_HEAD = '- {' + _CODE + ': "'
_ROW_FLOW_CHARS = re.compile(r"[,:{}\[\]#'\"]")
_ROW_NAMES: dict = per_document({}, "loader_fast._ROW_NAMES")  # name as written -> the name, or False when not a plain trimmed text
_ROW_LAYOUTS: dict = {}  # (indentation, column names as written) -> _Layout, or False


class _Layout:
    """One indentation and key layout of usual rows: the columns as read, the expression for
    a whole line (as split, trailing spaces allowed) and the text every such line starts with."""

    __slots__ = ("keys", "match", "width", "first3", "head")

    def __init__(self, indent: int, raw_keys: tuple, keys: tuple):
        self.keys = keys
        self.width = len(keys)
        self.first3 = (keys + (None, None))[:3]  # the columns _split names k1, k2, k3
        self.head = " " * indent + _ROW_HEAD
        self.match = compiled_patterns("patterns", [
            " " * indent + r'- \{' + re.escape(_CODE) + r': "([0-9]+)", ' + re.escape(_NAME) + r': ([^,:{}\[\]#\'"]+)'
            + "".join(", " + re.escape(k) + r": (-?[0-9]+\.[0-9]+)" for k in raw_keys) + r"\} *\Z"])[0].match


def _row_layout(indent: int, body: str):
    """The layout of a line (its body: no indentation or trailing spaces) that starts like a
    usual row, or False."""
    if body[-1] != "}":
        return False
    parts = body[3:-1].replace(": ", ", ").split(", ")
    raw = tuple(parts[4::2])
    layout = _ROW_LAYOUTS.get((indent, raw))
    if layout is None:
        layout = False
        try:
            # keys with no flow or bad characters (the line's own check), each a text
            if raw and not any(_ROW_FLOW_CHARS.search(k) or _BAD_CHARS.search(k) for k in raw):
                keys = tuple(_flow_key(k) for k in raw)
                if all(type(k) is str for k in keys) and \
                        len(set(keys) | {_CODE, _NAME}) == len(keys) + 2:
                    layout = _Layout(indent, raw, keys)
        except _Fallback:
            pass  # odd keys: the general reader decides
        if len(_ROW_LAYOUTS) >= 1000:  # compiled expressions: keep them few
            _ROW_LAYOUTS.clear()
        _ROW_LAYOUTS[(indent, raw)] = layout
    return layout


def _row_name(raw: str):
    """A row's name as written -> the name, or False. Row lines skip the check of the whole
    text for characters libyaml rejects; the rest of a usual row's line is digits, spaces,
    punctuation and keys checked in _row_layout, so the name (checked here, once per
    spelling) is what must make that check."""
    if _BAD_CHARS.search(raw):
        name = False
    else:
        try:
            name = _flow_value(raw)
        except _Fallback:  # the general reader meets the same text and gives up as well
            name = False
    # a trimmed text only: then the validated row keeps it as it is
    if type(name) is not str or name.strip() != name:
        name = False
    if len(_ROW_NAMES) >= _CACHE_LIMIT:
        _ROW_NAMES.clear()
    _ROW_NAMES[raw] = name
    return name


def _split(text: str):
    """The lines of a text as (indentation, body) pairs, with blank and comment lines left out
    and trailing spaces cut, and the runs of usual rows: {index of a run's first line in the
    list: (its rows, their key layouts)}. None when the text leaves the subset here.

    Each run of usual rows (lines at one indentation) keeps only its first line in the list:
    _Reader.sequence takes the run's rows there, and any other reader of that line gives up
    (a line starting with "- " is no key). The rows are already in the form the figures
    validator gives: the code, the trimmed name, then the columns as read with Decimal
    amounts. This loop runs for every line of a figures file, hence its plain, local style:
    a dict display per usual width (one to three columns) builds a row in one step, where
    update(zip(keys, map(Decimal, amounts))) costs about twice as much. Amounts are made
    afresh: Decimal(text) is cheaper than any lookup in a cache of them.
    """
    lines: list = []
    append = lines.append
    blocks: dict = {}
    others: list = []  # the lines not in a run, for the character check
    keep = others.append
    rows = layouts = None  # those of the current run
    layout = other = None  # the layout of the row before, and the one before that
    width = k1 = k2 = k3 = None
    names, D = _ROW_NAMES.get, Decimal
    for raw in text.split("\n"):
        if rows is not None:
            m = layout.match(raw)
            if m is None:
                m = other.match(raw) if other else None
                if m is not None:
                    layout, other = other, layout
                elif raw.startswith(layout.head):
                    body = raw.rstrip(" ")
                    new = _row_layout(len(layout.head) - len(_ROW_HEAD), body.lstrip(" "))
                    m = new.match(raw) if new else None
                    if m is not None:
                        layout, other = new, layout
                        layouts.add(new.keys)
                if m is not None:
                    width = layout.width
                    k1, k2, k3 = layout.first3
            if m is not None:
                g = m.groups()
                name = names(g[1])
                if name is None:
                    name = _row_name(g[1])
                if name is not False:
                    if width == 3:
                        row = {_CODE: g[0], _NAME: name, k1: D(g[2]), k2: D(g[3]), k3: D(g[4])}
                    elif width == 2:
                        row = {_CODE: g[0], _NAME: name, k1: D(g[2]), k2: D(g[3])}
                    elif width == 1:
                        row = {_CODE: g[0], _NAME: name, k1: D(g[2])}
                    else:
                        row = {_CODE: g[0], _NAME: name}
                        row.update(zip(layout.keys, map(D, g[2:])))
                    rows.append(row)
                    continue
            rows = None
        body = raw.lstrip(" ")
        if not body or body[0] == "#":
            keep(raw)
            continue
        ind = len(raw) - len(body)
        if body[-1] == " ":
            body = body.rstrip(" ")
        if body.startswith(_ROW_HEAD):  # a run of usual rows may start here
            new = _row_layout(ind, body)
            m = new.match(raw) if new else None
            if m is not None:
                name = names(m[2])
                if name is None:
                    name = _row_name(m[2])
                if name is not False:
                    layout, other = new, None
                    width = layout.width
                    k1, k2, k3 = layout.first3
                    rows, layouts = [], {layout.keys}
                    blocks[len(lines)] = (rows, layouts)
                    append((ind, body))
                    g = m.groups()
                    row = {_CODE: g[0], _NAME: name}
                    row.update(zip(layout.keys, map(D, g[2:])))
                    rows.append(row)
                    continue
        keep(raw)
        if not ind and body.startswith(("---", "...")):
            return None  # document markers
        append((ind, body))
    # Characters libyaml rejects, outside the runs (whose lines hold none: see _row_name)
    if _BAD_CHARS.search("\n".join(others)):
        return None
    return lines, blocks


def _flow_mapping(s: str):
    """``{k: v, ...}`` on one line, scalars only; s is the text from '{' with no comment."""
    if s[-1] != "}":
        raise _Fallback
    inner = s[1:-1]
    out: dict = {}
    if not inner.strip(" "):
        return out
    amount = _AMOUNT.match
    keys = _KEY_CACHE.get
    values = _VALUE_CACHE.get
    for part in inner.split(","):
        k, sep, v = part.partition(": ")
        if not sep:
            raise _Fallback  # '{a}', '{a:1}', a trailing comma, a comma inside quotes...
        key = keys(k, _MISS)
        if key is _MISS:
            key = _flow_key(k)
        value = values(v, _MISS)  # two in three amounts recur within a department
        if value is _MISS:
            m = amount(v)
            value = _flow_value(v) if m is None else _remember(v, Decimal(m[1]))
        if key in out:
            raise _Fallback  # duplicate key: the full readers report it
        out[key] = value
    return out


def _flow_sequence(s: str):
    if s[-1] != "]":
        raise _Fallback
    inner = s[1:-1]
    if not inner.strip(" "):
        return []
    return [_flow_scalar(p.strip(" ")) for p in inner.split(",")]


def _split_flow(s: str) -> str:
    """A one-line flow collection and an optional trailing comment: the collection's text."""
    close = "}" if s[0] == "{" else "]"
    end = s.rfind(close)
    if end < 0:
        raise _Fallback
    _rest_is_comment(s, end + 1)
    return s[:end + 1]


def _inline_value(s: str):
    """A value written on the line of its key or dash (s is non-empty, no leading spaces)."""
    c = s[0]
    if c == "{":
        return _flow_mapping(_split_flow(s))
    if c == "[":
        return _flow_sequence(_split_flow(s))
    if c == '"' or c == "'":
        text, end = _quoted(s, 0)
        _rest_is_comment(s, end)
        return text
    if _bad_start(s):
        raise _Fallback
    hash_at = s.find(" #")
    if hash_at >= 0:
        s = s[:hash_at].rstrip(" ")
    if ": " in s or s.endswith(":"):
        raise _Fallback  # a nested mapping on one line: not YAML we read here
    return _plain(s)


def _split_key(body: str):
    """``key: rest`` -> (key, rest) with rest stripped of leading spaces; None if not a key line."""
    c = body[0]
    if c == '"' or c == "'":
        key, end = _quoted(body, 0)
        if not body.startswith(":", end) or not (len(body) == end + 1 or body[end + 1] == " "):
            raise _Fallback
        if end > _LONG_KEY:
            raise _Fallback
        # Remembered with its quotes, for _Reader.mapping's lookup of body[:body.find(": ")]:
        # a quoted key's text is read left to right up to its closing quote, so any line
        # that starts with this token and ": " has the same key; and no other line's
        # body[:find(": ")] equals the token (a prefix that ends in a quote inside a quoted
        # key is followed by another quote, not by ": ").
        _remember_key(body[:end], key)
        return key, body[end + 1:].lstrip(" ")
    i = body.find(": ")
    if i < 0:
        if body.endswith(":"):
            i = len(body) - 1
        else:
            return None
    raw = body[:i]
    key = _BLOCK_KEY_CACHE.get(raw, _MISS)
    if key is _MISS:
        text = raw.rstrip(" ")
        if not text or _bad_start(text) or ":" in text or " #" in text or len(text) > _LONG_KEY:
            raise _Fallback
        key = _plain(text)
        _remember_key(raw, key)
    return key, body[i + 1:].lstrip(" ")


def _remember_key(raw: str, key) -> None:
    if len(_BLOCK_KEY_CACHE) >= _CACHE_LIMIT:
        _BLOCK_KEY_CACHE.clear()
    _BLOCK_KEY_CACHE[raw] = key


class _Reader:
    def __init__(self, lines: list[tuple[int, str]], runs: dict):
        self.lines = lines
        self.runs = runs  # _split's runs of usual rows, by the index of their first line
        self.i = 0
        # id(list) -> (list, layouts) for block sequences made only of usual rows
        self.usual_rows: dict[int, tuple[list, set]] = {}

    def block(self, indent: int):
        """The block collection whose first line is the current one, at ``indent``."""
        body = self.lines[self.i][1]
        if body[0] == "-" and (len(body) == 1 or body[1] == " "):
            return self.sequence(indent)
        return self.mapping(indent)

    def mapping(self, indent: int) -> dict:
        lines, n = self.lines, len(self.lines)
        known_key = _BLOCK_KEY_CACHE.get
        out: dict = {}
        i = self.i  # kept in a local, and in self.i around the calls that read on
        while i < n:
            ind, body = lines[i]
            if ind < indent:
                break
            if ind > indent:
                raise _Fallback
            # `key: value` or `key:` with a key met before (the cache only holds keys that
            # passed _split_key's checks) is split here as _split_key splits it, without the call
            j = body.find(": ")
            if j < 0 and body[-1] == ":":
                j = len(body) - 1  # `key:` with its value on the following lines
            key = known_key(body[:j], _MISS) if j > 0 else _MISS
            if key is _MISS:
                kv = _split_key(body)
                if kv is None:
                    raise _Fallback
                key, rest = kv
            else:
                rest = body[j + 2:].lstrip(" ")
            if key in out:
                raise _Fallback
            i += 1
            if rest and rest[0] != "#":
                # an amount like 1234.56 (most values) is read as _inline_value reads it
                out[key] = Decimal(rest) if _PLAIN_AMOUNT(rest) else _inline_value(rest)
                if i < n and lines[i][0] > indent:
                    raise _Fallback  # a continuation line: multi-line scalar or an error
                continue
            if i < n:
                nind, nbody = lines[i]
                if nind > indent or (nind == indent and nbody[0] == "-" and (len(nbody) == 1 or nbody[1] == " ")):
                    self.i = i
                    value = self.block(nind)
                    i = self.i
                    if i < n and lines[i][0] > indent:
                        raise _Fallback
                    out[key] = value
                    continue
            out[key] = None
        self.i = i
        return out

    def sequence(self, indent: int) -> list:
        lines, n = self.lines, len(self.lines)
        out: list = []
        layouts: set = set()  # the key layouts of the usual rows read
        usual_only = True     # whether every item so far is a usual row
        while self.i < n:
            i = self.i
            ind, body = lines[i]
            if ind == indent and i in self.runs:  # a run of usual rows (items of this list)
                rows, run_layouts = self.runs[i]
                out += rows
                layouts |= run_layouts
                self.i = i + 1
                continue
            # a "- {...}" row with no comment, alone on its line
            if ind == indent and body[:3] == "- {" and body[-1] == "}" and (i + 1 == n or lines[i + 1][0] <= indent):
                out.append(_flow_mapping(body[2:]))
                usual_only = False
                self.i = i + 1
                continue
            if ind != indent or not (body[0] == "-" and (len(body) == 1 or body[1] == " ")):
                if ind > indent:
                    raise _Fallback
                break
            usual_only = False
            rest = body[2:].lstrip(" ")
            if not rest or rest[0] == "#":
                raise _Fallback  # an item on the following lines: not needed
            c = rest[0]
            if c == "{" and rest[-1] == "}":  # the usual row: one flow mapping, no comment
                out.append(_flow_mapping(rest))
                self.i += 1
            elif c not in "{[\"'" and (": " in rest.split(" #", 1)[0] or rest.endswith(":")) \
                    or c in "\"'" and _is_quoted_key(rest):
                # "- key: value": a mapping whose lines start at the column of its first key
                col = indent + len(body) - len(rest)
                lines[self.i] = (col, rest)
                out.append(self.mapping(col))
            else:
                out.append(_inline_value(rest))
                self.i += 1
            if self.i < n and lines[self.i][0] > indent:
                raise _Fallback
        if out and usual_only:
            self.usual_rows[id(out)] = (out, layouts)
        return out


def _is_quoted_key(s: str) -> bool:
    _text, end = _quoted(s, 0)
    return s.startswith(":", end)


def parse_subset(text: str):
    """The tree of a figures YAML text in the subset, or None (then use the other readers)."""
    read = read_subset(text)
    return None if read is None else read[0]


def read_subset(text: str):
    """(tree, usual_rows) for a text in the subset, or None.

    usual_rows maps id(list) -> (list, layouts) for each block sequence of the tree whose items
    are all usual 科目 rows (`- {科目编码: "digits", 科目名称: text, column: amount, ...}`):
    every row's code is a text of digits 0-9, its name a trimmed text, its other keys are texts
    (the sets of them in ``layouts``, as key tuples) and its values Decimals. The figures
    validator takes such rows as they are once it has checked the layouts and codes.
    """
    if _RESOLVERS is None:  # pragma: no cover
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    split = _split(text)
    if split is None:
        return None
    lines, runs = split
    if not lines or lines[0][0] != 0:
        return None
    reader = _Reader(lines, runs)
    try:
        body = lines[0][1]
        if body[0] == "-" and (len(body) == 1 or body[1] == " "):
            return None  # a top-level list: the caller reports it
        tree = reader.mapping(0)
    except _Fallback:
        return None
    if reader.i != len(lines):
        return None
    return tree, reader.usual_rows
