"""PDF reading: text extraction per page with each engine, in-process, and a whole-process
``narrator check`` of a disclosure PDF; CPU time (user+sys), median of N runs.

    python benchmarks/bench_pdf.py [N] [--before PYTHONPATH] [PDF ...]

Default PDFs: tests/fixtures/renshe-2024-disclosure.pdf (the sample disclosure, 27 pages, see
make_sample_pdf.py) and, when ../shared is there, the Shanghai template (23 pages) and a Jiangsu
budget disclosure (26 pages). Engines: "pdfium" (sources/pdf_fast.py, the default) and "pdfplumber"
(the reference, ``documents._pdf_pages``). With ``--before``, the whole-process check is also run
with another checkout on PYTHONPATH, interleaved with this one. PYTHONDONTWRITEBYTECODE is dropped
from the children's environment: a user's installation has its .pyc files.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT = [ROOT / "tests" / "fixtures" / "renshe-2024-disclosure.pdf",
           SHARED / "reference" / "shanghai-2024-template.pdf",
           SHARED / "corpus" / "budget" / "B5_jiangsu-sheng-gaoji-renmin-fayuan_yusuan_2019.pdf"]


def per_page(path: Path, n: int) -> dict[str, float]:
    """CPU seconds per page of each engine (median of n whole-file readings ÷ pages)."""
    sys.path.insert(0, str(ROOT / "src"))
    from narrator.sources import documents

    data = path.read_bytes()
    engines = {"pdfium": lambda: documents._pdf_pages_fast(data, str(path)),
               "pdfplumber": lambda: documents._pdf_pages(data, str(path))}
    pages = len(engines["pdfium"]())
    out = {}
    for name, fn in engines.items():
        ts = []
        for _ in range(n):
            t = time.process_time()
            fn()
            ts.append(time.process_time() - t)
        out[name] = statistics.median(ts) / pages
    out["pages"] = pages
    return out


def pdfium_floor(path: Path, n: int) -> float:
    """CPU seconds per page that pdfium itself spends loading the pages and their text pages (the
    part of the fast reading no Python change reaches), median of n."""
    sys.path.insert(0, str(ROOT / "src"))
    from narrator.sources import pdf_fast

    lib = pdf_fast._library()
    data = path.read_bytes()
    ts = []
    for _ in range(n):
        doc = lib.FPDF_LoadMemDocument64(data, len(data), None)
        pages = lib.FPDF_GetPageCount(doc)
        t = time.process_time()
        for i in range(pages):
            page = lib.FPDF_LoadPage(doc, i)
            lib.FPDFText_ClosePage(lib.FPDFText_LoadPage(page))
            lib.FPDF_ClosePage(page)
        ts.append(time.process_time() - t)
        lib.FPDF_CloseDocument(doc)
    return statistics.median(ts) / pages


def whole_process(path: Path, n: int, envs: dict[str, dict]) -> dict[str, tuple[float, float]]:
    """(median CPU, median wall) of ``python -m narrator.cli check PDF`` per environment."""
    cmd = [sys.executable, "-m", "narrator.cli", "check", str(path)]
    for env in envs.values():
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True)          # warm: .pyc files
    cpu = {e: [] for e in envs}
    wall = {e: [] for e in envs}
    for _ in range(n):
        for e, env in envs.items():
            u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True)
            wall[e].append(time.perf_counter() - t)
            u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[e].append(u1.ru_utime - u0.ru_utime + u1.ru_stime - u0.ru_stime)
            assert r.returncode in (0, 1), r.stderr[-400:]
    return {e: (statistics.median(cpu[e]), statistics.median(wall[e])) for e in envs}


def main() -> None:
    args = sys.argv[1:]
    n = int(args.pop(0)) if args and args[0].isdigit() else 5
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    envs = {"after": dict(base, PYTHONPATH=str(ROOT / "src"))}
    if "--before" in args:
        i = args.index("--before")
        envs = {"before": dict(base, PYTHONPATH=args[i + 1]), **envs}
        del args[i:i + 2]
    pdfs = [Path(a) for a in args] or [p for p in DEFAULT if p.exists()]
    print("load average", " ".join(f"{x:.1f}" for x in os.getloadavg()), "cores", os.cpu_count())
    for pdf in pdfs:
        pp = per_page(pdf, n)
        print(f"{pdf.name}: {pp['pages']} pages; text per page (CPU, median of {n}): "
              f"pdfium {pp['pdfium'] * 1000:.1f} ms, pdfplumber {pp['pdfplumber'] * 1000:.1f} ms "
              f"({pp['pdfplumber'] / pp['pdfium']:.1f}×); of pdfium's, loading pages and text pages "
              f"{pdfium_floor(pdf, n) * 1000:.1f} ms")
        for e, (c, w) in whole_process(pdf, n, envs).items():
            print(f"    check, whole process, {e:6}: CPU {c:.3f} s, wall {w:.3f} s (median of {n})")
    print("load average", " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
