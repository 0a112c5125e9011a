"""Chinese numerals for section and item numbers: written without cn2an, as cn2an writes them."""

from __future__ import annotations

import pytest

from narrator.render.engine import _cn_int, _cn_small

cn2an = pytest.importorskip("cn2an")


def test_small_numbers_as_cn2an_writes_them():
    for n in range(10000):
        assert _cn_small(n) == cn2an.an2cn(n), n


def test_large_numbers_still_from_cn2an():
    for n in (10000, 10001, 123456, 100000000):
        assert _cn_int(n) == cn2an.an2cn(n)
