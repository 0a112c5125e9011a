"""The variables one render shares between its sections (``SharedVars``), on either Jinja environment."""

from __future__ import annotations


class SharedVars(dict):
    """The variables of one render (the environment's globals, then the render's own), as
    Jinja's ``new_context`` would merge them for each template; built once and passed to
    every section with ``shared=True``. ``modules`` keeps the macro modules imported from it."""

    __slots__ = ("modules", "extensions")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.modules: dict = {}
        self.extensions: dict = {}

    def release(self) -> None:
        """After the render: drop the variables and the modules built from them."""
        for ext in self.extensions.values():
            ext.release()
        self.modules.clear()
        self.extensions.clear()
        self.clear()

    def extended(self, names: dict) -> "SharedVars":
        """``dict(self, **names)`` - the same object for the same names bound to the same
        objects, so that a second import (``s`` after ``m``) is shared as well."""
        key = tuple((k, id(v)) for k, v in names.items())
        hit = self.extensions.get(key)
        if hit is None:
            hit = SharedVars(self, **names)
            # the values stay referenced by the copy, so their ids are not reused meanwhile
            self.extensions[key] = hit
        return hit
