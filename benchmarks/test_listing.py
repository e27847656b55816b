"""``dump`` against ``convert`` on a 14 MB capture (pytest-benchmark; ``report.py`` gives the
ratio the target names)."""

from __future__ import annotations

import pytest
from listing import CONVERT, DUMP, listing_operations


@pytest.mark.parametrize("group", [DUMP, CONVERT])
def test_command_line(benchmark, group):
    benchmark.group = "command line: a 14 MB capture"
    benchmark(listing_operations()[(group, "cython")])
