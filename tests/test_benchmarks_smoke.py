"""The benchmark code itself runs (on a tiny document): it is not part of pass/fail otherwise."""

from __future__ import annotations

import sys

import pytest

from helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import documents
import operations
import report


def test_every_operation_runs_and_agrees_on_a_tiny_document(monkeypatch, tmp_path):
    ops = operations.operations("dm", 1_000)
    assert {group for group, _ in ops} >= {
        "decode",
        "encode",
        "wbxml->xml",
        "xml->wbxml",
        "wbxml->model",
        "model->wbxml",
    }
    outputs = {key: function() for key, function in ops.items()}
    assert (
        outputs[("wbxml->xml", "python")] == outputs[("wbxml->xml", "cython")]
        if ("wbxml->xml", "cython") in outputs
        else True
    )
    if ("xml->wbxml", "libwbxml") in outputs:
        assert outputs[("xml->wbxml", "libwbxml")] == outputs[("xml->wbxml", "python")]
    monkeypatch.setattr(report, "SIZES", {"tiny": 1_000})
    results = report.measure(kinds=("dm",), sizes=("tiny",), budget=0.001, repeat=1)
    assert results and all(seconds > 0 for seconds in results.values())
    target = tmp_path / "RESULTS.md"
    compiled = "cython" in operations._impl.IMPLEMENTATIONS
    mem = report.memory((("dm", "tiny"),)) if compiled else None  # measures the compiled codec
    report.write_results(results, None, mem, target)
    text = target.read_text()
    assert "| decode | cython |" in text or not compiled
    assert ("decoding peak at most 3x the tree's own size | dm tiny |" in text) == compiled


def test_documents_have_the_sizes_asked_for():
    for kind in ("dm", "ds"):
        assert 40_000 < len(documents.sized(kind, 50_000)) <= 50_000
    assert documents.wbxml("dm", 2_000).startswith(b"\x03\xa4\x01\x6a")


def test_missing_peers_are_named_not_faked():
    for peer, reason in operations.missing_peers().items():
        assert peer and reason
    if operations.libwbxml is None:
        pytest.skip("libwbxml2.so absent: its operations are left out")
    assert ("wbxml->xml", "libwbxml") in operations.operations("dm", 1_000)


def test_the_scaling_series_runs_and_is_written(monkeypatch, tmp_path):
    monkeypatch.setattr(report, "SCALING", [1_000, 2_000])
    monkeypatch.setattr(report, "TREES_KEPT_XML_BYTES", 20_000)
    series = report.scaling(budget=0.001)
    assert all(
        len(points) == 2 and all(seconds > 0 for _, seconds in points) for points in series.values()
    )
    target = tmp_path / "RESULTS.md"
    report.write_results({}, series, None, target)
    text = target.read_text()
    compiled = "cython" in operations._impl.IMPLEMENTATIONS
    # the scaling targets are the compiled core's; without it only the peers' series are written
    assert ("| decode: cython |" in text and "linear in size" in text) == compiled
    if report.TREES_KEPT in series:
        assert "| decode, trees kept: cython |" in text
        assert "(decode, trees kept)" not in text  # evidence, not a target row


def test_the_tree_figures_run_and_agree_on_a_small_tree():
    import tree

    if "cython" not in operations._impl.IMPLEMENTATIONS:
        pytest.skip("the tree's figures compare with the compiled codec")
    ops = tree.tree_operations(2_000)
    saved = ops[("tree to TNDS", "cython")]()
    loaded = ops[("tree from TNDS", "cython")]()
    assert loaded.to_tnds_wbxml() == saved
    assert operations.syncml_codec.encode(ops[("decode TNDS", "cython")]()) == saved
    for function in tree.lookup_operations(lookups=10).values():
        function()
    memory = tree.tree_memory(2_000)
    assert memory["TNDS WBXML bytes"] == len(saved) and memory["bytes per leaf"] > 50
    figures = {"times": dict.fromkeys(ops, 1.0), "memory": memory}
    figures["times"].update({("look-up", "1,000 nodes"): 1.0, ("look-up", "100,000 nodes"): 1.0})
    rows = report.tree_rows(figures, 2_000)
    assert len(rows) == len(report.TREE_TARGETS) + 2
    assert all(row.endswith(("| yes |", "| **no** |")) for row in rows)


def test_the_session_figures_run_on_small_inputs(monkeypatch):
    import session

    if "cython" not in operations._impl.IMPLEMENTATIONS:
        pytest.skip("the outbox's figures compare with the compiled codec")
    monkeypatch.setattr(session, "SIZES", {"huge": 20_000})
    monkeypatch.setattr(session, "MESSAGE_SIZE", 2_000)
    monkeypatch.setattr(session, "OBJECT_SIZES", (100_000, 200_000))
    ops = session.outbox_operations()
    messages = ops[("cut it into 64 KB messages", "cython")]()
    assert len(messages) > 1 and all(len(m.to_wbxml()) <= 2_000 for m in messages)
    assert 0.5 < session.fill() <= 1
    monkeypatch.setattr(session, "RANDOM_LISTS", 2)
    monkeypatch.setattr(session, "RANDOM_COMMANDS", 200)
    monkeypatch.setattr(session, "RANDOM_DATA", 50)
    assert 0.5 < session.random_fill() <= 1
    figures = session.reassembly_here()
    assert figures["peak / object, in memory"] > 0.9
    import dpu

    dpu_ops = dpu.dpu_operations(nodes=2_000, commands=20)
    assert len(dpu_ops[("process 2,000 commands", "cython")]()) == 30  # Get: Status and Results
    import dm_session

    monkeypatch.setattr(dm_session, "NODES", 2_000)
    monkeypatch.setattr(dm_session, "COMMANDS", 20)
    in_session: list[float] = []
    session_ops = dm_session.dm_session_operations(in_session)
    session_ops[("the session, with the copy", "cython")]()
    times = dict.fromkeys([*ops, *dpu_ops, *session_ops], 1.0)
    assert len(in_session) == 1 and 0 < dm_session.dpu_share(times, in_session) < 0.5
    times[("copy the 500 prepared commands", "cython")] = 0.5
    rows = report.session_rows(
        {"times": times, "fill": 1.0, "random fill": 1.0, "reassembly": figures}
    )
    assert all(row.endswith(("| yes |", "| **no** |")) for row in rows)


def test_the_command_line_figures_run_on_a_small_capture(monkeypatch, tmp_path):
    import listing

    if "cython" not in operations._impl.IMPLEMENTATIONS:
        pytest.skip("the command line's figures are of the compiled codec")
    monkeypatch.setattr(listing, "CAPTURE_XML_BYTES", 20_000)
    monkeypatch.setattr(listing.tempfile, "gettempdir", lambda: str(tmp_path))
    ops = listing.listing_operations()
    for function in ops.values():
        function()
    rows = report.cli_rows(dict.fromkeys(ops, 1.0))
    assert rows == [row for row in rows if row.endswith("| yes |")] and len(rows) == 1
