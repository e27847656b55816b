"""The management tree: a saved tree loaded and written, and look-up by URI (pytest-benchmark;
``report.py`` gives the ratios the targets name)."""

from __future__ import annotations

import pytest
from tree import lookup_operations, sample_tree

import syncml_codec
from syncml_codec.dm import ManagementTree

NODES = 100_000


@pytest.fixture(scope="module")
def saved() -> tuple[ManagementTree, bytes]:
    tree = sample_tree(NODES)
    return tree, tree.to_tnds_wbxml()


def test_decode_tnds(benchmark, implementation, saved):
    benchmark.group = f"tree load {implementation}"
    benchmark(syncml_codec.decode, saved[1])


def test_tree_from_tnds(benchmark, implementation, saved):
    benchmark.group = f"tree load {implementation}"
    benchmark(ManagementTree.from_tnds, saved[1])


def test_encode_tnds(benchmark, implementation, saved):
    element = syncml_codec.decode(saved[1])
    benchmark.group = f"tree save {implementation}"
    benchmark(syncml_codec.encode, element)


def test_tree_to_tnds(benchmark, implementation, saved):
    benchmark.group = f"tree save {implementation}"
    benchmark(saved[0].to_tnds_wbxml)


@pytest.mark.parametrize("size", ["1,000 nodes", "100,000 nodes"])
def test_lookup(benchmark, size):
    benchmark.group = "tree look-up"
    benchmark(lookup_operations()[("look-up", size)])
