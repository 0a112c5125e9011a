import pytest


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """The batch machinery's tests read summary.csv by its English column names and match
    English errors (NARRATOR_LANG=en, inherited by the workers and the subprocesses); the
    Chinese default is checked in tests/cli/test_default_output_is_chinese.py."""
    monkeypatch.setenv("NARRATOR_LANG", "en")
