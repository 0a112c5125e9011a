"""The one switch between the fast paths and their references.

A fast path lives in a ``_fast`` module beside the code it accelerates and gives the very
same results, only sooner; the tests compare each with its reference. Setting the
environment variable ``NARRATOR_REFERENCE=1`` before narrator is imported turns them off
together: the figures loader, the Jinja environment, the table audit's enumeration and the
numpy alignment take their reference paths (to bisect a difference or time a fast path).
"""

from __future__ import annotations

import os

ENV = "NARRATOR_REFERENCE"
ENABLED: bool = os.environ.get(ENV, "") != "1"
