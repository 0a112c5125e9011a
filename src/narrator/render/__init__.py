"""Template packs rendered over figures into a Draft whose every number is a slot."""

from narrator.render.draft import Draft
from narrator.render.engine import load_pack, render

__all__ = ["Draft", "load_pack", "render"]
