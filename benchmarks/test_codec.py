"""syncml_codec against its peers, operation by operation; peers sit in the same group.

pytest benchmarks/                          # small, medium, large
SYNCML_BENCH_SIZES=small pytest benchmarks/ # quicker
"""

from __future__ import annotations

import pytest

from documents import SIZES
from helpers import SELECTED
from operations import missing_peers, operations

CASES = [
    (kind, size, group, contender)
    for kind in ("dm", "ds")
    for size in SELECTED
    for (group, contender) in operations(kind, SIZES[size])
]


@pytest.mark.parametrize(
    "kind,size,group,contender", CASES, ids=[f"{k}-{s}-{g}-{c}" for k, s, g, c in CASES]
)
def test_operation(benchmark, kind, size, group, contender):
    benchmark.group = f"{group} {kind} {size}"
    benchmark(operations(kind, SIZES[size])[(group, contender)])


@pytest.mark.parametrize("peer", sorted(missing_peers()) or [None])
def test_missing_peer(peer):
    """A peer that is not installed shows up as a skip with its reason, never as a fake."""
    if peer is None:
        pytest.skip("every peer is installed")
    pytest.skip(missing_peers()[peer])
