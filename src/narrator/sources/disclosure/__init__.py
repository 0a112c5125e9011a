"""Reading a published 部门决算 disclosure: its parts, its nine tables, and the figures in them.

The input is the decoded text of the disclosure (see :mod:`narrator.sources.documents`):
tables come either as tab-separated rows (PDF table extraction, Word tables, the seed layout)
or as space-aligned columns (``pdftotext -layout`` style, Shanghai's template). The parser
finds each table by its official title, its columns by their official header names and its
rows by their labels or 科目编码, and builds a figures tree in the format of
``rules/figures-schema.yaml``.

Text extracted from PDFs is noisy. Where the table's own arithmetic (row sums, column sums,
the totals of other tables) decides what a damaged cell must say, the cell is repaired and
the repair is reported as an info finding ``D001 extraction-repair``. Where the arithmetic
cannot decide, the printed value is kept and a visibly damaged cell is reported as a warning
``D002 unrepaired-cell``. Nothing is guessed silently. All vocabulary (titles, header names,
glyph repairs, the sums) lives in ``rules/disclosure.yaml``.

Modules: ``parts`` (the parts and sections), ``layouts`` (lines, cells, amounts, titles,
columns), ``tables`` (the nine tables into slots and a tree), ``repair`` (the tables'
arithmetic and the solver), ``performance`` (the 绩效自评表), ``read`` (the entry point).
"""

from narrator.sources.disclosure.layouts import Amount, read_amount, title_of, vocabulary
from narrator.sources.disclosure.parts import Parts, Section, split_disclosure
from narrator.sources.disclosure.performance import parse_performance, perf_title
from narrator.sources.disclosure.read import parse_tables

__all__ = ["Parts", "Section", "split_disclosure", "parse_tables", "parse_performance", "read_amount", "Amount",
           "title_of", "vocabulary", "perf_title"]
