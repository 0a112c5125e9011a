"""Plain renderings of a draft (text is the draft itself; markdown adds heading marks)."""

from __future__ import annotations

from narrator.render.draft import Draft


def draft_markdown(draft: Draft) -> str:
    lines = []
    if draft.title:
        lines += [f"# {draft.title}", ""]
    for sec in draft.sections:
        lines += [f"## {sec.title}", ""]
        para_start = None
        body = draft.text[sec.sentences[0].end + 1 if sec.sentences else sec.start: sec.end]
        for line in body.splitlines():
            if line.startswith("（") and "）" in line[:4] and not line.rstrip().endswith("。"):
                lines += [f"### {line}", ""]
            else:
                lines += [line, ""]
    return "\n".join(lines).rstrip() + "\n"
