"""The one switch between the fast paths and their references.

A fast path lives in a ``_fast`` module beside the code it accelerates and gives the very
same results, only sooner; the tests compare each with its reference. A fast module may
import its reference, never the reverse: one dispatcher per stage imports both and reads
``ENABLED`` (tests/core/test_import_graph.py holds the list): ``figures.load`` (loader_fast
or the schema validator), ``render.engine`` (engine_fast's environment or Jinja's),
``check.checker`` (align_fast or ``check.align.align_reference``) and ``audit.engine``
(kinds_fast or ``audit.kinds``). Setting ``NARRATOR_REFERENCE=1`` before narrator is imported
turns them all off (to bisect a difference or time a fast path).
"""

from __future__ import annotations

import os

ENV = "NARRATOR_REFERENCE"
ENABLED: bool = os.environ.get(ENV, "") != "1"
