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

A third saving is per section: every section template starts with
``{% import "macros.j2" as m with context %}``, for which Jinja builds the macro module
anew each time. Within one render all sections see the same variables (``SharedVars``),
so a module imported with exactly those variables is built once per render and reused -
unless it holds something a macro could change (a ``namespace()``, a list …), when each
import gets its own module as in Jinja.

Pays: batch generate 1.2–1.3x, batch check 1.07–1.12x, one render of the sample 1.4–1.6x (bench_fast_paths.py).
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from keyword import iskeyword as is_python_keyword
from types import FunctionType

import jinja2
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.environment import TemplateModule
from jinja2.idtracking import VAR_LOAD_RESOLVE
from jinja2.runtime import Context, LoopContext, Macro, missing

from narrator.figures.metrics import MetricsView
from narrator.figures.view import RowView, TableView, View
from narrator.render.shared import SharedVars


def _class_attributes(cls: type) -> frozenset[str]:
    return frozenset(name for klass in cls.__mro__ for name in vars(klass))


# type -> names that are real attributes (methods, slots) and so must go through getattr()
_ITEM_TYPES: dict[type, frozenset[str]] = {
    cls: _class_attributes(cls) for cls in (View, RowView, TableView, MetricsView)
}
_VIEW_ATTRS, _ROW_ATTRS = _ITEM_TYPES[View], _ITEM_TYPES[RowView]
_MODULE_ATTRS = _class_attributes(TemplateModule)
# LoopContext properties that only compute from the loop's state (no AttributeError inside)
_LOOP_PROPERTIES = frozenset({"index", "index0", "first", "last", "length", "revindex", "revindex0"})


class FastContext(Context):
    """``Context.call`` without the pass_context inspection for our own plain callables;
    ``get_all`` that keeps a render's SharedVars (see FastTemplate)."""

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

    def get_all(self):
        # Jinja: the parent itself if nothing was assigned, else dict(parent, **vars) - which
        # for a section's SharedVars is kept, so imports after the first can be shared too
        if self.vars and type(self.parent) is SharedVars:
            return self.parent.extended(self.vars)
        return Context.get_all(self)


# module-level values that no macro can change: such a module may serve several imports
_CONSTANT_TYPES = (Macro, FunctionType, TemplateModule, str, int, float, Decimal, type(None))


class FastTemplate(jinja2.Template):
    def make_module(self, vars=None, shared=False, locals=None):
        # ``{% import … with context %}`` in a section passes its SharedVars (``get_all``) and
        # the section's locals: not yet assigned, or (``m`` when importing ``s``) already in vars
        if type(vars) is not SharedVars or not shared or (locals and any(
                v is not missing and vars.get(k, missing) is not v for k, v in locals.items())):
            return jinja2.Template.make_module(self, vars, shared, locals)
        module = vars.modules.get(self)
        if module is None:
            # such locals add nothing to vars, where Jinja would copy vars to add them; keeping
            # the SharedVars lets the module's own imports (_上海句式 importing macros.j2) be shared
            context = self.new_context(vars, shared)
            module = TemplateModule(self, context)
            if all(isinstance(v, _CONSTANT_TYPES) for v in context.vars.values()):
                vars.modules[self] = module
        return module


def _slow_call(context: Context, obj, **extra):
    """What to call for a callable that is not one of our plain functions: Jinja's own
    ``Context.call`` with the loop/block variables the generated code would have passed;
    for a plain macro (``s.项级科目(loop.index, 行)``), ``_call_macro``."""
    if type(obj) is Macro and not (obj.caller or obj.explicit_caller or obj.catch_kwargs
                                   or obj.catch_varargs):
        return partial(_call_macro, context, obj)
    return partial(Context.call, context, obj, **extra)


def _call_macro(context: Context, macro: Macro, *args, **kwargs):
    """``Context.call(context, macro, …)`` for a macro without ``caller``, ``kwargs`` or
    ``varargs``, called with positional arguments outside an autoescape block: what
    ``Macro.__call__`` then does is pad the arguments with ``missing`` (the macro fills
    in its defaults) and call the macro's function."""
    n = macro._argument_count
    if kwargs or len(args) > n or context.eval_ctx.autoescape:
        return Context.call(context, macro, *args, **kwargs)
    if len(args) < n:
        args += (missing,) * (n - len(args))
    try:
        return macro._func(*args)
    except StopIteration:
        return context.environment.undefined(
            "value was undefined because a callable raised a StopIteration exception")


class FastCodeGenerator(CodeGenerator):
    """Compiles ``f(a, b)`` in a template to a direct Python call when ``f`` turns out to be
    one of our plain functions, instead of always going through ``context.call``:

        (_c if type(_c := f) is _FunctionType and _c in _plain_callables
         else _slow_call(context, _c, _loop_vars=_loop_vars))(a, b)

    The callee is evaluated first and then the arguments, as in Jinja's code. Calls with
    ``*args``/``**kwargs``, ``caller`` or keyword names that are Python keywords keep
    Jinja's code. (Unlike Context.call, a StopIteration raised by one of our functions is
    not turned into an undefined value; none of them raises it.)"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # per {% for %} being compiled: the loads moved before the loop (see visit_For), or
        # None once the loop's own frame has been entered
        self._hoisted: list[dict | None] = []

    def visit_For(self, node, frame):
        """A name the loop body reads from the context (a global such as ``占比``, a render
        variable such as ``指标``) is resolved once before the loop instead of at the start
        of every iteration. Nothing in a loop body can change the context's variables (only
        top-level assignments and imports write them), so each iteration would resolve the
        same object. Names the body assigns are resolved anew each time, as in Jinja (a
        ``{% set x %}`` after a read of ``x`` must not carry over to the next iteration)."""
        hoisted: dict[str, str] = {}
        if not node.recursive and not self.environment.is_async:
            # the symbols Jinja's visit_For gives its loop frame (``loop`` is a parameter there
            # whenever the body uses it)
            probe = frame.inner()
            probe.symbols.declare_parameter("loop")
            probe.symbols.analyze_node(node, for_branch="body")
            stores = probe.symbols.stores
            for target, (action, name) in probe.symbols.loads.items():
                if action == VAR_LOAD_RESOLVE and name not in stores:
                    hoisted[target] = name
                    self.writeline(f"{target} = {self.get_resolve_func()}({name!r})")
        self._hoisted.append(hoisted)
        try:
            super().visit_For(node, frame)
        finally:
            self._hoisted.pop()

    def enter_frame(self, frame):
        if frame.loop_frame and self._hoisted and self._hoisted[-1]:
            # the loop frame of the {% for %} in visit_For: the first loop frame entered
            # after it started (its filter's frame is not a loop frame)
            hoisted, self._hoisted[-1] = self._hoisted[-1], None
            loads = frame.symbols.loads
            kept = {t: load for t, load in loads.items()
                    if not (t in hoisted and load == (VAR_LOAD_RESOLVE, hoisted[t]))}
            if len(kept) < len(loads):
                frame.symbols.loads = kept
                try:
                    return super().enter_frame(frame)
                finally:
                    # leave_frame resets every load (hoisted ones included) after the loop
                    frame.symbols.loads = loads
        elif frame.loop_frame and self._hoisted:
            self._hoisted[-1] = None
        return super().enter_frame(frame)

    def visit_Template(self, node, frame=None):
        super().visit_Template(node, frame)
        # module globals for the calls below, bound when the compiled template is loaded
        self.writeline("_plain_callables = environment.plain_callables")
        self.writeline("_FunctionType = environment.function_type")
        self.writeline("_slow_call = environment.slow_call")
        self.writeline("_kid_views = environment.kid_views")
        self.writeline("_TemplateModule = environment.template_module")
        self.writeline("_LoopContext = environment.loop_context")

    @optimizeconst
    def visit_Call(self, node, frame, forward_caller=False):
        env = self.environment
        if (forward_caller or env.is_async or env.sandboxed or node.dyn_args is not None
                or node.dyn_kwargs is not None or any(is_python_keyword(k.key) for k in node.kwargs)):
            return CodeGenerator.visit_Call.__wrapped__(self, node, frame, forward_caller)
        self.write("(_c if type(_c := ")
        self.visit(node.node, frame)
        self.write(") is _FunctionType and _c in _plain_callables else _slow_call(context, _c")
        if frame.loop_frame:
            self.write(", _loop_vars=_loop_vars")
        if frame.block_frame:
            self.write(", _block_vars=_block_vars")
        self.write("))(")
        sep = ""
        for arg in node.args:
            self.write(sep)
            self.visit(arg, frame)
            sep = ", "
        for kwarg in node.kwargs:
            self.write(sep)
            self.visit(kwarg, frame)
            sep = ", "
        self.write(")")


    @optimizeconst
    def visit_Concat(self, node, frame):
        """``"科目说明." ~ 行.科目编码`` outside autoescape: ``"%s%s" % (a, b)``, which is
        ``str_join((a, b))`` - each operand's ``str()`` joined - without its call and map()."""
        if frame.eval_ctx.volatile or frame.eval_ctx.autoescape:
            return CodeGenerator.visit_Concat.__wrapped__(self, node, frame)
        self.write(f"({'%s' * len(node.nodes)!r} % (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    @optimizeconst
    def visit_Getattr(self, node, frame):
        """``行.合计`` on one of our views reads the view's item cache directly, or else the
        item itself, as FastEnvironment.getattr would, without calling it; ``m.金额文`` on a
        macro module reads the module's variables, as getattr() would:

            (_h if (_t := type(_o := 行)) in _kid_views and (_k := _o._kids) is not None
                   and (_h := _k.get("合计")) is not None
             else _o["合计"] if _t in _kid_views
             else _o.index if _t is _LoopContext        (loop.index and the like only)
             else _h if _t is _TemplateModule and (_h := _o.__dict__.get("合计")) is not None
             else environment.getattr(_o, "合计"))

        Names that getattr must not treat as items (methods, ``_…``) keep Jinja's code."""
        env = self.environment
        attr = node.attr
        if (env.is_async or env.sandboxed or attr[:1] == "_" or attr in _ROW_ATTRS
                or attr in _MODULE_ATTRS):
            return CodeGenerator.visit_Getattr.__wrapped__(self, node, frame)
        self.write("(_h if (_t := type(_o := ")
        self.visit(node.node, frame)
        self.write(f")) in _kid_views and (_k := _o._kids) is not None and (_h := _k.get({attr!r}))"
                   f" is not None else _o[{attr!r}] if _t in _kid_views")
        if attr in _LOOP_PROPERTIES:  # loop.index: the property getattr() would read
            self.write(f" else _o.{attr} if _t is _LoopContext")
        self.write(f" else _h if _t is _TemplateModule and (_h := _o.__dict__.get({attr!r})) is not None"
                   f" else environment.getattr(_o, {attr!r}))")


class FastEnvironment(jinja2.Environment):
    context_class = FastContext
    template_class = FastTemplate
    code_generator_class = FastCodeGenerator
    function_type = FunctionType
    slow_call = staticmethod(_slow_call)
    kid_views = frozenset((View, RowView, MetricsView))  # views whose ``_kids`` caches their items
    template_module = TemplateModule
    loop_context = LoopContext

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
