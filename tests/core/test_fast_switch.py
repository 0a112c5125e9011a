"""NARRATOR_REFERENCE=1 turns every fast path off together, and nothing a user sees changes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLE

COMMANDS = [
    ["generate", str(SAMPLE / "figures.yaml")],
    ["generate", str(SAMPLE / "figures.yaml"), "--pack", "shanghai", "--format", "json"],
    ["check", str(SAMPLE / "narrative.txt"), "--figures", str(SAMPLE / "figures.yaml"), "--show-info"],
    ["check", str(SAMPLE / "disclosure.txt"), "--format", "json"],
    ["validate", str(SAMPLE / "figures.yaml"), "--show-info"],
]


def _run(args: list[str], reference: bool) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("NARRATOR_REFERENCE", None)
    if reference:
        env["NARRATOR_REFERENCE"] = "1"
    return subprocess.run([sys.executable, "-m", "narrator.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env)


def test_the_switch_is_read_from_the_environment():
    code = "from narrator.core import fast; print(fast.ENABLED)"
    for value, expected in (("1", "False"), ("", "True")):
        env = dict(os.environ, NARRATOR_REFERENCE=value)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert out.stdout.strip() == expected


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:1] + a[2:]))
def test_reference_paths_give_the_same_output(args):
    fast, ref = _run(args, False), _run(args, True)
    assert (ref.returncode, ref.stdout, ref.stderr) == (fast.returncode, fast.stdout, fast.stderr)
