"""Bad last-year input to `generate --like`: one line naming the file, exit 2, nothing written."""

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE
from narrator.cli.main import app

FIGURES = str(SAMPLE / "figures.yaml")
NARRATIVE = str(SAMPLE / "narrative.txt")


def _bad(tmp_path, kind):
    p = tmp_path / f"{kind}.txt"
    if kind == "missing":
        return p
    if kind == "folder":
        p.mkdir()
    elif kind == "undecodable":
        p.write_bytes(b"\xff\xfe\x00\xd8\x00\x01garbage")
    elif kind == "empty":
        p.write_bytes(b"")
    elif kind == "blank":
        p.write_text("  \n\n\u3000\n", encoding="utf-8")
    elif kind == "no-numbers":
        p.write_text("一、收入支出决算总体情况说明\n本部门没有数字可说。\n", encoding="utf-8")
    elif kind == "only-counts":
        p.write_text("2023年度部门决算情况说明\n本部门共有3个科室，25人。\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("kind", ["missing", "folder", "undecodable", "empty", "blank", "no-numbers", "only-counts"])
@pytest.mark.parametrize("as_option", ["--like", "--like-figures"])
def test_bad_last_year_input(tmp_path, kind, as_option):
    bad = _bad(tmp_path, kind)
    if as_option == "--like-figures" and kind in ("no-numbers", "only-counts"):
        pytest.skip("figures files are validated by the figures loader (tests/figures)")
    out, pack = tmp_path / "out" / "draft.txt", tmp_path / "pack"
    args = ["generate", FIGURES, "-o", str(out), "--save-pack", str(pack)]
    args += ["--like", str(bad)] if as_option == "--like" else ["--like", NARRATIVE, "--like-figures", str(bad)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("narrator: 错误：") and bad.name in lines[0], res.output
    assert not out.exists() and not out.parent.exists() and not pack.exists()
