"""The string table: what is shared, in which order, in place, and in linear time."""

from __future__ import annotations

import pytest

import syncml_codec
from syncml_codec import _impl
from syncml_codec.wbxml.header import read_header

from helpers import NS

pytestmark = pytest.mark.usefixtures("codec")


def test_string_table_shares_repeated_strings(Element):
    uri = "http://dm.example.com/dm"
    tree = Element(
        "SyncML",
        NS,
        children=[
            Element("Target", NS, children=[Element("LocURI", NS, text=uri)]),
            Element("Source", NS, children=[Element("LocURI", NS, text=uri)]),
            Element("MsgID", NS, text="1"),
            Element("MsgRef", NS, text="1"),
        ],
    )
    data = syncml_codec.encode(tree, string_table=True)
    assert data[4] == len(uri) + 1 and data[5 : 5 + len(uri)] == uri.encode()
    assert data.count(b"\x57\x83\x00\x01") == 2  # both LocURIs refer to offset 0
    assert b"\x5b\x031\x00" in data  # short strings stay inline
    assert syncml_codec.decode(data) == tree == syncml_codec.decode(syncml_codec.encode(tree))


def test_string_table_holds_strings_written_inline_twice_in_order_of_first_use(Element):
    """Texts and attribute values count alike, OPAQUE content does not; literal names enter
    the table as they are written, the shared strings after them in order of first use."""

    def leaf(tag, text):
        return Element(tag, NS, text=text)

    tree = Element(
        "SyncML",
        NS,
        children=[
            leaf("LocURI", "./bravo"),
            leaf("LocURI", "./alpha"),
            Element("Item", NS, {"name": "./alpha"}, children=[leaf("Data", "./opaque")]),
            leaf("LocURI", "./bravo"),
            leaf("LocURI", "./opaque"),
            leaf("LocURI", "./once"),
            leaf("LocURI", "./bravo"),
            leaf("LocURI", "abc"),
            leaf("LocURI", "abc"),
        ],
    )
    data = syncml_codec.encode(tree, string_table=True, opaque_data="always")
    assert read_header(data).string_table == b"name\x00./bravo\x00./alpha\x00"
    body = data[read_header(data).body_offset :]
    assert body.count(b"\x83\x05") == 3 and body.count(b"\x83\x0d") == 2  # ./bravo, ./alpha
    assert b"\x03./once\x00" in body and body.count(b"\x03abc\x00") == 2
    assert syncml_codec.decode(data) == tree
    outputs = {
        module.encode_wbxml(tree, string_table=True, opaque_data="always")
        for module in _impl.IMPLEMENTATIONS.values()
    }
    assert outputs == {data}


def test_string_table_references_shorten_the_body_in_place(Element):
    """Offsets of one, two and three bytes replace inline strings of four characters and
    more; every reference lands where its string was."""
    texts = [f"{i:05d}" for i in range(4_000)]  # a table of 24,000 bytes: offsets up to 3 bytes
    tree = Element(
        "SyncML",
        NS,
        children=[
            Element("LocURI", NS, text=text) for text in texts + texts[::-1] + ["tail", "end!"]
        ],
    )
    data = syncml_codec.encode(tree, string_table=True)
    assert len(read_header(data).string_table) == 6 * len(texts)
    assert syncml_codec.decode(data) == tree


def test_string_table_stays_linear_on_a_large_document(Element):
    """100 000 distinct and repeated strings: the table holds only the repeated ones, once."""
    items = [
        Element("Item", NS, children=[Element("LocURI", NS, text=f"./Node/{i % 50_000}")])
        for i in range(100_000)
    ]
    tree = Element("SyncML", NS, children=items)
    data = syncml_codec.encode(tree, string_table=True)
    assert syncml_codec.decode(data) == tree
    assert len(data) < len(syncml_codec.encode(tree))


def strings_with_the_same_low_hash_bits() -> tuple[str, str]:
    """Two different strings whose hashes agree in their low 32 bits (the compiled string table
    keeps only those): found among 400 000 strings (about 18 such pairs are expected)."""
    seen: dict[int, str] = {}
    for number in range(400_000):
        text = f"./Node/{number}"
        other = seen.setdefault(hash(text) & 0xFFFFFFFF, text)
        if other != text:
            return other, text
    pytest.skip("no two strings share their low hash bits in this run")


def test_string_table_tells_apart_strings_with_the_same_hash_bits(Element):
    first, second = strings_with_the_same_low_hash_bits()
    texts = [first, second, first, second, second]
    tree = Element("SyncML", NS, children=[Element("LocURI", NS, text=text) for text in texts])
    data = syncml_codec.encode(tree, string_table=True)
    assert syncml_codec.decode(data) == tree
    assert data.count(first.encode()) == data.count(second.encode()) == 1  # both shared
