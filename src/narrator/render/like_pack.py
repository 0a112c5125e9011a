"""--save-pack DIR: the learned wording written as a pack folder, never over a user's files.

DIR must be new, an empty folder, or a pack narrator wrote before (its marker file lists each
file it wrote with its SHA-1; a file edited or added since is the user's, and DIR is refused).
The pack is written into a temporary folder beside DIR and moved into place once whole: an
error on the way leaves DIR as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from narrator.core.errors import UsageError
from narrator.core.messages import msg

MARKER_FILE = ".narrator-pack"
MARKER_TEXT = ("# This folder is a template pack written by `narrator generate --like --save-pack`.\n"
               "# narrator replaces it when asked to save a pack here again, unless a file below was\n"
               "# edited or another file added since (then the folder is yours and is refused).\n")


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _written_by_narrator(folder: Path) -> str | None:
    """None when every file of ``folder`` is one narrator wrote, unchanged; else a file that is not."""
    listed = {}
    for line in (folder / MARKER_FILE).read_text(encoding="utf-8", errors="replace").splitlines():
        if line and not line.startswith("#"):
            digest, _, name = line.partition("  ")
            listed[name] = digest
    with os.scandir(folder) as it:
        for e in sorted(it, key=lambda e: e.name):
            if e.name == MARKER_FILE:
                continue
            if not e.is_file(follow_symlinks=False) or listed.get(e.name) != _sha1(Path(e.path).read_bytes()):
                return e.name
    return None


def check_pack_folder(folder: Path) -> None:
    """Refuse (one line) a folder narrator may not write the pack to."""
    if not folder.exists():
        if folder.is_symlink() or (folder.parent.exists() and not folder.parent.is_dir()):
            raise UsageError(msg("like.pack_not_folder", folder=folder))
        return
    if not folder.is_dir():
        raise UsageError(msg("like.pack_not_folder", folder=folder))
    if (folder / MARKER_FILE).is_file():
        mine = _written_by_narrator(folder)
        if mine is not None:
            raise UsageError(msg("like.pack_edited", folder=folder, file=mine))
        return
    with os.scandir(folder) as it:
        first = next((e.name for e in it), None)
    if first is not None:
        raise UsageError(msg("like.pack_foreign", folder=folder, file=first))


def write_pack(files: dict[str, str], folder: Path) -> None:
    """Write ``files`` as the pack folder ``folder`` (checked by :func:`check_pack_folder`)."""
    check_pack_folder(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    old: Path | None = None
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)      # as mkdir would make it (mkdtemp: owner only)
        for name, body in files.items():
            (tmp / name).write_text(body, encoding="utf-8")
        listing = "".join(f"{_sha1(body.encode('utf-8'))}  {name}\n" for name, body in sorted(files.items()))
        (tmp / MARKER_FILE).write_text(MARKER_TEXT + listing, encoding="utf-8")
        if folder.exists():
            if (folder / MARKER_FILE).is_file():
                old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
                os.rmdir(old)
                os.rename(folder, old)
            else:
                os.rmdir(folder)            # empty (checked above)
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not folder.exists():
            os.rename(old, folder)          # the previous pack back in place
            old = None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
