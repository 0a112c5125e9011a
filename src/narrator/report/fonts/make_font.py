"""Rebuild NarratorSansSC-Regular.otf: a subset of Noto Sans CJK SC Regular (SIL OFL 1.1).

Run by a developer, never at run time:

    apt-get install -y fonts-noto-cjk
    python src/narrator/report/fonts/make_font.py [/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]

Keeps ASCII, Latin-1, general and CJK punctuation, full-width forms, every GB 2312 hanzi
(6763, the set of official documents) and every character used in rules/ and templates/,
so chart titles, labels and notes never fall back to a missing-glyph box. The subset is
renamed (OFL: a modified font is distributed under its own name; Noto's only reserved
font name is "Source", which is not used).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OUT = HERE / "NarratorSansSC-Regular.otf"
FAMILY = "Narrator Sans SC"
PS_NAME = "NarratorSansSC-Regular"


def gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def wanted() -> set[int]:
    cps: set[int] = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    cps |= set(range(0x2010, 0x2070)) | set(range(0x2190, 0x2200)) | set(range(0x2460, 0x2500))
    cps |= set(range(0x25A0, 0x2600)) | set(range(0x3000, 0x3040)) | set(range(0xFF01, 0xFF66))
    cps |= {ord(c) for c in gb2312()}
    for folder in ("rules", "templates"):
        for p in (ROOT / folder).rglob("*"):
            if p.is_file() and p.suffix in (".yaml", ".yml", ".j2", ".txt", ".md", ".jinja"):
                cps |= {ord(c) for c in p.read_text(encoding="utf-8") if ord(c) >= 0x20}
    return cps


def main(source: str = SOURCE) -> None:
    coll = TTCollection(source)
    font = next(f for f in coll.fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC")
    cmap = font.getBestCmap()
    cps = sorted(c for c in wanted() if c in cmap)
    opts = subset.Options()
    opts.layout_features = ["kern", "palt", "halt"]
    opts.hinting = False
    opts.desubroutinize = True
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=cps)
    sub.subset(font)
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 4, 16):
            rec.string = FAMILY if rec.nameID != 4 else f"{FAMILY} Regular"
        elif rec.nameID == 3:
            rec.string = f"{PS_NAME};subset of Noto Sans CJK SC 2.004"
        elif rec.nameID == 6:
            rec.string = PS_NAME
    name.names = [r for r in name.names if r.nameID not in (16, 17)]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [PS_NAME]
        top = cff.topDictIndex[0]
        top.FullName = f"{FAMILY} Regular"
        top.FamilyName = FAMILY
        if hasattr(top, "FDArray"):
            for fd in top.FDArray:
                if hasattr(fd, "FontName"):
                    fd.FontName = PS_NAME + "-" + fd.FontName.split("-")[-1]
    font.save(OUT)
    print(f"{OUT}: {len(cps)} characters, {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(*sys.argv[1:])
