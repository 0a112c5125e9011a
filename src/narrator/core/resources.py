"""Where the shipped rules/ and templates/ live (inside the wheel, or the source checkout)."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resource_dir(name: str) -> Path:
    """Directory of shipped resources ``rules`` or ``templates``."""
    here = Path(__file__).resolve().parent.parent  # src/narrator (core/ is one below)
    packaged = here / name
    if packaged.is_dir():
        return packaged
    checkout = here.parent.parent / name  # src/narrator -> repo root
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"narrator resource folder {name!r} not found (broken installation)")


def rules_dir() -> Path:
    return resource_dir("rules")


def templates_dir() -> Path:
    return resource_dir("templates")
