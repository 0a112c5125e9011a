"""User-facing messages, looked up by key in rules/messages.yaml (Chinese by default).

``msg("batch.done", documents=3, ...)`` renders the key's template in the current language
with its named parameters. The language is ``zh`` unless ``--lang en`` (``set_lang``) or the
environment variable ``NARRATOR_LANG=en`` selects the English rendering (for tools and
non-Chinese readers). JSON keys and rule codes never change with the language.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache


from narrator.core.diskcache import content_key, pickled
from narrator.core.resources import rules_dir

LANGS = ("zh", "en")
ENV_VAR = "NARRATOR_LANG"
_chosen: str | None = None


def set_lang(value: str | None) -> None:
    """Choose the language for this process (``None``: back to NARRATOR_LANG or zh)."""
    global _chosen
    if value is not None and value not in LANGS:
        raise ValueError(value)
    _chosen = value


def lang() -> str:
    if _chosen is not None:
        return _chosen
    env = os.environ.get(ENV_VAR, "").strip().lower()
    return env if env in LANGS else "zh"


_fixed_depth = 0
_fixed_saved: tuple[str | None, str] | None = None     # (chosen before the block, chosen for it)
_fixed_lock = threading.Lock()


@contextmanager
def one_language() -> Iterator[None]:
    """The language read once for the block (a document's check words hundreds of messages, and
    reading NARRATOR_LANG costs ~1 µs each time); what was chosen before is back after it.
    Nested and concurrent blocks share the outermost's choice; a ``set_lang`` inside a block
    stays."""
    global _chosen, _fixed_depth, _fixed_saved
    with _fixed_lock:
        if _fixed_depth == 0:
            _fixed_saved = (_chosen, lang())
            _chosen = _fixed_saved[1]
        _fixed_depth += 1
    try:
        yield
    finally:
        with _fixed_lock:
            _fixed_depth -= 1
            if _fixed_depth == 0 and _fixed_saved is not None:
                if _chosen == _fixed_saved[1]:
                    _chosen = _fixed_saved[0]
                _fixed_saved = None


@cache
def messages() -> dict[str, dict[str, str]]:
    """key → {zh: template, en: template} (rules/messages.yaml), parsed once per version of the
    file (kept in narrator's cache folder: ~15 ms of every command's start otherwise)."""
    data = (rules_dir() / "messages.yaml").read_bytes()
    return pickled("messages", content_key(data, "messages.yaml"), lambda: _parse(data))


def _parse(data: bytes) -> dict[str, dict[str, str]]:
    # read here with PyYAML, not core.yamlio: the readers' own errors are messages too
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    tree = yaml.load(data.decode("utf-8"), Loader=loader)
    return {str(k): {str(lg): str(t) for lg, t in v.items()} for k, v in tree.items()}


def msg(key: str, /, **params) -> str:
    """The message ``key`` in the current language, its ``{name}`` placeholders filled."""
    return messages()[key][lang()].format_map(params)


def severity_label(severity: str) -> str:
    """error / warning / info in the reader's words (错误 / 警告 / 信息)."""
    key = {"error": "severity.error", "warning": "severity.warning", "info": "severity.info"}.get(severity)
    return msg(key) if key else severity
