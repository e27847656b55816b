"""Malformed WBXML: every case raises DecodeError at the right offset, in both implementations."""

from __future__ import annotations

import tracemalloc

import pytest

import syncml_codec
from syncml_codec import DecodeError, Limits, _impl

from helpers import VECTORS, public_vectors

pytestmark = pytest.mark.usefixtures("codec")

HEADER = bytes.fromhex("03A4016A00")  # WBXML 1.3, SyncML 1.2, UTF-8, empty string table

CASES = [
    # (id, input, offset, message fragment)
    ("empty", b"", 0, "empty input"),
    ("version", b"\x07\xa4\x01\x6a\x00\x2d", 0, "unsupported WBXML version"),
    ("no-public-id", b"\x03", 1, "truncated mb_u_int32"),
    ("cut-public-id", b"\x03\xa4", 1, "truncated mb_u_int32"),
    ("mb-too-long", b"\x03\xff\xff\xff\xff\xff\x01", 1, "longer than 5 bytes"),
    ("mb-overflow", b"\x03\x9f\xff\xff\xff\x7f\x6a\x00\x2d", 1, "overflows 32 bits"),
    ("public-id-index", b"\x03\x00\x05\x6a\x00\x2d", 2, "public id index outside"),
    ("charset", b"\x03\xa4\x01\x99\x00\x00\x2d", 3, "unsupported charset"),
    ("string-table-length", b"\x03\xa4\x01\x6a\x10abc", 4, "string table runs past"),
    ("no-root", HEADER, 5, "no root element"),
    ("unclosed", HEADER + b"\x6d\x6c", 7, "input ends inside <SyncHdr>"),
    ("end-without-open", HEADER + b"\x2d\x01", 6, "END without an open element"),
    ("second-root", HEADER + b"\x2d\x2d", 6, "a second root element"),
    ("content-outside", HEADER + b"\x03a\x00", 5, "content outside the root element"),
    ("switch-page-cut", HEADER + b"\x6d\x00", 6, "truncated SWITCH_PAGE"),
    ("unknown-page", HEADER + b"\x6d\x00\x09\x45\x01", 8, "unknown tag 0x05 on code page 9"),
    ("unknown-tag", HEADER + b"\x6d\x30\x01", 6, "unknown tag 0x30"),
    ("str-i-unterminated", HEADER + b"\x6d\x5b\x03abc", 7, "unterminated inline string"),
    ("str-i-not-utf8", HEADER + b"\x6d\x5b\x03\xff\xfe\x00\x01\x01", 7, "not valid utf-8"),
    ("str-t-no-table", HEADER + b"\x6d\x5b\x83\x00\x01\x01", 8, "STR_T index 0 outside"),
    ("str-t-range", b"\x03\xa4\x01\x6a\x02a\x00\x6d\x5b\x83\x02\x01\x01", 10, "STR_T index 2"),
    ("str-t-cut", HEADER + b"\x6d\x5b\x83\x81", 8, "truncated mb_u_int32"),
    ("literal-no-table", HEADER + b"\x6d\x44\x00\x01\x01", 7, "LITERAL index 0 outside"),
    ("entity-range", HEADER + b"\x6d\x5b\x02\x84\xc4\x80\x00\x01\x01", 7, "not a Unicode scalar"),
    ("entity-surrogate", HEADER + b"\x6d\x5b\x02\x83\xb0\x00\x01\x01", 7, "not a Unicode scalar"),
    ("opaque-past-end", HEADER + b"\x6d\x4f\xc3\x10ab", 7, "OPAQUE length runs past"),
    ("opaque-huge", HEADER + b"\x6d\x4f\xc3\x8f\xff\xff\xff\x7f", 7, "OPAQUE length runs past"),
    ("opaque-in-1.0", b"\x00\xa4\x01\x00\x6d\x4f\xc3\x01a\x01\x01", 6, "OPAQUE does not exist"),
    ("attributes-cut", HEADER + b"\xed", 6, "input ends inside an attribute list"),
    ("attribute-start-unknown", HEADER + b"\xed\x05\x01\x01", 6, "unknown attribute 0x05"),
    ("attribute-value-first", HEADER + b"\xed\x03a\x00\x01\x01", 6, "attribute value before"),
    ("attribute-pi", HEADER + b"\xed\x43\x01\x01", 6, "PI inside an attribute list"),
    ("attribute-tag", HEADER + b"\xed\x44\x01\x01", 6, "tag token 0x44 inside"),
    ("attribute-ext", b"\x03\xa4\x01\x6a\x02a\x00\xed\x04\x00\xc0\x01\x01", 10, "EXT inside"),
    (
        "attribute-binary",
        b"\x03\xa4\x01\x6a\x02a\x00\xed\x04\x00\xc3\x01\xff\x01\x01",
        10,
        "binary OPAQUE in an attribute value",
    ),
    ("ext-outside", HEADER + b"\xc0", 5, "extension outside the root element"),
]


@pytest.mark.parametrize("data,offset,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_input_raises_decode_error_at_offset(codec, data, offset, fragment):
    with pytest.raises(DecodeError) as caught:
        codec.decode_wbxml(data)
    assert caught.value.offset == offset
    assert fragment in caught.value.message
    assert isinstance(caught.value, ValueError)


def test_depth_limit():
    deep = HEADER + b"\x6d" * 300
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(deep)
    assert caught.value.offset == 5 + 256
    assert "deeper than 256" in caught.value.message
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(HEADER + b"\x6d" * 11 + b"\x01" * 11, limits=Limits(max_depth=10))
    assert caught.value.offset == 15
    ten = Limits(max_depth=10)
    assert syncml_codec.decode(HEADER + b"\x6d" * 10 + b"\x01" * 10, limits=ten).tag == "SyncML"


def test_depth_limit_counts_nested_documents():
    nested = bytes.fromhex("03A4036A00") + b"\x4a" * 10 + b"\x01" * 10
    outer = (
        HEADER + b"\x6d\x54\x5a\x00\x01\x53\x03application/vnd.syncml-devinf+wbxml\x00\x01"
        b"\x00\x00\x01\x4f\xc3" + bytes([len(nested)]) + nested + b"\x01\x01\x01"
    )
    data_element = syncml_codec.decode(outer, limits=Limits(max_depth=20)).find("Item").find("Data")
    assert data_element.children[0].tag == "DevInf"
    # too deep for the nested document: its bytes are kept as data instead
    kept = syncml_codec.decode(outer, limits=Limits(max_depth=8)).find("Item").find("Data")
    assert kept.children == [] and kept.text == nested


def test_five_byte_input_allocates_nothing_big():
    tracemalloc.start()
    try:
        for data in (
            b"\x03\xa4\x01\x6a\x8f\xff\xff\xff\x7f",
            HEADER + b"\x6d\x4f\xc3\x8f\xff\xff\xff\x7f",
        ):
            with pytest.raises(DecodeError):
                syncml_codec.decode(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 256 * 1024


def _all_wbxml_vectors() -> list[bytes]:
    paths = sorted((VECTORS / "libwbxml").glob("*.wbxml")) + public_vectors()
    return [path.read_bytes() for path in paths]


def _outcome(module, data: bytes):
    try:
        return module.decode_wbxml(data)
    except DecodeError as error:
        return (error.offset, error.message)


def _same(outcomes: list) -> bool:
    return all(outcome == outcomes[0] for outcome in outcomes)


def test_every_truncation_of_every_vector_is_a_clean_error():
    modules = list(_impl.IMPLEMENTATIONS.values())
    for data in _all_wbxml_vectors():
        for end in range(len(data)):
            outcomes = [_outcome(module, data[:end]) for module in modules]
            assert _same(outcomes), (end, outcomes)
            assert isinstance(outcomes[0], tuple), end


def test_every_single_byte_change_gives_the_same_outcome_in_both_implementations():
    modules = list(_impl.IMPLEMENTATIONS.values())
    for data in _all_wbxml_vectors()[:6]:
        for position in range(len(data)):
            for value in (0x00, 0x01, 0x03, 0x43, 0x80, 0xC3, 0xFF):
                mutated = data[:position] + bytes([value]) + data[position + 1 :]
                outcomes = [_outcome(module, mutated) for module in modules]
                assert _same(outcomes), (position, value, outcomes)


def test_limits_on_size_strings_and_opaque(codec):
    small = Limits(max_size=64, max_string=4, max_opaque=3)
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(HEADER + b"\x6d" + b"\x12" * 100 + b"\x01", limits=small)
    assert caught.value.offset == 64 and "max_size" in caught.value.message
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(HEADER + b"\x6d\x5b\x03abcde\x00\x01\x01", limits=small)
    assert caught.value.offset == 7 and "max_string" in caught.value.message
    assert syncml_codec.decode(HEADER + b"\x6d\x5b\x03abcd\x00\x01\x01", limits=small)
    table = b"\x03\xa4\x01\x6a\x06abcde\x00"
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(table + b"\x6d\x5b\x83\x00\x01\x01", limits=small)
    assert caught.value.offset == 14 and "max_string" in caught.value.message
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(HEADER + b"\x6d\x4f\xc3\x04abcd\x01\x01", limits=small)
    assert caught.value.offset == 7 and "max_opaque" in caught.value.message
    with pytest.raises(DecodeError):
        syncml_codec.decode(b"<SyncML><Data>abcde</Data></SyncML>", limits=small)
    with pytest.raises(DecodeError):
        syncml_codec.decode(b"<SyncML>" + b" " * 100 + b"</SyncML>", limits=small)
    with pytest.raises(ValueError):
        Limits(max_depth=0)
    with pytest.raises(TypeError):
        syncml_codec.decode(HEADER + b"\x2d", limits={"max_depth": 3})


def test_peak_memory_stays_near_the_input_size_on_hostile_input():
    """A 64 KiB hostile document: deep nesting, long strings, huge declared lengths."""
    hostile = [
        HEADER + b"\x6d" * 65536,
        HEADER + b"\x6d\x5b\x03" + b"A" * 65536,
        HEADER + b"\x6d" + b"\x4f\xc3\x8f\xff\xff\xff\x7f" * 8192,
        b"\x03\xa4\x01\x6a\x8f\xff\xff\xff\x7f" + b"\x00" * 65536,
    ]
    for data in hostile:
        tracemalloc.start()
        try:
            with pytest.raises(DecodeError):
                syncml_codec.decode(data)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 8 * len(data) + 256 * 1024, (data[:12], peak)


def test_names_and_namespaces_from_input_do_not_grow_memory_without_end():
    """Every memo keyed by input (XML names and namespaces, encoder namespace tables) is bounded:
    ten thousand documents with fresh namespaces and names leave them small."""
    from syncml_codec.wbxml import languages as codepages

    for i in range(10_000):
        document = (
            f'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><E{i} xmlns="urn:x{i}">'
            f"<Final/></E{i}></SyncBody></SyncML>"
        ).encode()
        syncml_codec.xml_to_wbxml(document)
    caches = list(codepages.BoundedCache._all)
    assert caches and all(len(cache) <= cache.limit for cache in caches)
    assert max(len(cache) for cache in caches) < 10_000


# Inputs that once took quadratic time (content joined piece by piece, the Data rules
# rescanning a parent's children for each Data, XML runs copied for each marked piece): a
# quadratic decoder takes tens of seconds on each; they must decode, correctly, in well under one.


def test_many_content_pieces_in_one_element_are_joined_once():
    """A million ENTITY pieces, then text and binary pieces alternating, in one <Data>."""
    count = 1_000_000
    tree = syncml_codec.decode(HEADER + b"\x6d\x4f" + b"\x02\x41" * count + b"\x01\x01")
    assert tree.children[0].text == "A" * count
    mixed = HEADER + b"\x6d\x4f" + b"\x03ab\x00\xc3\x01\xff" * 100_000 + b"\x01\x01"
    assert syncml_codec.decode(mixed).children[0].text == b"ab\xff" * 100_000


def test_many_data_children_read_the_meta_type_once():
    """100 000 OPAQUE <Data> in one <Item>, after a Meta with many children: the Data rules
    (is it an embedded document?) look at each child of the Item and of its Meta once."""
    count = 100_000
    meta = b"\x5a\x00\x01" + b"\x16" * 1000 + b"\x01\x00\x00"  # Meta: 1000 FieldLevel
    body = b"\x54" + meta + b"\x4f\xc3\x01x\x01" * count + b"\x01"
    tree = syncml_codec.decode(HEADER + b"\x6d" + body + b"\x01")
    item = tree.children[0]
    assert item.tag == "Item" and len(item.children) == count + 1
    assert all(data.text == "x" for data in item.children[1:])


def test_many_marked_pieces_in_one_xml_text_are_joined_once():
    count = 100_000
    xml = (
        b'<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:w="urn:syncml-codec:wbxml"><Data>'
        + b'a<w:char code="1"/>' * count
        + b"</Data></SyncML>"
    )
    assert syncml_codec.decode(xml).children[0].text == "a\x01" * count


def test_many_pieces_in_one_attribute_value_are_joined_once():
    count = 1_000_000
    table = b"\x03\xa4\x01\x6a\x02a\x00"  # a string table holding the attribute name "a"
    data = table + b"\xed\x04\x00" + b"\x02\x41" * count + b"\x01\x01"
    assert syncml_codec.decode(data).attributes == {"a": "A" * count}


@pytest.mark.parametrize("kind", [bytearray, memoryview, lambda raw: raw.decode("ascii")])
@pytest.mark.parametrize("function", ["decode", "wbxml_to_xml", "xml_to_wbxml"])
def test_max_size_is_checked_before_the_input_is_copied(kind, function):
    raw = b"\x03\x01\x6a\x00" + b" " * (4 << 20)
    data = kind(raw)
    limits = Limits(max_size=1 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(DecodeError) as raised:
            getattr(syncml_codec, function)(data, limits=limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "exceeds max_size" in raised.value.message and raised.value.offset == 1 << 20
    assert peak < 1 << 20
