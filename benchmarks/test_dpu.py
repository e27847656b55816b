"""The DPU against the codec work around it (pytest-benchmark; ``report.py`` gives the ratio)."""

from __future__ import annotations

import pytest
from dpu import dpu_operations


@pytest.mark.parametrize(
    "group",
    [
        "process 2,000 commands",
        "decode the message",
        "encode the message",
        "decode the answer",
        "encode the answer",
    ],
)
def test_dpu(benchmark, group):
    benchmark.group = "DPU: 2,000 Get and Replace on 100,000 nodes"
    benchmark(dpu_operations()[(group, "cython")])
