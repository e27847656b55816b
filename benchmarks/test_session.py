"""The outbox and the Assembler (pytest-benchmark; ``report.py`` gives the ratios the targets
name)."""

from __future__ import annotations

import pytest
from dm_session import dm_session_operations

from session import _chunks, _reassemble, outbox_operations


@pytest.mark.parametrize("group", ["encode the 10 MB DM document", "cut it into 64 KB messages"])
def test_outbox(benchmark, group):
    benchmark.group = "outbox: 10 MB DM document, 64 KB messages"
    benchmark(outbox_operations()[(group, "cython")])


@pytest.mark.parametrize("megabytes", [40, 100])
@pytest.mark.parametrize("sink", [False, True], ids=["memory", "sink"])
def test_reassembly(benchmark, megabytes, sink):
    commands = _chunks(megabytes << 20)
    benchmark.group = f"reassembly of {megabytes} MB from 64 KB chunks"
    benchmark(_reassemble, commands, sink)


@pytest.mark.parametrize(
    "group",
    [
        "copy the 500 prepared commands",
        "the session, with the copy",
        "decode its messages",
        "encode its messages",
    ],
)
def test_dm_session(benchmark, group):
    benchmark.group = "DM session: 500 commands, 8 KB messages, both sides"
    benchmark(dm_session_operations()[(group, "cython")])
