"""Degrade, never abort: a disclosure from which some figures cannot be read is still checked.

The sample disclosure with the line naming its 单位 gone (title and part headings), its
收入支出决算总表 removed and the lower half of its 支出决算表 cut off: the prose is checked
against every table that was read, each thing not read is one D-warning, and the summary says
what was not checked. Only an unreadable file is exit 2.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from narrator.pipeline import check_file
from narrator.report.text import check_report

ROOT = Path(__file__).resolve().parents[2]
DISCLOSURE = ROOT / "samples" / "renshe-2024" / "disclosure.txt"


def _cut_table(text: str, title: str, keep_rows: int | None = None) -> str:
    """Remove the table titled ``title`` (its last occurrence: the body, not the contents), or
    keep its title, header and first ``keep_rows`` rows with a 科目编码."""
    start = text.rindex("\n" + title + "\n") + 1
    nxt = re.compile(r"^(?:[一二三四五六七八九十]、|第[一二三四五六七八九十]部分)", re.M).search(text, start + len(title) + 1)
    end = nxt.start()
    if keep_rows is None:
        return text[:start] + text[end:]
    lines = text[start:end].split("\n")
    out, rows = [], 0
    for ln in lines:
        if re.match(r"\d{3}", ln):
            rows += 1
            if rows > keep_rows:
                break
        out.append(ln)
    return text[:start] + "\n".join(out) + "\n\n" + text[end:]


def partial_text() -> str:
    text = DISCLOSURE.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[0] = ""                                                   # the title naming the 单位
    lines = [re.sub(r"^(第[一二三四五六]部分) ?区人社局 ?", r"\1 ", ln) for ln in lines]
    text = "\n".join(lines)
    text = _cut_table(text, "一、收入支出决算总表")
    return _cut_table(text, "三、支出决算表", keep_rows=12)


@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    path = tmp_path_factory.mktemp("partial") / "disclosure.txt"
    path.write_text(partial_text(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(partial):
    return check_file(partial, None, "auto")


def test_the_cut_really_removes_what_it_says(partial):
    text = partial.read_text(encoding="utf-8")
    assert not re.search(r"^(\d{4} 年度)?区人社局|^第.部分 ?区人社局", text, re.M)
    body = text[text.index("第二部分", text.index("第六部分")):]
    assert "\n一、收入支出决算总表\n" not in body and "\n二、收入决算表\n" in body
    spend = body[body.rindex("三、支出决算表"):body.rindex("四、财政拨款收入支出决算总表")]
    assert "2080704" not in spend and "2080101" in spend


def test_checked_against_the_tables_that_were_read(result):
    errors = {(f.code, f.found, f.expected) for f in result.findings if f.severity == "error" and f.code.startswith("N")}
    # 财政拨款收入支出决算总表, 一般公共预算财政拨款支出决算表, 收入决算表, the 自评表 and the year
    assert ("N101", "11301.2", "11308.61") in errors
    assert ("N102", "97. 51", "97.61") in errors
    assert ("N107", "467.69", "467.89") in errors
    assert ("N104", "2023", "2024") in errors
    # 收、支总计 14344.12 needs the removed 收入支出决算总表: not called wrong
    assert not any(f.found == "14344.12" and f.code.startswith("N") for f in result.findings)


def test_what_was_not_read_is_one_warning_each(result):
    d = [f for f in result.findings if f.code in ("D003", "D004")]
    assert all(f.severity == "warning" for f in d)
    assert [f.extra["unread"] for f in d if f.code == "D003"] == ["收入支出决算总表"]
    assert [f.extra["unread"] for f in d if f.code == "D004"] == ["单位"]
    assert all("\n" not in f.render() for f in d)


def test_the_tables_read_in_full_keep_their_real_finding(result):
    # 20801 项目支出 printed 2495.79, its items add to 2495.75
    assert any(f.code == "T102" and f.found == "2495.79" and f.expected == "2495.75" for f in result.findings)


def test_the_summary_says_what_was_not_checked(result):
    last = check_report(result, show_info=False).rstrip("\n").split("\n")[-1]
    assert "未核对" in last and "收入支出决算总表" in last and "单位" in last


def test_exit_code_is_that_of_the_findings_not_2(partial):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    run = subprocess.run([sys.executable, "-m", "narrator.cli", "check", str(partial), "--format", "json"],
                         env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert any(f["code"] == "D004" for f in report["findings"])
    ext = subprocess.run([sys.executable, "-m", "narrator.cli", "extract", str(partial), "--format", "json"],
                         env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert ext.returncode == 0, ext.stderr
    tree = json.loads(ext.stdout)
    assert "收入支出决算总表" not in tree and "单位" not in tree and "收入决算表" in tree


# --------------------------------------------------------------------------- a table cut short

def _of_table(f, key: str) -> bool:
    return f"：{key} " in f.message or f.message.startswith(f"{key} ")


def test_a_table_cut_short_is_one_warning_not_table_errors(result):
    # 支出决算表 keeps its 合计 row and its first rows: the 合计 exceeds them in every column by a
    # shortfall that is itself a consistent row — rows lost, not a wrong table
    assert not [f for f in result.findings if f.code.startswith("T") and _of_table(f, "支出决算表")]
    d5 = [f for f in result.findings if f.code == "D005"]
    assert [f.extra["unread"] for f in d5] == ["支出决算表"] and d5[0].severity == "warning"
    assert "缺了若干行" in d5[0].message
    last = check_report(result, show_info=False).rstrip("\n").split("\n")[-1]
    assert "支出决算表" in last


def test_a_wrong_total_in_a_whole_table_is_still_a_table_error(tmp_path):
    # one cell of the 合计 row changed: the row no longer adds up across, so it is the table's error
    text = DISCLOSURE.read_text(encoding="utf-8")
    row = "\t合计\t14, 344. 12\t1,699.45\t12,644.67"
    assert text.count(row) == 1
    path = tmp_path / "wrong.txt"
    path.write_text(text.replace(row, "\t合计\t14, 344. 12\t1,799.45\t12,644.67"), encoding="utf-8")
    res = check_file(path, None, "auto")
    assert any(f.code == "T101" and f.severity == "error" and _of_table(f, "支出决算表") and f.found == "1799.45"
               for f in res.findings)
    assert not any(f.code == "D005" for f in res.findings)


def test_a_missing_figure_is_named_in_the_tables_words_not_a_dotted_path():
    from narrator.core.yamlio import parse_yaml
    from narrator.sources.disclosure.gaps import missing_figures

    sample = Path(__file__).resolve().parents[2] / "samples/renshe-2024/figures.yaml"
    tree = parse_yaml(sample.read_text(encoding="utf-8"), str(sample), with_lines=False)
    del tree["收入支出决算总表"]["收入"]
    found = missing_figures(tree, "d.txt")
    assert found and all(f.code == "D004" for f in found)
    assert all("." not in f.message and "." not in f.extra["unread"] for f in found), [f.message for f in found]
    assert any(f.extra["unread"] == "收入支出决算总表 收入" for f in found), [f.extra["unread"] for f in found]
