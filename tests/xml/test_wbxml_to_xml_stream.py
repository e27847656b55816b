"""The compiled WBXML->XML stream: it gives up, or writes exactly what the tree path writes."""

from __future__ import annotations

from pathlib import Path

import pytest

import syncml_codec
from syncml_codec import DecodeError, EncodeError, Limits, fallback

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
