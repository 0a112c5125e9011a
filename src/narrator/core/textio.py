"""Reading users' files (any common Chinese encoding) and writing outputs atomically."""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from pathlib import Path

from narrator.core.errors import InputError
from narrator.core.messages import msg

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes of a text file: BOMs, UTF-8, GB18030 (GBK/GB2312), UTF-16.

    Returns (text, encoding). Raises InputError when no encoding fits.
    """
    if not data.strip():
        raise InputError(msg("input.empty"), name)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise InputError(msg("input.cannot_decode_as", encoding=enc, reason=e.reason, byte=e.start), name) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-16 without BOM: many NULs in alternating positions
    if data.count(b"\x00") > len(data) // 4:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, enc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_like_text(text):
        return text, "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _looks_like_text(str(best)):
        return str(best), best.encoding
    line = data[: _first_bad_utf8(data)].count(b"\n") + 1
    raise InputError(msg("input.cannot_decode"),
                     name, line)


def _first_bad_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start
    return 0


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad <= max(2, len(text) // 200)


def read_input_bytes(path: Path, name: str) -> bytes:
    """The bytes of an input file; a missing file, a folder or an unreadable one is an InputError
    naming ``name``."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(msg("input.no_such_file"), name) from None
    except IsADirectoryError:
        raise InputError(msg("input.is_directory"), name) from None
    except OSError as e:
        raise InputError(msg("input.cannot_read", reason=e.strerror), name) from None


def read_text(path: str | os.PathLike) -> tuple[str, str]:
    """Read a text file of any supported encoding. Returns (text, encoding)."""
    from narrator.core.limits import check_file_size

    p = Path(path)
    check_file_size(p)
    text, enc = decode_bytes(read_input_bytes(p, str(path)), str(path))
    return normalise_newlines(text), enc


def normalise_newlines(text: str) -> str:
    """A lone CR (old Mac files, or a mix of endings) becomes LF, so that every line is a line.

    One character for one: every offset, and so every span reported, still points at the
    same character of the original. CRLF is left as it is (the readers treat it as a break)."""
    if "\r" not in text:
        return text
    return _LONE_CR.sub("\n", text)


_LONE_CR = __import__("re").compile(r"\r(?!\n)")


def atomic_write(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then rename."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # an ordinary file, not mkstemp's 0600
        refuse_special(p)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def refuse_special(path: str | os.PathLike) -> None:
    """The last check before an atomic rename: never replace a folder, a device (/dev/null,
    /dev/full) or a pipe by a regular file."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if not stat.S_ISREG(st.st_mode):
        key = "output.is_folder" if stat.S_ISDIR(st.st_mode) else "output.not_regular"
        raise InputError(msg(key), str(path))
