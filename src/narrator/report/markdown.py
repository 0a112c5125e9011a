"""Plain renderings of a draft (text is the draft itself; markdown adds heading marks)."""

from __future__ import annotations

from narrator.render.draft import Draft


def _without_captions(draft: Draft, text: str, offset: int = 0) -> str:
    """``text`` (draft.text from ``offset``) without the chart caption lines ("图1：…"): text and
    markdown draw no chart, so a caption would name a figure that is not there (docx keeps them)."""
    cut = sorted((c["start"] - offset, c["end"] - offset) for c in draft.charts
                 if c.get("start", -1) >= offset and c["end"] - offset <= len(text))
    for a, b in reversed(cut):
        if text[b:b + 1] == "\n" and (a == 0 or text[a - 1] == "\n"):
            b += 1
        text = text[:a] + text[b:]
    return text


def draft_text(draft: Draft) -> str:
    """The draft as plain text: the draft itself, without chart captions."""
    return _without_captions(draft, draft.text)


def draft_markdown(draft: Draft) -> str:
    lines = []
    if draft.title:
        lines += [f"# {draft.title}", ""]
    for sec in draft.sections:
        start = sec.start
        if sec.title:       # (a learned pack's words before its first heading have none)
            lines += [f"## {sec.title}", ""]
            start = sec.sentences[0].end + 1 if sec.sentences else sec.start
        body = _without_captions(draft, draft.text[start: sec.end], start)
        for line in body.splitlines():
            if line.startswith("（") and "）" in line[:4] and not line.rstrip().endswith("。"):
                lines += [f"### {line}", ""]
            else:
                lines += [line, ""]
    return "\n".join(lines).rstrip() + "\n"
