"""The sums the disclosure reader builds from the 科目 hierarchy are described only when a
finding quotes them (repair._Words): each names a message of rules/messages.yaml and fills
exactly its placeholders, and reads as the message itself."""

from __future__ import annotations

import string
from pathlib import Path

from narrator.core.messages import messages, msg
from narrator.sources.disclosure import repair
from narrator.sources.disclosure.read import parse_tables

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")


def _fields(template: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(template) if f is not None}


def test_every_sum_description_fills_its_message(monkeypatch):
    built = []
    real = repair._build_identities

    def keep(ctx):
        out = real(ctx)
        built.extend(out)
        return out

    monkeypatch.setattr(repair, "_build_identities", keep)
    import narrator.sources.disclosure.read as read
    monkeypatch.setattr(read, "_build_identities", keep)
    parse_tables(TEXT, "sample")
    words = [i.source for i in built if isinstance(i.source, repair._Words)]
    assert {w.key for w in words} >= {"identity.column_classes", "identity.column_children",
                                     "identity.detail_children", "identity.group_classes"}
    for w in words:
        assert set(w.values) == _fields(messages()[w.key]["zh"]), w.key
        assert w.description == msg(w.key, **w.values) and "{" not in w.description
