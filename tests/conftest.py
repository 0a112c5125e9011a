import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "renshe-2024"
GOLDEN = Path(__file__).resolve().parent / "golden"

# the 13 headings of the standard pack, in order
STANDARD_HEADINGS = [
    "一、收入支出决算总体情况说明", "二、收入决算情况说明", "三、支出决算情况说明",
    "四、财政拨款收入支出决算总体情况说明", "五、一般公共预算财政拨款支出决算情况说明",
    "六、一般公共预算财政拨款基本支出决算情况说明", "七、政府性基金预算财政拨款收入支出决算情况说明",
    "八、国有资本经营预算财政拨款支出决算情况说明", "九、财政拨款“三公”经费支出决算情况说明",
    "十、机关运行经费支出说明", "十一、政府采购支出说明", "十二、国有资产占用情况说明", "十三、预算绩效情况说明",
]

# the tests' own cache folder (also for the narrator processes they start): a test run neither
# reads a user's ~/.cache/narrator nor fills it with the packs and templates its tests make up
if "NARRATOR_CACHE_DIR" not in os.environ:
    os.environ["NARRATOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="narrator-test-cache-")
    atexit.register(shutil.rmtree, os.environ["NARRATOR_CACHE_DIR"], True)

try:  # prefer the installed package; fall back to the checkout
    import narrator  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(ROOT / "src"))

from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def sample_figures():
    from narrator.figures.load import load_figures

    return load_figures(SAMPLE / "figures.yaml")


@pytest.fixture(scope="session")
def sample_narrative() -> str:
    return (SAMPLE / "narrative.txt").read_text(encoding="utf-8")


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("NARRATOR_UPDATE_GOLDEN") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if os.environ.get("NARRATOR_UPDATE_GOLDEN") != "1":
            pytest.fail(f"golden file {name} was missing and has been written; re-run")
    assert text == path.read_text(encoding="utf-8"), f"draft differs from tests/golden/{name} (NARRATOR_UPDATE_GOLDEN=1 to accept)"
