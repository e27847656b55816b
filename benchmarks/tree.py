"""The management tree's figures: a saved tree loaded and written against decoding and encoding
the same TNDS bytes, look-up in a small and a large tree, and the memory a tree takes.

``tree_operations(nodes)`` and ``lookup_operations()`` return ``{(group, contender):
callable}`` for ``report.median_times`` (interleaved rounds in one process); ``tree_memory``
measures with tracemalloc. The tree: interior nodes of 1,000 leaves each (short ``chr``
values), ACLs on the interior nodes, saved with every property (how a tree is saved).
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from collections.abc import Callable

import syncml_codec
from syncml_codec import _impl
from syncml_codec.dm import ManagementTree

#: How many leaves one interior node of the sample trees holds.
FANOUT = 1_000


def sample_tree(nodes: int) -> ManagementTree:
    """A tree of ``nodes`` leaves (``./N<i>/L<j>`` = ``value<j>``) under interior nodes with
    ACLs, at a fixed clock so two runs build the same bytes."""
    tree = ManagementTree(clock=lambda: 1_700_000_000.0)
    for index in range(nodes):
        folder, leaf = divmod(index, FANOUT)
        if leaf == 0:
            tree.add(f"./N{folder}", format="node")
            tree.replace(f"./N{folder}?prop=ACL", f"Get=*&Replace=server{folder % 7}")
        tree.add(f"./N{folder}/L{leaf}", f"value{leaf}")
    return tree


def tree_operations(nodes: int) -> dict[tuple[str, str], Callable[[], object]]:
    """Loading a saved tree and saving it, each with the codec work it is compared with."""
    tree = sample_tree(nodes)
    data = tree.to_tnds_wbxml()
    element = syncml_codec.decode(data)
    compiled = _impl.IMPLEMENTATIONS["cython"]
    return {
        ("decode TNDS", "cython"): lambda: compiled.decode_wbxml(data),
        ("tree from TNDS", "cython"): lambda: ManagementTree.from_tnds(data),
        ("encode TNDS", "cython"): lambda: compiled.encode_wbxml(element),
        ("tree to TNDS", "cython"): tree.to_tnds_wbxml,
    }


def lookup_operations(lookups: int = 2_000) -> dict[tuple[str, str], Callable[[], object]]:
    """``lookups`` Gets of random leaves in a tree of 1,000 and one of 100,000 nodes (the same
    URI depth in both)."""
    found = {}
    for nodes in (1_000, 100_000):
        tree = sample_tree(nodes)
        picker = random.Random(nodes)
        uris = [f"./N{i // FANOUT}/L{i % FANOUT}" for i in picker.choices(range(nodes), k=lookups)]
        found[("look-up", f"{nodes:,} nodes")] = _getter(tree, uris)
    return found


def _getter(tree: ManagementTree, uris: list[str]) -> Callable[[], object]:
    def get_all() -> None:
        for uri in uris:
            tree.get(uri)

    return get_all


def tree_memory(nodes: int) -> dict[str, float]:
    """Bytes per leaf added one by one (a short value), and a loaded tree's size against its
    TNDS WBXML's, both measured with tracemalloc."""
    tree = sample_tree(FANOUT)  # the interior node's dict grown like the others
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for index in range(nodes):
            folder, leaf = divmod(index, FANOUT)
            tree.add(f"./M{folder}/L{leaf}", f"value{leaf}")
        gc.collect()
        per_leaf = (tracemalloc.get_traced_memory()[0] - before) / nodes
    finally:
        tracemalloc.stop()
    data = sample_tree(nodes).to_tnds_wbxml()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loaded = ManagementTree.from_tnds(data)
        gc.collect()
        tree_bytes = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del loaded
    return {
        "bytes per leaf": per_leaf,
        "tree bytes": tree_bytes,
        "TNDS WBXML bytes": len(data),
        "tree / TNDS WBXML": tree_bytes / len(data),
    }
