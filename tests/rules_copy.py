"""Run code in a fresh interpreter whose rules/ is an edited copy of the shipped one."""

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_with_rules(tmp_path: Path, edits: dict[str, list[tuple[str, str]]], code: str) -> dict:
    """Run ``code`` (which sets ``out``) in a fresh interpreter whose rules/ is a copy of the
    shipped one with ``edits`` (file -> [(old text, new text)]) applied; returns ``out``."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    for name, pairs in edits.items():
        f = rules / name
        text = f.read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, (name, old)
            text = text.replace(old, new)
        f.write_text(text, encoding="utf-8")
    prog = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        import narrator.core.resources as res
        _orig = res.resource_dir
        res.resource_dir = lambda name: Path({str(tmp_path)!r}) / name if name == "rules" else _orig(name)
        out = {{}}
    """) + textwrap.dedent(code) + "\nprint(json.dumps(out, ensure_ascii=False, default=str))\n"
    done = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
