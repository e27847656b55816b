"""Inputs the fuzzers found: each must give the same outcome in both implementations, and a tree
decoded from it must round-trip (see fuzz/README.md). The XML harness feeds WBXML-looking input
with a "<" in front; the files here hold the input as the decoder saw it."""

from __future__ import annotations

import pytest

from syncml_codec import DecodeError, _impl

from helpers import FUZZ_FINDINGS
from helpers.roundtrip import assert_round_trips, decode_with_each_implementation

pytestmark = pytest.mark.usefixtures("codec")

FOUND = sorted(FUZZ_FINDINGS.glob("*.bin"))


def _outcome(module, data: bytes):
    try:
        return module.decode_wbxml(data)
    except DecodeError as error:
        return (error.offset, error.message)


@pytest.mark.parametrize(
    "path", [p for p in FOUND if p.name.startswith("wbxml")], ids=lambda p: p.name
)
def test_wbxml_finding(codec, path):
    data = path.read_bytes()
    outcomes = [_outcome(module, data) for module in _impl.IMPLEMENTATIONS.values()]
    assert all(outcome == outcomes[0] for outcome in outcomes)
    if not isinstance(outcomes[0], tuple):
        assert_round_trips(codec.decode_wbxml(data))


@pytest.mark.parametrize(
    "path", [p for p in FOUND if p.name.startswith("xml")], ids=lambda p: p.name
)
def test_xml_finding(codec, path):
    outcomes = decode_with_each_implementation(path.read_bytes())
    assert all(outcome == outcomes["python"] for outcome in outcomes.values())
    if not isinstance(outcomes[_impl.name], tuple):
        assert_round_trips(outcomes[_impl.name], from_xml=True)


def test_findings_are_kept():
    assert FOUND, "tests/fuzz_regressions/ holds the fuzzers' findings"


@pytest.mark.parametrize(
    "path", [p for p in FOUND if p.name.startswith("dpu")], ids=lambda p: p.name
)
def test_dpu_finding(path):
    """The DPU answers every command of a message the fuzzer found (its own CmdID read as the
    model reads it: the first)."""
    import warnings

    from syncml_codec.dm import Processor, device_tree
    from syncml_codec.model import Message

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the odd shapes the fuzzer made are warned about
        message = Message.from_bytes(path.read_bytes())
    device = device_tree(dev_id="IMEI:1", man="M", mod="X")
    answers = Processor(device, "srv").process(message)
    answered = {answer.cmd_ref for answer in answers if answer.TAG == "Status"}
    expected = [
        command
        for command in message.commands
        if command.TAG not in ("Status", "Results") and not command.no_resp
    ]
    assert all(command.cmd_id in answered for command in expected)


@pytest.mark.parametrize(
    "path", [p for p in FOUND if p.name.startswith("session")], ids=lambda p: p.name
)
def test_session_finding(path):
    """A message given to a session at one step of a recorded session: only SyncMLError, and
    a refused message changes nothing (the fuzzer's check, helpers.sessions.play)."""
    import warnings

    from helpers.sessions import fuzz_recordings, play_one_of

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the odd shapes the fuzzer made are warned about
        play_one_of(fuzz_recordings(), path.read_bytes())


@pytest.mark.parametrize(
    "path", [p for p in FOUND if p.name.startswith("tree")], ids=lambda p: p.name
)
def test_tree_finding(codec, path):
    """A TNDS or DDF document: loaded, or refused with TreeError or DecodeError."""
    import contextlib

    from syncml_codec import DecodeError
    from syncml_codec.dm import Ddf, ManagementTree, TreeError

    data = path.read_bytes()
    for load in (ManagementTree.from_tnds, Ddf.parse):
        with contextlib.suppress(DecodeError, TreeError):
            load(data)
