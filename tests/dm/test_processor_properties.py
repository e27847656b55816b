"""Property test: whatever commands a server sends (odd URIs, formats, values, numbers,
nesting, chunks, to the tree or to a FUMO plug-in), the DPU answers each with a Status and
never raises, and a failed Atomic changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncml_codec.dm import FumoHandler, ManagementTree, Processor
from syncml_codec.model import (
    Add,
    Alert,
    Atomic,
    Copy,
    Delete,
    Exec,
    Get,
    Item,
    Message,
    Meta,
    Replace,
    Sequence,
)

pytestmark = pytest.mark.usefixtures("codec")
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

SEGMENT = st.sampled_from(["a", "b", "Vendor", "é", "%41", "%zz", "", ".", "..", "x y"])
QUERY = st.sampled_from(["", "?prop=ACL", "?prop=Name", "?prop=Size", "?prop=Nope", "?list=Struct",
                         "?list=TNDS+Value", "?list=TNDS+ACL-Value", "?list=X"])  # fmt: skip
URIS = st.builds(
    lambda prefix, segments, query: prefix + "/".join(segments) + query,
    st.sampled_from(["./", "", "/", "./Device/", "./FwUpdate/x1/"]),
    st.lists(SEGMENT, max_size=4),
    QUERY,
)
FUMO_URIS = st.sampled_from(
    ["PkgName", "PkgVersion", "Download/PkgURL", "Update/PkgData", "Update", "State", "Nope"]
).map(lambda leaf: f"./FwUpdate/x1/{leaf}")
TNDS = (
    "<MgmtTree xmlns='syncml:dmddf1.2'><VerDTD>1.2</VerDTD><Node><NodeName>t</NodeName>"
    "<Value>v</Value></Node></MgmtTree>"
)
DATA = st.one_of(
    st.none(),
    st.text(max_size=10),
    st.binary(max_size=10),
    st.sampled_from(["Get=*&Add=srv", TNDS]),
    # text no parser may choke on: other scripts' digits, more digits than int converts, base64
    # with a character outside ASCII
    st.sampled_from(["²", "٣", "9" * 5_000, "-" + "0" * 5_000 + "1", "AP8²"]),
)
FORMATS = st.sampled_from([None, "chr", "int", "bool", "b64", "bin", "node", "null", "xml", "x"])


@st.composite
def items(draw, uris: st.SearchStrategy = URIS, chunks: bool = True) -> Item:
    types = st.sampled_from([None, "text/plain", "application/vnd.syncml.dmtnds+xml"])
    meta = draw(st.one_of(st.none(), st.builds(Meta, format=FORMATS, type=types)))
    more_data = draw(st.booleans()) if chunks else False
    return Item(target=draw(uris), source=draw(st.one_of(st.none(), uris)), meta=meta,
                data=draw(DATA), more_data=more_data)  # fmt: skip


def simple_commands(some_items: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(lambda i: Add(items=i), st.lists(some_items, max_size=2)),
        st.builds(lambda i: Replace(items=i), st.lists(some_items, max_size=2)),
        st.builds(lambda i: Delete(items=i), st.lists(some_items, max_size=2)),
        st.builds(lambda i: Get(items=i), st.lists(some_items, max_size=2)),
        st.builds(lambda i: Copy(items=i), st.lists(some_items, max_size=1)),
        st.builds(lambda i: Exec(items=i), st.lists(some_items, max_size=1)),
    )


def commands(depth: int = 0) -> st.SearchStrategy:
    simple = st.one_of(
        simple_commands(items()),
        st.builds(lambda c: Alert(code=c), st.sampled_from([1100, 1101, 1222, 1223, 1226, 7])),
    )
    if depth >= 2:
        return simple
    nested = st.lists(st.deferred(lambda: commands(depth + 1)), max_size=3)
    return st.one_of(
        simple,
        st.builds(lambda c: Atomic(commands=c), nested),
        st.builds(lambda c: Sequence(commands=c), nested),
    )


@SETTINGS
@given(sent=st.lists(commands(), min_size=1, max_size=6))
def test_any_commands_are_answered_and_never_raise(sent):
    _answered_without_raising(sent)


@SETTINGS
@given(sent=st.lists(simple_commands(items(FUMO_URIS, chunks=False)), min_size=1, max_size=6))
def test_any_commands_to_the_fumo_plug_in_are_answered_and_never_raise(sent):
    _answered_without_raising(sent)


def _answered_without_raising(sent: list) -> None:
    tree = ManagementTree(root_acl="Add=*&Get=*&Replace=srv&Delete=srv&Exec=srv", clock=lambda: 1e9)
    tree.add("./Vendor/a", "1")
    tree.add("./FwUpdate/x1", format="node")
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source="srv", final=True)
    message.add(*sent)
    received = Message.from_bytes(message.to_wbxml())
    processor = Processor(tree, "srv")
    fumo = FumoHandler("./FwUpdate/x1", download=lambda url: 404, install=lambda pkg: 200)
    processor.mount("./FwUpdate/x1", fumo)
    answers = processor.process(received)
    answered = {a.cmd_ref for a in answers if a.TAG == "Status"}
    for command in received.commands:
        if processor.aborted:
            break
        if command.TAG not in ("Status", "Results"):
            assert command.cmd_id in answered, command
    reply = processor.answer(Message.from_bytes(message.to_wbxml()), msg_id=3)
    assert Message.from_bytes(reply.to_wbxml()).commands[0].cmd == "SyncHdr"


@SETTINGS
@given(inner=st.lists(commands(2), min_size=1, max_size=4))
def test_a_failed_atomic_changes_nothing(inner):
    tree = ManagementTree(root_acl="Add=*&Get=*&Replace=srv&Delete=srv", clock=lambda: 1e9)
    tree.add("./Vendor/a", "1")
    before = [(uri, tree.properties(uri), tree.get(uri)) for uri in tree.walk()]
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source="srv", final=True)
    message.add(Atomic(commands=inner))
    answers = Processor(tree, "srv").process(Message.from_bytes(message.to_wbxml()))
    if answers and answers[0].TAG == "Status" and answers[0].code == 507:
        assert [(uri, tree.properties(uri), tree.get(uri)) for uri in tree.walk()] == before
