"""What a batch run does: the inputs under its SOURCEs (walked lazily), the figures for each
text, and the output formats with their suffixes."""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from narrator.batch.state import SUMMARY_FILES
from narrator.report.text import check_report, validate_report


COMMANDS = ("generate", "check", "validate")
FIGURES_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".xlsm", ".xls")
TEXT_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
INPUT_SUFFIXES = {"generate": FIGURES_SUFFIXES, "validate": FIGURES_SUFFIXES, "check": TEXT_SUFFIXES}


# =====================================================================================
# Inputs
# =====================================================================================
@dataclass(slots=True)
class Item:
    seq: int
    input: str            # the path as found (for messages and the summary)
    rel: str              # relative to its SOURCE folder, posix separators
    output: str = ""      # relative to --out
    figures: str | None = None
    error: str | None = None   # a SOURCE that could not be used


def _has_magic(s: str) -> bool:
    return glob.has_magic(s)


def _glob_base(pattern: str) -> Path:
    parts = Path(pattern).parts
    base: list[str] = []
    for part in parts:
        if _has_magic(part):
            break
        base.append(part)
    return Path(*base) if base else Path(".")


def _eligible(name: str, suffixes: tuple[str, ...], command: str) -> bool:
    if name.startswith(".") or name.endswith(".tmp") or name in SUMMARY_FILES:
        return False
    low = name.lower()
    if command == "check" and (".check." in low or ".validate." in low):
        return False
    return low.endswith(suffixes)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def iter_sources(sources: Iterable[str], command: str, out_dir: Path | None = None) -> Iterator[tuple[str, str | None]]:
    """Yield (path, path relative to its SOURCE) of every input, lazily, in a stable (sorted) order.

    Folders are walked recursively for the command's input suffixes; a glob takes every file
    it matches (and walks the folders it matches). Hidden files, ``*.tmp``, our summaries
    and (for check) our own ``*.check.*`` reports are left out, and so is the ``--out``
    folder when it lies inside a SOURCE folder. A SOURCE that names nothing yields
    (source, None) so that it is reported, not silently ignored.
    """
    suffixes = INPUT_SUFFIXES[command]
    out_res = out_dir.resolve() if out_dir is not None else None
    for src in sources:
        if _has_magic(src):
            base = _glob_base(src)
            skip = _skip_folder(base, out_res)
            found = False
            for p in sorted(glob.iglob(src, recursive=True)):
                pp = Path(p)
                if skip is not None and _inside(pp.resolve(), skip):
                    continue
                if pp.is_file():
                    if pp.name.startswith(".") or pp.name.endswith(".tmp") or pp.name in SUMMARY_FILES:
                        continue
                    found = True
                    yield p, _rel(pp, base)
                elif pp.is_dir():
                    for q, _r in _walk(pp, suffixes, command, skip):
                        found = True
                        yield q, _rel(Path(q), base)
            if not found:
                yield src, None
        else:
            p = Path(src)
            if p.is_dir():
                yield from _walk(p, suffixes, command, _skip_folder(p, out_res))
            elif p.is_file():
                yield src, p.name
            else:
                yield src, None


def _skip_folder(root: Path, out_res: Path | None) -> Path | None:
    """The --out folder, when it must be left out of a walk from ``root`` (it lies below it)."""
    if out_res is None:
        return None
    r = root.resolve()
    return None if _inside(r, out_res) else out_res  # --out is root or above it: rely on names


def _rel(p: Path, base: Path) -> str:
    try:
        return p.relative_to(base).as_posix()
    except ValueError:
        return p.name


def _walk(folder: Path, suffixes, command, skip: Path | None) -> Iterator[tuple[str, str]]:
    """Files of ``folder`` and below, one directory at a time, sorted; symlinked folders are
    followed once (a link cycle is not walked twice)."""
    stack = [folder]
    visited: set[str] = set()  # one entry per folder, not per file
    while stack:
        d = stack.pop()
        real = os.path.realpath(d)
        if real in visited or (skip is not None and d is not folder and Path(real) == skip):
            continue
        visited.add(real)
        try:
            names, subdirs = _listing(d, suffixes, command)
        except OSError:
            continue
        prefix = "" if d is folder else d.relative_to(folder).as_posix() + "/"
        base = "" if str(d) == "." else os.path.join(str(d), "")  # str(d / name), without a Path per file
        for name in _names(names):
            yield base + name, prefix + name
        stack.extend(reversed(subdirs))


def _listing(d: Path, suffixes, command) -> tuple[str, list[Path]]:
    """A directory's input files, sorted, as one "\0"-separated string, and its sub-folders, sorted.

    A folder of a province's 100,000 departments is listed at ~20 bytes a file (a list of
    names would take ~130), and the names are yielded one by one from that string.
    """
    files: list[str] = []
    subdirs: list[str] = []
    with os.scandir(d) as it:
        for e in it:
            name = e.name
            if name.startswith("."):
                continue
            if e.is_dir():
                subdirs.append(name)
            elif e.is_file() and _eligible(name, suffixes, command):
                files.append(name)
    files.sort()
    subdirs.sort()
    return "\0".join(files), [d / n for n in subdirs]


def _names(joined: str) -> Iterator[str]:
    start, end = 0, len(joined)
    while start < end:
        stop = joined.find("\0", start)
        if stop < 0:
            stop = end
        yield joined[start:stop]
        start = stop + 1


def count_inputs(sources, command: str, out_dir: Path | None) -> int:
    """How many documents (for the progress line); a quick walk that keeps nothing per file
    for one SOURCE folder."""
    local = len(sources) == 1 and not _has_magic(sources[0]) and Path(sources[0]).is_dir()
    seen: set[str] = set()
    n = 0
    for path, rel in iter_sources(sources, command, out_dir):
        if rel is not None and not local:
            key = os.path.realpath(path)
            if key in seen:
                continue
            seen.add(key)
        n += 1
    return n


def find_figures(text_path: Path, rel: str, figures_dir: Path | None) -> Path | None:
    """The figures file for a narrative in ``batch check`` (see the module docstring)."""
    stem = text_path.stem
    cands: list[Path] = []
    if figures_dir is not None:
        relp = Path(rel)
        for folder in ((figures_dir / relp.parent) if relp.parent != Path(".") else None, figures_dir):
            if folder is None:
                continue
            cands += [folder / f"{stem}{s}" for s in (".yaml", ".yml", ".json", ".xlsx", ".xls")]
            cands += [folder / f"{stem}.figures{s}" for s in (".yaml", ".yml", ".json")]
    d = text_path.parent
    cands += [d / f"{stem}.figures{s}" for s in (".yaml", ".yml", ".json")]
    cands += [d / f"{stem}{s}" for s in (".yaml", ".yml", ".json", ".xlsx", ".xls")]
    for c in cands:
        if c.is_file():
            return c
    return None


# =====================================================================================
# Output formats (dicts so new formats slot in)
# =====================================================================================
def check_report_text(result) -> str:
    """The text report of ``narrator check`` (same lines as the single command)."""
    return check_report(result)


def _gen_json(draft, fig):
    return json.dumps(draft.to_json(), ensure_ascii=False, indent=2)


def _gen_markdown(draft, fig):
    from narrator.report.markdown import draft_markdown

    return draft_markdown(draft)


def _gen_docx(draft, fig):
    from narrator.report.docx import draft_docx

    return draft_docx(draft, fig)


def _check_html(result):
    from narrator.report.html import check_html

    return check_html(result)


def _check_docx(result):
    from narrator.report.docx import review_docx

    return review_docx(result)


def _gen_text(draft) -> str:
    from narrator.report.markdown import draft_text

    return draft_text(draft)


GENERATE_FORMATS: dict[str, tuple[str, Callable]] = {
    "text": (".txt", lambda draft, fig: _gen_text(draft)),
    "markdown": (".md", _gen_markdown),
    "json": (".json", _gen_json),
    "docx": (".docx", _gen_docx),
}
CHECK_FORMATS: dict[str, tuple[str, Callable]] = {
    "text": (".check.txt", check_report_text),
    "json": (".check.json", lambda r: json.dumps(r.to_json(), ensure_ascii=False, indent=2)),
    "html": (".check.html", _check_html),
    "docx": (".check.docx", _check_docx),
}


def _validate_text(name: str, findings) -> str:
    return validate_report(name, findings, info_count=True)


def _validate_json(name: str, findings) -> str:
    return json.dumps({"file": name, "summary": _counts(findings), "findings": [f.to_json() for f in findings]},
                      ensure_ascii=False, indent=2)


VALIDATE_FORMATS: dict[str, tuple[str, Callable]] = {
    "text": (".validate.txt", _validate_text),
    "json": (".validate.json", _validate_json),
}
FORMATS = {"generate": GENERATE_FORMATS, "check": CHECK_FORMATS, "validate": VALIDATE_FORMATS}


def output_suffix(command: str, fmt: str) -> str:
    return FORMATS[command][fmt][0]


def _counts(findings) -> dict:
    c = {"errors": 0, "warnings": 0, "info": 0}
    for f in findings:
        key = {"error": "errors", "warning": "warnings"}.get(f.severity, "info")
        c[key] += 1
    return c
