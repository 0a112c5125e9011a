"""The check modules' (and the fast figures loader's) regular expressions compiled from the cache folder's programs
(core/diskcache.compiled_patterns, no compiling at import) are re.compile's: the same pattern,
flags and groups, and the same matches on the sample disclosure, in a process that read them
back from a cache folder an earlier process wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = r'''
import json, re, sys
from narrator.check import align, claim_words, claims, number_grammar, segment
from narrator.figures import loader_fast
text = open(sys.argv[1], encoding="utf-8").read()
built = [claim_words._trad_chars(), claim_words._direction_re(), claim_words._tail_re(),
         claims._share_name_copula(), claims._share_name_tail(), align._direction_re(), align._synonyms()[0],
         *[v for v in vars(claim_words._label_patterns()).values() if isinstance(v, re.Pattern)]]
mods = [segment, claim_words, claims, number_grammar, loader_fast]
found = built + [v for m in mods for v in vars(m).values() if isinstance(v, re.Pattern)]
out = []
for p in found:
    ref = re.compile(p.pattern, p.flags & ~re.UNICODE)
    same = (p.pattern, p.flags, p.groups, p.groupindex) == (ref.pattern, ref.flags, ref.groups, ref.groupindex)
    got = [(m.span(), m.groups()) for m in p.finditer(text)]
    want = [(m.span(), m.groups()) for m in ref.finditer(text)]
    out.append([p.pattern[:40], same, got == want, len(got)])
print(json.dumps(out))
'''


def _run(cache: Path) -> list:
    env = dict(os.environ, NARRATOR_CACHE_DIR=str(cache))
    r = subprocess.run([sys.executable, "-c", _PROBE, str(ROOT / "samples" / "renshe-2024" / "disclosure.txt")],
                       env=env, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def test_patterns_read_back_from_the_cache_are_re_compiles(tmp_path):
    first = _run(tmp_path)                       # writes the entries
    assert list((tmp_path / "patterns").glob("*.marshal"))
    again = _run(tmp_path)                       # reads them back
    assert len(again) == len(first) >= 40
    assert [x for x in again if not (x[1] and x[2])] == []
    assert sum(x[3] for x in again) > 1000       # they do match things in the sample
