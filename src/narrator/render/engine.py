"""Render a template pack over figures into a Draft whose every number is a slot.

A pack is a folder of Jinja2 templates with a ``pack.yaml`` listing its sections. The
shipped packs live in templates/ (``standard``, ``shanghai``, shared macros in ``_common``);
a user's folder overrides them file by file. Filters such as ``金额`` and ``百分比`` print
a number and record its slot; the text is then cleaned of the slot markers and split into
sections and sentences with exact spans.
"""

from __future__ import annotations

import contextvars
import re
from operator import is_
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from types import FunctionType

import jinja2

from narrator.render.draft import Draft, Section, Sentence, Slot
from narrator.core import fast
from narrator.core.errors import InputError, UsageError
from narrator.core.messages import msg
from narrator.figures.model import Figures
from narrator.figures.names import WORDS as W
from narrator.figures.metrics import MetricsView, RuleSet, load_rules
from narrator.core.numbers import exponent, fmt
from narrator.core.cn_numerals import cn_small
from narrator.render.engine_fast import FastEnvironment
from narrator.render.shared import SharedVars
from narrator.core.resources import rules_dir, templates_dir
from narrator.core.values import Missing, Q, is_missing
from narrator.figures.view import View, figures_view
from narrator.core.yamlio import load_rule_file, parse_yaml, parse_yaml_fast

_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(f"{_OPEN}(\\d+){_MID}(.*?){_CLOSE}", re.S)
# a sentence: up to and including its 。！？, or the rest of a line without one
_SENT_SEG = re.compile(r"[^。！？]*[。！？]|[^。！？]+")
# the same over several lines at once: neither a marker nor a sentence crosses a line,
# and each newline is a piece of its own
_MARK_LINE = re.compile(f"{_OPEN}(\\d+){_MID}([^\n]*?){_CLOSE}")
_SENT_SEG_LINE = re.compile(r"\n|[^。！？\n]*[。！？]|[^。！？\n]+")

_state: contextvars.ContextVar["_RenderState"] = contextvars.ContextVar("narrator_render")


@dataclass
class Pack:
    name: str
    dirs: tuple[Path, ...]        # search order: user dir first, then shipped pack, then _common
    title: str
    sections: list[dict]
    strip_zeros: bool
    rules_dir: str | None


class _RenderState:
    __slots__ = ("slots", "rules", "unit", "strip_zeros", "wording", "charts", "figures", "texts", "names")

    def __init__(self, rules: RuleSet, unit: str, strip_zeros: bool, wording: dict, figures: Figures):
        self.slots: list[Slot] = []
        self.rules = rules
        self.unit = unit
        self.strip_zeros = strip_zeros
        self.wording = wording
        self.charts: list[dict] = []
        self.figures = figures
        self.texts: dict[str, object] = {}  # 文字说明 entries by dotted key (see _text_node)
        self.names: dict[str, str] | None = None  # 科目名称 by 科目编码, made on first use (_subject_name)


# -- pack discovery -----------------------------------------------------------------
def _read_pack_yaml(path: Path) -> dict:
    text = path.read_text(encoding="utf-8-sig")
    data = parse_yaml_fast(text)      # libyaml; the pure-Python parser only to report a problem
    if data is None:
        data = parse_yaml(text, str(path), with_lines=False) or {}
    if not isinstance(data, dict):
        raise InputError(msg("pack.not_mapping"), str(path), 1)
    return data


@lru_cache(maxsize=32)
def load_pack(spec: str = "standard") -> Pack:
    """``standard``/``shanghai`` or a folder that overrides a shipped pack file by file."""
    shipped = templates_dir()
    user: Path | None = None
    if (shipped / spec / "pack.yaml").is_file() and "/" not in spec and "\\" not in spec:
        base_name = spec
    else:
        user = Path(spec)
        if not user.is_dir():
            names = sorted(p.name for p in shipped.iterdir() if (p / "pack.yaml").is_file())
            raise UsageError(msg("pack.unknown", pack=spec, names=", ".join(names)))
        base_name = "standard"
        if (user / "pack.yaml").is_file():
            base_name = str(_read_pack_yaml(user / "pack.yaml").get("基于", "standard"))
        if not (shipped / base_name / "pack.yaml").is_file():
            raise UsageError(msg("pack.unknown_base", path=user / "pack.yaml", pack=base_name))
    data = _read_pack_yaml(shipped / base_name / "pack.yaml")
    if user is not None and (user / "pack.yaml").is_file():
        data = {**data, **_read_pack_yaml(user / "pack.yaml")}
    dirs = tuple(d for d in (user, shipped / base_name, shipped / "_common") if d is not None)
    fmt_opts = data.get("数字格式") or {}
    rdir = None
    if user is not None and (user / "rules").is_dir():
        rdir = str(user / "rules")
    return Pack(name=str(data.get("名称", base_name)) if user is None else f"{user}",
                dirs=dirs, title=str(data.get("标题", "")), sections=list(data.get("章节") or []),
                strip_zeros=bool(fmt_opts.get("去除末尾零", False)), rules_dir=rdir)


@lru_cache(maxsize=1)
def wording() -> dict:
    return load_rule_file(rules_dir() / "wording.yaml")


# -- filters and globals --------------------------------------------------------------
# the start of slot i's marker, OPEN i MID, made once per process: a marker is printed for
# every number of every draft
_PREFIXES: list[str] = []


def _prefixes_to(sid: int) -> str:
    _PREFIXES.extend(f"{_OPEN}{i}{_MID}" for i in range(len(_PREFIXES), sid + 256))
    return _PREFIXES[sid]


def _emit(slot: Slot) -> str:
    slots = _state.get().slots
    sid = slot.id = len(slots)
    slots.append(slot)
    pre = _PREFIXES[sid] if sid < len(_PREFIXES) else _prefixes_to(sid)
    return f"{pre}{slot.text}{_CLOSE}"


def _missing_text(m) -> str:
    reason = m.reason if isinstance(m, Missing) else "未给出"
    words = _in_words(reason)
    return _emit(Slot(0, "missing", wording()["缺数"].format(words), None, 0, "", words))


def _in_words(reason: str) -> str:
    """A missing figure named as the tables name it, not by its path in the figures file:
    年初预算.科目.2080501 → "2080501 行政单位离退休的年初预算"; 上年.收入支出决算总表.收入.总计 →
    "上年收入支出决算总表 收入 总计"."""
    parts = reason.split(".")
    if len(parts) < 2 or not all(parts):
        return reason
    prev = parts[0] == W.prior_year
    if prev:
        parts = parts[1:]
    if W.rows in parts[1:]:
        i = parts.index(W.rows, 1)
        code = parts[i + 1] if i + 1 < len(parts) else ""
        row = f"{code} {_subject_name(code)}".strip()
        rest = [*parts[:i], *parts[i + 2:]]
        text = f"{row}的{' '.join(rest)}" if len(rest) == 1 else " ".join([rest[0], row, *rest[1:]])
    else:
        text = " ".join(parts)
    return W.prior_year + text if prev else text


def _text_words(key: str) -> str:
    """A 文字说明 key in words: 科目说明.2080106.差异原因 → "科目说明 2080106 就业管理事务 差异原因"."""
    return " ".join(f"{p} {_subject_name(p)}".strip() if p.isdigit() else p for p in key.split("."))


def _subject_name(code: str) -> str:
    """The 科目名称 of ``code`` in the figures being drafted (any table that lists it)."""
    st = _state.get(None)
    if st is None or st.figures is None:
        return ""
    if st.names is None:    # one walk per render: a draft can name dozens of missing rows
        st.names = {}
        for table in st.figures.data.values():
            if isinstance(table, dict):
                for row in table.get(W.rows) or ():
                    if isinstance(row, dict) and type(row.get(W.code)) is str and row.get(W.name):
                        st.names.setdefault(row[W.code], row[W.name])
    return st.names.get(code, "") if type(code) is str else ""


def _inputs(q: Q) -> list[dict]:
    out = []
    for leaf in q.leaves():
        if leaf.unit == "数值" and leaf.path is None and not leaf.label.startswith("上"):
            continue  # constants such as 100
        out.append({"label": leaf.label, "path": ".".join(map(str, leaf.path)) if leaf.path else None,
                    "value": f"{leaf.value:f}"})
    return out


def _number(q, kind: str, unit: str, places: int | None, take_abs: bool = False,
            st: _RenderState | None = None, suffix: str = "") -> str:
    """``q`` printed as a ``kind`` slot (its marker), then ``suffix``; ``st``: the render's
    state if the caller has it at hand."""
    if type(q) is not Q:  # the common case (a figure or a rule's result) skips these tests
        if is_missing(q):
            return _missing_text(q) + suffix
        if isinstance(q, (int, Decimal)) and not isinstance(q, bool):
            q = Q(Decimal(q), "数值", str(q))
        if not isinstance(q, Q):
            raise TypeError(f"not a number: {q!r}")
    if st is None:
        st = _state.get()
    derived = q.op is not None
    value = q.value
    strip = st.strip_zeros
    text = None
    if places is not None:
        p = places
    elif q.places is not None:
        p = q.places
    else:
        p = st.rules.places_by_unit.get(q.unit if q.unit != "数值" else unit, 2)
        if not derived and kind == "amount":
            # a figure given as 3.498 is printed as 3.498: with at least p decimals as
            # written, str() is what fmt() would print (unless -0, or zeros to strip)
            written = str(value)
            if "E" not in written and value.is_finite() and len(written) < 50:  # (fmt: prec 50)
                dot = written.find(".")
                decimals = 0 if dot < 0 else len(written) - dot - 1
                if decimals >= p:
                    p = decimals
                    if not take_abs and not strip and (value or written[0] != "-"):
                        text = written
            else:
                exp = value.as_tuple().exponent
                if isinstance(exp, int) and -exp > p:
                    p = -exp
    if take_abs:
        value = abs(value)
    if text is None:
        text = fmt(value, p, strip)
    slots = st.slots
    sid = len(slots)
    if derived or q.path is not None:
        # the formula is worked out only if someone asks for it (most never do)
        slots.append(Slot(sid, kind, text, value, p, unit, q.label, q.rule, (
            _explain_number, q, p, value, take_abs, kind, st.rules.places_by_unit, strip)))
    else:
        slots.append(Slot(sid, kind, text, value, p, unit, q.label, q.rule))
    pre = _PREFIXES[sid] if sid < len(_PREFIXES) else _prefixes_to(sid)
    return f"{pre}{text}{_CLOSE}{suffix}"


def _explain_number(q: Q, p: int, value: Decimal, take_abs: bool, kind: str, places_by_unit: dict,
                    strip: bool) -> tuple[str | None, list[dict]]:
    if not q.is_derived:
        return None, _inputs(q)
    body = q.explain(places_by_unit)
    signed = fmt(q.value, p, strip)
    shown = f"|{body}|" if take_abs and q.value < 0 else body
    f = f"{shown} = {fmt(value, p, strip) if take_abs else signed}{'%' if kind == 'percent' else ''}"
    return f, _inputs(q)


def f_amount(q, 精度=None, 绝对值=False):
    st = _state.get()
    return _number(q, "amount", st.unit, 精度, 绝对值, st)


def g_amount_unit(q, 精度=None):
    """An amount followed by the figures' unit: 11121.20万元."""
    st = _state.get()
    return _number(q, "amount", st.unit, 精度, False, st, st.unit)


def f_percent(q, 精度=None, 绝对值=False):
    return _number(q, "percent", "%", 精度, 绝对值)


def f_count(q, 单位=W.count_unit):
    return _number(q, "count", 单位, 0)


def f_score(q, 精度=None):
    if isinstance(q, Q) and 精度 is None:
        # scores are printed as given (96.6 stays 96.6)
        exp = exponent(q.value.normalize())
        精度 = max(0, -exp) if isinstance(exp, int) else 0
    return _number(q, "score", "分", 精度)


def f_year(y):
    if isinstance(y, Q):
        y = int(y.value)
    y = int(y)
    return _emit(Slot(0, "year", str(y), Decimal(y), 0, "年", W.year))


_SIGNS = {1: Decimal(1), 0: Decimal(0), -1: Decimal(-1)}  # a word slot's value: its sign


def g_direction(q, 词组="增减"):
    """The direction word for the sign of ``q`` (增加/减少/持平 …) as a checked slot."""
    words = _direction_words(词组)
    if is_missing(q):
        return _emit(Slot(0, "placeholder", wording()["占位符"].format(f"{words['正']}/{words['负']}"),
                          None, 0, "", f"方向词:{词组}"))
    sign = q.sign if isinstance(q, Q) else (Decimal(q) > 0) - (Decimal(q) < 0)
    word = words["正"] if sign > 0 else words["负"] if sign < 0 else words["零"]
    if isinstance(q, Q):
        explainer = (_explain_direction, q, _state.get().rules.places_by_unit)
        return _emit(Slot(0, "word", word, _SIGNS[sign], 0, "", q.label, q.rule, explainer, words))
    return _emit(Slot(0, "word", word, _SIGNS[sign], 0, "", "", None, None, words))


def _explain_direction(q: Q, places_by_unit: dict) -> tuple[str | None, list[dict]]:
    f = f"{q.explain(places_by_unit)} = {fmt(q.value, 2)}" if q.is_derived else None
    return f, _inputs(q)


@lru_cache(maxsize=64)
def _direction_words(group: str) -> dict:
    """One copy of a group's words ({正, 负, 零}) for all its slots: nothing changes them."""
    return dict(wording()["方向词"][group])


@lru_cache(maxsize=1024)
def _placeholder_text(label: str) -> str:
    return wording()["占位符"].format(label)


def g_placeholder(label: str):
    # labels are the templates' own strings; anything else is formatted each time (a Q's
    # equal values may print differently, so they must not share a cache entry)
    text = _placeholder_text(label) if type(label) is str else wording()["占位符"].format(label)
    return _emit(Slot(0, "placeholder", text, None, 0, "", label))


def _text_node(key):
    """The figures' 文字说明 entry at a dotted key (None if absent), looked up once per render:
    list templates ask 有说明 and then 说明 for the same key."""
    key = str(key)
    st = _state.get()
    texts = st.texts
    if key in texts:
        return texts[key]
    node = st.figures.data.get(W.notes) or {}
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            break
    texts[key] = node
    return node


def g_text(key: str, label: str | None = None):
    """Free text from the figures' 文字说明 (dotted key), or a visible placeholder."""
    node = _text_node(key)
    if isinstance(node, str) and node.strip():
        return _free_text(node, _text_words(key))
    return g_placeholder(label or key.split(".")[-1])


def _free_text(text: str, label: str) -> str:
    """A person's words from the figures, recorded as a 'text' span (its numbers are theirs)."""
    text = str(text).strip().rstrip("。；;，,")
    return _emit(Slot(0, "text", text, None, 0, "", label))


def g_has_text(key: str) -> bool:
    node = _text_node(key)
    return isinstance(node, str) and bool(node.strip())


def g_figure_at(path: str, blank=None):
    """The figure at a dotted path of the figures (科目 rows by code), for packs learned from a text;
    ``blank``: the value of a cell its table (present) leaves empty (0 where an empty cell means 0)."""
    from narrator.check.grounding import value_at

    data = _state.get().figures.data
    value = value_at(data, str(path))
    if value is None and blank is not None and has_table(data, str(path)):
        value = Decimal(blank)
    if value is None:
        return Missing(str(path))
    return Q(value, "金额", str(path).split(".")[-1], tuple(str(path).split(".")))


def has_table(data: dict, path: str) -> bool:
    """Is the mapping a dotted path's last key lives in present in the figures?"""
    node = data
    for key in path.split(".")[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    return isinstance(node, dict)


def g_source(q, written: str):
    """``q`` labelled with the words of last year's text it replaces (a learned pack's provenance)."""
    if not isinstance(q, Q):
        return q
    return Q(q.value, q.unit, f"{q.label}（上年原文：{written}）", q.path, q.op, q.inputs, q.rule, q.places)


def g_to_confirm(label: str):
    """A visible mark for what a person must confirm: 【待核：…】."""
    return _emit(Slot(0, "placeholder", wording()["待核"].format(label), None, 0, "", str(label)))


def g_chart(key: str, caption: str):
    st = _state.get()
    n = len(st.charts) + 1
    st.charts.append({"key": key, "caption": caption, "number": n})
    return f"图{n}：{caption}"


def f_sentence(text, 名称="文字") -> str:
    """Free text to be followed by the template's own 。: drop its final punctuation."""
    return _free_text(text, 名称)


def g_cn(n) -> str:
    return _cn_int(int(n.value if isinstance(n, Q) else n))


@lru_cache(maxsize=1024)
def _cn_int(n: int) -> str:
    # section and item numbers are small: written here; cn2an (slow to import, ~100–300 ms, and
    # to call) only for the rest
    if 0 <= n < 10000:
        return cn_small(n)
    import cn2an

    return cn2an.an2cn(n)


def g_sum(*qs):
    vals = [q for q in qs if not is_missing(q)]
    if not vals:
        return qs[0] if qs else Missing(W.fn_sum)
    total = vals[0]
    for v in vals[1:]:
        total = total + v
    return total


def g_is_zero(q) -> bool:
    return is_missing(q) or (isinstance(q, Q) and q.value == 0)


def _rule_function(rules: RuleSet, name: str):
    """A rule function as a template global: ``占比(部分, 整体)`` is ``rules.call("占比", …)``
    with the rule looked up once (the rule set never changes once loaded)."""
    rule, finish = rules.functions[name], rules._finish
    fn = rule.fn
    run = rule.run or (lambda *args: finish(rule, fn((args, None))))
    # the last call's arguments and result: list templates ask the same thing twice in a row
    # (差额(行.合计, 预算) to test it, then for its direction word). The very same argument
    # objects (kept alive here, so never a recycled id) give the same result - figures and
    # rule results are not changed once made.
    last = [((), None)]

    def call(*args):
        seen, result = last[0]
        if len(args) == 2 == len(seen):  # the usual call, compared without map()
            if args[0] is seen[0] and args[1] is seen[1]:
                return result
        elif seen and len(args) == len(seen) and all(map(is_, args, seen)):
            return result
        result = run(*args)
        last[0] = (args, result)
        return result
    call.__name__ = call.__qualname__ = name
    return call


# FastEnvironment subclasses Jinja's code generator and context, which are internals: use it
# only on the Jinja minor version it is tested with; any other gives the same text, slower.
_FAST_JINJA = fast.ENABLED and jinja2.__version__.split(".")[:2] == ["3", "1"]


@lru_cache(maxsize=32)
def _environment(dirs: tuple[Path, ...], rules_key: str | None) -> jinja2.Environment:
    from narrator.render.bytecode import bytecode_cache

    cls = FastEnvironment if _FAST_JINJA else jinja2.Environment
    env = _make_environment(dirs, rules_key, cls)
    env.bytecode_cache = bytecode_cache(cls)      # compiled templates kept across processes
    return env


def _make_environment(dirs: tuple[Path, ...], rules_key: str | None,
                      env_class: type[jinja2.Environment] = jinja2.Environment) -> jinja2.Environment:
    """The environment templates run in; ``jinja2.Environment`` itself is the reference
    for ``FastEnvironment`` (tests/render/test_fast_jinja_matches_jinja.py renders with both)."""
    env = env_class(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs], encoding="utf-8"),
        undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=False, auto_reload=False, cache_size=400,
    )
    env.filters.update(_named(wording()["模板过滤器"], _FILTERS))
    env.globals.update(_named(wording()["模板函数"], _GLOBALS))
    rules = load_rules(rules_key)
    for name in rules.functions:
        env.globals[name] = _rule_function(rules, name)
    register_plain = getattr(env, "register_plain", None)     # FastEnvironment calls these directly
    if register_plain is not None:
        register_plain(*(f for f in env.globals.values() if isinstance(f, FunctionType)))
    return env


# the implementations the template names of rules/wording.yaml refer to
_FILTERS = {"amount": f_amount, "percent": f_percent, "count": f_count, "score": f_score, "year": f_year,
            "cn_number": g_cn, "sentence": f_sentence}
_GLOBALS = {"amount_with_unit": g_amount_unit, "direction": g_direction, "placeholder": g_placeholder,
            "text": g_text, "has_text": g_has_text, "chart": g_chart, "cn_number": g_cn, "sum": g_sum,
            "is_zero": g_is_zero, "is_missing": is_missing, "figure_at": g_figure_at, "source": g_source,
            "to_confirm": g_to_confirm}


def _named(names: dict[str, str], implementations: dict) -> dict:
    """Template name -> implementation, for the names of one section of rules/wording.yaml."""
    unknown = sorted(set(names.values()) - set(implementations))
    if unknown:
        raise InputError(msg("render.unknown_implementation", names=", ".join(unknown)), str(rules_dir() / "wording.yaml"))
    return {name: implementations[impl] for name, impl in names.items()}


@lru_cache(maxsize=64)
def _title_template(env: jinja2.Environment, source: str) -> jinja2.Template:
    return env.from_string(source)


def _clean_lines(raw: str) -> list[str]:
    lines = []
    for line in raw.split("\n"):
        s = line.strip().strip("\u3000")
        if s:
            lines.append(s)
    return lines


def render(figures: Figures, pack: str | Pack = "standard") -> Draft:
    p = pack if isinstance(pack, Pack) else load_pack(pack)
    rules = load_rules(p.rules_dir)
    env = _environment(p.dirs, p.rules_dir)
    state = _RenderState(rules, figures.unit, p.strip_zeros, wording(), figures)
    token = _state.set(state)
    shared = None
    try:
        view = figures_view(figures)
        ctx = _context(figures, view, rules)
        title = _title_template(env, p.title).render(ctx) if p.title else ""
        rendered: list[tuple[dict, str, str]] = []
        shared = SharedVars(env.globals, **ctx)  # what Template.render(ctx) would make per section
        numbered = 0
        for sec in p.sections:
            try:
                tmpl = env.get_template(sec["模板"])
                body = _render_section(env, tmpl, shared)
            except jinja2.TemplateNotFound as e:
                raise UsageError(msg("pack.template_missing", pack=p.name, template=e.name)) from None
            except jinja2.TemplateSyntaxError as e:
                raise UsageError(msg("pack.template_error", where=f"{e.filename}:{e.lineno}", detail=e.message)) from None
            except jinja2.UndefinedError as e:
                raise UsageError(msg("pack.section_error", pack=p.name, template=sec["模板"], detail=e.message)) from None
            # a section without a title (a learned pack's words before the first heading) has
            # no heading and takes no number
            if sec.get("标题"):
                numbered += 1
            rendered.append((sec, g_cn(numbered) if sec.get("标题") else "", body))
        return _assemble(title, rendered, state, p, figures)
    finally:
        _state.reset(token)
        if shared is not None:
            # the sections' contexts, macro modules and macros refer to each other; emptied
            # here, the figure views and values they held are freed at once by reference
            # counting instead of waiting, ~1,000 objects per department, for the collector
            shared.release()


def _render_section(env: jinja2.Environment, tmpl: jinja2.Template, shared: SharedVars) -> str:
    """``tmpl.render(ctx)`` with the variables merged once per render, not once per section."""
    context = tmpl.new_context(shared, shared=True)
    try:
        return env.concat(tmpl.root_render_func(context))
    except Exception:
        env.handle_exception()


def _context(figures: Figures, view: View, rules: RuleSet) -> dict:
    year = figures.year
    from narrator.figures.model import schema

    # every official top-level name is defined (absent ones as Missing), so templates can test them
    ctx = {k: view[k] for k in schema().children}
    values = {"figures": view, "metrics": MetricsView(rules, view), "unit_name": figures.data.get(W.dept, ""),
              "year": year, "last_year": year - 1, "money_unit": figures.unit, "three_public": view["三公经费"]}
    ctx.update({name: values[impl] for name, impl in wording()["模板变量"].items()})
    return ctx


def _strip_marks(raw: str, pos: int, slots: list[Slot], placed: list[Slot],
                 mark: re.Pattern = _MARK) -> tuple[str, list[Slot], list[int]]:
    """``raw`` without its slot markers; each slot met gets its span in the draft (``raw``
    starts at ``pos``) and is added to ``placed``. Also returns those slots, in order, and
    where each of them starts."""
    if _OPEN not in raw:
        return raw, [], []
    # the split gives [text, id, slot text, text, id, slot text, …, text]
    pieces = mark.split(raw)
    mine = list(map(slots.__getitem__, map(int, pieces[1::3])))
    del pieces[1::3]
    # where each piece starts in the draft: a slot's text is the piece 2i+1
    at = list(accumulate(map(len, pieces), initial=pos))
    starts = at[1::2]
    for slot, start, end in zip(mine, starts, at[2::2]):
        slot.start = start
        slot.end = end
    placed.extend(mine)
    return "".join(pieces), mine, starts


def _sentence_texts(text: str, lines: bool) -> list[str]:
    """The pieces ``_SENT_SEG`` (``lines``: ``_SENT_SEG_LINE``) finds in ``text``, in order.
    A sentence ends after each 。！？ (and at a line's end): marking those ends with a NUL
    and splitting there is much faster than the pattern, and gives the same pieces (the
    empty ones dropped) unless the text has a NUL of its own."""
    if "\0" in text:
        return (_SENT_SEG_LINE if lines else _SENT_SEG).findall(text)
    marked = text.replace("。", "。\0").replace("！", "！\0").replace("？", "？\0")
    if lines:
        marked = marked.replace("\n", "\0\n\0")
    return list(filter(None, marked.split("\0")))


def _add_sentences(section: Section, text: str, pos: int, mine: list[Slot], starts: list[int],
                   heading: bool, lines: bool) -> None:
    """Split ``text`` (at ``pos`` in the draft) into the section's sentences, each with the
    slots that start in it (``starts``: where each starts). ``lines``: ``text`` is several
    lines; a sentence never crosses a line, and a slot left over at a line's end belongs
    to no sentence."""
    sentences = section.sentences
    sec_id = section.id
    k = 0
    n = len(mine)
    start = pos  # the pieces tile the text, so each starts where the last ended
    for s_text in _sentence_texts(text, lines):
        if lines and s_text == "\n":  # the next line: a slot left in this one has no sentence
            start += 1
            while k < n and starts[k] < start:
                k += 1
            continue
        end = start + len(s_text)
        if not s_text.isspace():
            if k < n and starts[k] < end:
                j = k + 1
                while j < n and starts[j] < end:
                    j += 1
                got = mine[k:j]
                index = len(sentences)
                for sl in got:
                    sl.section = sec_id
                    sl.sentence = index
                k = j
                sentences.append(Sentence(index, sec_id, start, end, s_text, got, heading))
            else:
                sentences.append(Sentence(len(sentences), sec_id, start, end, s_text, [], heading))
        start = end


def _assemble(title: str, rendered, state: _RenderState, pack: Pack, figures: Figures) -> Draft:
    slots = state.slots
    placed: list[Slot] = []
    sections: list[Section] = []
    out: list[str] = []  # the draft's lines, a section's body lines as one string
    pos = 0
    for line in _clean_lines(title):
        text, _, _ = _strip_marks(line, pos, slots, placed)
        out.append(text)
        pos += len(text) + 1
    for sec, number, body in rendered:
        heading = f"{number}、{sec['标题']}" if number else ""
        section = Section(id=str(sec.get("键") or sec["标题"]), number=number, title=heading,
                          start=pos, end=pos)
        sections.append(section)
        if heading:
            text, mine, _ = _strip_marks(heading, pos, slots, placed)
            _add_sentences(section, text, pos, mine, [sl.start for sl in mine], True, False)
            out.append(text)
            pos += len(text) + 1
        lines = _clean_lines(body)
        if lines:
            # the body's lines at once: neither a marker nor a sentence may span lines, so
            # this is what stripping and splitting each line on its own would give
            n_placed = len(placed)
            text, mine, starts = _strip_marks("\n".join(lines), pos, slots, placed, _MARK_LINE)
            if len(set(map(id, mine))) == len(mine):  # (then ``starts`` are the slots' starts)
                _add_sentences(section, text, pos, mine, starts, False, True)
                out.append(text)
                pos += len(text) + 1
            else:
                # a slot printed twice (a {% set %} value): a line's sentences take its slots
                # where that line left them, before a later line moves them - line by line
                del placed[n_placed:]
                for line in lines:
                    # a slot printed twice in the line has the start of its last print
                    text, mine, _ = _strip_marks(line, pos, slots, placed)
                    _add_sentences(section, text, pos, mine, [sl.start for sl in mine], False, False)
                    out.append(text)
                    pos += len(text) + 1
        section.end = pos
    out.append("")  # every line ends with a newline
    text = "\n".join(out)
    for i, s in enumerate(placed):
        s.id = i
    charts = []
    for c in state.charts:
        cap = f"图{c['number']}：{c['caption']}"
        at = text.find(cap)
        charts.append({**c, "start": at, "end": at + len(cap) if at >= 0 else -1})
    return Draft(text=text, title=_MARK.sub(lambda m: m.group(2), title).strip(), sections=sections, slots=placed, pack=pack.name,
                 figures=figures.source, charts=charts)
