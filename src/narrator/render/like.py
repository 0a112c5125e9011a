"""A pack learned from last year's 情况说明: this year's draft in the department's own wording.

``learn(text, figures, last_figures)`` reads last year's text with the checker's claim reader
(:mod:`narrator.check.claims`) and turns it into a template pack (pack.yaml + one ``.j2`` per
section, the same format as ``--pack DIR``):

- a number whose words name a figure (:func:`narrator.check.grounding.paths_of`) becomes
  ``数据项("路径")``; a change, rate, share or completion rate whose inputs are established
  becomes the rule function over them (变动额, 变动率, 差额, 占比, 完成率); each printed at the
  precision and in the unit (元/万元/亿元) it was written with;
- the report year and the year before it move by one (``年度``, ``上年度``);
- a direction word (增加/减少, 增长/下降, 增幅/降幅, 大于/小于 …) of a slot follows the new sign;
- a number whose meaning is not established becomes 【待核：原文数字 X】;
- free prose after 主要原因 / 主要用于 … is kept and marked 【待核：沿用上年说明】;
- a sentence about a 科目 line or a project this year's figures lack is dropped.

With last year's figures, a slot is trusted only when last year's number equals what it
gives on them. The draft is ``render(figures, pack)`` of the learned pack, so every number is
a slot with its provenance (the path or the formula, and last year's words).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from narrator.check import compare as C
from narrator.check.claims import (ACT, BUD, BUD0, BUDF, CHG, COMPL, MONEY_FACTOR, PY, RATE, SHARE, Document,
                                   Reading, read, simplified, subject_of, vocabulary)
from narrator.check.extract import extract
from narrator.check.grounding import Projects, paths_of, value_at
from narrator.core.errors import InputError
from narrator.core.messages import msg
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.model import Figures

CONFIRM_NUMBER = "原文数字 {}"
CONFIRM_PROSE = "沿用上年说明"

# free prose a person wrote for last year: kept, and marked for confirmation
_PROSE_START = re.compile(r"(主要原因[是为:：]?|原因[是为:：]|原因同上|主要是用于|主要用于|主要成效是|主要成效[:：]|"
                          r"主要产出和效益[是为:：]*|主要是(?!用于))")
_HEADING = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*(.+?)\s*$")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?=\s*年)")
_SCOPES = ("一般公共预算", "政府性基金", "国有资本经营")
_CODE = re.compile(r"[23]\d{2}(?:\d{2}){0,2}")
_ITEM_NAME = re.compile(r"^\s*(?:\d{1,2}[、.．]|\(?[一二三四五六七八九十]{1,3}[)）、])?\s*([^：:，,。；]{2,60})[：:]")


@dataclass
class Expr:
    """What a slot computes: a figure's path, or a rule function over other expressions."""

    fn: str                         # "path" | 变动额 | 变动率 | 差额 | 占比 | 完成率
    args: tuple = ()
    path: str = ""

    def jinja(self) -> str:
        if self.fn == "path":
            return f'数据项("{self.path}")'
        return f"{self.fn}({', '.join(a.jinja() for a in self.args)})"

    def value(self, data: dict) -> Decimal | None:
        if self.fn == "path":
            return value_at(data, self.path)
        vals = [a.value(data) for a in self.args]
        if any(v is None for v in vals):
            return None
        a, b = vals
        if self.fn in ("变动额", "差额"):
            return a - b
        if b == 0:
            return None
        if self.fn == "变动率":
            return (a - b) / b * 100
        return a / b * 100          # 占比, 完成率

    def paths(self) -> list[str]:
        return [self.path] if self.fn == "path" else [p for a in self.args for p in a.paths()]


@dataclass
class Learned:
    """A learned pack: its files, and what became of each number of last year's text."""

    title: str
    sections: list[tuple[str, str]]          # (标题, template body)
    slots: list[dict] = field(default_factory=list)

    def files(self) -> dict[str, str]:
        out = {}
        lines = ["# 由 narrator generate --like 从上年的情况说明学来的措辞（可编辑）。",
                 "名称: like", "基于: standard", f"标题: {_yaml_str(self.title)}", "章节:"]
        for i, (title, body) in enumerate(self.sections, 1):
            name = f"{i:02d}.j2"
            lines.append(f"  - {{键: {_yaml_str(title or str(i))}, 标题: {_yaml_str(title)}, 模板: {name}}}")
            out[name] = body
        out["pack.yaml"] = "\n".join(lines) + "\n"
        return out

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in self.files().items():
            (folder / name).write_text(body, encoding="utf-8")


def _yaml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@cache
def _direction_groups() -> dict[str, tuple[str, int]]:
    """Each direction word of rules/wording.yaml → (its group, its sign)."""
    out: dict[str, tuple[str, int]] = {}
    groups = load_rule_file(rules_dir() / "wording.yaml")["方向词"]
    for name, words in groups.items():
        for key, sign in (("正", 1), ("负", -1)):
            out.setdefault(words[key], (name, sign))
    return out


# ---------------------------------------------------------------------------------------
class _Learner:
    def __init__(self, text: str, figures: Figures, last: Figures | None, name: str = "<text>"):
        self.name = name
        self.original = text.replace("\r\n", "\n")
        self.text = simplified(self.original)
        self.figures = figures
        self.last = last
        self.data = figures.data
        self.projects = Projects(self.data)
        self.last_projects = Projects(last.data) if last is not None else None
        mentions = extract(self.text)
        self.mentions = [m for m in mentions if m.claim]
        self.doc: Document = read(self.text, [m for m in self.mentions if m.kind in ("amount", "percent")])
        self.year = self.doc.year
        self.exprs: dict[int, Expr | None] = {}
        self.edits: list[tuple[int, int, str]] = []
        self.slots: list[dict] = []

    # -- what each reading means ---------------------------------------------------------
    def _scope(self, r: Reading) -> str | None:
        title = ""
        for start, t in self.doc.sections:
            if start <= r.start:
                title = t
        return next((s for s in _SCOPES if s in title), None)

    def _candidates(self, r: Reading) -> list[str]:
        paths = paths_of(r, self.data, self.projects)
        if not paths and r.label and "、" in r.label:
            # "本年收入合计、本年支出合计均为…": each named subject, when they agree
            parts = [subject_of(p) for p in r.label.split("、")]
            if parts and all(parts):
                saved = r.subject
                r.subject = parts[0]
                paths = paths_of(r, self.data, self.projects) or []
                r.subject = saved
        if not paths and r.label and not r.code:
            paths = self._scoped(r)
        scope = self._scope(r)
        if scope and r.subject and "|" not in r.subject and f"{scope}|{r.subject}" in vocabulary()["主体数据"]:
            # "其中：基本支出…，项目支出…" in a section about 一般公共预算 money
            paths = list(dict.fromkeys(self._paths_for(r, f"{scope}|{r.subject}") + list(paths)))
        if not paths and r.measure in (ACT, BUD0) and r.label and not r.code:
            paths = self._by_name(r)
        if not paths and r.measure in (ACT, BUD, BUDF, BUD0) and not r.code:
            paths = self._item(r)
        return paths or []

    def _scoped(self, r: Reading) -> list[str]:
        """"一般公共预算财政拨款基本支出": the 口径 and the subject after it."""
        spec = vocabulary()["主体数据"]
        for scope in vocabulary()["口径限定"]:
            if not r.label.startswith(scope):
                continue
            rest = re.sub(r"^(预算)?(财政拨款)?", "", r.label[len(scope):])
            canon = subject_of(rest)
            for key in (f"{scope}|{canon}", subject_of(r.label.replace("本年", ""))):
                if key in spec:
                    return self._paths_for(r, key)
        return []

    def _paths_for(self, r: Reading, subject: str) -> list[str]:
        saved = r.subject
        r.subject = subject
        try:
            return paths_of(r, self.data, self.projects) or []
        finally:
            r.subject = saved

    def _item(self, r: Reading) -> list[str]:
        """"2. 就业资金：全年预算数…，执行数…": a 绩效 project named at the head of its item."""
        sent = self.doc.sentences[r.sentence]
        m = _ITEM_NAME.match(self.text[sent.start:r.start])
        if m is None:
            return []
        i = self.projects.named(re.sub(r"(绩效自评综述|绩效自评情况|自评综述|绩效自评)$", "", m.group(1)))
        if i is None:
            return []
        return [f"预算绩效.项目自评.项目.{i}.{'执行数' if r.measure == ACT else '预算数'}"]

    def _by_name(self, r: Reading) -> list[str]:
        """A 科目 named without its code (类级 lines, or 类/款/项 names in a row), or a figure's own
        key (授予中小企业合同金额)."""
        out = []
        label = re.sub(r"[()（）]", "", r.label)
        for table, node in self.data.items():
            if table in ("上年", "年初预算", "文字说明") or not isinstance(node, dict):
                continue
            rows = [row for row in node.get("科目") or [] if isinstance(row, dict) and row.get("科目编码")]
            names = {str(row["科目编码"]): str(row.get("科目名称", "")) for row in rows}
            for row in rows:
                code = str(row["科目编码"])
                chain = "".join(names.get(code[:k], "") for k in range(3, len(code) + 1, 2))
                if label not in (names[code], chain):
                    continue
                if r.measure == BUD0:
                    out.append(f"年初预算.科目.{code}")
                    continue
                col = next((c for c in ("合计", "本年支出合计", "决算数") if c in row), None)
                if col:
                    out.append(f"{table}.科目.{code}.{col}")
            if r.measure == ACT:
                for key, v in node.items():
                    if key == r.label and isinstance(v, Decimal):
                        out.append(f"{table}.{key}")
        return list(dict.fromkeys(out))

    def _written(self, r: Reading) -> Decimal:
        """The number as written, in the figures' unit."""
        m = r.mention
        if m.unit in MONEY_FACTOR and self.figures.unit in MONEY_FACTOR and m.unit != self.figures.unit:
            return m.scaled(self.figures.unit)
        return m.value

    def _confirmed(self, r: Reading, expr: Expr, last_paths: list[str] | None = None) -> bool:
        """Does last year's number equal what ``expr`` gives on last year's figures?"""
        if self.last is None:
            return True
        if last_paths is not None:
            vals = [value_at(self.last.data, p) for p in last_paths]
        else:
            vals = [expr.value(self.last.data)]
        m = r.mention
        places = m.places + (len(str(int(MONEY_FACTOR[self.figures.unit] / MONEY_FACTOR[m.unit]))) - 1
                             if m.unit in MONEY_FACTOR and self.figures.unit in MONEY_FACTOR
                             and MONEY_FACTOR[m.unit] < MONEY_FACTOR[self.figures.unit] else 0)
        written = self._written(r)
        return any(v is not None and C.verdict(v, written, places, m.qualifier) in (C.OK,) for v in vals)

    def amount(self, r: Reading) -> Expr | None:
        """The path an amount's words name, this year (None: not established)."""
        if r.index in self.exprs:
            return self.exprs[r.index]
        self.exprs[r.index] = None
        paths = [p for p in self._candidates(r) if value_at(self.data, p) is not None]
        if self.last is not None:
            if any(p.startswith("预算绩效.") for p in paths):
                # projects are found by name in each year's own list
                last_paths = [q for q in map(self._last_project_path, paths) if q]
                if not self._confirmed(r, Expr("path", path=paths[0]), last_paths):
                    return None
            else:
                paths = [p for p in paths if self._confirmed(r, Expr("path", path=p))]
        scope = self._scope(r)
        paths = [p for p in paths if scope and p.startswith(scope)] or paths   # the section's 口径 first
        if len({value_at(self.data, p) for p in paths}) > 1:
            return None
        if not paths:
            return None
        e = Expr("path", path=paths[0])
        self.exprs[r.index] = e
        return e

    def _with_prior(self, r: Reading) -> Expr | None:
        """The anchor amount of a change, on a path whose 上年 figure exists."""
        anchor = self.doc.readings[r.anchor]
        if self.amount(anchor) is None:
            return None
        paths = [p for p in self._candidates(anchor) if value_at(self.data, p) is not None
                 and value_at(self.data, "上年." + p) is not None]
        if self.last is not None:
            paths = [p for p in paths if self._confirmed(anchor, Expr("path", path=p))]
        return Expr("path", path=paths[0]) if paths else None

    def _budget_of(self, anchor: Reading, base: Reading | None) -> Expr | None:
        if base is not None:
            return self.amount(base)
        spec = vocabulary()["主体数据"].get(anchor.subject or "") or {}
        paths = list(spec.get("年初预算数", [])) + list(spec.get("全年预算数", []))
        if anchor.code:
            paths.append(f"年初预算.科目.{anchor.code}")
        paths = [p for p in paths if value_at(self.data, p) is not None]
        return Expr("path", path=paths[0]) if paths else None

    def derived(self, r: Reading) -> Expr | None:
        R = self.doc.readings
        if r.measure in (CHG, RATE) and r.anchor is not None:
            anchor = R[r.anchor]
            if r.vs_budget or (r.change is not None and R[r.change].vs_budget):
                now = self.amount(anchor)
                budget = self._budget_of(anchor, R[r.base] if r.base is not None else None)
                if now is None or budget is None:
                    return None
                return Expr("差额" if r.measure == CHG else "变动率", (now, budget))
            now = self._with_prior(r)
            if now is None:
                return None
            before = Expr("path", path="上年." + now.path)
            return Expr("变动额" if r.measure == CHG else "变动率", (now, before))
        if r.measure == SHARE and r.anchor is not None and r.whole is not None:
            part, whole = self.amount(R[r.anchor]), self.amount(R[r.whole])
            return Expr("占比", (part, whole)) if part and whole else None
        if r.measure == COMPL and r.anchor is not None and r.budget is not None:
            act, bud = self.amount(R[r.anchor]), self.amount(R[r.budget])
            return Expr("完成率", (act, bud)) if act and bud else None
        return None

    def meaning(self, r: Reading) -> Expr | None:
        if r.kind == "money" and r.measure in (ACT, PY, BUD0, BUDF, BUD):
            return self.amount(r)
        e = self.derived(r)
        if e is not None and e.fn != "path" and not self._confirmed(r, e):
            return None
        return e

    # -- the template ---------------------------------------------------------------------
    def _snippet(self, r: Reading) -> str:
        sent = self.doc.sentences[r.sentence]
        lo = max(sent.start, r.start - 40)
        cut = max(self.text.rfind(p, lo, r.start) for p in "，,；;：:。\n")
        lo = cut + 1 if cut >= 0 else lo
        return self.original[lo:r.mention.unit_end].replace("\n", " ").strip().replace('"', "'").replace("\\", "/")

    def _number(self, r: Reading, e: Expr) -> str:
        m = r.mention
        code = e.jinja()
        if m.unit in MONEY_FACTOR and self.figures.unit in MONEY_FACTOR and m.unit != self.figures.unit:
            factor = MONEY_FACTOR[self.figures.unit] / MONEY_FACTOR[m.unit]
            code = f"({code} * {factor.normalize():f})"
        code = f'原文({code}, "{self._snippet(r)}")'
        signed = e.fn in ("变动额", "差额", "变动率")
        filt = "金额" if r.kind == "money" else "百分比"
        return "{{ " + code + f"|{filt}({m.places}{', 绝对值=True' if signed else ''})" + " }}"

    def _direction(self, r: Reading, e: Expr) -> None:
        """The word of a change or a rate (增加/减少, 增幅/降幅 …) follows this year's sign; a word
        narrator has no pair for is kept only when the sign is the same as last year's."""
        if r.sign_word is None:
            return
        a, b = r.sign_word
        word = self.text[a:b]
        if word.endswith("了"):
            word, b = word[:-1], b - 1
        change = Expr("差额" if e.fn == "差额" else "变动额", e.args)
        group = _direction_groups().get(word)
        if group is not None:
            self.edits.append((a, b, "{{ 方向(" + change.jinja() + f', "{group[0]}") }}}}'))
            return
        v = change.value(self.data)
        if v is None or (v > 0) - (v < 0) != r.sign:
            self.edits.append((a, b, "{{ 待核(" + _jstr(f"原文方向词 {word}") + ") }}"))

    def _compare_word(self, r: Reading, e: Expr) -> None:
        """决算数大于/小于预算数 after a completion rate: follows 决算数 − 预算数."""
        sent = self.doc.sentences[r.sentence]
        after = self.text[r.mention.unit_end:sent.end]
        m = re.search(r"决算数?(大于|小于|高于|低于)", after)
        if m is None:
            return
        group = _direction_groups().get(m.group(1))
        if group is None:
            return
        a = r.mention.unit_end + m.start(1)
        self.edits.append((a, a + 2, "{{ 方向(" + Expr("差额", e.args).jinja() + f', "{group[0]}") }}}}'))

    def _prose(self) -> list[tuple[int, int]]:
        """Spans of free prose (reasons, uses, results): from a 主要原因/主要用于 … to the end of
        its sentence, or to a ；before a clause with a number of its own; a span with an amount
        or a percentage in it is not prose (“项目支出主要用于：就业资金项目6500万元”)."""
        numbers = sorted(x.start for x in self.mentions if x.kind in ("amount", "percent"))
        spans = []
        for a, b in _plain_sentences(self.text):
            s = self.text[a:b]
            starts = [a + m.end() for m in _PROSE_START.finditer(s)]
            if not starts and "原因" in s and not any(a <= x.start < b for x in self.mentions):
                starts = [a]
            for start in starts:
                if spans and start < spans[-1][1]:
                    continue
                end = b
                while end > start and self.text[end - 1] in "。\n ":
                    end -= 1
                for k in re.finditer(r"[；;]", self.text[start:end]):
                    cut = start + k.start()
                    if any(cut < x < end for x in numbers):
                        end = cut
                        break
                if end > start and not any(start <= x < end for x in numbers):
                    spans.append((start, end))
        return spans

    def learn(self) -> Learned:
        R = self.doc.readings
        if not self.mentions or not any(m.kind in ("amount", "percent") for m in self.mentions):
            raise InputError(msg("like.nothing_to_learn"), self.name)
        prose = self._prose()

        def in_prose(pos: int) -> bool:
            return any(a <= pos < b for a, b in prose)

        by_start = {r.start: r for r in R}
        dropped: set[int] = set()
        for r in R:
            if r.kind == "money" and r.measure in (ACT, PY, BUD0, BUDF, BUD) and (r.code or r.label) \
                    and not in_prose(r.start):
                if self._lacking(r):
                    dropped.add(r.sentence)
        for m in self.mentions:
            if in_prose(m.start):
                continue
            if m.kind in ("year", "date") or (m.kind == "bare" and _CODE.fullmatch(m.text.strip())):
                continue        # years move below; a 科目编码 stays (its line is dropped if absent)
            r = by_start.get(m.start)
            if r is not None and r.sentence in dropped:
                continue
            e = self.meaning(r) if r is not None else None
            entry = {"上年原文": self._snippet(r) if r else self.original[max(0, m.start - 12):m.unit_end],
                     "上年数字": self.original[m.start:m.unit_end]}
            if e is None:
                written = self.original[m.start:m.unit_end].strip()
                self.edits.append((m.start, m.unit_end, "{{ 待核(" + _jstr(CONFIRM_NUMBER.format(written)) + ") }}"))
                entry["含义"] = None
            else:
                self.edits.append((m.start, m.end, self._number(r, e)))
                entry["含义"] = e.path if e.fn == "path" else f"{e.fn}({', '.join(e.paths())})"
                if e.fn in ("变动额", "差额", "变动率"):
                    self._direction(r, e)
                if r.measure == COMPL:
                    self._compare_word(r, e)
            self.slots.append(entry)
        for a, b in prose:
            self.edits.append((b, b, "{{ 待核(" + _jstr(CONFIRM_PROSE) + ") }}"))
        for sent_i in dropped:
            s = self.doc.sentences[sent_i]
            a, b = s.start, s.end
            lo = self.text.rfind("\n", 0, a) + 1
            hi = self.text.find("\n", b)
            hi = len(self.text) if hi < 0 else hi + 1
            if _LIST_ITEM.match(self.text[lo:hi]):
                a, b = lo, hi       # a list item: the whole line goes
            self.edits.append((a, b, ""))
        self._prose_spans = prose
        if self.year is not None:
            for m in _YEAR.finditer(self.text):
                if _in_name(self.text, m.start()):
                    continue        # “2023年就业促进行动”: a name, not the report year
                y = int(m.group(1))
                if y == self.year:
                    self.edits.append((m.start(1), m.end(1), "{{ 年度|年 }}"))
                elif y == self.year - 1:
                    self.edits.append((m.start(1), m.end(1), "{{ 上年度|年 }}"))
        self._new_lines(dropped)
        return self._assemble()

    # -- a 科目 line new this year: a line in the pattern of its siblings ---------------------
    def _item_lines(self) -> list[tuple[int, int, str, str]]:
        """(line start, line end, 科目编码, table) of each list item about one 科目 line."""
        out = []
        for r in self.doc.readings:
            e = self.exprs.get(r.index)
            if not (r.code and r.subject == "科目" + r.code and r.measure == ACT and e is not None):
                continue
            lo = self.text.rfind("\n", 0, r.start) + 1
            hi = self.text.find("\n", r.start)
            hi = len(self.text) if hi < 0 else hi
            if not _LIST_ITEM.match(self.text[lo:hi]) or f"科目.{r.code}." not in e.path:
                continue
            if out and out[-1][0] == lo:
                continue
            out.append((lo, hi, r.code, e.path.split(".科目.")[0]))
        return out

    def _population(self, data: dict, table: str, length: int, budgets: bool) -> list[str]:
        rows = (data.get(table) or {}).get("科目") or []
        codes = []
        for row in rows:
            code = str(row.get("科目编码", ""))
            if len(code) != length or not any(isinstance(v, Decimal) and v for v in row.values()):
                continue
            if budgets and value_at(data, f"年初预算.科目.{code}") is None:
                continue
            codes.append(code)
        return codes

    def _new_lines(self, dropped: set[int]) -> None:
        """Last year's list of 科目 lines was complete (every line of its kind in last year's
        figures): each line of that kind new this year gets a line like the last one listed."""
        if self.last is None:
            return
        runs: list[list[tuple[int, int, str, str]]] = []
        for it in self._item_lines():
            prev = runs[-1][-1] if runs else None
            if prev and it[0] == prev[1] + 1 and len(it[2]) == len(prev[2]) and it[3] == prev[3]:
                runs[-1].append(it)
            else:
                runs.append([it])
        dropped_at = {self.doc.sentences[i].start for i in dropped}
        for run in runs:
            listed = [c for _, _, c, _ in run]
            table, length = run[0][3], len(listed[0])
            lo, hi = run[-1][0], run[-1][1]
            budgets = "年初预算.科目." in _apply(self.original, self.edits, lo, hi)
            before = self._population(self.last.data, table, length, budgets)
            if not before or not set(before) <= set(listed):
                continue        # last year's list was a selection: nothing to say of new lines
            new = [c for c in self._population(self.data, table, length, budgets) if c not in listed]
            model = next((x for x in reversed(run) if not any(x[0] <= d <= x[1] for d in dropped_at)), None)
            if not new or model is None:
                continue
            lines = [self._clone(model, code) for code in new]
            self.edits.append((run[-1][1], run[-1][1], "".join("\n" + ln for ln in lines)))

    def _clone(self, model: tuple[int, int, str, str], code: str) -> str:
        lo, hi, old, table = model
        edits = [e for e in self.edits if lo <= e[0] and e[1] <= hi
                 and not any(a <= e[0] < b or e[0] == b for a, b in self._prose_spans)]
        for a, b in self._prose_spans:
            if lo <= a < hi:
                edits.append((a, b, '{{ 待填("主要原因") }}'))
        line = _apply(self.original, edits, lo, hi)
        names_old, names_new = self._names(table, old), self._names(table, code)
        for a, b in sorted(zip(names_old, names_new), key=lambda t: -len(t[0])):
            if a and b and a != b:
                line = line.replace(a, b)
        line = line.replace(old, code)
        return re.sub(r'原文\((.*?), "([^"]*)"\)',
                      lambda m: f'原文({m.group(1)}, "新增科目{code}，仿照{old}：{m.group(2)}")', line)

    def _names(self, table: str, code: str) -> list[str]:
        rows = {}
        for data in (self.data, self.last.data if self.last is not None else {}):
            for r in (data.get(table) or {}).get("科目") or []:
                rows.setdefault(str(r.get("科目编码")), str(r.get("科目名称", "")))
        return [rows.get(code[:k], "") for k in range(3, len(code) + 1, 2)]

    def _last_project_path(self, path: str) -> str | None:
        """A 绩效 project's path in last year's figures: the project of the same name."""
        parts = path.split(".")
        now = ((self.data.get("预算绩效") or {}).get("项目自评") or {}).get("项目") or []
        before = ((self.last.data.get("预算绩效") or {}).get("项目自评") or {}).get("项目") or []
        name = now[int(parts[3])].get("项目名称") if len(parts) > 4 and int(parts[3]) < len(now) else None
        i = next((k for k, p in enumerate(before) if isinstance(p, dict) and p.get("项目名称") == name), None)
        return None if name is None or i is None else ".".join(parts[:3] + [str(i)] + parts[4:])

    def _lacking(self, r: Reading) -> bool:
        """A 科目 line or a project last year's text speaks of, absent from this year's figures."""
        if r.code and r.subject == "科目" + r.code:
            return not any(value_at(self.data, p) is not None for p in paths_of(r, self.data))
        if self.last is not None and r.measure == ACT and not r.code:
            last_paths = paths_of(r, self.last.data, self.last_projects) or []
            if any(p.startswith("预算绩效.") for p in last_paths):
                return not paths_of(r, self.data, self.projects)
        return False

    def _assemble(self) -> Learned:
        template = _renumber(_apply(self.original, self.edits, 0, len(self.original)))
        # title and sections
        lines = template.split("\n")
        title = ""
        sections: list[tuple[str, list[str]]] = []
        for i, line in enumerate(lines):
            m = _HEADING.match(line)
            if m and "{{" not in m.group(2):
                sections.append((m.group(2), []))
            elif not sections:
                if line.strip() and not title:
                    title = line.strip()
                elif line.strip():
                    sections.append(("", [line]))
            else:
                sections[-1][1].append(line)
        if not sections:
            sections = [("", [])]
        return Learned(title, [(t, "\n".join(body).strip("\n") + "\n") for t, body in sections], self.slots)


def _apply(text: str, edits: list[tuple[int, int, str]], lo: int, hi: int) -> str:
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
        out.append(_literal(text[pos:a]))
        out.append(code)
        pos = max(pos, b)
    out.append(_literal(text[pos:hi]))
    return "".join(out)


_LIST_ITEM = re.compile(r"^\s*(\d{1,2})([.、．]\s*)")


def _renumber(template: str) -> str:
    """Numbered lines (1. 2. …) counted again where a dropped item left a gap."""
    lines = template.split("\n")
    want = None
    for i, line in enumerate(lines):
        m = _LIST_ITEM.match(line)
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


def _in_name(text: str, pos: int) -> bool:
    """Is ``pos`` inside “…” or 《…》 on its line?"""
    lo = text.rfind("\n", 0, pos) + 1
    head = text[lo:pos]
    return head.count("“") > head.count("”") or head.count("《") > head.count("》")


def _plain_sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in re.finditer(r"[。\n]", text):
        if m.end() > start:
            out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def _jstr(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(s: str) -> str:
    """Text as it stands in a Jinja template."""
    if "{" in s or "}" in s or "%" in s and "{%" in s or "#" in s:
        return "{% raw %}" + s + "{% endraw %}"
    return s


def learn(text: str, figures: Figures, last_figures: Figures | None = None, name: str = "<text>") -> Learned:
    if not text.strip():
        raise InputError(msg("like.empty"), name)
    return _Learner(text, figures, last_figures, name).learn()


def render_like(text: str, figures: Figures, last_figures: Figures | None = None, save_pack: Path | None = None,
                name: str = "<text>"):
    """This year's draft in the wording of last year's ``text`` (and the learned pack)."""
    from narrator.render.engine import _environment, load_pack, render

    learned = learn(text, figures, last_figures, name)
    if save_pack is not None:
        learned.write(save_pack)
        # a pack is cached by its folder: this one may have held other templates before
        load_pack.cache_clear()
        _environment.cache_clear()
        return render(figures, str(save_pack)), learned
    files = learned.files()
    digest = hashlib.sha1("\0".join(f"{k}\0{v}" for k, v in sorted(files.items())).encode()).hexdigest()[:16]
    with tempfile.TemporaryDirectory(prefix="narrator-like-") as tmp:
        folder = Path(tmp) / digest     # the cache key names the content: never another pack's
        learned.write(folder)
        draft = render(figures, str(folder))
    draft.pack = "like"
    return draft, learned

