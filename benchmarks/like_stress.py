"""`generate --like` on every corpus text with figures made from every text of the next year.

    python benchmarks/like_stress.py [--corpus ../shared/corpus] [-v]

A stress test of the like renderer on wording it was not built on: for each text of the corpus
(last year's text) and each text of the following year from any department, the figures are
made from the later text's claims (:func:`narrator.check.claims_figures.figures_from_claims`),
the draft is ``render_like(earlier, those figures)`` and the draft is checked against the same
figures. Printed: the pairs, the comparisons the drafts gained (【待核：新增比较】), the drafts
with a check error (each with its codes with -v) and the crashes. A crash is a failure (exit 1);
a check error usually comes from the later text's own figures (sums it gets wrong), so it is
reported, not failed on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from narrator.check.checker import check_text  # noqa: E402
from narrator.check.claims_figures import figures_from_claims  # noqa: E402
from narrator.core.errors import InputError  # noqa: E402
from narrator.render.like import render_like  # noqa: E402

GAINED = "【待核：新增比较】"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    docs = {}
    for f in sorted(args.corpus.glob("[0-9]*.txt")):
        text = f.read_text(encoding="utf-8")
        try:
            docs[f] = (text, figures_from_claims(text, f.name))
        except InputError:
            continue        # no report year: no figures
    pairs = gained = with_errors = crashes = 0
    for a, (text_a, fig_a) in docs.items():
        for b, (_, fig_b) in docs.items():
            if b == a or fig_b.year != fig_a.year + 1:
                continue
            pairs += 1
            try:
                draft, _ = render_like(text_a, fig_b, None, None, a.name)
            except Exception as e:      # a crash is what this run is for
                crashes += 1
                print(f"CRASH {a.name} ← {b.name}: {e!r}")
                continue
            gained += draft.text.count(GAINED)
            errors = [f for f in check_text(draft.text, "draft.txt", fig_b).findings if f.severity == "error"]
            if errors:
                with_errors += 1
                if args.verbose:
                    print(f"  {a.name} ← {b.name}: {len(errors)} error(s) {sorted({f.code for f in errors})}")
    print(f"{pairs} pairs; {gained} comparisons gained; {with_errors} drafts with a check error; {crashes} crashes")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
