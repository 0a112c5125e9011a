"""Small Chinese numerals written and read without cn2an, exactly as cn2an writes and reads them."""

from __future__ import annotations

import pytest

from narrator.core.cn_numerals import cn_small, read_cn_small
from narrator.render.engine import _cn_int

cn2an = pytest.importorskip("cn2an")


def test_small_numbers_written_as_cn2an_writes_them():
    for n in range(10000):
        assert cn_small(n) == cn2an.an2cn(n), n


def test_small_numbers_read_as_cn2an_reads_them():
    for n in range(10000):
        text = cn_small(n)
        assert read_cn_small(text) == n == cn2an.cn2an(text, "normal"), n


def test_other_writings_are_left_to_cn2an():
    for text in ("两", "两万", "一十", "一十二", "二0", "十十", "百", "三万五千", "", "一二", "零五"):
        assert read_cn_small(text) is None, text


def test_large_numbers_still_from_cn2an():
    for n in (10000, 10001, 123456, 100000000):
        assert _cn_int(n) == cn2an.an2cn(n)


def test_extract_reads_chinese_ordinals_and_counts_the_same():
    from narrator.check.number_grammar import _parse_chinese

    for text, want in (("十二", 12), ("一百零五", 105), ("两", 2), ("三点五", "3.5"), ("二0二四", 2024)):
        got = _parse_chinese(text)
        assert got is not None and str(got[0]) == str(want), text
