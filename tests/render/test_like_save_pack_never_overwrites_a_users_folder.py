"""--save-pack DIR: a new, empty or narrator-written folder only; never a user's files; never half a pack."""

import os

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SAMPLE
from narrator.cli.main import app
from narrator.core.errors import UsageError
from narrator.render import like_pack
from narrator.render.engine import render
from narrator.render.like import render_like
from narrator.render.like_pack import MARKER_FILE

LIKE = ROOT / "tests" / "fixtures" / "like"
FIGURES = str(SAMPLE / "figures.yaml")
SHORT = ("第三部分 区人社局2023年度部门决算情况说明\n一、收入支出决算总体情况说明\n"
         "2023年度区人社局收、支总计均为15576.27万元。\n")


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _generate(tmp_path, pack, *extra):
    out = tmp_path / "draft.txt"
    res = CliRunner().invoke(app, ["generate", FIGURES, "--like", str(LIKE / "last-year.txt"),
                                   "--save-pack", str(pack), "-o", str(out), *extra])
    return res, out


def test_a_new_or_empty_folder_gets_the_pack_with_its_marker(tmp_path, sample_figures):
    for pack in (tmp_path / "new" / "pack", tmp_path / "empty"):
        if pack.name == "empty":
            pack.mkdir()
        res, out = _generate(tmp_path, pack)
        assert res.exit_code == 0, res.output
        assert (pack / MARKER_FILE).is_file() and (pack / "pack.yaml").is_file()
        assert render(sample_figures, str(pack)).text.strip() == out.read_text(encoding="utf-8").strip()
    assert not [p for p in tmp_path.rglob(".*") if p.name != MARKER_FILE]      # no temporary folder left


@pytest.mark.parametrize("kind", ["user-files", "a-file", "edited", "added"])
def test_a_folder_holding_a_users_files_is_refused_and_left_alone(tmp_path, kind):
    pack = tmp_path / "pack"
    if kind == "a-file":
        pack.write_text("mine", encoding="utf-8")
    elif kind == "user-files":
        pack.mkdir()
        (pack / "notes.txt").write_text("mine", encoding="utf-8")
    else:
        assert _generate(tmp_path, pack)[0].exit_code == 0
        if kind == "edited":
            j2 = next(pack.glob("*.j2"))
            j2.write_text(j2.read_text(encoding="utf-8") + "本部门自己加的一句。\n", encoding="utf-8")
        else:
            (pack / "README.txt").write_text("mine", encoding="utf-8")
    before = pack.read_bytes() if pack.is_file() else _snapshot(pack)
    (tmp_path / "draft.txt").unlink(missing_ok=True)
    res, out = _generate(tmp_path, pack)
    assert res.exit_code == 2
    assert len(res.output.strip().splitlines()) == 1 and "--save-pack" in res.output
    assert (pack.read_bytes() if pack.is_file() else _snapshot(pack)) == before
    assert not out.exists()


def test_a_pack_narrator_wrote_is_replaced_whole(tmp_path, sample_figures):
    pack = tmp_path / "pack"
    assert _generate(tmp_path, pack)[0].exit_code == 0
    assert len(list(pack.glob("*.j2"))) == 13
    draft, _ = render_like(SHORT, sample_figures, save_pack=pack)
    assert sorted(p.name for p in pack.iterdir()) == [MARKER_FILE, "01.j2", "pack.yaml"]   # no stale section
    assert render(sample_figures, str(pack)).text == draft.text


def test_a_failure_while_moving_the_pack_in_leaves_the_old_pack(tmp_path, sample_figures, monkeypatch):
    pack = tmp_path / "pack"
    render_like(SHORT, sample_figures, save_pack=pack)
    before = _snapshot(pack)
    real = os.rename
    calls = []

    def failing(a, b):
        calls.append((a, b))
        if len(calls) == 2:             # the new pack into place
            raise OSError("disk full")
        return real(a, b)

    monkeypatch.setattr(like_pack.os, "rename", failing)
    with pytest.raises(OSError):
        render_like(SHORT.replace("收、支总计", "收支总计"), sample_figures, save_pack=pack)
    assert _snapshot(pack) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack"]


def test_bad_last_year_text_writes_no_pack(tmp_path, sample_figures):
    pack = tmp_path / "pack"
    bad = tmp_path / "bad.txt"
    bad.write_text("本部门没有数字可说。\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["generate", FIGURES, "--like", str(bad), "--save-pack", str(pack),
                                   "-o", str(tmp_path / "d.txt")])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert not pack.exists() and not (tmp_path / "d.txt").exists()
    with pytest.raises(UsageError):
        like_pack.check_pack_folder(bad)
