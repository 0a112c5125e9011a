"""The standard charts of the 情况说明 (图1—图4), drawn from the figures.

What each chart shows is data (rules/charts.yaml): which named metrics (rules/metrics.yaml)
or figure paths, the chart kind (对比: this year vs last year as bars; 结构: a pie of the
nonzero parts with their shares), the labels and the notes. A value the figures do not
give is never invented: the chart falls back to what the rules allow and says so in a note.

Text is drawn with a CJK font that narrator ships (fonts/NarratorSansSC-Regular.otf, a
GB 2312 subset of Noto Sans CJK SC, SIL OFL 1.1), registered with matplotlib explicitly, so
a fresh machine renders Chinese without any system font. Before drawing, every character
of every label is checked against the font's cmap; a character the font lacks falls back
to a system CJK font that has it, or stops with a UsageError (never a box of tofu).
Output is deterministic: no dates or version strings in PNG/SVG metadata, fixed SVG ids;
SVG text is drawn as paths, so it looks the same without the font.
"""

from __future__ import annotations

import io
import logging
import math
import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from narrator.core.errors import InputError, UsageError
from narrator.core.numbers import ZERO, divide, fmt
from narrator.core.resources import rules_dir
from narrator.core.values import is_missing
from narrator.core.yamlio import load_rule_file
from narrator.core.messages import msg

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NarratorSansSC-Regular.otf"
FONT_ENV = "NARRATOR_CJK_FONT"
_SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)


# -- the chart definitions --------------------------------------------------------------

@cache
def chart_rules() -> dict:
    """rules/charts.yaml: {"图形": {图形: shape}, "格式": {...}, "图表": {key: spec}}."""
    data = load_rule_file(rules_dir() / "charts.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("图表"), dict):
        raise InputError(msg("chart.rules_missing"), str(rules_dir() / "charts.yaml"))
    return data


@dataclass
class Chart:
    """One chart, ready to draw: every number already computed from the figures."""

    key: str
    number: int
    title: str
    kind: str                       # 对比 | 结构
    unit: str                       # 万元 …
    categories: list[str] = field(default_factory=list)
    # 对比: [(series label, [value per category or None])], last year first
    series: list[tuple[str, list[Decimal | None]]] = field(default_factory=list)
    # 结构: one value and one share (%) per category
    values: list[Decimal] = field(default_factory=list)
    shares: list[Decimal] = field(default_factory=list)
    total: Decimal | None = None
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)   # figure paths the chart could not use

    @property
    def shape(self) -> str:
        """How it is drawn: "bars" (对比) or "pie" (结构), by 图形 in rules/charts.yaml."""
        return chart_rules()["图形"].get(self.kind, "")

    @property
    def empty(self) -> bool:
        if self.shape == "pie":
            return not self.values
        return not any(v is not None for _, vals in self.series for v in vals)

    def amount(self, v: Decimal) -> str:
        return fmt(v, int(_fmt_rules().get("金额精度", 2)))

    def share(self, v: Decimal) -> str:
        return fmt(v, int(_fmt_rules().get("占比精度", 2))) + "%"

    def value_labels(self) -> list[str]:
        if self.shape == "pie":
            return [f"{c}\n{self.amount(v)}{self.unit}\n{self.share(s)}"
                    for c, v, s in zip(self.categories, self.values, self.shares)]
        return [self.amount(v) for _, vals in self.series for v in vals if v is not None]

    def labels(self, title: bool = True) -> list[str]:
        """Every piece of text the chart draws (for glyph checks and tests)."""
        out = [self.title] if title else []
        out += list(self.categories)
        out += [s for s, _ in self.series]
        out += self.value_labels()
        out += list(self.notes)
        if self.shape == "bars":
            out.append(_fmt_rules()["纵轴"].format(单位=self.unit))
        if self.shape == "pie":
            out += [f"{c} {self.amount(v)}{self.unit}（{self.share(s)}）"
                    for c, v, s in zip(self.categories, self.values, self.shares)]
        return out

    def caption(self) -> str:
        return f"图{self.number}：{self.title}"


def _fmt_rules() -> dict:
    return chart_rules().get("格式") or {}


class _Evaluator:
    """Evaluate a metric name or a formula over the figures (rules/metrics.yaml semantics)."""

    def __init__(self, figures):
        from narrator.figures.metrics import load_rules
        from narrator.figures.view import figures_view

        self.rules = load_rules()
        self.view = figures_view(figures)
        self._compiled: dict[str, object] = {}

    def __call__(self, expr: str):
        expr = str(expr).strip()
        if expr in self.rules.metrics:
            return self.rules.metric(expr, self.view)
        rule = self._compiled.get(expr)
        if rule is None:
            rule = self.rules._rule(expr, {"公式": expr}, ())
            self._compiled[expr] = rule
        return rule.fn(((), self.view))


def _year(figures) -> int | None:
    y = figures.data.get("年度") if hasattr(figures, "data") else None
    try:
        return int(y)
    except (TypeError, ValueError):
        return None


def _years(figures) -> dict[str, str]:
    y = _year(figures)
    return {"本年": str(y) if y else "本", "上年": str(y - 1) if y else "上"}


def _unit(figures) -> str:
    u = figures.data.get("金额单位") if hasattr(figures, "data") else None
    return str(u) if u else "万元"


def _value(v) -> Decimal | None:
    return None if is_missing(v) else v.value


def _reason(v, expr: str) -> str:
    return getattr(v, "reason", None) or str(expr)


def build_chart(key: str, figures, number: int | None = None, title: str | None = None) -> Chart:
    """The chart ``key`` of rules/charts.yaml, with its numbers from ``figures``."""
    specs = chart_rules()["图表"]
    if key not in specs:
        raise UsageError(msg("chart.unknown", key=key, names=", ".join(specs)))
    spec = specs[key]
    ev = _Evaluator(figures)
    years = _years(figures)
    unit = _unit(figures)
    chart = Chart(key=key, number=int(number if number is not None else spec.get("编号", 0)),
                  title=str(title or spec.get("标题", key)), kind=str(spec.get("图形", "对比")), unit=unit)
    words = {**years, "单位": unit}
    if chart.shape == "pie":
        _structure(chart, spec, ev)
    elif chart.shape == "bars":
        _compare(chart, spec, ev, words)
    else:
        raise InputError(msg("chart.unknown_kind", key=key, kind=chart.kind, kinds=" | ".join(chart_rules()["图形"])),
                         str(rules_dir() / "charts.yaml"))
    return chart


def _structure(chart: Chart, spec: dict, ev) -> None:
    parts = []
    for name in spec.get("项目") or []:
        q = ev(name)
        v = _value(q)
        if v is None or v == 0:
            continue
        parts.append((str(name), v))
    total_q = ev(spec["合计"]) if spec.get("合计") else None
    total = _value(total_q) if total_q is not None else None
    if total is None or total == 0:
        if total_q is not None and is_missing(total_q):
            chart.missing.append(_reason(total_q, spec["合计"]))
        total = sum((v for _, v in parts), ZERO)
    chart.total = total
    if not parts or total == 0:
        return
    chart.categories = [n for n, _ in parts]
    chart.values = [v for _, v in parts]
    chart.shares = [divide(v, total) * 100 for v in chart.values]


def _compare(chart: Chart, spec: dict, ev, words: dict) -> None:
    def rows(items):
        out = []
        for it in items or []:
            cur, prev = ev(it["本年"]), ev(it["上年"])
            out.append((str(it["名称"]), cur, prev, it))
        return out

    def complete(rs, which):
        return bool(rs) and all(not is_missing(r[which]) for r in rs)

    primary = rows(spec.get("项目"))
    chosen, note, with_prev = primary, None, True
    if not (complete(primary, 1) and complete(primary, 2)):
        for r in primary:
            for q, e in ((r[1], r[3]["本年"]), (r[2], r[3]["上年"])):
                if is_missing(q):
                    chart.missing.append(_reason(q, e))
        alt_spec = spec.get("缺上年时") or {}
        alt = rows(alt_spec.get("项目"))
        if complete(alt, 1) and complete(alt, 2):
            chosen, note = alt, alt_spec.get("说明")
        elif complete(primary, 1):
            with_prev, note = False, _fmt_rules().get("上年缺数")
        elif complete(alt, 1):
            chosen, with_prev, note = alt, False, _fmt_rules().get("上年缺数")
        else:
            chosen, with_prev = [r for r in primary if not is_missing(r[1])], False
    chart.categories = [r[0] for r in chosen]
    label_cur = _fmt_rules()["本年"].format(**words)
    label_prev = _fmt_rules()["上年"].format(**words)
    if with_prev:
        chart.series.append((label_prev, [_value(r[2]) for r in chosen]))
    chart.series.append((label_cur, [_value(r[1]) for r in chosen]))
    if note:
        chart.notes.append(str(note).format(**words))


def build_charts(figures, draft=None) -> list[Chart]:
    """The charts a draft places (in its order, with its numbers and captions), or all of them."""
    if draft is not None and getattr(draft, "charts", None):
        return [build_chart(c["key"], figures, c.get("number"), c.get("caption"))
                for c in draft.charts if c["key"] in chart_rules()["图表"]]
    specs = chart_rules()["图表"]
    order = sorted(specs, key=lambda k: int(specs[k].get("编号", 0)))
    return [build_chart(k, figures) for k in order]


# -- the font ---------------------------------------------------------------------------

@cache
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=0, lazy=True)
    return frozenset(font.getBestCmap() or {})


def missing_glyphs(text: str, path: str | Path | None = None) -> set[str]:
    """Characters of ``text`` (whitespace aside) that the font file has no glyph for."""
    cmap = _cmap(str(path or font_path()))
    return {c for c in text if not c.isspace() and ord(c) not in cmap}


@cache
def _system_fonts() -> tuple[str, ...]:
    found = []
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                                 timeout=20, check=False).stdout
            found += sorted({ln.split(":")[0].strip() for ln in out.splitlines() if ln.strip()})
        except (OSError, subprocess.SubprocessError):
            pass
    found += [p for p in _SYSTEM_FONTS if os.path.isfile(p)]
    return tuple(p for p in dict.fromkeys(found) if p.lower().endswith((".ttf", ".otf", ".ttc")))


def _own_fonts() -> list[str]:
    env = os.environ.get(FONT_ENV)
    out = []
    if env:
        if not os.path.isfile(env):
            raise UsageError(msg("chart.no_font_file", var=FONT_ENV, path=env))
        out.append(env)
    if FONT_FILE.is_file():
        out.append(str(FONT_FILE))
    return out


def font_candidates() -> list[str]:
    """Fonts tried in order: $NARRATOR_CJK_FONT, narrator's own, then the system's CJK fonts."""
    return list(dict.fromkeys(_own_fonts() + list(_system_fonts())))


def _covers(path: str, text: str) -> bool:
    try:
        return not missing_glyphs(text, path)
    except Exception:  # an unreadable font file: not a candidate
        return False


def font_path(text: str = "") -> Path:
    """The CJK font that draws ``text`` without a missing glyph (shipped font first; the
    system's fonts are looked up only when narrator's own font lacks a character)."""
    own = _own_fonts()
    for p in own:
        if _covers(p, text):
            return Path(p)
    system = [p for p in _system_fonts() if p not in own]
    for p in system:
        if _covers(p, text):
            return Path(p)
    tried = own + system
    if not tried:
        raise UsageError(msg("chart.no_font", path=FONT_FILE, var=FONT_ENV))
    lacking = "".join(sorted(c for c in set(text) if not c.isspace()
                             and not any(_covers(p, c) for p in tried)))
    raise UsageError(msg("chart.font_lacks_glyphs", chars=lacking, tried=", ".join(tried), var=FONT_ENV))


@cache
def _register(path: str):
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path)


# -- drawing ----------------------------------------------------------------------------

class _GlyphWarnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        msg = record.getMessage()
        if "missing from" in msg or "Glyph" in msg:
            self.messages.append(msg)


def _draw(chart: Chart, title: bool):
    from matplotlib.figure import Figure

    fr = _fmt_rules()
    colors = list(fr.get("颜色") or ["#2F5597", "#ED7D31"])
    cm = 1 / 2.54
    height = fr.get("饼图高", fr.get("高", 9)) if chart.shape == "pie" else fr.get("高", 9)
    fig = Figure(figsize=(float(fr.get("宽", 16)) * cm, float(height) * cm))
    labels = chart.labels(title=title)
    prop = _register(str(font_path("".join(labels))))
    fp = lambda size: prop.copy() if size is None else _sized(prop, size)  # noqa: E731
    ax = fig.add_subplot(1, 1, 1)
    if title:
        fig.suptitle(chart.caption(), fontproperties=fp(12))
    if chart.empty:
        ax.axis("off")
        ax.text(0.5, 0.5, fr["缺数"], ha="center", va="center", fontproperties=fp(11),
                transform=ax.transAxes)
    elif chart.shape == "pie":
        _draw_pie(ax, chart, colors, fp)
    else:
        _draw_bars(ax, chart, colors, fp, fr)
    bottom = 0.04
    if chart.notes:
        fig.text(0.01, 0.015, "\n".join(chart.notes), fontproperties=fp(7.5), color="#444444",
                 ha="left", va="bottom")
        bottom = 0.05 + 0.05 * len(chart.notes)
    fig.subplots_adjust(left=0.11 if chart.shape == "bars" else 0.02, right=0.98 if chart.shape == "bars" else 0.98,
                        top=(0.80 if title else 0.89) if chart.shape == "bars" else (0.86 if title else 0.95),
                        bottom=max(bottom, 0.12 if chart.shape == "bars" else 0.03))
    return fig


def _sized(prop, size):
    p = prop.copy()
    p.set_size(size)
    return p


def _draw_bars(ax, chart: Chart, colors, fp, fr) -> None:
    n = len(chart.series)
    width = 0.8 / max(n, 1) if n > 1 else 0.45
    xs = list(range(len(chart.categories)))
    top = max((float(v) for _, vals in chart.series for v in vals if v is not None), default=1.0)
    for i, (label, vals) in enumerate(chart.series):
        off = (i - (n - 1) / 2) * width
        color = colors[(i + (0 if n > 1 else 1)) % len(colors)]
        pos = [x + off for x, v in zip(xs, vals) if v is not None]
        hs = [float(v) for v in vals if v is not None]
        bars = ax.bar(pos, hs, width * 0.92, color=color, label=label, zorder=2)
        for b, v in zip(bars, [v for v in vals if v is not None]):
            ax.text(b.get_x() + b.get_width() / 2, b.get_height() + top * 0.015, chart.amount(v),
                    ha="center", va="bottom", fontproperties=fp(8))
    ax.set_xticks(xs)
    ax.set_xticklabels(chart.categories, fontproperties=fp(9))
    ax.set_ylim(0, top * 1.12)
    ax.set_ylabel(fr["纵轴"].format(单位=chart.unit), fontproperties=fp(8.5))
    for t in ax.get_yticklabels():
        t.set_fontproperties(fp(8))
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(prop=fp(8.5), frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=n)


INSIDE = 15   # a share (%) this large is labelled inside its wedge


def _draw_pie(ax, chart: Chart, colors, fp) -> None:
    """Pie of the parts: shares ≥ 15% inside their wedge, smaller ones outside on the left with
    leader lines, spread so they never overlap; the legend gives name, amount and share."""
    vals = [float(v) for v in chart.values]
    small = [i for i, s in enumerate(chart.shares) if s < INSIDE]
    start = 90
    if small:   # turn the pie so that the small wedges sit around 9 o'clock, by their labels
        cum, mids = 0.0, []
        for s in chart.shares:
            mids.append((cum + float(s) / 2) * 3.6)
            cum += float(s)
        x = sum(math.cos(math.radians(mids[i])) for i in small)
        y = sum(math.sin(math.radians(mids[i])) for i in small)
        start = 180 + math.degrees(math.atan2(y, x))
    wedges, _ = ax.pie(vals, colors=[colors[i % len(colors)] for i in range(len(vals))],
                       startangle=start, counterclock=False, radius=1.0,
                       wedgeprops={"linewidth": 1, "edgecolor": "white"})
    outside = []
    for i, (w, share) in enumerate(zip(wedges, chart.shares)):
        ang = math.radians((w.theta1 + w.theta2) / 2)
        if share >= INSIDE:
            ax.text(0.62 * math.cos(ang), 0.62 * math.sin(ang), chart.share(share), ha="center",
                    va="center", fontproperties=fp(9), color="white")
        else:
            outside.append((math.sin(ang), ang, share))
    gap = 0.17
    ys = sorted(outside, key=lambda t: t[0])
    placed = []
    for y, ang, share in ys:
        y = max(y, placed[-1][0] + gap) if placed else y
        placed.append((y, ang, share))
    if placed:   # keep the column centred on the wedges it labels
        shift = (sum(p[0] for p in placed) - sum(t[0] for t in ys)) / len(placed)
        placed = [(y - shift, ang, share) for y, ang, share in placed]
    for y, ang, share in placed:
        ex, ey = math.cos(ang), math.sin(ang)
        ax.plot([ex, 1.08 * ex, -1.22], [ey, 1.08 * ey, y], color="#666666", linewidth=0.6)
        ax.text(-1.25, y, chart.share(share), ha="right", va="center", fontproperties=fp(8.5))
    ax.set_aspect("equal")
    ax.set_xlim(-1.85 if small else -1.3, 3.9)
    ax.set_ylim(-1.2, 1.2)
    ax.axis("off")
    legend = [f"{c} {chart.amount(v)}{chart.unit}（{chart.share(s)}）"
              for c, v, s in zip(chart.categories, chart.values, chart.shares)]
    ax.legend(wedges, legend, prop=fp(9), frameon=False, loc="center left",
              bbox_to_anchor=(0.5 if small else 0.46, 0.5))


def render_chart(chart: Chart, fmt: str = "png", title: bool = False, dpi: int | None = None) -> bytes:
    """The chart as PNG or SVG bytes (deterministic). ``title``: draw 图N：标题 above it."""
    import matplotlib

    fmt = fmt.lower()
    if fmt not in ("png", "svg"):
        raise UsageError(msg("chart.bad_format", fmt=fmt))
    rc = {"svg.fonttype": "path", "svg.hashsalt": "narrator", "axes.unicode_minus": False,
          "path.simplify": True}
    handler = _GlyphWarnings()
    log = logging.getLogger("matplotlib")
    log.addHandler(handler)
    try:
        with matplotlib.rc_context(rc), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig = _draw(chart, title)
            buf = io.BytesIO()
            if fmt == "png":
                fig.savefig(buf, format="png", dpi=dpi or int(_fmt_rules().get("分辨率", 200)),
                            metadata={"Software": None}, facecolor="white")
            else:
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None},
                            facecolor="white")
    finally:
        log.removeHandler(handler)
    glyphs = handler.messages + [str(w.message) for w in caught if "missing from" in str(w.message)
                                 or "Glyph" in str(w.message)]
    if glyphs:
        raise UsageError(msg("chart.missing_glyphs", chart=chart.caption(), detail=glyphs[0]))
    return buf.getvalue()


def chart_svg(chart: Chart, title: bool = False) -> str:
    """The chart as an SVG string (text as paths), for HTML."""
    svg = render_chart(chart, "svg", title=title).decode("utf-8")
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def chart_images(figures, draft=None, fmt: str = "png") -> dict[str, bytes]:
    """{key: image bytes} for the charts a draft places (or all charts)."""
    return {c.key: render_chart(c, fmt) for c in build_charts(figures, draft) if not c.empty}
