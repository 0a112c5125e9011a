"""Accuracy of `narrator check` (no figures) on real published text, against hand labels.

    python benchmarks/accuracy.py [--corpus ../shared/corpus] [--verbose]

For every labelled document (benchmarks/accuracy/labels/NN.yaml) it runs the checker on the
corpus file and prints, per rule and in total:
- recall: labelled mistakes that an error finding points at (the number itself, a number of
  the same broken relation listed in ``also``, the direction word right before the number or
  the unit right after it); and, apart, those reported only as a warning (a rate truncated
  instead of rounded is N106, a warning);
- precision: error findings that point at a labelled mistake (findings on numbers labelled
  "uncertain" count neither way);
- coverage: the share of money and percentage numbers that are verified (confirmed or
  error) rather than unverifiable.
The labels are hand arithmetic written from the text alone (see accuracy/README.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from narrator.check import check_text  # noqa: E402

MONEY_UNITS = {"元", "千元", "万元", "亿元"}


def _spans(label: dict) -> list[tuple[int, int]]:
    start = label["start"]
    out = [(start, start + len(str(label["text"])))]
    for a in label.get("also") or []:
        out.append((a, a + 1))
    return out


def _hits(f, spans: list[tuple[int, int]]) -> bool:
    for a, b in spans:
        if f.start < b and a < f.end:
            return True                    # on the number
        if f.end <= a and a - f.end <= 8:
            return True                    # the direction word or the year right before it
        if f.start >= b and f.start - b <= 2:
            return True                    # its unit
    return False


def _counted(c) -> bool:
    return c.mention.kind == "percent" or (c.mention.kind == "amount" and c.mention.unit in MONEY_UNITS) \
        or (c.mention.kind == "bare" and c.mention.places > 0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--labels", type=Path, default=HERE / "accuracy" / "labels")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every missed mistake and false alarm")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"accuracy: corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    files = {p.name[:2]: p for p in args.corpus.glob("[0-9][0-9]_*.txt")}
    n_mistakes = n_found = n_errors = n_true = n_uncertain_hits = 0
    n_numbers = n_verified = 0
    by_rule_true: Counter = Counter()
    by_rule_all: Counter = Counter()
    by_kind_total: Counter = Counter()
    by_kind_found: Counter = Counter()
    misses, alarms, warned = [], [], []
    n_warned = 0
    rows = []
    for label_file in sorted(args.labels.glob("*.yaml")):
        labels = yaml.safe_load(label_file.read_text(encoding="utf-8"))
        path = files.get(label_file.stem)
        if path is None:
            continue
        text = path.read_text(encoding="utf-8")
        result = check_text(text, path.name)
        errors = [f for f in result.findings if f.severity == "error" and f.start is not None]
        warnings = [f for f in result.findings if f.severity == "warning" and f.start is not None]
        mistakes = labels.get("mistakes") or []
        uncertain = labels.get("uncertain") or []
        found = 0
        for m in mistakes:
            kind = m.get("kind", "?")
            by_kind_total[kind] += 1
            if any(_hits(f, _spans(m)) for f in errors):
                found += 1
                by_kind_found[kind] += 1
            elif any(_hits(f, _spans(m)) for f in warnings):
                n_warned += 1
                warned.append((path.name, m))
            else:
                misses.append((path.name, m))
        true = unc = 0
        for f in errors:
            by_rule_all[f.code] += 1
            if any(_hits(f, _spans(m)) for m in mistakes):
                true += 1
                by_rule_true[f.code] += 1
            elif any(_hits(f, [(u["start"], u["start"] + len(str(u["text"])))]) for u in uncertain):
                unc += 1
                by_rule_all[f.code] -= 1
            else:
                alarms.append((path.name, f, text))
        numbers = [c for c in result.claims if _counted(c)]
        verified = sum(c.status in ("confirmed", "mismatch") for c in numbers)
        rows.append((path.name[:34], len(mistakes), found, len(errors) - unc, true, len(numbers), verified))
        n_mistakes += len(mistakes)
        n_found += found
        n_errors += len(errors) - unc
        n_true += true
        n_uncertain_hits += unc
        n_numbers += len(numbers)
        n_verified += verified

    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:5.1f}%" if b else "    –"

    print(f"{'document':34} {'mistakes':>8} {'found':>5} {'errors':>6} {'true':>4} {'numbers':>7} {'verified':>8}")
    for r in rows:
        print(f"{r[0]:34} {r[1]:8} {r[2]:5} {r[3]:6} {r[4]:4} {r[5]:7} {r[6]:8}")
    print()
    print("recall by kind of mistake:")
    for kind in sorted(by_kind_total):
        print(f"  {kind:12} {by_kind_found[kind]:3}/{by_kind_total[kind]:<3} {pct(by_kind_found[kind], by_kind_total[kind])}")
    print("precision by rule:")
    for code in sorted(by_rule_all):
        print(f"  {code:12} {by_rule_true[code]:3}/{by_rule_all[code]:<3} {pct(by_rule_true[code], by_rule_all[code])}")
    print()
    print(f"recall    {n_found}/{n_mistakes} = {pct(n_found, n_mistakes)} as errors; "
          f"{n_found + n_warned}/{n_mistakes} = {pct(n_found + n_warned, n_mistakes)} reported (errors and warnings)")
    print(f"precision {n_true}/{n_errors} = {pct(n_true, n_errors)}"
          + (f"  ({n_uncertain_hits} findings on uncertain labels not counted)" if n_uncertain_hits else ""))
    print(f"coverage  {n_verified}/{n_numbers} = {pct(n_verified, n_numbers)} of money and percentage numbers verified")
    if args.verbose:
        print("\nreported as a warning only:")
        for name, m in warned:
            print(f"  {name[:2]} @{m['start']} {m['text']} ({m.get('kind')}): {m.get('why', '')[:110]}")
        print("missed:")
        for name, m in misses:
            print(f"  {name[:2]} @{m['start']} {m['text']} ({m.get('kind')}): {m.get('why', '')[:110]}")
        print("false alarms:")
        for name, f, text in alarms:
            ctx = text[max(0, f.start - 50):f.end + 10].replace("\n", " ")
            print(f"  {name[:2]} @{f.start} {f.code} {f.found}→{f.expected}: …{ctx}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
