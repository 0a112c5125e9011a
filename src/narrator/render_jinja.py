"""A Jinja environment that reaches figures and calls our globals with less overhead.

Templates read figures with attribute syntax (``行.合计``, ``指标.一般公共预算财政拨款支出``) and
call plain Python globals (``占比(a, b)``, ``方向(额)``). Jinja's generic paths for both are
slow in the list templates, which do this a few dozen times per 科目 row:

* ``Environment.getattr`` first tries ``getattr(obj, name)``; on a ``View`` that misses the
  class, enters ``__getattr__`` and then ``__getitem__``. For our view classes we know which
  names are real class attributes (methods such as ``rows``), so any other public name goes
  straight to ``obj[name]`` - the very call ``__getattr__`` would have made.
* ``Context.call`` inspects every callable for ``pass_context`` & co. Plain functions that we
  register ourselves never carry those markers, so they are called directly.

Both shortcuts give exactly the results of Jinja's own paths; anything else (user objects,
macros, names starting with ``_``) still takes Jinja's path.
"""

from __future__ import annotations

from types import FunctionType

import jinja2
from jinja2.runtime import Context

from .metrics import MetricsView
from .view import RowView, TableView, View


def _class_attributes(cls: type) -> frozenset[str]:
    return frozenset(name for klass in cls.__mro__ for name in vars(klass))


# type -> names that are real attributes (methods, slots) and so must go through getattr()
_ITEM_TYPES: dict[type, frozenset[str]] = {
    cls: _class_attributes(cls) for cls in (View, RowView, TableView, MetricsView)
}
_VIEW_ATTRS, _ROW_ATTRS = _ITEM_TYPES[View], _ITEM_TYPES[RowView]


class FastContext(Context):
    """``Context.call`` without the pass_context inspection for our own plain callables."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        if type(__obj) is FunctionType and __obj in __self.environment.plain_callables:
            if kwargs:
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return Context.call(__self, __obj, *args, **kwargs)


class FastEnvironment(jinja2.Environment):
    context_class = FastContext

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # filled by the renderer: plain functions without Jinja pass_* markers
        self.plain_callables: set = set()

    def register_plain(self, *functions) -> None:
        for f in functions:
            if getattr(f, "jinja_pass_arg", None) is None:
                self.plain_callables.add(f)

    def getattr(self, obj, attribute):
        real = _ITEM_TYPES.get(type(obj))
        if real is not None and attribute not in real and attribute[:1] != "_":
            if real is _VIEW_ATTRS or real is _ROW_ATTRS:
                # the item cache View/RowView.__getitem__ would look in first
                kids = obj._kids
                if kids is not None:
                    hit = kids.get(attribute)
                    if hit is not None:
                        return hit
            # what View.__getattr__ / MetricsView.__getattr__ would do
            return obj[attribute]
        return jinja2.Environment.getattr(self, obj, attribute)
