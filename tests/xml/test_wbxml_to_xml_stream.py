"""The compiled WBXML->XML stream: it gives up, or writes exactly what the tree path writes."""

from __future__ import annotations

from pathlib import Path

import pytest

import syncml_codec
from syncml_codec import DecodeError, EncodeError, Limits, fallback
from syncml_codec.limits import MAX_ENCODE_DEPTH

from helpers import COMMANDS_XML, FUZZ_FINDINGS, VECTORS, compiled_or_skip, public_vectors

pytestmark = pytest.mark.usefixtures("codec")


def _stream_inputs() -> list[Path]:
    return (
        sorted((VECTORS / "libwbxml").glob("*.wbxml"))
        + sorted((VECTORS / "libwbxml-n").glob("*.wbxml"))
        + public_vectors()
        + sorted(FUZZ_FINDINGS.glob("wbxml-*.bin"))
    )


@pytest.mark.parametrize("path", _stream_inputs(), ids=lambda path: path.name)
def test_streamed_xml_is_the_tree_paths_xml(path):
    """The compiled WBXML->XML stream either gives up or writes exactly what decoding to a tree
    and writing it gives (the pure implementation's output, or its error)."""
    compiled = compiled_or_skip()
    data = path.read_bytes()
    streamed = compiled.stream_xml(data)
    try:
        expected = fallback.wbxml_to_xml(data)
    except (DecodeError, EncodeError) as error:  # bad input, or a tree XML cannot carry
        assert streamed is None
        with pytest.raises(type(error)) as caught:
            compiled.wbxml_to_xml(data)
        assert str(caught.value) == str(error)
        return
    assert streamed is None or streamed == expected
    assert compiled.wbxml_to_xml(data) == expected


STREAM_CASES = {
    # (streamed?, XML): the stream takes the common shapes and leaves the rest to the tree path
    "commands": (True, COMMANDS_XML),
    "opaque-text": (
        True,
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Replace><CmdID>2</CmdID>'
        b"<Item><Data>caf\xc3\xa9 \xe2\x82\xac</Data></Item></Replace></SyncBody>"
        b"</SyncML>",
    ),
    "type-rewrite": (
        True,
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Results><Meta><Type '
        b'xmlns="syncml:metinf">application/vnd.syncml-devinf+xml</Type></Meta>'
        b"</Results></SyncBody></SyncML>",
    ),
    "binary-opaque": (
        False,
        b'<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:w="urn:syncml-codec:wbxml">'
        b"<SyncBody><Add><Item><Data><w:opaque>AP8=</w:opaque></Data></Item>"
        b"</Add></SyncBody></SyncML>",
    ),
    "mixed-content": (
        False,
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody>text<Final/>tail</SyncBody></SyncML>',
    ),
    "embedded-devinf": (False, (VECTORS / "xml" / "ds12-slow-sync-devinf.xml").read_bytes()),
}


@pytest.mark.parametrize("case", sorted(STREAM_CASES))
def test_stream_takes_common_documents_and_leaves_the_rest(case):
    compiled = compiled_or_skip()
    streams, xml = STREAM_CASES[case]
    data = syncml_codec.xml_to_wbxml(xml)
    streamed = compiled.stream_xml(data)
    assert (streamed is not None) == streams
    expected = fallback.wbxml_to_xml(data)
    assert compiled.wbxml_to_xml(data) == expected
    assert syncml_codec.decode(expected) == syncml_codec.decode(data)
    assert compiled.stream_xml(data, limits=Limits(max_depth=2)) is None


def test_stream_gives_up_on_every_truncation():
    compiled = compiled_or_skip()
    data = syncml_codec.xml_to_wbxml(STREAM_CASES["commands"][1])
    for cut in range(len(data)):
        assert compiled.stream_xml(data[:cut]) is None


@pytest.mark.parametrize("empty_last", [False, True], ids=["content", "empty"])
def test_trees_deeper_than_the_writer_writes_are_refused_alike(empty_last):
    """With max_depth raised past what the XML writer writes (MAX_ENCODE_DEPTH), the stream
    gives up where the tree path refuses: the same EncodeError from both implementations."""
    compiled = compiled_or_skip()
    depth = MAX_ENCODE_DEPTH + 2  # elements, the root at depth 0
    opened = depth - 1 if empty_last else depth
    data = b"\x03\xa4\x01\x6a\x00" + b"\x6d" * opened + (b"\x2d" if empty_last else b"")
    data += b"\x01" * opened
    limits = Limits(max_depth=2 * depth)
    assert compiled.stream_xml(data, limits=limits) is None
    for codec in (compiled, fallback):
        with pytest.raises(EncodeError, match=f"deeper than {MAX_ENCODE_DEPTH}"):
            codec.wbxml_to_xml(data, limits=limits)
    shallower = b"\x03\xa4\x01\x6a\x00" + b"\x6d" * (depth - 1) + b"\x01" * (depth - 1)
    assert compiled.wbxml_to_xml(shallower, limits=limits) == fallback.wbxml_to_xml(
        shallower, limits=limits
    )
