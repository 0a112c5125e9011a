"""Round-3 render shortcuts give what the plain definitions give.

* ``_assemble`` strips the slot markers and splits sentences once per section body; the
  definition is line by line: strip each line's markers with ``_MARK``, split it with
  ``_SENT_SEG``, give each slot to the first sentence of its line that ends after it starts.
  Random bodies with the awkward cases (a slot's text holding a newline or nothing, NULs,
  whitespace sentences, slots printed twice or never) must give the same draft.
* ``numbers.fmt`` / ``numbers.exponent`` print and measure like ``format(d, "f")`` /
  ``as_tuple()``.
* The compiled attribute shortcut (``行.合计``, ``m.金额文``) reads what Jinja's getattr reads.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import jinja2
from hypothesis import given, settings, strategies as st

from narrator.render import engine as R
from narrator.render.draft import Slot
from narrator.figures.model import figures_from_tree
from narrator.core.numbers import exponent, fmt
from narrator.batch.synth import department


# -- _assemble ------------------------------------------------------------------------
def _reference_assemble(title: str, rendered, slots: list[Slot]):
    """Line by line, as the definition says: the draft text and its sections as
    [(id, [(start, end, text, heading, [slot ids])])]; the slots get their spans."""
    out, pos, sections = [], 0, []

    def add_line(raw, sentences, sec_id, heading):
        nonlocal pos
        pieces = R._MARK.split(raw)
        cpos = pos + len(pieces[0])
        mine = []
        for j in range(1, len(pieces), 3):
            slot = slots[int(pieces[j])]
            slot.start, cpos = cpos, cpos + len(pieces[j + 1])
            slot.end = cpos
            cpos += len(pieces[j + 2])
            mine.append(slot)
        text = "".join(p for k, p in enumerate(pieces) if k % 3 != 1)
        if sentences is not None:
            start, k = pos, 0
            for s_text in R._SENT_SEG.findall(text):
                end = start + len(s_text)
                if not s_text.isspace():
                    got = []
                    while k < len(mine) and mine[k].start < end:
                        mine[k].section, mine[k].sentence = sec_id, len(sentences)
                        got.append(mine[k].id)
                        k += 1
                    sentences.append((start, end, s_text, heading, got))
                start = end
        out.append(text)
        pos += len(text) + 1

    for line in R._clean_lines(title):
        add_line(line, None, None, True)
    for sec, number, body in rendered:
        sentences: list = []
        sections.append((sec["键"], sentences))
        add_line(f"{number}、{sec['标题']}", sentences, sec["键"], True)
        for line in R._clean_lines(body):
            add_line(line, sentences, sec["键"], False)
    return "\n".join(out + [""]), sections


_PIECES = ["这是一句话", "。", "！", "？", " ", "\u3000", "\n", "\n\n", "  \n ", "\0", "，", "金额"]


@st.composite
def _bodies(draw):
    """Section bodies of text and slot markers; each slot's text may be anything a free
    text may hold (a newline, nothing, punctuation only)."""
    slots: list[Slot] = []

    def marker() -> str:
        text = draw(st.sampled_from(["12.34", "", "。", "a\nb", "增加", " ", "x。y", "\0"]))
        slots.append(Slot(len(slots), "amount", text, None, 2, "万元", "l"))
        return f"{R._OPEN}{len(slots) - 1}{R._MID}{text}{R._CLOSE}"

    def body() -> str:
        parts = draw(st.lists(st.one_of(st.sampled_from(_PIECES), st.just(None)), max_size=25))
        return "".join(marker() if p is None else p for p in parts)

    title = body()
    n = draw(st.integers(1, 4))
    rendered = [({"键": f"k{i}", "标题": f"标题{i}"}, R.g_cn(i + 1), body()) for i in range(n)]
    # a slot printed twice, as a template may print a {% set %} value twice
    if slots and draw(st.booleans()):
        i = draw(st.integers(0, len(slots) - 1))
        rendered[-1] = (rendered[-1][0], rendered[-1][1],
                        rendered[-1][2] + draw(st.sampled_from(["", "\n", "。"]))
                        + f"{R._OPEN}{i}{R._MID}{slots[i].text}{R._CLOSE}")
    return title, rendered, slots


@settings(max_examples=300, deadline=None)
@given(_bodies())
def test_assemble_is_line_by_line(case):
    title, rendered, slots = case
    state = R._RenderState(R.load_rules(None), "万元", False, R.wording(), None)
    state.slots = slots
    fig = figures_from_tree(department(1, rows=10))
    draft = R._assemble(title, rendered, state, R.load_pack("standard"), fig)
    ref_slots = [Slot(i, "amount", s.text, None, 2, "", "") for i, s in enumerate(slots)]
    text, sections = _reference_assemble(title, rendered, ref_slots)
    assert draft.text == text
    got = [(s.id, [(t.start, t.end, t.text, t.heading, [slots.index(x) for x in t.slots])
                   for t in s.sentences]) for s in draft.sections]
    assert got == sections
    for s, r in zip(slots, ref_slots):
        assert (s.start, s.end, s.section, s.sentence) == (r.start, r.end, r.section, r.sentence)


# -- numbers ----------------------------------------------------------------------------
_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None,
                        min_value=Decimal("-1e15"), max_value=Decimal("1e15")) | st.sampled_from(
    [Decimal("1E+2"), Decimal("1.00E+3"), Decimal("0E-8"), Decimal("-0.00"), Decimal("5E-7"),
     Decimal("0.000001"), Decimal("-12.5000")])


@settings(max_examples=500, deadline=None)
@given(_decimals, st.integers(-2, 11), st.booleans())
def test_fmt_prints_like_format_f(d, places, strip):
    q = Decimal(1).scaleb(-places)
    r = d.quantize(q, rounding=ROUND_HALF_UP, context=R.fmt.__globals__["_HALF_UP"])
    if r == 0:
        r = abs(r)
    want = f"{r:f}"
    if strip and "." in want:
        want = want.rstrip("0").rstrip(".")
    assert fmt(d, places, strip) == want


@given(_decimals)
def test_exponent_is_as_tuple_exponent(d):
    assert exponent(d) == d.as_tuple().exponent


def test_exponent_of_special_values():
    for t in ("NaN", "Infinity", "-Infinity"):
        assert exponent(Decimal(t)) == Decimal(t).as_tuple().exponent


# -- compiled attribute shortcut ------------------------------------------------------------
def test_inline_getattr_reads_like_jinja():
    """Views, a macro module, loop variables, dicts and plain objects read through the
    compiled shortcut as through Jinja's own getattr."""
    fig = figures_from_tree(department(3, rows=20))
    p = R.load_pack("standard")
    src = ('{% import "macros.j2" as m with context %}{% set t = 一般公共预算财政拨款支出决算表 %}'
           '{% for 行 in t.项级 %}{{ loop.index }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ 行.合计 }}{{ 行.合计 }}{{ 行.科目名称 }}'
           '{{ 行.类名称 }}{{ 行.级次 }}{{ 行.rows is defined }}{% endfor %}'
           '{{ m.金额文 is defined }}{{ m.变动 is defined }}{{ m.nothing is defined }}'
           '{{ 数据.年初预算.科目 is defined }}{{ d.a }}{{ d.items is defined }}{{ 收入决算表.合计 }}')
    outs = []
    for env in (R._environment(p.dirs, p.rules_dir), R._make_environment(p.dirs, p.rules_dir, jinja2.Environment)):
        state = R._RenderState(R.load_rules(None), fig.unit, False, R.wording(), fig)
        token = R._state.set(state)
        try:
            view = R.figures_view(fig)
            ctx = R._context(fig, view, R.load_rules(None))
            outs.append(env.from_string(src).render(ctx, d={"a": 1}))
        finally:
            R._state.reset(token)
    assert outs[0] == outs[1]
    assert "True" in outs[0]


@settings(max_examples=500, deadline=None)
@given(_decimals | st.sampled_from([Decimal("-0"), Decimal("3.498"), Decimal("1" * 60 + ".5")]),
       st.booleans(), st.booleans())
def test_figure_amount_printed_as_fmt_would(d, take_abs, strip):
    """A figure's amount (no rule, no precision asked): printed at the unit's places, or at
    as many as it was written with, by numbers.fmt."""
    from narrator.core.values import Q
    state = R._RenderState(R.load_rules(None), "万元", strip, R.wording(), None)
    token = R._state.set(state)
    try:
        q = Q(d, "金额", "x", ("a",))
        try:
            shown = R._number(q, "amount", "万元", None, take_abs)
        except Exception as e:  # fmt's own errors (a value beyond its 50 digits) stay
            shown = type(e)
        slot = state.slots[-1] if state.slots else None
    finally:
        R._state.reset(token)
    p = state.rules.places_by_unit.get("金额", 2)
    exp = d.as_tuple().exponent
    if isinstance(exp, int) and -exp > p:
        p = -exp
    try:
        want = fmt(abs(d) if take_abs else d, p, strip)
    except Exception as e:
        assert shown is type(e)
        return
    assert shown == f"{R._OPEN}0{R._MID}{want}{R._CLOSE}"
    assert (slot.text, slot.places) == (want, p)


# -- macro calls ------------------------------------------------------------------------------
_MACROS = (
    '{% macro two(a, b="d") %}[{{ a }}|{{ b }}|{{ b is defined }}]{% endmacro %}'
    '{% macro opt(a, b) %}[{{ a }}|{{ b is defined }}]{% endmacro %}'
    '{% macro kw() %}[{{ kwargs }}]{% endmacro %}'
    '{% macro va(a) %}[{{ a }}{{ varargs }}]{% endmacro %}'
    '{% macro wrap() %}<{{ caller() }}>{% endmacro %}'
    '{% macro html(a) %}<{{ a }}>{% endmacro %}'
)
_CALLS = [
    "{{ two(1) }}{{ two(1, 2) }}{{ two(1, b=3) }}{{ two(a=4) }}{{ opt(1) }}{{ opt() }}",
    "{% for i in [1, 2] %}{{ two(i) }}{{ opt(loop.index) }}{% endfor %}",
    "{{ kw(x=1) }}{{ va(1, 2, 3) }}{% call wrap() %}in{% endcall %}",
    "{% autoescape true %}{{ html('&') }}{{ two('&') }}{% endautoescape %}{{ html('&') }}",
    "{{ two(1, 2, 3) }}",
    "{{ opt(1, c=2) }}",
]


def test_macro_calls_like_jinja():
    """Macro calls with fewer, more or named arguments, a caller, kwargs/varargs, inside a
    loop and an autoescape block: the same output, or the same error, as Jinja's."""
    for call in _CALLS:
        outs = []
        for env_class in (R.FastEnvironment, jinja2.Environment):
            env = env_class(autoescape=False)
            try:
                outs.append(env.from_string(_MACROS + call).render())
            except Exception as e:  # noqa: BLE001 - the error is the result compared
                outs.append((type(e), str(e)))
        assert outs[0] == outs[1], call
