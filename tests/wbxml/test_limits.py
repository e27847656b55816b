"""Limits bound what a decode produces, not only what it reads: elements, content, joined texts
and nested documents, each refused at the byte offset where it was crossed, before the memory is
taken, the same way in both implementations and on the streaming WBXML->XML path."""

from __future__ import annotations

import tracemalloc

import pytest

import syncml_codec
from syncml_codec import DecodeError, LimitError, Limits
from syncml_codec.limits import MAX_NESTED_DOCUMENTS
from syncml_codec.wbxml.header import mb_u_int32

from helpers import HEADER_12, syncml

pytestmark = pytest.mark.usefixtures("codec")

MiB = 1 << 20


def with_table(table: bytes, body: bytes) -> bytes:
    """A SyncML 1.2 document with ``table`` as its string table."""
    return b"\x03\xa4\x01\x6a" + mb_u_int32(len(table)) + table + b"\x6d" + body + b"\x01"


def refused(data: bytes, limits: Limits) -> LimitError:
    """The LimitError both ``decode`` and ``wbxml_to_xml`` raise, the same from each, with the
    memory a decode took on the way bounded by what the limits allow."""
    tracemalloc.start()
    try:
        with pytest.raises(LimitError) as raised:
            syncml_codec.decode(data, limits=limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    with pytest.raises(LimitError) as converted:
        syncml_codec.wbxml_to_xml(data, limits=limits)
    assert (converted.value.offset, converted.value.message) == (
        raised.value.offset,
        raised.value.message,
    )
    assert peak < 2 * limits.max_output + 64 * limits.max_elements + len(data) + MiB
    return raised.value


def test_string_table_references_are_charged_each_time():
    """Each STR_T to another offset of one long entry is a new text: 200 of them to a 256 KiB
    entry would make 50 MiB from a 257 KiB input."""
    entry = b"A" * (256 << 10)
    items, offsets = b"", []
    position = 4 + len(mb_u_int32(len(entry) + 1)) + len(entry) + 1 + 3  # <SyncML><SyncBody><Add>
    for i in range(200):
        offsets.append(position + 3)  # the STR_T's index, after <Item><Data>STR_T
        item = b"\x54\x4f\x83" + mb_u_int32(i) + b"\x01\x01"
        items += item
        position += len(item)
    data = with_table(entry + b"\x00", b"\x6b\x45" + items + b"\x01\x01")
    limits = Limits(max_output=4 * MiB)
    error = refused(data, limits)
    assert error.limit == "max_output" and "max_output 4194304" in error.message
    # the first 16 references make 16 * 256 KiB - 120 bytes: the 17th crosses
    assert error.offset == offsets[16]
    assert syncml_codec.decode(data, limits=Limits(max_output=64 * MiB)).tag == "SyncML"


def test_pieces_joined_into_one_text_are_held_to_max_string():
    entry = b"B" * (256 << 10)
    pieces = b"\x83\x00" * 8  # eight references to the same entry in one <Data>
    data = with_table(entry + b"\x00", b"\x6b\x45\x54\x4f" + pieces + b"\x01\x01\x01\x01")
    error = refused(data, Limits(max_string=MiB))
    body = 4 + len(mb_u_int32(len(entry) + 1)) + len(entry) + 1 + 1 + 4
    assert error.limit == "max_string" and "joined from pieces" in error.message
    assert error.offset == body + 2 * 4  # the fifth piece's STR_T crosses 1 MiB
    text = syncml_codec.decode(data, limits=Limits(max_string=4 * MiB)).find("SyncBody")
    assert len(text.find("Add").find("Item").find("Data").text) == 8 * len(entry)


def test_one_byte_tokens_are_held_to_max_elements():
    """An EXT_0 byte becomes an element with an attribute, an empty tag byte an element."""
    for token in (b"\xc0", b"\x12"):  # EXT_0, <Final/>
        data = syncml(token * 3_000)
        error = refused(data, Limits(max_elements=1_000))
        assert error.limit == "max_elements"
        assert error.offset == len(HEADER_12) + 1 + 999  # the root is the first element
        assert len(syncml_codec.decode(data, limits=Limits(max_elements=3_001))) == 3_000


def test_attribute_values_joined_from_pieces_are_held_to_max_string():
    entry = b"C" * 1_000
    value = b"\x83\x00" * 3  # an attribute value of three references
    attribute = b"\x04" + mb_u_int32(len(entry) + 1) + value + b"\x01"
    data = b"\x03\xa4\x01\x6a" + mb_u_int32(len(entry) + 3) + entry + b"\x00a\x00"
    data += b"\xed" + attribute + b"\x01"  # <SyncML a="..."/> with content END
    with pytest.raises(LimitError) as raised:
        syncml_codec.decode(data, limits=Limits(max_string=2_500))
    assert raised.value.limit == "max_string" and "joined" in raised.value.message
    assert syncml_codec.decode(data, limits=Limits(max_string=3_000)).attributes["a"] == (
        "C" * 3_000
    )


def _nested(levels: int, payload: bytes) -> bytes:
    """``levels`` SyncML documents, each in the OPAQUE Data of the one around it."""
    meta = b"\x5a\x00\x01\x53\x03application/vnd.syncml.dmtnds+wbxml\x00\x01\x00\x00\x01"
    document = syncml(b"\x4f\x03" + payload + b"\x00\x01")
    for _ in range(levels):
        document = syncml(meta + b"\x4f\xc3" + mb_u_int32(len(document)) + document + b"\x01")
    return document


def test_nested_documents_share_the_budget_and_the_offset_is_the_outer_documents():
    """Each level of nesting holds a copy of the document inside it: 20 levels around 200 KiB
    charge 4 MiB, and the error names the byte of the outer input where it was crossed."""
    data = _nested(20, b"x" * (200 << 10))
    error = refused(data, Limits(max_output=2 * MiB))
    assert error.limit == "max_output"
    assert 0 < error.offset < len(data) and data[error.offset] == 0xC3  # an OPAQUE token
    assert syncml_codec.decode(data, limits=Limits(max_output=16 * MiB)).tag == "SyncML"


def test_documents_nested_past_the_cap_stay_bytes_even_with_a_raised_depth_limit():
    data = _nested(MAX_NESTED_DOCUMENTS + 8, b"inner")
    tree = syncml_codec.decode(data, limits=Limits(max_depth=100_000))
    levels = 0
    while True:
        data_element = tree.find("Data")
        if not data_element.children:
            break
        tree, levels = data_element.children[0], levels + 1
    assert levels == MAX_NESTED_DOCUMENTS
    assert isinstance(data_element.text, bytes) and data_element.text.startswith(b"\x03")


def test_a_nested_document_that_crosses_a_per_item_limit_stays_bytes():
    data = _nested(1, b"y" * 5_000)
    kept = syncml_codec.decode(data, limits=Limits(max_string=4_000)).find("Data")
    assert kept.children == [] and isinstance(kept.text, bytes)


def test_limit_errors_are_decode_errors_that_name_their_limit():
    with pytest.raises(DecodeError) as raised:
        syncml_codec.decode(syncml(b"\x12" * 10), limits=Limits(max_elements=5))
    assert isinstance(raised.value, LimitError) and raised.value.limit == "max_elements"
    with pytest.raises(LimitError) as raised:
        syncml_codec.decode(b"<SyncML/>", limits=Limits(max_size=4))
    assert raised.value.limit == "max_size"
    with pytest.raises(ValueError):
        Limits(max_output=0)
