"""`generate --like` on real pairs: last year's published text, this year's figures from this year's text.

    python benchmarks/like_corpus.py [--corpus ../shared/corpus] [-v]

For each pair of the same department in two years (the corpus README: 03→30 台湾工作部
2015→2017, 04→29 人大常委会 2015→2016):
1. the later year's figures are made from the later text's claims
   (:func:`narrator.check.claims_figures.figures_from_claims`: each number whose words name a
   figure, at that figure; last year's amounts from the stated changes and rates);
2. the draft is ``render_like(EARLIER, those figures)``;
3. the sentences of the draft are aligned with the later text's (numbers masked, in order,
   similarity ≥ 0.5), and the numbers of two aligned sentences by the words before each;
4. each money amount and percentage of the later text is: reproduced (the draft prints the
   same amount, in any money unit, at its place), marked (a 【待核：原文数字 …】 there),
   wrong (another number there, unmarked: a failure), or absent (the earlier text has no
   sentence or no number at that place: its wording cannot give it).
   Two aligned sentences' numbers left over on both sides that are the same amount are
   matched too (the same place, worded a little differently); so is a number of a sentence
   aligned with none and the same amount (or its rounding) after like words (similarity ≥
   0.5) in the draft's unaligned sentences between the same two aligned neighbours (the
   sentences were split differently), or, not 0, the only number of the same amount there.
5. the standard sections the draft added (【待核：新增段落】, render/like_sections.py): each of
   their numbers that is a later-text number not given at an aligned place, after like words
   (the 6 characters before each, similarity ≥ 0.5), counts once as given by a new paragraph
   ("new ¶"); their numbers that equal no number of the later text are "new other" (they come
   from the figures made from the later text, e.g. a change the later text did not print).
Printed per document: reproduced / rounded / marked / wrong / absent, the share reproduced of
the numbers at places the earlier wording has (reproduced + rounded + marked + wrong), and of
all numbers; new ¶, and the share of all numbers reproduced or given by new paragraphs; the
draft's unmarked numbers in sentences aligned with none (and not in a new paragraph) that equal
(or round to) no number of the later text (unsupported); and the errors of `narrator check` of
the draft against the figures. Wrong, unsupported and check errors are failures (exit 1).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from narrator.check.checker import check_text  # noqa: E402
from narrator.check.claims import MONEY_FACTOR, simplified  # noqa: E402
from narrator.check.claims_figures import figures_from_claims, read_text  # noqa: E402
from narrator.check.extract import extract  # noqa: E402
from narrator.render.engine import render  # noqa: E402
from narrator.render.like import render_like  # noqa: E402
from narrator.render.like_sections import covered_places, standard_place  # noqa: E402
from narrator.render.like_template import words  # noqa: E402

PAIRS = (("03", "30"), ("04", "29"))
STANDARD_KEYS = [e["键"] for e in words()["新增段落"]["段落"]]      # the standard order (rules/like.yaml)
CODE = re.compile(r"(?<!\d)[23]\d{6}(?!\d)")                       # a 项级 科目编码
MARK = re.compile(r"【待核：原文数字 ([^】]*)】")
ANY_MARK = re.compile(r"【待核：[^】]*】")
SENT = re.compile(r"[^。；;\n]+[。；;\n]?")
MIN_SIMILARITY = 0.5


@dataclass
class Num:
    start: int
    value: Decimal | None       # money in 元, percentages in %; None: a mark
    places: int
    unit: str
    text: str
    before: str                 # the words right before it (digits masked)


def _numbers(sentence: str) -> list[Num]:
    """Money amounts, percentages and 【待核】 marks for one of them, in order."""
    holes = [(m.start(), m.end(), m.group(1)) for m in MARK.finditer(sentence)]
    plain = ANY_MARK.sub(lambda m: "□" * len(m.group()), sentence)
    out = []
    for m in extract(simplified(plain)):
        if not m.claim or m.kind not in ("amount", "percent"):
            continue
        if m.unit not in MONEY_FACTOR and m.unit != "%":
            continue
        value = m.value * MONEY_FACTOR[m.unit] if m.unit in MONEY_FACTOR else m.value
        out.append(Num(m.start, value, m.places, m.unit, sentence[m.start:m.unit_end], _before(plain, m.start)))
    for a, _b, x in holes:
        if x.endswith(("元", "%")):
            out.append(Num(a, None, 0, "%" if x.endswith("%") else "", x, _before(plain, a)))
    return sorted(out, key=lambda n: n.start)


def _before(s: str, pos: int) -> str:
    return re.sub(r"\d", "#", s[max(0, pos - 6):pos])


def _sentences(text: str) -> list[str]:
    return [m.group() for m in SENT.finditer(text) if m.group().strip()]


NEW_MARK = "【待核：新增段落】"
GAINED = re.compile(r"[，,]较[^，,。；;【]*年决算数[^。；;【]*【待核：新增比较】")   # a comparison the draft adds


def _new_paragraph_sentences(draft_text: str, added: list[str], figures) -> dict[int, str]:
    """The indices (in ``_sentences(draft_text)``) of the sentences of the standard sections
    the draft added (each: its marked title line and the lines of the section's body), each
    with its section's key."""
    if not added:
        return {}
    std = render(figures, "standard")
    lines_of = {sec.id: len([ln for ln in std.text[sec.start:sec.end].split("\n") if ln.strip()])
                for sec in std.sections}
    spans, pos = [], 0
    for key in added:
        at = draft_text.find(NEW_MARK, pos)
        end = at
        for _ in range(lines_of.get(key, 1)):        # the title line and the body (heading counted by the pack)
            nl = draft_text.find("\n", end + 1)
            end = len(draft_text) if nl < 0 else nl
        spans.append((at, end, key))
        pos = end
    out, k = {}, 0
    for m in SENT.finditer(draft_text):
        if not m.group().strip():
            continue
        key = next((key for a, b, key in spans if a <= m.start() < b), None)
        if key is not None:
            out[k] = key
        k += 1
    return out


def _mask(s: str) -> str:
    s = ANY_MARK.sub("#", s)
    return re.sub(r"[\d.,，]+", "#", s)


def _align(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Monotone pairs (i, j) of similar sentences, best total similarity (dynamic programming)."""
    ka, kb = [_mask(s) for s in a], [_mask(s) for s in b]
    n, m = len(a), len(b)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best, how = score[i + 1][j], 1
            if score[i][j + 1] > best:
                best, how = score[i][j + 1], 2
            sm = SequenceMatcher(None, ka[i], kb[j], autojunk=False)
            if sm.real_quick_ratio() >= MIN_SIMILARITY and sm.quick_ratio() >= MIN_SIMILARITY:
                r = sm.ratio()
                if r >= MIN_SIMILARITY and r + score[i + 1][j + 1] > best:
                    best, how = r + score[i + 1][j + 1], 3
            score[i][j], move[i][j] = best, how
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if move[i][j] == 3:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif move[i][j] == 1:
            i += 1
        else:
            j += 1
    return pairs


def _kind(n: Num) -> str:
    return "%" if n.unit == "%" else "money"


def _same(x: Num, y: Num) -> bool:
    return x.value is not None and y.value is not None and x.value == y.value and (x.unit == "%") == (y.unit == "%")


def _rounded(x: Num, y: Num) -> bool:
    """``y`` is the percentage ``x`` at the fewer places the earlier text printed it with."""
    if x.value is None or y.value is None or x.unit != "%" or y.unit != "%" or y.places >= x.places:
        return False
    return x.value.quantize(Decimal(1).scaleb(-y.places), ROUND_HALF_UP) == y.value


def _places(text: str, sentences: list[str]) -> list[int | None]:
    """The standard order of the section each sentence of ``text`` is in (by its heading)."""
    doc = read_text(text)
    out, pos = [], 0
    for s in sentences:
        pos = text.find(s, pos)
        title = next((t for a, t in reversed(doc.sections) if a <= pos), "")
        out.append(standard_place(title))
    return out


def _why(missed, why: dict, later_text: str, want_s: list[str], earlier_text: str) -> dict[str, int]:
    """How many of the later text's numbers are missed for each reason: marked; the aligned
    earlier sentence has no number there; in a sentence the earlier text lacks, by where that
    sentence is — a standard section the earlier text has none of, one it has (its sentence
    lacks this one), or no standard section (工作总结 …)."""
    has = covered_places(read_text(earlier_text))
    places = _places(later_text, want_s)
    out: dict[str, int] = {}
    for i, w in missed:
        reason = why[id(w)]
        if reason == "sentence":
            place = places[i]
            reason = ("in no standard section" if place is None or place >= len(STANDARD_KEYS)
                      else f"a section the earlier text lacks ({STANDARD_KEYS[place]})" if place not in has
                      else f"a sentence the earlier section lacks ({STANDARD_KEYS[place]})")
        out[reason] = out.get(reason, 0) + 1
    return out


def score_pair(earlier: Path, later: Path, verbose: bool = False) -> dict:
    later_text = later.read_text(encoding="utf-8")
    figures = figures_from_claims(later_text, later.name)
    draft, learned = render_like(earlier.read_text(encoding="utf-8"), figures, None, None, earlier.name)
    want_s, got_s = _sentences(later_text), _sentences(draft.text)
    new_s = _new_paragraph_sentences(draft.text, learned.new_sections, figures)
    counts = dict(reproduced=0, rounded=0, marked=0, wrong=0, absent=0, unsupported=0, new=0, new_other=0, between=0)
    missed: list[tuple[int, Num]] = []      # the later text's numbers not given at an aligned place
    why: dict[int, str] = {}                # id(number) → why it is missed (see _why)
    counts["check errors"] = sum(f.severity == "error" for f in check_text(draft.text, "draft.txt", figures).findings)
    aligned_got = set()
    seen_want = set()
    # the draft's sentences from last year's wording; the added sections are scored apart
    kept = [j for j in range(len(got_s)) if j not in new_s]
    pairs = [(i, kept[jj]) for i, jj in _align(want_s, [got_s[j] for j in kept])]
    for i, j in pairs:
        aligned_got.add(j)
        seen_want.add(i)
        want, got = _numbers(want_s[i]), _numbers(got_s[j])
        sm = SequenceMatcher(None, [w.before for w in want], [g.before for g in got], autojunk=False)
        matched: dict[int, int] = {}
        for op, a0, a1, b0, b1 in sm.get_opcodes():
            if op == "equal" or (op == "replace" and a1 - a0 == b1 - b0):
                # a percentage with a percentage, an amount with an amount (or a mark of either)
                matched.update({a0 + k: b0 + k for k in range(a1 - a0) if _kind(want[a0 + k]) == _kind(got[b0 + k])})
        # a number left over on both sides of two aligned sentences, the same amount: the same
        # place worded a little differently (“2017年收入” / “2017本年收入”)
        free = [b for b in range(len(got)) if b not in matched.values()]
        for k, w in enumerate(want):
            b = next((b for b in free if k not in matched and _same(w, got[b])), None)
            if b is not None:
                matched[k] = b
                free.remove(b)
        for k, w in enumerate(want):
            g = got[matched[k]] if k in matched else None
            if g is None:
                counts["absent"] += 1
                missed.append((i, w))
                why[id(w)] = "the aligned earlier sentence has no number there"
                if verbose:
                    print(f"  absent {w.text}: {want_s[i].strip()[:60]} | {got_s[j].strip()[:60]}")
            elif g.value is None:
                counts["marked"] += 1
                missed.append((i, w))
                why[id(w)] = "marked"
                if verbose:
                    print(f"  marked {w.text} → {g.text}: {got_s[j].strip()[:80]}")
            elif _same(w, g):
                counts["reproduced"] += 1
            elif _rounded(w, g):
                counts["rounded"] += 1
            else:
                counts["wrong"] += 1
                if verbose:
                    print(f"  WRONG {w.text} → {g.text}: {got_s[j].strip()[:80]}")
    # a sentence aligned with none: its numbers at the same amount, after like words, in the
    # draft's unaligned sentences between the same two aligned neighbours (sentences split
    # differently: “…具体情况如下：（一）因公出国（境）费43.13万元，主要用于…；”)
    used: set[tuple[int, int]] = set()
    for i, s in enumerate(want_s):
        if i in seen_want or not _numbers(s):
            continue
        lo = max((j for a, j in pairs if a < i), default=-1)
        hi = min((j for a, j in pairs if a > i), default=len(got_s))
        gap = [(j, k, g) for j in kept if lo < j < hi and j not in aligned_got
               for k, g in enumerate(_numbers(got_s[j])) if g.value is not None]
        for n in _numbers(s):
            hit = next(((j, k, g) for j, k, g in gap if (j, k) not in used and (_same(n, g) or _rounded(n, g))
                        and SequenceMatcher(None, n.before, g.before).ratio() >= MIN_SIMILARITY), None)
            if hit is None and n.value:
                # the same amount, not 0, once in the gap: at its place though worded otherwise
                # (““三公”经费一般公共预算拨款80.96万元” / “…公共财政拨款支出80.96万元”)
                same = [(j, k, g) for j, k, g in gap if _same(n, g)]
                if len(same) == 1 and same[0][:2] not in used:
                    hit = same[0]
            if hit is not None:
                used.add(hit[:2])
                counts["reproduced" if _same(n, hit[2]) else "rounded"] += 1
                counts["between"] += 1
                if verbose:
                    print(f"  between aligned neighbours {n.text} → {hit[2].text}: {s.strip()[:60]}")
                continue
            counts["absent"] += 1
            missed.append((i, n))
            why[id(n)] = "sentence"
            if verbose:
                print(f"  absent {n.text} (sentence aligned with none): {s.strip()[:80]}")
    want_all = [n for s in want_s for n in _numbers(s)]
    # the added standard sections: the later text's numbers (not given at an aligned place)
    # they print, each number used once — after like words (公用经费 22.04 is not 机关运行经费支出
    # 22.04), or, not 0, in a later sentence another number of the same new sentence came from;
    # their other numbers come from the figures, not the text
    places = _places(later_text, want_s)
    for j in sorted(new_s):
        place = STANDARD_KEYS.index(new_s[j])
        sources, pending = set(), []
        codes = set(CODE.findall(got_s[j]))
        for g in _numbers(got_s[j]):
            if g.value is None:
                continue
            # only from the later text's section of the same place in the standard order
            near = [(1.0 if codes & set(CODE.findall(want_s[i])) else SequenceMatcher(None, w.before, g.before).ratio(), k)
                    for k, (i, w) in enumerate(missed) if _same(w, g) and places[i] == place]
            best = max(near, default=(0.0, -1))
            if best[0] >= MIN_SIMILARITY:
                sources.add(missed.pop(best[1])[0])
                counts["new"] += 1
                if verbose:
                    print(f"  new paragraph gives {g.text}: {got_s[j].strip()[:60]}")
            else:
                pending.append(g)
        for g in pending:
            k = next((k for k, (i, w) in enumerate(missed)
                      if i in sources and places[i] == place and w.value and _same(w, g)), None)
            if k is not None:
                missed.pop(k)
                counts["new"] += 1
                if verbose:
                    print(f"  new paragraph gives {g.text}: {got_s[j].strip()[:60]}")
            elif not any(_same(w, g) for w in want_all):
                counts["new_other"] += 1
                if verbose:
                    print(f"  new paragraph, not in the later text: {g.text}: {got_s[j].strip()[:80]}")
    counts["why"] = _why(missed, why, later_text, want_s, earlier.read_text(encoding="utf-8"))
    for j, s in enumerate(got_s):
        if j in aligned_got or j in new_s:
            continue
        gained = [m.span() for m in GAINED.finditer(s)]
        for g in _numbers(s):
            if g.value is not None and not any(_same(w, g) or _rounded(w, g) for w in want_all):
                if any(a <= g.start < b for a, b in gained):
                    counts["new_other"] += 1      # a comparison the draft adds, from the figures
                    if verbose:
                        print(f"  added comparison, not in the later text: {g.text}: {s.strip()[:80]}")
                    continue
                counts["unsupported"] += 1
                if verbose:
                    print(f"  UNSUPPORTED {g.text}: {s.strip()[:80]}")
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    files = {p.name[:2]: p for p in args.corpus.glob("[0-9][0-9]_*.txt")}
    if not all(a in files and b in files for a, b in PAIRS):
        print(f"like_corpus: corpus pairs not found in {args.corpus}", file=sys.stderr)
        return 2
    print(f"{'pair':<8}{'numbers':>8}{'reproduced':>11}{'rounded':>8}{'marked':>8}{'wrong':>7}{'absent':>8}"
          f"{'unsupported':>12}{'at places':>11}{'of all':>8}{'new ¶':>7}{'with new':>9}{'new other':>10}"
          f"{'check errors':>13}")
    failures = 0
    breakdowns, between = [], []
    for a, b in PAIRS:
        if args.verbose:
            print(f"{a}→{b}:")
        c = score_pair(files[a], files[b], args.verbose)
        placed = c["reproduced"] + c["rounded"] + c["marked"] + c["wrong"]
        total = placed + c["absent"]
        at = c["reproduced"] / placed if placed else 0
        share = c["reproduced"] / total if total else 0
        with_new = (c["reproduced"] + c["new"]) / total if total else 0
        print(f"{a}→{b:<4}{total:>8}{c['reproduced']:>11}{c['rounded']:>8}{c['marked']:>8}{c['wrong']:>7}{c['absent']:>8}"
              f"{c['unsupported']:>12}{at:>11.1%}{share:>8.1%}{c['new']:>7}{with_new:>9.1%}{c['new_other']:>10}"
              f"{c['check errors']:>13}")
        failures += c["wrong"] + c["unsupported"] + c["check errors"]
        breakdowns.append((f"{a}→{b}", c["why"]))
        between.append(f"{a}→{b} {c['between']}")
    print("\nof reproduced and rounded, in sentences aligned with none (between the same neighbours):",
          ", ".join(between))
    print("not reproduced, not given by a new section, why:")
    for pair, why in breakdowns:
        for reason, n in sorted(why.items(), key=lambda t: -t[1]):
            print(f"  {pair}  {n:>3}  {reason}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
