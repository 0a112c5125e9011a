"""The standard charts (图1—图4): numbers from the figures, Chinese labels, no tofu."""

import copy
import io
import logging
import warnings
from decimal import Decimal

import pytest

from conftest import SAMPLE
from narrator.report import charts as C
from narrator.core.errors import UsageError
from narrator.figures.model import figures_from_tree
from narrator.render.engine import render
from narrator.core.yamlio import parse_yaml

KEYS = ["收支总计变动", "收入决算结构", "支出决算结构", "财政拨款收支总计变动"]


@pytest.fixture(scope="module")
def sample_charts(sample_figures):
    return {c.key: c for c in C.build_charts(sample_figures)}


def _figures_without(*paths):
    tree = parse_yaml((SAMPLE / "figures.yaml").read_text(encoding="utf-8"), "figures.yaml", with_lines=False)
    tree = copy.deepcopy(dict(tree))
    for path in paths:
        node = tree
        *head, last = path.split(".")
        for k in head:
            node = node[k]
        del node[last]
    return figures_from_tree(tree, "figures-variant.yaml")


def _cmap(path):
    from fontTools.ttLib import TTFont

    return set(TTFont(str(path), fontNumber=0, lazy=True).getBestCmap())


def test_four_charts_in_template_order(sample_figures):
    draft = render(sample_figures, "standard")
    built = C.build_charts(sample_figures, draft)
    assert [c.key for c in built] == KEYS
    assert [c.number for c in built] == [1, 2, 3, 4]
    assert [c.caption() for c in built] == [f"图{c['number']}：{c['caption']}" for c in draft.charts]
    assert all(not c.empty for c in built)


@pytest.mark.parametrize("key", KEYS)
def test_png_and_svg_render(sample_charts, key):
    from PIL import Image

    chart = sample_charts[key]
    png = C.render_chart(chart, "png")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    img = Image.open(io.BytesIO(png))
    assert img.size[0] > 1000 and img.size[1] > 500
    # not a blank canvas: many colours drawn
    assert len(img.convert("RGB").getcolors(1 << 20)) > 20
    svg = C.render_chart(chart, "svg")
    assert svg.startswith(b"<?xml") and b"<svg" in svg and len(svg) > 5_000
    assert b"<text" not in svg            # text drawn as paths: same look without the font
    assert b"<dc:date>" not in svg
    # deterministic
    assert C.render_chart(chart, "png") == png
    assert C.render_chart(chart, "svg") == svg
    assert C.chart_svg(chart).startswith("<svg")


def test_labels_carry_names_values_and_shares(sample_charts):
    income = sample_charts["收入决算结构"]
    assert income.kind == "结构"
    assert income.categories == ["财政拨款收入", "其他收入"]      # zero / absent parts are not drawn
    text = "\n".join(income.labels())
    for s in ("财政拨款收入", "11301.20万元", "78.79%", "其他收入", "3042.92万元", "21.21%"):
        assert s in text
    spend = "\n".join(sample_charts["支出决算结构"].labels())
    for s in ("基本支出", "1699.45", "11.85%", "项目支出", "12644.67", "88.15%"):
        assert s in spend
    assert sum(sample_charts["支出决算结构"].shares) == Decimal(100)
    total = "\n".join(sample_charts["收支总计变动"].labels())
    for s in ("2023年度", "2024年度", "14344.12", "15568.86", "金额（万元）"):
        assert s in total
    assert "11301.20" in "\n".join(sample_charts["财政拨款收支总计变动"].labels())


@pytest.mark.parametrize("key", KEYS)
def test_no_glyph_falls_back_to_a_box(sample_charts, key, caplog):
    chart = sample_charts[key]
    font = C.font_path("".join(chart.labels()))
    assert font == C.FONT_FILE                # the shipped font covers every label
    cmap = _cmap(font)
    for label in chart.labels(title=True):
        lacking = [ch for ch in label if not ch.isspace() and ord(ch) not in cmap]
        assert not lacking, f"{label!r}: no glyph for {lacking}"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(chart.labels()))
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        C.render_chart(chart, "png", title=True)
        C.render_chart(chart, "svg", title=True)
    glyph = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    glyph += [r.getMessage() for r in caplog.records if "missing" in r.getMessage().lower()]
    assert not glyph


def test_missing_glyph_detection_works():
    """The check above would see tofu: a Latin-only font lacks the Chinese glyphs, matplotlib says so."""
    from matplotlib.figure import Figure
    from matplotlib import font_manager

    dejavu = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=True)
    assert C.missing_glyphs("财政拨款收入", dejavu) == set("财政拨款收入")
    assert C.missing_glyphs("财政拨款收入 78.79%", C.FONT_FILE) == set()
    fig = Figure()
    fig.text(0.1, 0.5, "财政拨款收入", fontproperties=font_manager.FontProperties(fname=dejavu))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    assert any("missing from" in str(w.message) for w in caught)


def test_unrenderable_label_is_a_usage_error(sample_charts):
    chart = copy.deepcopy(sample_charts["收入决算结构"])
    chart.title = "图\U000F0001"          # private use: no font has it
    with pytest.raises(UsageError, match="\U000F0001.*字形"):
        C.render_chart(chart, "png", title=True)


def test_missing_prior_total_uses_stated_fallback(sample_charts):
    chart = sample_charts["收支总计变动"]
    # the sample gives no 2023 总计: the chart compares 收入合计/支出合计 instead, and says so
    assert chart.categories == ["收入合计", "支出合计"]
    assert chart.series == [("2023年度", [Decimal("15568.86")] * 2), ("2024年度", [Decimal("14344.12")] * 2)]
    assert chart.notes and "2023年度收、支总计缺数" in chart.notes[0]
    assert "上年.收入支出决算总表.收入.总计" in chart.missing


def test_no_prior_year_is_never_invented():
    fig = _figures_without("上年")
    chart = C.build_chart("收支总计变动", fig)
    assert chart.categories == ["收入总计", "支出总计"]
    assert chart.series == [("2024年度", [Decimal("14351.53"), Decimal("14351.53")])]   # this year only
    assert chart.notes == ["注：2023年度数缺数，图中只列示2024年度数。"]
    assert chart.value_labels() == ["14351.53", "14351.53"]
    assert C.render_chart(chart, "png").startswith(b"\x89PNG")
    fin = C.build_chart("财政拨款收支总计变动", fig)
    assert len(fin.series) == 1 and fin.series[0][0] == "2024年度"
    assert "2023" not in "".join(fin.value_labels())


def test_chart_without_this_year_is_empty():
    fig = _figures_without("支出决算表")
    chart = C.build_chart("支出决算结构", fig)
    assert chart.empty
    assert C.render_chart(chart, "png").startswith(b"\x89PNG")   # drawn as a "缺数" panel, no numbers


def test_unknown_chart_key(sample_figures):
    with pytest.raises(UsageError):
        C.build_chart("没有这张图", sample_figures)


def test_font_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv(C.FONT_ENV, str(tmp_path / "nope.ttf"))
    with pytest.raises(UsageError, match="nope.ttf：没有这个字体文件"):
        C.font_candidates()
    monkeypatch.setenv(C.FONT_ENV, str(C.FONT_FILE))
    assert C.font_candidates()[0] == str(C.FONT_FILE)


def test_the_shape_of_a_chart_is_what_charts_yaml_says_its_图形_is(sample_figures, monkeypatch):
    from narrator.core.errors import InputError

    rules = copy.deepcopy(C.chart_rules())
    spec = rules["图表"]["收支总计变动"]
    spec["图形"] = "柱状"
    monkeypatch.setattr(C, "chart_rules", lambda: rules)
    with pytest.raises(InputError, match="柱状"):
        C.build_chart("收支总计变动", sample_figures)
    rules["图形"]["柱状"] = "bars"
    chart = C.build_chart("收支总计变动", sample_figures)
    assert chart.shape == "bars" and len(chart.series) == 2 and not chart.values
    rules["图表"]["收入决算结构"]["图形"] = "饼"
    rules["图形"]["饼"] = "pie"
    chart = C.build_chart("收入决算结构", sample_figures)
    assert chart.shape == "pie" and len(chart.values) == len(chart.categories) > 0 and not chart.series
