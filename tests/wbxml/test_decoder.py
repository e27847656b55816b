"""WBXML decoding: header forms, charsets, every global token, LITERAL names, unknown tokens."""

from __future__ import annotations

import pytest

import syncml_codec
from syncml_codec import DecodeError
from syncml_codec.wbxml.languages import (
    SYNCML_12,
)

from helpers import HEADER_12, METINF, NS, syncml

pytestmark = pytest.mark.usefixtures("codec")


def test_minimal_document(Element):
    tree = syncml_codec.decode(HEADER_12 + b"\x2d")
    assert tree == Element("SyncML", NS)
    assert syncml_codec.encode(tree) == HEADER_12 + b"\x2d"


def test_version_bytes_and_wbxml_10_without_charset():
    body = b"\x6d\x12\x01"  # <SyncML><Final/></SyncML>
    expected = syncml_codec.decode(HEADER_12 + body)
    for version in (b"\x01", b"\x02"):
        assert syncml_codec.decode(version + HEADER_12[1:] + body) == expected
    assert syncml_codec.decode(b"\x00\xa4\x01\x00" + body) == expected
    assert syncml_codec.encode(expected, version="1.0") == b"\x00\xa4\x01\x00" + body
    assert syncml_codec.encode(expected, version="1.2")[0] == 0x02


def test_textual_public_id_with_and_without_final_nul():
    fpi = b"-//SYNCML//DTD SyncML 1.2//EN"
    with_nul = b"\x02\x00\x00\x6a\x1e" + fpi + b"\x00\x2d"
    without_nul = b"\x02\x00\x00\x6a\x1d" + fpi + b"\x2d"  # as Horde writes it
    assert syncml_codec.decode(with_nul).namespace == NS
    assert syncml_codec.decode(without_nul).namespace == NS
    tree = syncml_codec.decode(with_nul)
    assert syncml_codec.encode(tree, version="1.2", public_id="string") == with_nul


def test_motorola_style_11_fpi_selects_syncml_11():
    tree = syncml_codec.decode(b"\x02\x00\x00\x6a\x1d-//SYNCML//DTD SyncML 1.1//EN\x2d")
    assert tree.namespace == "SYNCML:SYNCML1.1"


def test_unknown_public_id_needs_a_language():
    data = b"\x03\x01\x6a\x00\x2d"
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(data)
    assert caught.value.offset == 1
    assert syncml_codec.decode(data, language=SYNCML_12).tag == "SyncML"


@pytest.mark.parametrize("mib,encoding", [(3, "ascii"), (4, "latin-1"), (106, "utf-8")])
def test_single_byte_charsets(mib, encoding):
    text = "Gr\u00fc\u00dfe" if encoding != "ascii" else "Hello"
    data = (
        b"\x03\xa4\x01"
        + bytes([mib])
        + b"\x00\x6d\x5b\x03"
        + text.encode(encoding)
        + b"\x00\x01\x01"
    )
    assert syncml_codec.decode(data).findtext("MsgID") == text


def test_utf16_document_with_two_byte_terminators():
    string_table = "LocX\x00".encode("utf-16-be")
    text = "\u00e9t\u00e9\u4e2d".encode("utf-16-be") + b"\x00\x00"
    data = (
        b"\x03\xa4\x01\x87\x77"
        + bytes([len(string_table)])
        + string_table
        + b"\x6d\x5b\x03"
        + text
        + b"\x01\x5c\x83\x00\x01\x01"
    )
    tree = syncml_codec.decode(data)
    assert tree.findtext("MsgID") == "\u00e9t\u00e9\u4e2d"
    assert tree.findtext("MsgRef") == "LocX"


def test_unsupported_charset_is_an_error():
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(b"\x03\xa4\x01\x99\x00\x00\x2d")
    assert caught.value.offset == 3


def test_string_table_references_and_substrings():
    table = b"abc\x00defg\x00"
    data = b"\x03\xa4\x01\x6a\x09" + table + b"\x6d\x5b\x83\x04\x01\x5c\x83\x01\x01\x01"
    tree = syncml_codec.decode(data)
    assert tree.findtext("MsgID") == "defg"
    assert tree.findtext("MsgRef") == "bc"  # an index may point into the middle of a string


def test_entities_and_mixed_string_pieces():
    data = syncml(b"\x5b\x03a\x00\x02\x81\x69\x02\x87\xec\x00\x03b\x00\x01")  # a é 😀 b
    assert syncml_codec.decode(data).findtext("MsgID") == "a\u00e9\U0001f600b"


def test_entity_that_is_no_character():
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(syncml(b"\x5b\x02\x8f\xff\xff\xff\x7f\x01"))
    assert caught.value.offset == 7


def test_textual_opaque_becomes_text_and_binary_stays_bytes():
    nokia = syncml(b"\x71\xc3\x031.1\x01")  # Nokia sends every text as OPAQUE
    assert syncml_codec.decode(nokia).findtext("VerDTD") == "1.1"
    binary = syncml(b"\x4f\xc3\x04A\x00\xffB\x01")
    assert syncml_codec.decode(binary).findtext("Data") == b"A\x00\xffB"


def test_binary_data_round_trips_and_xml_stays_well_formed(Element):
    tree = syncml_codec.decode(syncml(b"\x4f\xc3\x04A\x00\xffB\x01"))
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree
    xml = syncml_codec.encode(tree, format="xml")
    assert (
        b'<Data><wbxml:opaque xmlns:wbxml="urn:syncml-codec:wbxml">QQD/Qg==</wbxml:opaque></Data>'
    ) in xml
    assert syncml_codec.to_lxml(tree) is not None  # lxml accepts it
    assert syncml_codec.decode(xml) == tree


def test_empty_element_forms_decode_alike():
    forms = [b"\x17", b"\x57\x01", b"\x57\x03\x00\x01", b"\x57\xc3\x00\x01"]
    trees = [syncml_codec.decode(syncml(b"\x6e" + form + b"\x01")) for form in forms]
    assert all(tree == trees[0] for tree in trees)
    assert trees[0].find("Target").find("LocURI").text is None
    assert syncml_codec.encode(trees[0]) == syncml(b"\x6e\x17\x01")


def test_lazy_switch_page_like_libwbxml(Element):
    tree = Element(
        "SyncML",
        NS,
        children=[
            Element(
                "SyncHdr",
                NS,
                children=[
                    Element("Meta", NS, children=[Element("MaxMsgSize", METINF, text="10000")])
                ],
            ),
            Element("SyncBody", NS),
        ],
    )
    data = syncml_codec.encode(tree)
    assert data == HEADER_12 + bytes.fromhex("6D6C5A00014C03") + b"10000" + bytes.fromhex(
        "0001010100002B01"
    )


def test_metinf_element_without_namespace_is_found_on_page_1(Element):
    tree = Element(
        "SyncML", NS, children=[Element("Meta", NS, children=[Element("MaxMsgSize", NS, text="1")])]
    )
    assert bytes.fromhex("5A00014C03") in syncml_codec.encode(tree)


def test_literal_tags_keep_their_names_and_namespace(Element):
    tree = Element(
        "SyncML",
        NS,
        children=[Element("VendorThing", NS, text="x"), Element("Foo", "urn:example", text="y")],
    )
    data = syncml_codec.encode(tree)
    assert data[4] > 0  # the names went into the string table
    decoded = syncml_codec.decode(data)
    assert decoded == tree
    assert decoded.children[0].tag == "VendorThing"


def test_literal_variants_decode(Element):
    table = b"X\x00a\x00"
    header = b"\x03\xa4\x01\x6a\x04" + table
    data = header + (
        b"\x6d\x04\x00\x44\x00\x03t\x00\x01\x84\x00\x04\x02\x03v\x00\x01"
        b"\xc4\x00\x04\x02\x01\x01\x01"
    )
    tree = syncml_codec.decode(data)
    assert [child.tag for child in tree] == ["X", "X", "X", "X"]
    assert tree.children[1].text == "t"
    assert tree.children[2].attributes == {"a": "v"}
    assert tree.children[3].attributes == {"a": ""}


def test_nokia_xmlns_literal_attribute_without_string_table():
    data = b"\x02\xa4\x01\x6a\x00\xed\x04\x00\x03SYNCML:SYNCML1.2\x00\x01\x12\x01"
    tree = syncml_codec.decode(data)
    assert tree.tag == "SyncML" and tree.namespace == NS and tree.attributes == {}
    assert tree.children[0].tag == "Final"


def test_attributes_round_trip_through_the_string_table(Element):
    tree = Element(
        "SyncML",
        NS,
        {"xmlns:msft": "http://example.com/mdm", "a": ""},
        children=[Element("Final", NS)],
    )
    data = syncml_codec.encode(tree)
    assert data[5 + data[4]] == 0x6D | 0x80  # the tag right after the string table
    assert syncml_codec.decode(data) == tree


def test_mixed_content_keeps_text_and_tails(Element):
    tree = Element(
        "SyncML",
        NS,
        text="before",
        children=[Element("Final", NS, tail="after"), Element("Final", NS, tail=b"\x00\x01")],
    )
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree


def test_extension_and_pi_tokens_round_trip(Element):
    ext = "urn:syncml-codec:wbxml"
    data = syncml(b"\x40abc\x00\xc1\x43\x04\x00\x03v\x00\x01\x81\x00", b"\x03\xa4\x01\x6a\x02t\x00")
    tree = syncml_codec.decode(data)
    assert tree.children == [
        Element("ext", ext, {"token": "0x40"}, "abc"),
        Element("ext", ext, {"token": "0xc1"}),
        Element("pi", ext, {"t": "v"}),
        Element("ext", ext, {"token": "0x81"}, "t"),
    ]
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree
    assert syncml_codec.decode(syncml_codec.encode(tree, format="xml")) == tree


def test_unknown_tags_error_or_keep():
    data = syncml(b"\x30")  # 0x30 is reserved on the SyncML page
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(data)
    assert caught.value.offset == 6
    kept = syncml_codec.decode(data, unknown_tags="keep")
    assert kept.children[0].tag == "wbxml-page0-0x30"
    with pytest.raises(ValueError):
        syncml_codec.decode(data, unknown_tags="maybe")


def test_unknown_code_page_is_an_error():
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(syncml(b"\x00\x07\x05"))
    assert caught.value.offset == 8


def test_whitespace_beside_child_elements_is_indentation_and_leaf_text_is_content(Element):
    """Whitespace-only text beside child elements is not content (the XML reader drops it too);
    whitespace as a leaf's text, and text that is not only whitespace, are kept exactly."""
    indent = b"\x03\n  \x00"
    body = (
        indent + b"\x6b" + indent  # <SyncBody>
        + b"\x45" + indent + b"\x4b\x03 \x00\x01"  # <Add><CmdID> </CmdID>
        + indent + b"\x4f\x03\n \x00\x02\x0a\x01"  # <Data>"\n " + ENTITY 10</Data>
        + indent + b"\x01" + b"\x03x\x00\x01"  # </Add>x</SyncBody>
    )  # fmt: skip
    tree = syncml_codec.decode(syncml(body))
    assert tree.text is None and tree.children[0].tail is None
    body_element = tree.children[0]
    add = body_element.children[0]
    assert body_element.text is None and add.tail == "x"  # not only whitespace: kept
    assert add.text is None and [child.tail for child in add.children] == [None, None]
    assert [child.text for child in add.children] == [" ", "\n \n"]
