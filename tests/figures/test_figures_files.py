"""Figures files: exact decimals, encodings, and one-line errors for bad input."""

import subprocess
import sys
from decimal import Decimal

import pytest

from conftest import ROOT, SAMPLE
from narrator.core.errors import InputError
from narrator.figures.load import load_figures

MINIMAL = """单位: 测试局
年度: 2024
收入支出决算总表:
  收入:
    一般公共预算财政拨款收入: 100.10
    本年收入合计: 100.10
  支出:
    一般公共服务支出: 100.10
    本年支出合计: 100.10
"""


def run_generate(path, *extra):
    return subprocess.run([sys.executable, "-m", "narrator.cli", "generate", str(path), *extra],
                          capture_output=True, text=True, cwd=ROOT)


def test_sample_loads_with_exact_decimals(sample_figures):
    income = sample_figures.data["收入支出决算总表"]["收入"]
    assert income["一般公共预算财政拨款收入"] == Decimal("11121.20")
    assert type(income["本年收入合计"]) is Decimal
    assert str(income["一般公共预算财政拨款收入"]) == "11121.20"  # not via float
    rows = {r["科目编码"]: r for r in sample_figures.data["一般公共预算财政拨款支出决算表"]["科目"]}
    assert rows["20801"]["项目支出"] == Decimal("2495.79")
    assert sample_figures.line_of(("一般公共预算财政拨款支出决算表", "科目", "20801")) > 1


def test_json_is_accepted(tmp_path):
    p = tmp_path / "f.json"
    p.write_text('{"单位": "测试局", "年度": 2024, "收入支出决算总表": {"收入": {"本年收入合计": 0.1},'
                 ' "支出": {"本年支出合计": 0.1}}}', encoding="utf-8")
    fig = load_figures(p)
    assert fig.data["收入支出决算总表"]["收入"]["本年收入合计"] == Decimal("0.1")


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-16"])
def test_chinese_encodings_and_bom_are_read(tmp_path, encoding):
    p = tmp_path / f"f-{encoding}.yaml"
    p.write_bytes(MINIMAL.replace("\n", "\r\n").encode(encoding))
    fig = load_figures(p)
    assert fig.data["单位"] == "测试局"
    assert fig.data["收入支出决算总表"]["支出"]["一般公共服务支出"] == Decimal("100.10")


def test_sample_in_gb18030_generates_the_same_draft(tmp_path):
    p = tmp_path / "gbk.yaml"
    p.write_bytes((SAMPLE / "figures.yaml").read_text(encoding="utf-8").encode("gb18030"))
    a = run_generate(p)
    b = run_generate(SAMPLE / "figures.yaml")
    assert a.returncode == 0 and a.stdout == b.stdout


BAD = {
    "wrong-type": (MINIMAL.replace("本年收入合计: 100.10", "本年收入合计: 一百"), 6,
                   "收入支出决算总表 收入 本年收入合计 应为数字"),
    "unknown-key": (MINIMAL.replace("本年收入合计: 100.10", "本年收入和计: 100.10"), 6,
                    "是否应为“本年收入合计”"),
    "broken-yaml": (MINIMAL.replace("  收入:\n", "  收入: [\n"), None, "YAML 格式有误"),
    "missing-required": (MINIMAL.replace("    本年支出合计: 100.10\n", ""), None,
                         "缺少必填数据“收入支出决算总表 支出 本年支出合计”"),
    "malformed-code": (MINIMAL + "支出决算表:\n  科目:\n    - {科目编码: 2080A, 科目名称: 行政运行, 本年支出合计: 1}\n",
                       12, "编码“2080A”有误"),
    "bad-code-length": (MINIMAL + "支出决算表:\n  科目:\n    - {科目编码: \"2080\", 科目名称: 行政运行, 本年支出合计: 1}\n",
                        12, "应为 3/5/7 位"),
    "duplicate-key": (MINIMAL + "单位: 又一个\n", None, "名称重复"),
    "not-a-mapping": ("- 1\n- 2\n", None, "顶层应为以规范名称为键的映射"),
    "unknown-class-name": (MINIMAL.replace("一般公共服务支出: 100.10", "一般公共服物支出: 100.10"), 8,
                           "是否应为“一般公共服务支出”"),
    "bad-unit": (MINIMAL + "金额单位: 千元\n", 10, "金额单位 应为 元、万元、亿元 之一"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_figures_give_one_line_error_exit_2(tmp_path, case):
    text, line, message = BAD[case]
    p = tmp_path / f"{case}.yaml"
    p.write_text(text, encoding="utf-8")
    out = tmp_path / "out.txt"
    r = run_generate(p, "-o", str(out))
    assert r.returncode == 2, r.stdout + r.stderr
    err = r.stderr.strip()
    assert "\n" not in err, err
    assert str(p) in err and message in err, err
    if line is not None:
        assert f"{p}:{line}:" in err, err
    assert not out.exists()


def test_undecodable_bytes(tmp_path):
    p = tmp_path / "binary.yaml"
    p.write_bytes(bytes(range(256)) * 4)
    r = run_generate(p)
    assert r.returncode == 2 and "无法解码" in r.stderr and str(p) in r.stderr
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize("content", [b"", b"   \n\n"])
def test_empty_file(tmp_path, content):
    p = tmp_path / "empty.yaml"
    p.write_bytes(content)
    r = run_generate(p)
    assert r.returncode == 2 and f"{p}: 文件是空的" in r.stderr


def test_missing_file_and_unknown_pack(tmp_path):
    r = run_generate(tmp_path / "nope.yaml")
    assert r.returncode == 2 and "没有此文件" in r.stderr
    r = run_generate(SAMPLE / "figures.yaml", "--pack", "nosuchpack")
    assert r.returncode == 2 and "没有模板 'nosuchpack'" in r.stderr


def test_output_is_written_atomically_and_input_untouched(tmp_path):
    src = SAMPLE / "figures.yaml"
    before = src.read_bytes()
    out = tmp_path / "sub" / "draft.txt"
    r = run_generate(src, "-o", str(out))
    assert r.returncode == 0 and out.read_text(encoding="utf-8").startswith("第三部分")
    assert src.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == ["draft.txt"]  # no temp files left


def test_fast_yaml_path_reads_numbers_as_yaml_1_2(tmp_path):
    """The libyaml fast path and the line-numbered path agree: 010 is ten, not octal."""
    from narrator.core.yamlio import parse_yaml, parse_yaml_fast

    text = "a: 010\nb: 1:30\nc: 3.50\nd: yes\nf: 1e3\ng: .5\nh: -2\n"
    fast = parse_yaml_fast(text)
    slow = dict(parse_yaml(text, "t"))
    assert fast == slow
    assert fast["a"] == 10 and fast["c"] == Decimal("3.50") and fast["d"] == "yes"


def test_outputs_are_ordinary_files(tmp_path):
    import os
    import stat

    out = tmp_path / "draft.txt"
    r = run_generate(SAMPLE / "figures.yaml", "-o", str(out))
    assert r.returncode == 0
    mode = stat.S_IMODE(os.stat(out).st_mode)
    assert mode & 0o044  # readable by others as the umask allows, not mkstemp's 0600
