"""The run's state under --out (an SQLite file: what was done, with which options, for the
skip logic) and the summaries assembled from it (summary.csv, summary.json, index.html)."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from narrator.batch.files import _mkstemp
from narrator.core.messages import msg


STATE_FILE = ".narrator-batch.sqlite"
# narrator's own mark on an --out folder: files it wrote there may be overwritten by later runs
MARKER_FILE = ".narrator-output"


def marker_text() -> str:
    """The marker file's text (a person may open it)."""
    return msg("batch.marker") + "\n"


SUMMARY_FILES = ("summary.csv", "summary.json")
TOP_FINDINGS = 3
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


# =====================================================================================
# State (skip logic) and summary rows
# =====================================================================================
class State:
    """``--out/.narrator-batch.sqlite``: the last row per output (skip logic) and this run's rows.

    Only the parent process touches it. This run's rows go to table ``run`` as they arrive
    (so nothing is held in memory) and come back in input order for the summaries.
    """

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_FILE
        self.db = sqlite3.connect(str(self.path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-256")  # KiB: rows are appended and looked up one by one; keeps the parent flat
        self.db.execute("CREATE TABLE IF NOT EXISTS done (output TEXT PRIMARY KEY, input TEXT, sig TEXT, row TEXT)")
        # every output a run set out to write (recorded before the work is handed out): a file
        # at such a path is narrator's own, complete (written atomically) or absent
        self.db.execute("CREATE TABLE IF NOT EXISTS owned (output TEXT PRIMARY KEY)")
        self.db.execute("DROP TABLE IF EXISTS run")
        self.db.execute("CREATE TABLE run (seq INTEGER PRIMARY KEY, row TEXT)")
        self.db.execute("BEGIN")
        self._pending = 0
        self._claims = 0
        self._last_commit = time.monotonic()

    def previous(self, output: str, input: str, sig: str) -> dict | None:
        r = self.db.execute("SELECT input, sig, row FROM done WHERE output = ?", (output,)).fetchone()
        if r is None or r[0] != input or r[1] != sig:
            return None
        return json.loads(r[2])

    def owns(self, output: str) -> bool:
        """Whether narrator wrote (or set out to write) this output in an earlier or this run."""
        return self.db.execute("SELECT 1 FROM owned WHERE output = ? UNION ALL SELECT 1 FROM done WHERE output = ?",
                               (output, output)).fetchone() is not None

    def claim(self, output: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO owned (output) VALUES (?)", (output,))
        self._claims += 1

    def commit_claims(self) -> None:
        """Before work is handed out: its outputs are known as narrator's even if this run is
        killed outright (else the next run would refuse to overwrite them)."""
        if self._claims:
            self.commit()

    def record(self, row: dict, sig: str | None) -> None:
        text = json.dumps(row, ensure_ascii=False)
        self.db.execute("INSERT OR REPLACE INTO run (seq, row) VALUES (?, ?)", (row["seq"], text))
        if row["status"] == "failed" and row.get("output"):
            self.db.execute("DELETE FROM done WHERE output = ?", (row["output"],))
        elif sig is not None:
            self.db.execute("INSERT OR REPLACE INTO done (output, input, sig, row) VALUES (?, ?, ?, ?)",
                            (row["output"], row["input"], sig, text))
        self._pending += 1
        if self._pending >= 500 or time.monotonic() - self._last_commit > 2:
            self.commit()

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")
        self._pending = 0
        self._claims = 0
        self._last_commit = time.monotonic()

    def recorded(self, seq: int) -> bool:
        """Whether this run has a row for input ``seq``."""
        return self.db.execute("SELECT 1 FROM run WHERE seq = ?", (seq,)).fetchone() is not None

    def rows(self) -> Iterator[dict]:
        cur = self.db.cursor()
        for (text,) in cur.execute("SELECT row FROM run ORDER BY seq"):
            yield json.loads(text)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("COMMIT")
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("DROP TABLE IF EXISTS run")
        self.db.close()


@dataclass
class Totals:
    documents: int = 0
    ok: int = 0            # done (now or, for skipped ones, before) without error findings
    with_errors: int = 0   # done, with error-severity findings
    failed: int = 0        # could not be done: the row carries the one-line error
    skipped: int = 0       # up to date: not redone (also counted in ok / with_errors)
    interrupted: int = 0   # not done: the run was interrupted first (no output on disk)
    errors: int = 0
    warnings: int = 0
    info: int = 0

    def __post_init__(self) -> None:
        self.first_failures: list[str] = []   # the first few one-line errors, for the terminal
        self.first_noted: list[tuple[str, int, list[str]]] = []  # (input, warnings, top) of the first few
        self.noted = 0                        # documents done with warnings (generate: table errors)

    def add(self, row: dict) -> None:
        self.documents += 1
        status = row["status"]
        if status == "skipped":
            self.skipped += 1
            status = row.get("previous_status") or "ok"
        if status == "interrupted":
            self.interrupted += 1
            return
        if status == "failed":
            self.failed += 1
            if len(self.first_failures) < 20:
                self.first_failures.append(row.get("error") or row["input"])
            return
        if status == "error":
            self.with_errors += 1
        else:
            self.ok += 1
        if row.get("warnings"):
            self.noted += 1
            if len(self.first_noted) < 20:
                self.first_noted.append((row["input"], row["warnings"], list(row.get("top") or [])))
        self.errors += row.get("errors") or 0
        self.warnings += row.get("warnings") or 0
        self.info += row.get("info") or 0

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("first_failures", "first_noted", "noted")}


CSV_COLUMNS = ("input", "output", "status", "errors", "warnings", "info", "numbers", "confirmed", "unverifiable",
               "placeholders", "figures", "top_findings", "error", "seconds")   # summary.json's keys


def csv_header() -> list[str]:
    """summary.csv's column names in the reader's language (in CSV_COLUMNS' order)."""
    names = msg("summary.columns").split(",")
    assert len(names) == len(CSV_COLUMNS)
    return names


def write_index_html(out_dir: Path, state: State) -> None:
    """index.html over all documents of an HTML batch (sortable by errors), written atomically."""
    from narrator.report.html import batch_index_html
    from narrator.core.textio import atomic_write

    rows = []
    for row in state.rows():
        status = row.get("status", "")
        rows.append({"document": row.get("input", ""),
                     "output": "" if status in ("failed", "interrupted") else row.get("output") or "",
                     "status": "failed" if status in ("failed", "interrupted") else "skipped" if status == "skipped"
                     else "ok",
                     "errors": row.get("errors") or 0, "warnings": row.get("warnings") or 0,
                     "info": row.get("info") or 0, "numbers": row.get("numbers") or 0,
                     "confirmed": row.get("confirmed") or 0, "unverifiable": row.get("unverifiable") or 0,
                     "error_message": row.get("error") or None, "top": list(row.get("top") or [])})
    atomic_write(out_dir / "index.html", batch_index_html(rows))


def write_summary(out_dir: Path, state: State, meta: dict) -> Totals:
    """summary.csv (UTF-8 with BOM, for Excel) and summary.json, streamed from the state, written atomically.

    The totals are counted from the same rows, so they always agree with them.
    """
    totals = Totals()
    tmp_files: list[str] = []
    try:
        fd, csv_tmp = _mkstemp(out_dir / "summary.csv")
        tmp_files.append(csv_tmp)
        fd2, json_tmp = _mkstemp(out_dir / "summary.json")
        tmp_files.append(json_tmp)
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fc, \
                os.fdopen(fd2, "w", encoding="utf-8") as fj:
            w = csv.writer(fc)
            w.writerow(csv_header())
            head = json.dumps(meta, ensure_ascii=False, indent=2)
            fj.write(head[:-2] + ',\n  "documents": [')
            first = True
            for row in state.rows():
                totals.add(row)
                if row.get("status") in ("failed", "interrupted"):
                    row["output"] = ""  # a failed or undone input has no output
                w.writerow(_csv_row(row))
                row.pop("seq", None)
                fj.write(("\n    " if first else ",\n    ") + json.dumps(row, ensure_ascii=False))
                first = False
            t = totals
            undone = msg("summary.undone", count=t.interrupted) if t.interrupted else ""
            w.writerow([msg("summary.total_label"), "",
                        msg("summary.total", documents=t.documents, ok=t.ok, with_errors=t.with_errors,
                            failed=t.failed, skipped=t.skipped) + undone, t.errors, t.warnings, t.info,
                        "", "", "", "", "", "", msg("summary.interrupted") if meta.get("interrupted") else "",
                        meta.get("seconds", "")])
            fj.write(("\n  ],\n" if not first else "],\n") + '  "totals": '
                     + json.dumps(totals.to_json(), ensure_ascii=False) + "\n}\n")
        os.replace(csv_tmp, out_dir / "summary.csv")
        os.replace(json_tmp, out_dir / "summary.json")
        tmp_files.clear()
    finally:
        for t in tmp_files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(t)
    return totals


def _csv_row(row: dict) -> list:
    def v(k):
        x = row.get(k)
        return "" if x is None else x

    status = _status_label(row["status"])
    if row["status"] == "skipped" and row.get("previous_status"):
        status = msg("summary.status.skipped_was", status=_status_label(row["previous_status"]))
    return [row["input"], row["output"], status, v("errors"), v("warnings"), v("info"), v("numbers"),
            v("confirmed"), v("unverifiable"), v("placeholders"), v("figures"), " | ".join(row.get("top") or []),
            v("error"), v("seconds")]


def _status_label(status: str) -> str:
    key = {"ok": "summary.status.ok", "error": "summary.status.error", "failed": "summary.status.failed",
           "skipped": "summary.status.skipped", "interrupted": "summary.status.interrupted"}.get(status)
    return msg(key) if key else status
