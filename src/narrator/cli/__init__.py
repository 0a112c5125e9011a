"""The ``narrator`` command: typer commands only; the work is in the stage packages."""

from narrator.cli.main import app, main

__all__ = ["app", "main"]
