"""A `narrator check` of a text against a figures file reads its files with libyaml and never
draws, reads PDFs or workbooks: the libraries for those are imported only where they are used,
so that the everyday command starts fast (issue 15). Run in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"
HEAVY = ("ruamel", "matplotlib", "numpy", "openpyxl", "docx", "pdfplumber", "pypdfium2", "cn2an",
         "python_calamine", "selectolax", "charset_normalizer", "pydantic", "rich")

PROGRAM = """
import sys
sys.argv = ["narrator", "check", *sys.argv[1:]]
from narrator.cli.main import main
try:
    main()
except SystemExit as e:
    code = e.code
print(code, " ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def modules_of_a_check(*args: str) -> tuple[str, set[str]]:
    """The exit code of ``narrator check ARGS`` in a fresh interpreter and the top-level modules
    it imported."""
    out = subprocess.run([sys.executable, "-c", PROGRAM, *args], capture_output=True, text=True,
                         encoding="utf-8", timeout=300)
    code, modules = out.stdout.strip().splitlines()[-1].split(" ", 1)
    return code, set(modules.split())


def test_check_of_a_text_with_figures_imports_no_heavy_library():
    code, modules = modules_of_a_check(str(SAMPLE / "narrative.txt"), "--figures", str(SAMPLE / "figures.yaml"))
    assert code == "1"                                  # the sample's mistakes were found
    assert not set(HEAVY) & modules, sorted(set(HEAVY) & modules)


PDF = ROOT / "tests" / "fixtures" / "renshe-2024-disclosure.pdf"


def test_check_of_a_pdf_calls_pdfium_without_pypdfium2_pdfplumber_or_pdfminer():
    # sources/pdf_fast.py binds the library pypdfium2 ships; pdf_layout.py does pdfplumber's layout
    code, modules = modules_of_a_check(str(PDF))
    assert code == "1"                                  # read, and its known mistakes found
    heavy = {"pypdfium2", "pypdfium2_raw", "pdfplumber", "pdfminer", "pypdf"} & modules
    assert not heavy, sorted(heavy)
