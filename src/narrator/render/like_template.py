"""The template side of a learned pack: its words (rules/like.yaml), what a slot computes, the
pack's files, and last year's text turned into template text edit by edit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from narrator.check.grounding import value_at
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.render.engine import has_table


@cache
def words() -> dict:
    """rules/like.yaml."""
    return load_rule_file(rules_dir() / "like.yaml")


def fn_name(key: str) -> str:
    """A template function's or filter's name (rules/like.yaml 模板函数)."""
    return words()["模板函数"][key]


def data_key(key: str):
    """A name of the figures' structure (rules/like.yaml 数据)."""
    return words()["数据"][key]


def confirm_label(key: str, *args) -> str:
    return words()["待核"][key].format(*args)


@cache
def amount_places() -> int:
    """The places an amount is printed with unless its figure has more (rules/metrics.yaml 格式)."""
    return int(load_rule_file(rules_dir() / "metrics.yaml")["格式"]["金额"])


@cache
def direction_groups() -> dict[str, tuple[str, int]]:
    """Each direction word of rules/wording.yaml → (its group, its sign)."""
    out: dict[str, tuple[str, int]] = {}
    groups = load_rule_file(rules_dir() / "wording.yaml")["方向词"]
    for name, pair in groups.items():
        for key, sign in (("正", 1), ("负", -1)):
            out.setdefault(pair[key], (name, sign))
    return out


def blank_is_zero(path: str, data: dict) -> bool:
    """Is ``path`` a cell whose table, present in ``data``, means 0 when it leaves it empty?"""
    return any(path.startswith(prefix + ".") for prefix in words()["缺格为零"]) and has_table(data, path)


def project_prefix() -> str:
    return ".".join(data_key("项目")) + "."


def projects_of(data: dict) -> list:
    node = data
    for key in data_key("项目"):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def project_named(data: dict, name: str) -> int | None:
    """The 绩效 project whose name or short name is exactly ``name``."""
    keys = data_key("项目名称")
    return next((i for i, p in enumerate(projects_of(data)) if isinstance(p, dict) and name
                 and name in (p.get(k) for k in keys)), None)


# -- patterns built from the words ------------------------------------------------------------
def _alternation(items) -> str:
    return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))


@cache
def prose_start() -> re.Pattern:
    """Where free prose a person wrote begins (说明起始; 主要是, but not 主要是用于 …)."""
    w = words()
    return re.compile(f"({_alternation(w['说明起始'])}|{re.escape(w['说明起始_主要是'])})")


@cache
def heading() -> re.Pattern:
    n = words()["章节序号"]
    return re.compile(rf"^\s*([{n}]{{1,3}})\s*[、.．]\s*(.+?)\s*$")


@cache
def year_pattern() -> re.Pattern:
    """A report year: “2023年”, and “2015本年收入” too."""
    return re.compile(rf"(?<!\d)(20\d{{2}})(?=\s*(?:{_alternation(words()['年份后字'])}))")


@cache
def item_name() -> re.Pattern:
    """The name at the head of a list item: “2. 就业资金绩效自评综述：…”."""
    n = words()["章节序号"]
    return re.compile(rf"^\s*(?:\d{{1,2}}[、.．]|\(?[{n}]{{1,3}}[)）、])?\s*([^：:，,。；]{{2,60}})[：:]")


@cache
def item_suffix() -> re.Pattern:
    return re.compile(f"({_alternation(words()['项目名后缀'])})$")


@cache
def compare_word() -> re.Pattern:
    """决算数大于/小于预算数 after a completion rate."""
    w = words()["决算比预算"]
    return re.compile(f"{re.escape(w['前'])}{re.escape(w['可省'])}?({_alternation(w['词'])})")


@cache
def source_call() -> re.Pattern:
    """A slot's provenance call in a template line: 原文(expr, "words")."""
    return re.compile(re.escape(fn_name("source")) + r'\((.*?), "([^"]*)"\)')


LIST_ITEM = re.compile(r"^\s*(\d{1,2})([.、．]\s*)")
CODE = re.compile(r"[23]\d{2}(?:\d{2}){0,2}")
_ITEM_BEFORE = re.compile(r"(?<![\d.．])(\d{1,2})\s*[.、．]\s*$")


def item_before(text: str, r, lo: int) -> re.Match | None:
    """The list item marker (“2. ”) right before the words of reading ``r`` (its label), at
    the start of its sentence or after “：”; ``lo``: where its sentence starts."""
    label = r.label or ""
    at = text.rfind(label, lo, r.start) if label else -1
    m = _ITEM_BEFORE.search(text, lo, at) if at >= 0 else None
    if m is None:
        return None
    before = text[lo:m.start()].rstrip()
    return m if not before or before[-1] in "：:" else None


# -- what a slot computes ---------------------------------------------------------------------
@dataclass
class Expr:
    """What a slot computes: a figure's path, or a rule function over other expressions."""

    fn: str                         # "path" | change | change_rate | difference | share | completion
    args: tuple = ()
    path: str = ""
    blank_is_zero: bool = False     # a cell the table leaves empty is 0 (rules/like.yaml 缺格为零)

    def jinja(self) -> str:
        if self.fn == "path":
            return f'{fn_name("figure")}("{self.path}"{", 0" if self.blank_is_zero else ""})'
        return f"{fn_name(self.fn)}({', '.join(a.jinja() for a in self.args)})"

    def describe(self) -> str:
        return self.path if self.fn == "path" else f"{fn_name(self.fn)}({', '.join(self.paths())})"

    def value(self, data: dict) -> Decimal | None:
        if self.fn == "path":
            v = value_at(data, self.path)
            return Decimal(0) if v is None and self.blank_is_zero and has_table(data, self.path) else v
        vals = [a.value(data) for a in self.args]
        if any(v is None for v in vals):
            return None
        a, b = vals
        if self.fn in ("change", "difference"):
            return a - b
        if b == 0:
            return None
        if self.fn == "change_rate":
            return (a - b) / b * 100
        return a / b * 100          # share, completion

    def paths(self) -> list[str]:
        return [self.path] if self.fn == "path" else [p for a in self.args for p in a.paths()]

    @property
    def signed(self) -> bool:
        return self.fn in ("change", "difference", "change_rate")


# -- the pack ---------------------------------------------------------------------------------
@dataclass
class Learned:
    """A learned pack: its files, and what became of each number of last year's text."""

    title: str
    sections: list[tuple[str, str]]          # (heading, template body)
    slots: list[dict] = field(default_factory=list)
    new_sections: list[str] = field(default_factory=list)     # standard sections added (like_sections)

    def files(self) -> dict[str, str]:
        w, k = words()["模板包"], words()["模板包键"]
        out = {}
        lines = [w["说明"], f"{k['名称']}: {w['名称']}", f"{k['基于']}: {w['基于']}",
                 f"{k['标题']}: {yaml_str(self.title)}", f"{k['章节']}:"]
        for i, (title, body) in enumerate(self.sections, 1):
            name = f"{i:02d}.j2"
            lines.append(f"  - {{{k['键']}: {yaml_str(title or str(i))}, {k['标题']}: {yaml_str(title)}, "
                         f"{k['模板']}: {name}}}")
            out[name] = body
        out["pack.yaml"] = "\n".join(lines) + "\n"
        return out

    def write(self, folder: Path) -> None:
        """Into a new folder of narrator's own (a user's folder: render/like_pack.write_pack)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in self.files().items():
            (folder / name).write_text(body, encoding="utf-8")


def yaml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jinja_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def call(key: str, *args: str) -> str:
    """``{{ fn(args) }}`` of a template function named in rules/like.yaml."""
    return "{{ " + f"{fn_name(key)}({', '.join(args)})" + " }}"


def confirm_mark(key: str, *args) -> str:
    """A 【待核】 mark in the template."""
    return call("confirm", jinja_str(confirm_label(key, *args)))


# -- text into template text ------------------------------------------------------------------
def apply_edits(text: str, edits: list[tuple[int, int, str]], lo: int, hi: int) -> str:
    """``text[lo:hi]`` as a template: each edit (start, end, code) replaces its span; an edit
    inside one already made (a dropped sentence, a replaced number) is left out."""
    pos = lo
    kept: list[tuple[int, int, str]] = []
    for a, b, code in sorted(edits, key=lambda e: (e[0], -(e[1] - e[0]))):
        if a < pos or b > hi:
            continue
        kept.append((a, b, code))
        pos = b if b > a else pos
    out, pos = [], lo
    for a, b, code in kept:
        out.append(literal(text[pos:a]))
        out.append(code)
        pos = max(pos, b)
    out.append(literal(text[pos:hi]))
    return "".join(out)


def renumber(template: str) -> str:
    """Numbered lines (1. 2. …) counted again where a dropped item left a gap."""
    lines = template.split("\n")
    want = None
    for i, line in enumerate(lines):
        m = LIST_ITEM.match(line)
        if m is None:
            if line.strip():
                want = None
            continue
        n = int(m.group(1))
        if n == 1 or want is None:
            want = n
        elif n != want:
            lines[i] = line[:m.start(1)] + str(want) + line[m.end(1):]
        want += 1
    return "\n".join(lines)


def in_name(text: str, pos: int) -> bool:
    """Is ``pos`` inside “…” or 《…》 on its line?"""
    lo = text.rfind("\n", 0, pos) + 1
    head = text[lo:pos]
    return head.count("“") > head.count("”") or head.count("《") > head.count("》")


def plain_sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in re.finditer(r"[。\n]", text):
        if m.end() > start:
            out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def literal(s: str) -> str:
    """Text as it stands in a Jinja template."""
    if "{" in s or "}" in s or "%" in s and "{%" in s or "#" in s:
        return "{% raw %}" + s + "{% endraw %}"
    return s
