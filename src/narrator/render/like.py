"""A pack learned from last year's 情况说明: this year's draft in the department's own wording.

``learn(text, figures, last_figures)`` reads last year's text with the checker's claim reader
(:mod:`narrator.check.claims`) and turns it into a template pack (pack.yaml + one ``.j2`` per
section, the same format as ``--pack DIR``):

- a number whose words name a figure (:func:`narrator.check.grounding.paths_of`, and the
  places rules/like.yaml adds) becomes ``数据项("路径")``; a change, rate, share or completion
  rate whose inputs are established becomes the rule function over them (变动额, 变动率, 差额,
  占比, 完成率); each printed in the unit (元/万元/亿元) it was written with, at the precision
  it was written with (or, for an amount written as its figure is given, as the figure is);
- the report year and the year before it move by one (``年度``, ``上年度``); the year before
  written before this year's amount (a slip the checker reports as N209) becomes this year;
- a direction word (增加/减少, 增长/下降, 增幅/降幅, 大于/小于 …) of a slot follows the new sign;
- a number whose meaning is not established becomes 【待核：原文数字 X】;
- free prose after 主要原因 / 主要用于 … is kept and marked 【待核：沿用上年说明】;
- a sentence about a 科目 line or a project this year's figures lack is dropped; a 科目 line new
  this year gets a line like its siblings (with last year's figures), and so does a part of a
  listed whole (本年收入合计's 其他收入 …) when the list names its zero parts too.

With last year's figures, a slot is trusted only when last year's number equals what it
gives on them (figures without the table it reads, such as a disclosure's tables without 上年,
cannot refute it). The draft is ``render(figures, pack)`` of the learned pack, so every number
is a slot with its provenance (the path or the formula, and last year's words).

A standard section last year's text lacks (and this year's figures have) is the standard pack's
section, marked 【待核：新增段落】, comparing the way last year's text compares: with last year
when it compares only with last year, else in the pack's wording (like_sections.py). A sentence
kept from last year's text keeps its own comparisons; it gains one only where it states, first in
the sentence, a total the standard pack compares with last year (rules/like.yaml 新增比较) that
the text compares nowhere, while the department compares with last year: the comparison in the
standard wording right after the amount, marked 【待核：新增比较】 (the disclosure rules ask for
it; the departments of the corpus added exactly these the next year).

The words live in rules/like.yaml; like_template.py holds the template side (what a slot
computes, the pack's files, text turned into template text), like_pack.py writes --save-pack.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from narrator.check import compare as C
from narrator.check.claims import (ACT, BUD, BUD0, BUDF, CHG, COMPL, MONEY_FACTOR, PY, RATE, SHARE, Document,
                                   Reading, fold, read, simplified, subject_of, vocabulary)
from narrator.check.extract import extract
from narrator.check.grounding import Projects, paths_of, stale_year_span, value_at
from narrator.core.errors import InputError
from narrator.core.messages import msg
from narrator.figures.model import Figures
from narrator.render import like_template as T
from narrator.render.like_pack import check_pack_folder, write_pack
from narrator.render.like_sections import PRIOR, comparison_basis, new_section_edits, place_of_path, standard_place
from narrator.render.like_template import Expr, Learned, data_key, words

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
        return next((s for s in words()["口径"] if s in title), None)

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
        if not paths and r.subject and "|" in r.subject:
            paths = self._scope_implied(r)
        scope = self._scope(r)
        if scope and r.subject and "|" not in r.subject and f"{scope}|{r.subject}" in vocabulary()["主体数据"]:
            # "其中：基本支出…，项目支出…" in a section about 一般公共预算 money
            paths = list(dict.fromkeys(self._paths_for(r, f"{scope}|{r.subject}") + list(paths)))
        if not paths and r.measure in (ACT, BUD0) and r.label and not r.code:
            paths = self._by_name(r)
        if not paths and r.measure in (ACT, BUD, BUDF, BUD0) and not r.code:
            paths = self._item(r)
        if not paths and not r.code:
            paths = self._named_more(r)
        return paths or []

    def _named_more(self, r: Reading) -> list[str]:
        """rules/like.yaml 补充主体: a subject's place the claim reader's 主体数据 does not list."""
        sent = self.doc.sentences[r.sentence]
        sentence = self.text[sent.start:sent.end]
        out = []
        for entry in words()["补充主体"]:
            if entry["写法"] in (r.subject, r.label) and r.measure in entry and entry.get("句中", "") in sentence:
                out.append(entry[r.measure])
        return out

    def _named_part(self, r: Reading) -> Expr | None:
        """The part of a share named without its amount: “货物采购授予中小企业合同金额占…的100%”."""
        sent = self.doc.sentences[r.sentence]
        clause = re.split(r"[，,；;：:。]", self.text[sent.start:r.start])[-1]
        at = clause.rfind(words()["占比前"])
        name = clause[:at].strip() if at > 0 else ""
        paths = [e[ACT] for e in words()["补充主体"]
                 if e["写法"] == name and ACT in e and value_at(self.data, e[ACT]) is not None]
        return Expr("path", path=paths[0]) if len(paths) == 1 else None

    def _scoped(self, r: Reading) -> list[str]:
        """"一般公共预算财政拨款基本支出": the 口径 and the subject after it."""
        spec = vocabulary()["主体数据"]
        for scope in vocabulary()["口径限定"]:
            if not r.label.startswith(scope):
                continue
            rest = r.label[len(scope):]
            for word in words()["口径后可略"]:
                rest = rest.removeprefix(word)
            canon = subject_of(rest)
            for key in (f"{scope}|{canon}", subject_of(r.label.replace(words()["可略前缀"], ""))):
                if key in spec:
                    return self._paths_for(r, key)
        return []

    def _scope_implied(self, r: Reading) -> list[str]:
        """“财政拨款|因公出国（境）费”: a 口径 its figures' table already names (财政拨款“三公”经费支出决算表)."""
        scope, subject = r.subject.split("|", 1)
        paths = self._paths_for(r, subject)
        return paths if paths and all(scope in p.split(".")[0] for p in paths) else []

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
        m = T.item_name().match(self.text[sent.start:r.start])
        if m is None:
            return []
        name = T.item_suffix().sub("", m.group(1))
        i = T.project_named(self.data, name)
        if i is None:
            i = self.projects.named(name)
        if i is None:
            return []
        return [f"{T.project_prefix()}{i}.{data_key('项目执行数' if r.measure == ACT else '项目预算数')}"]

    def _by_name(self, r: Reading) -> list[str]:
        """A 科目 named without its code (类级 lines, or 类/款/项 names in a row), or a figure's own
        key (授予中小企业合同金额); never by a name other lists use too (其他支出 is also an 经济分类
        and a hospital's 支出 category: rules/like.yaml 数据.不按名称的科目)."""
        out = []
        label = re.sub(r"[()（）]", "", r.label)
        rows_key, code_key, name_key = data_key("科目"), data_key("科目编码"), data_key("科目名称")
        for table, node in self.data.items():
            if table in data_key("不学的表") or not isinstance(node, dict):
                continue
            rows = [row for row in node.get(rows_key) or [] if isinstance(row, dict) and row.get(code_key)]
            names = {str(row[code_key]): str(row.get(name_key, "")) for row in rows}
            for row in rows:
                code = str(row[code_key])
                chain = "".join(names.get(code[:k], "") for k in range(3, len(code) + 1, 2))
                if label not in (names[code], chain) or label in data_key("不按名称的科目"):
                    continue
                if r.measure == BUD0:
                    out.append(f"{data_key('年初预算科目')}.{code}")
                    continue
                col = next((c for c in data_key("科目列") if c in row), None)
                if col:
                    out.append(f"{table}.{rows_key}.{code}.{col}")
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
        """Does last year's number equal what ``expr`` gives on last year's figures? (True when
        they lack a table it reads: the tables of a disclosure have no 上年 or 年初预算.)"""
        if self.last is None or any(p.split(".")[0] not in self.last.data for p in expr.paths()):
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
        candidates = self._candidates(r)
        paths = [p for p in candidates if value_at(self.data, p) is not None]
        if not paths:
            blank = next((p for p in candidates if T.blank_is_zero(p, self.data)), None)
            if blank is None:
                return None
            e = Expr("path", path=blank, blank_is_zero=True)
            if self._confirmed(r, e):
                self.exprs[r.index] = e
            return self.exprs[r.index]
        if self.last is not None:
            if any(p.startswith(T.project_prefix()) for p in paths):
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
                 and value_at(self.data, _prior(p)) is not None]
        if self.last is not None:
            paths = [p for p in paths if self._confirmed(anchor, Expr("path", path=p))]
        return Expr("path", path=paths[0]) if paths else None

    def _budget_of(self, anchor: Reading, base: Reading | None) -> Expr | None:
        if base is not None:
            return self.amount(base)
        spec = vocabulary()["主体数据"].get(anchor.subject or "") or {}
        paths = list(spec.get(BUD0, [])) + list(spec.get(BUDF, []))
        if anchor.code:
            paths.append(f"{data_key('年初预算科目')}.{anchor.code}")
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
                return Expr("difference" if r.measure == CHG else "change_rate", (now, budget))
            now = self._with_prior(r)
            if now is None:
                return None
            before = Expr("path", path=_prior(now.path))
            return Expr("change" if r.measure == CHG else "change_rate", (now, before))
        if r.measure == SHARE:
            part = self.amount(R[r.anchor]) if r.anchor is not None else self._named_part(r)
            if r.whole is not None:
                whole = self.amount(R[r.whole])
            else:
                path = words()["占比整体"].get(r.whole_name)
                whole = Expr("path", path=path) if path and value_at(self.data, path) is not None else None
            return Expr("share", (part, whole)) if part and whole else None
        if r.measure == COMPL and r.anchor is not None and r.budget is not None:
            act, bud = self.amount(R[r.anchor]), self.amount(R[r.budget])
            return Expr("completion", (act, bud)) if act and bud else None
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
        code = f'{T.fn_name("source")}({code}, "{self._snippet(r)}")'
        filt = T.fn_name("amount" if r.kind == "money" else "percent")
        if e.fn == "path" and m.unit == self.figures.unit and m.places >= T.amount_places():
            # printed as the figure was given (3.498 stays 3.498): the engine's own rule
            return "{{ " + code + f"|{filt}" + " }}"
        absolute = f"{T.fn_name('absolute')}=True" if e.signed else ""
        written = code + f"|{filt}({m.places}{', ' + absolute if absolute else ''})"
        if m.value == 0:
            # “0万元” says nothing of the places: 0 again as written, another amount as the figure is given
            given = code + f"|{filt}" + (f"({absolute})" if absolute else "")
            return "{{ " + f"{written} if {T.fn_name('is_zero')}({code}) else {given}" + " }}"
        return "{{ " + written + " }}"

    def _direction(self, r: Reading, e: Expr) -> None:
        """The word of a change or a rate (增加/减少, 增幅/降幅 …) follows this year's sign; a word
        narrator has no pair for is kept only when the sign is the same as last year's."""
        if r.sign_word is None:
            return
        a, b = r.sign_word
        word = self.text[a:b]
        tail = next((t for t in words()["方向词尾"] if word.endswith(t)), "")
        if tail:
            word, b = word[:-len(tail)], b - len(tail)
        change = Expr("difference" if e.fn == "difference" else "change", e.args)
        group = T.direction_groups().get(word)
        if group is not None:
            self.edits.append((a, b, T.call("direction", change.jinja(), T.jinja_str(group[0]))))
            return
        v = change.value(self.data)
        if v is None or (v > 0) - (v < 0) != r.sign:
            self.edits.append((a, b, T.confirm_mark("原文方向词", word)))

    def _compare_word(self, r: Reading, e: Expr) -> None:
        """决算数大于/小于预算数 after a completion rate: follows 决算数 − 预算数."""
        sent = self.doc.sentences[r.sentence]
        after = self.text[r.mention.unit_end:sent.end]
        m = T.compare_word().search(after)
        if m is None:
            return
        group = T.direction_groups().get(m.group(1))
        if group is None:
            return
        a, b = r.mention.unit_end + m.start(1), r.mention.unit_end + m.end(1)
        self.edits.append((a, b, T.call("direction", Expr("difference", e.args).jinja(), T.jinja_str(group[0]))))

    def _prose(self) -> list[tuple[int, int]]:
        """Spans of free prose (reasons, uses, results): from a 主要原因/主要用于 … to the end of
        its sentence, or to a ；before a clause with a number of its own; a span with an amount
        or a percentage in it is not prose (“项目支出主要用于：就业资金项目6500万元”)."""
        numbers = sorted(x.start for x in self.mentions if x.kind in ("amount", "percent"))
        spans = []
        for a, b in T.plain_sentences(self.text):
            s = self.text[a:b]
            starts = [a + m.end() for m in T.prose_start().finditer(s)]
            if not starts and words()["说明词"] in s and not any(a <= x.start < b for x in self.mentions):
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
        self._disagreeing()
        dropped: set[int] = set()
        for r in R:
            if r.kind == "money" and r.measure in (ACT, PY, BUD0, BUDF, BUD) and (r.code or r.label) \
                    and not in_prose(r.start):
                if self._lacking(r):
                    dropped.add(r.sentence)
        for m in self.mentions:
            if in_prose(m.start):
                continue
            if m.kind in ("year", "date") or (m.kind == "bare" and T.CODE.fullmatch(m.text.strip())):
                continue        # years move below; a 科目编码 stays (its line is dropped if absent)
            if m.kind == "bare" and self.year is not None and self._moving_year(m.start):
                continue
            r = by_start.get(m.start)
            if r is not None and r.sentence in dropped:
                continue
            e = self.meaning(r) if r is not None else None
            said = words()["来历"]
            entry = {said["上年原文"]: self._snippet(r) if r else self.original[max(0, m.start - 12):m.unit_end],
                     said["上年数字"]: self.original[m.start:m.unit_end]}
            if e is None:
                written = self.original[m.start:m.unit_end].strip()
                self.edits.append((m.start, m.unit_end, T.confirm_mark("原文数字", written)))
                entry[said["含义"]] = None
            else:
                self.edits.append((m.start, m.end, self._number(r, e)))
                entry[said["含义"]] = e.describe()
                if e.signed:
                    self._direction(r, e)
                if r.measure == COMPL:
                    self._compare_word(r, e)
            self.slots.append(entry)
        for a, b in prose:
            self.edits.append((b, b, T.confirm_mark("沿用说明")))
        for sent_i in dropped:
            s = self.doc.sentences[sent_i]
            a, b = s.start, s.end
            lo = self.text.rfind("\n", 0, a) + 1
            hi = self.text.find("\n", b)
            hi = len(self.text) if hi < 0 else hi + 1
            if T.LIST_ITEM.match(self.text[lo:hi]):
                a, b = lo, hi       # a list item: the whole line goes
            self.edits.append((a, b, ""))
        self._prose_spans = prose
        if self.year is not None:
            # last year's number before this year's amount (a slip of last year's text): this year
            stale = {span[0] for r in R if r.kind == "money" and self.exprs.get(r.index) is not None
                     and (span := stale_year_span(self.text, self.doc, r)) is not None}
            for m in T.year_pattern().finditer(self.text):
                if T.in_name(self.text, m.start()):
                    continue        # “2023年就业促进行动”: a name, not the report year
                y = int(m.group(1))
                if y in (self.year, self.year - 1):
                    which = T.fn_name("this_year" if y == self.year or m.start(1) in stale else "last_year")
                    self.edits.append((m.start(1), m.end(1), "{{ " + f"{which}|{T.fn_name('year')}" + " }}"))
        self._new_lines(dropped)
        self._new_parts(dropped)
        basis = comparison_basis(self.doc)
        self._gained_comparisons(dropped, in_prose, basis)
        from narrator.render.engine import load_pack

        meanings = {r.start: e.paths() for r in R if (e := self.exprs.get(r.index)) is not None}
        added, self.new_sections = new_section_edits(self.doc, self.data, load_pack("standard").sections, meanings,
                                                     basis)
        self.edits.extend(added)
        return self._assemble()

    # -- a part of a listed whole new this year: an item like the last one listed ----------
    def _new_parts(self, dropped: set[int]) -> None:
        """Last year's numbered list of the parts of a whole (rules/claims.yaml 构成: 本年收入合计 =
        财政拨款收入 + 事业收入 + …) that names zero parts too (“2. 事业收入 0 万元。”) lists every
        part the department had: a part it does not name that is not 0 this year gets an item like
        the last one listed (its number, punctuation and unit), after it."""
        spec, w = vocabulary(), words()["新增构成项"]
        R = self.doc.readings
        for parts in spec["构成"].values():
            items = []      # (reading, item number, the marker after the number: “. ”, on a line of its own)
            for r in R:
                e = self.exprs.get(r.index)
                if r.kind != "money" or r.measure != ACT or r.subject not in parts or e is None \
                        or r.sentence in dropped:
                    continue
                m = T.item_before(self.text, r, self.doc.sentences[r.sentence].start)
                if m is not None:
                    own_line = not self.text[self.text.rfind("\n", 0, m.start()) + 1:m.start()].strip()
                    items.append((r, int(m.group(1)), m.group()[len(m.group(1)):], own_line))
            numbers = [n for _, n, _, _ in items]
            if len(items) < w["最少项"] or numbers != list(range(numbers[0], numbers[0] + len(items))) \
                    or not any(r.value == 0 for r, _, _, _ in items):
                continue
            listed = {r.subject for r, _, _, _ in items}
            last, n, marker, own_line = items[-1]
            sent = self.doc.sentences[last.sentence]
            end = self.text[last.mention.unit_end:sent.end].rstrip()
            tail = end[-1] if end and end[-1] in "。；;" else "。"
            at = last.mention.unit_end + len(end)       # after the last item's sentence
            added = []
            for part in parts:
                if part in listed:
                    continue
                paths = [q for q in (spec["主体数据"].get(part) or {}).get(ACT, []) if value_at(self.data, q)]
                if not paths:
                    continue
                n += 1
                said = w["来源"].format(新=part, 旧=last.subject)
                slot = "{{ " + f'{T.fn_name("source")}({T.fn_name("figure")}({T.jinja_str(paths[0])}), "{said}")' \
                       + f'|{T.fn_name("amount")}' + " }}"
                added.append(T.literal(("\n" if own_line else "") + f"{n}{marker}{part}") + slot
                             + T.literal(last.mention.unit + tail))
            if added:
                self.edits.append((at, at, "".join(added)))

    def _gained_comparisons(self, dropped: set[int], in_prose, basis) -> None:
        """A total the standard pack compares with last year (rules/like.yaml 新增比较), stated
        first in its sentence and compared nowhere in last year's text, while the text (or its
        section) compares with last year: the comparison right after the amount, in the standard
        wording (macro 较上年决算), marked 【待核：新增比较】; none without this year's 上年 figure.
        ``basis``: :func:`like_sections.comparison_basis` of last year's text."""
        w = words()["新增比较"]
        spec = {e["数据"]: e for e in w["合计"]}
        R = self.doc.readings
        compared = {e.path for x in R if x.measure in (CHG, RATE) and x.anchor is not None
                    and (e := self.exprs.get(x.anchor)) is not None and e.fn == "path"}
        basis_at, whole = basis
        first_amount: dict[int, int] = {}
        for x in R:
            if x.kind == "money":
                first_amount.setdefault(x.sentence, x.start)
        gained = set()
        for r in R:
            e = self.exprs.get(r.index)
            if r.kind != "money" or r.measure != ACT or e is None or e.fn != "path" or e.path not in spec:
                continue
            if e.path in compared or e.path in gained or r.sentence in dropped or in_prose(r.start):
                continue
            place = self._place(r)
            if (basis_at[place] if place in basis_at else whole) != PRIOR:
                continue
            end = r.mention.unit_end
            if first_amount.get(r.sentence) != r.start or r.mention.unit != self.figures.unit \
                    or (end < len(self.text) and self.text[end] not in w["其后"]) \
                    or value_at(self.data, _prior(e.path)) is None:
                continue
            s = spec[e.path]
            metrics = w["指标"]
            code = (w["导入"] + "{{ " + w["宏"] + f"({metrics}.{s['变动额']}, {metrics}.{s['变动率']})" + " }}"
                    + T.confirm_mark("新增比较"))
            self.edits.append((end, end, code))
            gained.add(e.path)

    def _disagreeing(self) -> None:
        """Amounts of last year's text read as the same figure with different values in
        different sections (“因公出国（境）费用34.17万元” in a list of 商品和服务支出, “因公出国（境）费
        121.86万元” in the 三公 section) are different figures: only those in the section of that
        figure's table keep the meaning (none, when no section is that table's); the others stay
        【待核】. In one section (本年收入 488.62 and 488.32) it is a slip of last year's text."""
        groups: dict[str, list[Reading]] = {}
        for r in self.doc.readings:
            if r.kind == "money" and r.measure == ACT:
                e = self.amount(r)
                if e is not None and e.fn == "path":
                    groups.setdefault(e.path, []).append(r)
        for path, rs in groups.items():
            if len({self._written(r).quantize(Decimal("0.01")) for r in rs}) < 2 or len({self._place(r) for r in rs}) < 2:
                continue
            place = place_of_path(path)
            for r in rs:
                if place is None or self._place(r) != place:
                    self.exprs[r.index] = None

    def _place(self, r: Reading) -> int | None:
        """The standard order of the section ``r`` is in (by its heading)."""
        title = next((t for a, t in reversed(self.doc.sections) if a <= r.start), "")
        return standard_place(fold(title))

    # -- a 科目 line new this year: a line in the pattern of its siblings ---------------------
    def _code_line(self, r: Reading) -> bool:
        """Is ``r`` about one 科目 line, named by its code?"""
        return bool(r.code) and r.subject == data_key("科目主体") + r.code

    def _moving_year(self, pos: int) -> bool:
        """A report year (or the one before) written as a bare number: “（一）2015本年收入”."""
        m = T.year_pattern().match(self.text, pos)
        return m is not None and int(m.group(1)) in (self.year, self.year - 1) and not T.in_name(self.text, pos)

    def _item_lines(self) -> list[tuple[int, int, str, str]]:
        """(line start, line end, 科目编码, table) of each list item about one 科目 line."""
        out = []
        for r in self.doc.readings:
            e = self.exprs.get(r.index)
            if not (self._code_line(r) and r.measure == ACT and e is not None):
                continue
            lo = self.text.rfind("\n", 0, r.start) + 1
            hi = self.text.find("\n", r.start)
            hi = len(self.text) if hi < 0 else hi
            rows = f".{data_key('科目')}."
            if not T.LIST_ITEM.match(self.text[lo:hi]) or f"{rows}{r.code}." not in e.path:
                continue
            if out and out[-1][0] == lo:
                continue
            out.append((lo, hi, r.code, e.path.split(rows)[0]))
        return out

    def _population(self, data: dict, table: str, length: int, budgets: bool) -> list[str]:
        rows = (data.get(table) or {}).get(data_key("科目")) or []
        codes = []
        for row in rows:
            code = str(row.get(data_key("科目编码"), ""))
            if len(code) != length or not any(isinstance(v, Decimal) and v for v in row.values()):
                continue
            if budgets and value_at(data, f"{data_key('年初预算科目')}.{code}") is None:
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
            budgets = f"{data_key('年初预算科目')}." in T.apply_edits(self.original, self.edits, lo, hi)
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
                edits.append((a, b, T.call("to_fill", T.jinja_str(words()["新增科目原因"]))))
        line = T.apply_edits(self.original, edits, lo, hi)
        names_old, names_new = self._names(table, old), self._names(table, code)
        for a, b in sorted(zip(names_old, names_new), key=lambda t: -len(t[0])):
            if a and b and a != b:
                line = line.replace(a, b)
        line = line.replace(old, code)
        said = words()["新增科目来源"].format(新=code, 旧=old)
        return T.source_call().sub(lambda m: f'{T.fn_name("source")}({m.group(1)}, "{said}{m.group(2)}")', line)

    def _names(self, table: str, code: str) -> list[str]:
        rows = {}
        for data in (self.data, self.last.data if self.last is not None else {}):
            for r in (data.get(table) or {}).get(data_key("科目")) or []:
                rows.setdefault(str(r.get(data_key("科目编码"))), str(r.get(data_key("科目名称"), "")))
        return [rows.get(code[:k], "") for k in range(3, len(code) + 1, 2)]

    def _last_project_path(self, path: str) -> str | None:
        """A 绩效 project's path in last year's figures: the project of the same name."""
        parts = path.split(".")
        now = T.projects_of(self.data)
        name = now[int(parts[3])].get(data_key("项目名称")[0]) if len(parts) > 4 and int(parts[3]) < len(now) else None
        i = T.project_named(self.last.data, name)
        return None if name is None or i is None else ".".join(parts[:3] + [str(i)] + parts[4:])

    def _lacking(self, r: Reading) -> bool:
        """A 科目 line or a project last year's text speaks of, absent from this year's figures."""
        if self._code_line(r):
            return not any(value_at(self.data, p) is not None for p in paths_of(r, self.data))
        if self.last is not None and r.measure == ACT and not r.code:
            last_paths = paths_of(r, self.last.data, self.last_projects) or []
            if any(p.startswith(T.project_prefix()) for p in last_paths):
                return not paths_of(r, self.data, self.projects)
        return False

    def _assemble(self) -> Learned:
        template = T.renumber(T.apply_edits(self.original, self.edits, 0, len(self.original)))
        # title and sections
        lines = template.split("\n")
        title = ""
        sections: list[tuple[str, list[str]]] = []
        for i, line in enumerate(lines):
            m = T.heading().match(line)
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
        return Learned(title, [(t, "\n".join(body).strip("\n") + "\n") for t, body in sections], self.slots,
                       self.new_sections)


def _prior(path: str) -> str:
    """The same figure last year (the 上年 block)."""
    return f"{data_key('上年')}.{path}"


def learn(text: str, figures: Figures, last_figures: Figures | None = None, name: str = "<text>") -> Learned:
    if not text.strip():
        raise InputError(msg("like.empty"), name)
    return _Learner(text, figures, last_figures, name).learn()


def render_like(text: str, figures: Figures, last_figures: Figures | None = None, save_pack: Path | None = None,
                name: str = "<text>"):
    """This year's draft in the wording of last year's ``text`` (and the learned pack); with
    ``save_pack``, the pack is written there once the draft is made (render/like_pack.py)."""
    from narrator.render.engine import _environment, load_pack, render

    if save_pack is not None:
        check_pack_folder(save_pack)
    learned = learn(text, figures, last_figures, name)
    files = learned.files()
    digest = hashlib.sha1("\0".join(f"{k}\0{v}" for k, v in sorted(files.items())).encode()).hexdigest()[:16]
    with tempfile.TemporaryDirectory(prefix="narrator-like-") as tmp:
        folder = Path(tmp) / digest     # the cache key names the content: never another pack's
        learned.write(folder)
        draft = render(figures, str(folder))
    draft.pack = "like"
    if save_pack is not None:
        write_pack(files, save_pack)
        load_pack.cache_clear()     # a pack is cached by its folder, which held other files before
        _environment.cache_clear()
    return draft, learned
