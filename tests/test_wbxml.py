"""WBXML decoding and encoding: header forms, every global token, options, nested documents."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from lxml import etree

import syncml_codec
from syncml_codec import DecodeError, EncodeError, Limits, api, fallback
from syncml_codec.codepages import (
    DEVINF_12,
    DMDDF_12,
    SYNCML_11,
    SYNCML_12,
    AttributePage,
    CodePage,
    Language,
)
from syncml_codec.header import read_header

from conftest import ROOT, VECTORS, public_vectors

NS = "SYNCML:SYNCML1.2"
METINF = "syncml:metinf"
HEADER_12 = bytes.fromhex("03A4016A00")  # WBXML 1.3, SyncML 1.2, UTF-8, empty string table


def syncml(body: bytes, header: bytes = HEADER_12) -> bytes:
    """A SyncML document: ``<SyncML>`` with ``body`` as its content."""
    return header + b"\x6D" + body + b"\x01"


def test_minimal_document(Element):
    tree = syncml_codec.decode(HEADER_12 + b"\x2D")
    assert tree == Element("SyncML", NS)
    assert syncml_codec.encode(tree) == HEADER_12 + b"\x2D"


def test_version_bytes_and_wbxml_10_without_charset():
    body = b"\x6D\x12\x01"  # <SyncML><Final/></SyncML>
    expected = syncml_codec.decode(HEADER_12 + body)
    for version in (b"\x01", b"\x02"):
        assert syncml_codec.decode(version + HEADER_12[1:] + body) == expected
    assert syncml_codec.decode(b"\x00\xA4\x01\x00" + body) == expected
    assert syncml_codec.encode(expected, version="1.0") == b"\x00\xA4\x01\x00" + body
    assert syncml_codec.encode(expected, version="1.2")[0] == 0x02


def test_textual_public_id_with_and_without_final_nul():
    fpi = b"-//SYNCML//DTD SyncML 1.2//EN"
    with_nul = b"\x02\x00\x00\x6A\x1E" + fpi + b"\x00\x2D"
    without_nul = b"\x02\x00\x00\x6A\x1D" + fpi + b"\x2D"  # as Horde writes it
    assert syncml_codec.decode(with_nul).namespace == NS
    assert syncml_codec.decode(without_nul).namespace == NS
    tree = syncml_codec.decode(with_nul)
    assert syncml_codec.encode(tree, version="1.2", public_id="string") == with_nul


def test_motorola_style_11_fpi_selects_syncml_11():
    tree = syncml_codec.decode(b"\x02\x00\x00\x6A\x1D-//SYNCML//DTD SyncML 1.1//EN\x2D")
    assert tree.namespace == "SYNCML:SYNCML1.1"


def test_unknown_public_id_needs_a_language():
    data = b"\x03\x01\x6A\x00\x2D"
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(data)
    assert caught.value.offset == 1
    assert syncml_codec.decode(data, language=SYNCML_12).tag == "SyncML"


@pytest.mark.parametrize("mib,encoding", [(3, "ascii"), (4, "latin-1"), (106, "utf-8")])
def test_single_byte_charsets(mib, encoding):
    text = "Gr\u00fc\u00dfe" if encoding != "ascii" else "Hello"
    data = (b"\x03\xA4\x01" + bytes([mib]) + b"\x00\x6D\x5B\x03" + text.encode(encoding)
            + b"\x00\x01\x01")
    assert syncml_codec.decode(data).findtext("MsgID") == text


def test_utf16_document_with_two_byte_terminators():
    string_table = "LocX\x00".encode("utf-16-be")
    text = "\u00e9t\u00e9\u4e2d".encode("utf-16-be") + b"\x00\x00"
    data = (b"\x03\xA4\x01\x87\x77" + bytes([len(string_table)]) + string_table
            + b"\x6D\x5B\x03" + text + b"\x01\x5C\x83\x00\x01\x01")
    tree = syncml_codec.decode(data)
    assert tree.findtext("MsgID") == "\u00e9t\u00e9\u4e2d"
    assert tree.findtext("MsgRef") == "LocX"


def test_unsupported_charset_is_an_error():
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(b"\x03\xA4\x01\x99\x00\x00\x2D")
    assert caught.value.offset == 3


def test_string_table_references_and_substrings():
    table = b"abc\x00defg\x00"
    data = b"\x03\xA4\x01\x6A\x09" + table + b"\x6D\x5B\x83\x04\x01\x5C\x83\x01\x01\x01"
    tree = syncml_codec.decode(data)
    assert tree.findtext("MsgID") == "defg"
    assert tree.findtext("MsgRef") == "bc"  # an index may point into the middle of a string


def test_entities_and_mixed_string_pieces():
    data = syncml(b"\x5B\x03a\x00\x02\x81\x69\x02\x87\xEC\x00\x03b\x00\x01")  # a é 😀 b
    assert syncml_codec.decode(data).findtext("MsgID") == "a\u00e9\U0001F600b"


def test_entity_that_is_no_character():
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(syncml(b"\x5B\x02\x8F\xFF\xFF\xFF\x7F\x01"))
    assert caught.value.offset == 7


def test_textual_opaque_becomes_text_and_binary_stays_bytes():
    nokia = syncml(b"\x71\xC3\x031.1\x01")  # Nokia sends every text as OPAQUE
    assert syncml_codec.decode(nokia).findtext("VerDTD") == "1.1"
    binary = syncml(b"\x4F\xC3\x04A\x00\xffB\x01")
    assert syncml_codec.decode(binary).findtext("Data") == b"A\x00\xffB"


def test_binary_data_round_trips_and_xml_stays_well_formed(Element):
    tree = syncml_codec.decode(syncml(b"\x4F\xC3\x04A\x00\xffB\x01"))
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree
    xml = syncml_codec.encode(tree, format="xml")
    assert (b'<Data><wbxml:opaque xmlns:wbxml="urn:syncml-codec:wbxml">QQD/Qg==</wbxml:opaque>'
            b"</Data>") in xml
    assert syncml_codec.to_lxml(tree) is not None  # lxml accepts it
    assert syncml_codec.decode(xml) == tree


def test_empty_element_forms_decode_alike():
    forms = [b"\x17", b"\x57\x01", b"\x57\x03\x00\x01", b"\x57\xC3\x00\x01"]
    trees = [syncml_codec.decode(syncml(b"\x6E" + form + b"\x01")) for form in forms]
    assert all(tree == trees[0] for tree in trees)
    assert trees[0].find("Target").find("LocURI").text is None
    assert syncml_codec.encode(trees[0]) == syncml(b"\x6E\x17\x01")


def test_lazy_switch_page_like_libwbxml(Element):
    tree = Element("SyncML", NS, children=[
        Element("SyncHdr", NS, children=[Element("Meta", NS, children=[
            Element("MaxMsgSize", METINF, text="10000")])]),
        Element("SyncBody", NS)])
    data = syncml_codec.encode(tree)
    assert data == HEADER_12 + bytes.fromhex("6D6C5A00014C03") + b"10000" + bytes.fromhex(
        "0001010100002B01")


def test_metinf_element_without_namespace_is_found_on_page_1(Element):
    tree = Element("SyncML", NS, children=[Element("Meta", NS, children=[
        Element("MaxMsgSize", NS, text="1")])])
    assert bytes.fromhex("5A00014C03") in syncml_codec.encode(tree)


def test_literal_tags_keep_their_names_and_namespace(Element):
    tree = Element("SyncML", NS, children=[
        Element("VendorThing", NS, text="x"),
        Element("Foo", "urn:example", text="y")])
    data = syncml_codec.encode(tree)
    assert data[4] > 0  # the names went into the string table
    decoded = syncml_codec.decode(data)
    assert decoded == tree
    assert decoded.children[0].tag == "VendorThing"


def test_literal_variants_decode(Element):
    table = b"X\x00a\x00"
    header = b"\x03\xA4\x01\x6A\x04" + table
    data = header + (b"\x6D\x04\x00\x44\x00\x03t\x00\x01\x84\x00\x04\x02\x03v\x00\x01"
                     b"\xC4\x00\x04\x02\x01\x01\x01")
    tree = syncml_codec.decode(data)
    assert [child.tag for child in tree] == ["X", "X", "X", "X"]
    assert tree.children[1].text == "t"
    assert tree.children[2].attributes == {"a": "v"}
    assert tree.children[3].attributes == {"a": ""}


def test_nokia_xmlns_literal_attribute_without_string_table():
    data = b"\x02\xA4\x01\x6A\x00\xED\x04\x00\x03SYNCML:SYNCML1.2\x00\x01\x12\x01"
    tree = syncml_codec.decode(data)
    assert tree.tag == "SyncML" and tree.namespace == NS and tree.attributes == {}
    assert tree.children[0].tag == "Final"


def test_attributes_round_trip_through_the_string_table(Element):
    tree = Element("SyncML", NS, {"xmlns:msft": "http://example.com/mdm", "a": ""},
                   children=[Element("Final", NS)])
    data = syncml_codec.encode(tree)
    assert data[5 + data[4]] == 0x6D | 0x80  # the tag right after the string table
    assert syncml_codec.decode(data) == tree


def test_mixed_content_keeps_text_and_tails(Element):
    tree = Element("SyncML", NS, text="before", children=[
        Element("Final", NS, tail="after"), Element("Final", NS, tail=b"\x00\x01")])
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree


def test_extension_and_pi_tokens_round_trip(Element):
    ext = "urn:syncml-codec:wbxml"
    data = syncml(b"\x40abc\x00\xC1\x43\x04\x00\x03v\x00\x01\x81\x00", b"\x03\xA4\x01\x6A\x02t\x00")
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


def test_data_under_add_is_opaque_and_under_status_inline(Element):
    def command(tag):
        return Element(tag, NS, children=[Element("Item", NS, children=[
            Element("Data", NS, text="123.123.123.123")])])

    add = syncml_codec.encode(Element("SyncML", NS, children=[command("Add")]))
    status = syncml_codec.encode(Element("SyncML", NS, children=[command("Status")]))
    assert b"\x4F\xC3\x0F123.123.123.123\x01" in add
    assert b"\x4F\x03123.123.123.123\x00\x01" in status
    never = syncml_codec.encode(Element("SyncML", NS, children=[command("Add")]),
                                opaque_data="never")
    assert b"\x4F\x03123" in never
    always = syncml_codec.encode(Element("SyncML", NS, children=[command("Status")]),
                                 opaque_data="always")
    assert b"\x4F\xC3\x0F" in always


def test_vobject_type_makes_data_opaque_anywhere(Element):
    item = Element("Item", NS, children=[
        Element("Meta", NS, children=[Element("Type", METINF, text="text/x-vcard")]),
        Element("Data", NS, text="BEGIN:VCARD")])
    data = syncml_codec.encode(Element("SyncML", NS, children=[Element("Results", NS,
                                                                        children=[item])]))
    assert b"\xC3\x0BBEGIN:VCARD" in data


def test_text_with_nul_or_control_characters_stays_text(Element):
    tree = Element("SyncML", NS, children=[
        Element("MsgID", NS, text="a\x00b"),
        Element("Add", NS, children=[Element("Item", NS, children=[
            Element("Data", NS, text="c\x17")])])])
    data = syncml_codec.encode(tree)
    assert b"\x5B\x03a\x00\x02\x00\x03b\x00\x01" in data  # NUL as ENTITY U+0000
    assert b"\x4F\x03c\x17\x00\x01" in data  # not OPAQUE: that would read back as bytes
    assert syncml_codec.decode(data) == tree


def short_texts() -> list[str]:
    """Texts around the length up to which the compiled decoder reuses recent short texts (32):
    repeated and distinct, ASCII and not, more than its slots, so many share a slot."""
    texts = ["1", "chr", "é", "日本", "x" * 31, "x" * 32, "x" * 33, "y" * 32, "é" * 16]
    texts += [f"{n:0{width}}" for n in range(400) for width in (1, 8, 16, 32)]
    texts += [f"{prefix}{n}{suffix}" for n in range(300) for prefix, suffix in
              (("./Vendor/", "/Value"), ("abcdefgh", "abcdefgh"), ("", "x" * 24))]
    return texts + texts[::-1]


def test_short_texts_decode_exactly_inline_and_opaque(Element):
    """Every short text, written inline (LocURI) and OPAQUE (Data under Add), reads back
    exactly, whichever recent text shares its slot."""
    commands = [Element("Add", NS, children=[Element("Item", NS, children=[
        Element("Target", NS, children=[Element("LocURI", NS, text=text)]),
        Element("Data", NS, text=text)])]) for text in short_texts()]
    tree = Element("SyncML", NS, children=commands)
    data = syncml_codec.encode(tree)
    assert data.count(b"\x03" + b"y" * 32 + b"\x00") == 2  # inline
    assert data.count(b"\xC3\x20" + b"y" * 32) == 2  # OPAQUE, 32 bytes
    assert syncml_codec.decode(data) == tree
    assert syncml_codec.decode(syncml_codec.encode(tree, string_table=True)) == tree


def test_compiled_decoder_shares_repeated_short_texts():
    """The compiled decoder gives equal short ASCII texts met close together one str object
    (a copy each would cost an allocation and memory), unless another text took its slot in
    between; longer texts stay apart."""
    compiled = _compiled_or_skip()
    Element = compiled.Element
    long_text = "a management object's value, longer than 32 bytes"
    results = [Element("Results", NS, children=[
        Element("CmdID", NS, text=str(n)), Element("CmdRef", NS, text=str(n)),
        Element("Item", NS, children=[
            Element("Meta", NS, children=[Element("Format", METINF, text="chr"),
                                          Element("Type", METINF, text="text/plain")]),
            Element("Data", NS, text=long_text)])]) for n in range(100, 200)]
    data = syncml_codec.encode(Element("SyncML", NS, children=results))
    tree = compiled.decode_wbxml(data)
    for path in ("Item/Meta/Format", "Item/Meta/Type"):
        texts = [_child(result, path).text for result in tree]
        assert len(texts) == 100 and len({id(text) for text in texts}) <= 5
    assert all(result.find("CmdRef").text is result.find("CmdID").text for result in tree)
    datas = [_child(result, "Item/Data").text for result in tree]
    assert set(datas) == {long_text} and len({id(text) for text in datas}) == 100


def _child(element, path: str):
    """The first descendant along ``path`` (tags separated by "/")."""
    for tag in path.split("/"):
        element = element.find(tag)
    return element


def test_embedded_devinf_is_a_nested_document_and_type_is_rewritten():
    xml = (b'<SyncML xmlns="SYNCML:SYNCML1.2"><Put><Meta><Type xmlns="syncml:metinf">'
           b'application/vnd.syncml-devinf+xml</Type></Meta><Item><Data>'
           b'<DevInf xmlns="syncml:devinf"><VerDTD>1.2</VerDTD><Man>X</Man></DevInf>'
           b'</Data></Item></Put></SyncML>')
    data = syncml_codec.xml_to_wbxml(xml)
    assert b"application/vnd.syncml-devinf+wbxml" in data
    nested = bytes.fromhex("03A4036A004A")  # OPAQUE payload: DevInf 1.2 document, <DevInf>
    assert nested in data
    tree = syncml_codec.decode(data)
    devinf = tree.find("Put").find("Item").find("Data").children[0]
    assert (devinf.tag, devinf.namespace, devinf.findtext("Man")) == ("DevInf", "syncml:devinf",
                                                                        "X")
    assert tree.find("Put").find("Meta").findtext("Type") == "application/vnd.syncml-devinf+xml"
    assert tree == syncml_codec.decode(xml)
    raw = syncml_codec.decode(data, type_rewrite=False)
    assert raw.find("Put").find("Meta").findtext("Type") == "application/vnd.syncml-devinf+wbxml"
    kept = syncml_codec.encode(tree, type_rewrite=False)
    assert b"application/vnd.syncml-devinf+xml" in kept


def test_devinf_version_follows_verdtd_or_the_outer_syncml(Element):
    def document(verdtd, outer_ns):
        devinf = Element("DevInf", "syncml:devinf", children=[Element("Man", "syncml:devinf",
                                                                      text="X")])
        if verdtd:
            devinf.children.insert(0, Element("VerDTD", "syncml:devinf", text=verdtd))
        return Element("SyncML", outer_ns, children=[Element("Data", outer_ns,
                                                             children=[devinf])])

    assert bytes.fromhex("9F546A00") in syncml_codec.encode(document(None, "SYNCML:SYNCML1.1"))
    assert bytes.fromhex("A4036A00") in syncml_codec.encode(document("1.2", "SYNCML:SYNCML1.1"))


def test_embedded_document_that_does_not_parse_stays_data():
    bad = b"\x03\xA4\x03\x6A\x00\x4A"  # a DevInf document cut short
    data = syncml(b"\x54\x5A\x00\x01\x53\x03application/vnd.syncml-devinf+wbxml\x00\x01\x00\x00"
                  b"\x01\x4F\xC3" + bytes([len(bad)]) + bad + b"\x01\x01")
    tree = syncml_codec.decode(data)
    assert tree.find("Item").findtext("Data") == bad


def test_data_inside_the_meta_reads_the_type_before_it(Element):
    """A Data inside a Meta, after that Meta's Type: the Data rules find the Type in the Meta
    that is still open (the grandparent's first Meta), for each of two Data. The payload is a
    SyncML document, which only an embedding Type makes a nested tree (same family). A Data
    before the Type reads none."""
    inner = syncml_codec.encode(Element("SyncML", NS, children=[Element("Final", NS)]))
    data_token = b"\x4F\xC3" + bytes([len(inner)]) + inner + b"\x01"
    data = syncml(b"\x54\x5A\x00\x01\x53\x03application/vnd.syncml-devinf+wbxml\x00\x01\x00\x00"
                  + data_token * 2 + b"\x01\x01")
    meta = syncml_codec.decode(data).find("Item").find("Meta")
    nested = [child.children[0] for child in meta.children if child.tag == "Data"]
    assert [(tree.tag, tree.children[0].tag) for tree in nested] == [("SyncML", "Final")] * 2
    untyped = data.replace(b"devinf+wbxml", b"devinf+wbxmX")
    assert syncml_codec.decode(untyped).find("Item").find("Meta").children[1].text == inner
    # A Data in the Meta before its Type has none; a Data after the closed Meta finds it.
    late = syncml(b"\x54\x5A" + data_token + b"\x00\x01\x53\x03application/vnd.syncml-devinf"
                  b"+wbxml\x00\x01\x00\x00\x01" + data_token + b"\x01")
    item = syncml_codec.decode(late).find("Item")
    assert item.find("Meta").findtext("Data") == inner
    assert item.find("Data").children[0].tag == "SyncML"
    for document in (data, late):
        trees = [module.decode_wbxml(document) for module in api._IMPLEMENTATIONS.values()]
        assert all(tree == trees[0] for tree in trees)


def test_standalone_ddf_uses_a_textual_public_id_and_page_2():
    data = syncml_codec.xml_to_wbxml(
        b'<MgmtTree xmlns="syncml:dmddf1.2"><VerDTD>1.2</VerDTD><Node><NodeName>A</NodeName>'
        b'<DFProperties><DFFormat><node/></DFFormat></DFProperties></Node></MgmtTree>')
    assert data.startswith(b"\x03\x00\x00\x6A\x1B-//OMA//DTD-DM-DDF 1.2//EN\x00\x00\x02\x60")
    assert bytes.fromhex("25") in data  # <node/> (lower case) is 0x25, <Node> 0x24 | 0x40
    assert syncml_codec.decode(data).find("Node").find("DFProperties").find("DFFormat").children[
        0].tag == "node"


def test_devinf_12_accepts_size_for_maxsize(Element):
    tree = Element("DevInf", "syncml:devinf", children=[
        Element("VerDTD", "syncml:devinf", text="1.2"), Element("Size", "syncml:devinf", text="9")])
    data = syncml_codec.encode(tree)
    assert b"\x5C\x039\x00" in data
    assert syncml_codec.decode(data).children[1].tag == "MaxSize"


def test_string_table_shares_repeated_strings(Element):
    uri = "http://dm.example.com/dm"
    tree = Element("SyncML", NS, children=[
        Element("Target", NS, children=[Element("LocURI", NS, text=uri)]),
        Element("Source", NS, children=[Element("LocURI", NS, text=uri)]),
        Element("MsgID", NS, text="1"), Element("MsgRef", NS, text="1")])
    data = syncml_codec.encode(tree, string_table=True)
    assert data[4] == len(uri) + 1 and data[5:5 + len(uri)] == uri.encode()
    assert data.count(b"\x57\x83\x00\x01") == 2  # both LocURIs refer to offset 0
    assert b"\x5B\x031\x00" in data  # short strings stay inline
    assert syncml_codec.decode(data) == tree == syncml_codec.decode(syncml_codec.encode(tree))


def test_string_table_holds_strings_written_inline_twice_in_order_of_first_use(Element):
    """Texts and attribute values count alike, OPAQUE content does not; literal names enter
    the table as they are written, the shared strings after them in order of first use."""
    def leaf(tag, text):
        return Element(tag, NS, text=text)
    tree = Element("SyncML", NS, children=[
        leaf("LocURI", "./bravo"), leaf("LocURI", "./alpha"),
        Element("Item", NS, {"name": "./alpha"}, children=[leaf("Data", "./opaque")]),
        leaf("LocURI", "./bravo"), leaf("LocURI", "./opaque"), leaf("LocURI", "./once"),
        leaf("LocURI", "./bravo"), leaf("LocURI", "abc"), leaf("LocURI", "abc")])
    data = syncml_codec.encode(tree, string_table=True, opaque_data="always")
    assert read_header(data).string_table == b"name\x00./bravo\x00./alpha\x00"
    body = data[read_header(data).body_offset:]
    assert body.count(b"\x83\x05") == 3 and body.count(b"\x83\x0D") == 2  # ./bravo, ./alpha
    assert b"\x03./once\x00" in body and body.count(b"\x03abc\x00") == 2
    assert syncml_codec.decode(data) == tree
    outputs = {module.encode_wbxml(tree, string_table=True, opaque_data="always")
               for module in api._IMPLEMENTATIONS.values()}
    assert outputs == {data}


def test_string_table_references_shorten_the_body_in_place(Element):
    """Offsets of one, two and three bytes replace inline strings of four characters and
    more; every reference lands where its string was."""
    texts = [f"{i:05d}" for i in range(4_000)]  # a table of 24,000 bytes: offsets up to 3 bytes
    tree = Element("SyncML", NS, children=[
        Element("LocURI", NS, text=text) for text in texts + texts[::-1] + ["tail", "end!"]])
    data = syncml_codec.encode(tree, string_table=True)
    assert len(read_header(data).string_table) == 6 * len(texts)
    assert syncml_codec.decode(data) == tree


def test_string_table_stays_linear_on_a_large_document(Element):
    """100 000 distinct and repeated strings: the table holds only the repeated ones, once."""
    items = [Element("Item", NS, children=[Element("LocURI", NS, text=f"./Node/{i % 50_000}")])
             for i in range(100_000)]
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


@pytest.mark.parametrize("write", [
    lambda tree: syncml_codec.encode(tree),
    lambda tree: syncml_codec.encode(tree, string_table=True),
    lambda tree: syncml_codec.encode(tree, format="xml"),
    lambda tree: syncml_codec.encode(tree, format="xml", pretty=True),
    syncml_codec.to_lxml,
], ids=["wbxml", "wbxml-string-table", "xml", "xml-pretty", "lxml"])
def test_a_tree_that_contains_itself_is_refused(Element, write):
    """The depth limit stops the encoders, the string table's count of repeated strings and the
    XML writers on a tree made to contain itself (it would otherwise never end, or overflow
    the C stack)."""
    item = Element("Item", NS, text="text")
    tree = Element("SyncML", NS, children=[item])
    item.children.append(tree)
    try:
        with pytest.raises(EncodeError, match="nested deeper than 512"):
            write(tree)
    finally:
        item.children.clear()  # compiled Elements are not collected: break the cycle


@pytest.mark.parametrize("form", ["wbxml", "xml"])
def test_building_a_tree_pauses_the_collector_and_restores_its_state(Element, form):
    """Trees hold no cycles: no collection runs while one is built, and the collector's state
    (on, off, or on again after a decode error) is what it was before."""
    tree = Element("SyncML", NS, children=[Element("Item", NS, children=[
        Element("LocURI", NS, text=f"./Node/{i}")]) for i in range(5_000)])
    data = syncml_codec.encode(tree, format=form)
    collections = []
    record = lambda phase, info: collections.append(phase)  # noqa: E731
    gc.callbacks.append(record)
    try:
        assert gc.isenabled()
        decoded = syncml_codec.decode(data)
        collections_while_building = len(collections)  # read before anything allocates
        assert collections_while_building == 0 and gc.isenabled()
        assert decoded == tree
        with pytest.raises(DecodeError):
            syncml_codec.decode(data[:-1])
        assert gc.isenabled()
        gc.disable()
        syncml_codec.decode(data)
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.callbacks.remove(record)


def test_encode_errors(Element):
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("Nothing", "urn:unknown"))
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", NS, text=3.5))
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", NS, text="\ud800"))
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", NS, text=b"\x01"), version="1.0")
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", NS, {"a": 1}))
    with pytest.raises(ValueError):
        syncml_codec.encode(Element("SyncML", NS), version="2.0")
    with pytest.raises(ValueError):
        syncml_codec.encode(Element("SyncML", NS), format="json")


def test_elements_from_either_implementation_encode_alike():
    from syncml_codec import api

    results = set()
    for module in api._IMPLEMENTATIONS.values():
        tree = module.Element("SyncML", NS, children=[module.Element("Final", NS)])
        results.add(syncml_codec.encode(tree))
    assert results == {HEADER_12 + b"\x6D\x12\x01"}


def test_element_api(Element):
    leaf = Element("MsgID", NS, text="1")
    tree = Element("SyncHdr", NS, children=[leaf])
    assert tree.find("MsgID") is leaf and tree.findtext("MsgID") == "1"
    assert tree.find("Nope") is None and tree.findtext("Nope", "d") == "d"
    assert list(tree) == [leaf] and len(tree) == 1
    assert tree != Element("SyncHdr", NS) and tree != "SyncHdr"
    assert "SyncHdr" in repr(tree)
    with pytest.raises(TypeError):
        hash(tree)
    assert Element("X").attributes == {} and Element("X").children == []


def test_element_fields_set_in_any_order_keep_each_other(Element):
    """Children, attributes and tail stay what they were set to, whichever comes first (the
    compiled Element keeps the rare ones, attributes and tail, apart)."""
    child = Element("Final", NS)
    element = Element("SyncBody", NS, children=[child])
    element.tail = "after"
    assert element.children == [child] and element.attributes == {}
    element.attributes["id"] = "1"
    element.children.append(Element("Final", NS))
    element.children = [child]
    assert (element.tail, element.attributes, element.children) == ("after", {"id": "1"}, [child])
    element.tail = None
    assert element.tail is None and element.attributes == {"id": "1"} and len(element) == 1
    assert element == Element("SyncBody", NS, attributes={"id": "1"}, children=[child])
    leaf = Element("MsgID", NS, text="1", tail="\n")
    assert leaf.children == [] and leaf.tail == "\n" and leaf.attributes == {}


def test_element_text_and_children_set_in_any_order_keep_each_other(Element):
    """Text and children stay what they were set to, in either order, whatever their types (the
    compiled Element holds a str text, or a list or tuple of children, in one field)."""
    child = Element("Final", NS)
    class Children(list):
        pass
    makers = (lambda: [child], lambda: (child,), lambda: Children([child]))
    for text in ("text", b"\x00binary", ""):
        for children in makers:
            first = Element("SyncBody", NS, text=text)
            first.children = children()
            second = Element("SyncBody", NS, children=children())
            second.text = text
            for element in (first, second):
                assert element.text == text and list(element) == [child] and len(element) == 1
                element.text = None
                assert element.text is None and list(element.children) == [child]
                element.text = text
                element.children = []
                assert element.text == text and len(element) == 0
    leaf = Element("Data", NS, text=b"\x01")
    assert leaf.text == b"\x01" and leaf.children == []
    leaf.children.append(child)
    assert leaf.text == b"\x01" and leaf.children == [child]
    leaf.__init__("Data", NS)  # made anew: nothing of before is kept
    assert leaf == Element("Data", NS) and leaf.children == []


def test_element_tag_and_namespace_set_separately(Element):
    element = Element("MsgID", NS, text="1")
    element.tag = "CmdID"
    assert (element.tag, element.namespace, element.text) == ("CmdID", NS, "1")
    element.namespace = "syncml:metinf"
    assert (element.tag, element.namespace) == ("CmdID", "syncml:metinf")
    assert element == Element("CmdID", "syncml:metinf", text="1")
    assert element != Element("CmdID", NS, text="1")


def test_element_names_are_kept_as_given(Element):
    """Any tag and namespace objects are kept as given (str subclasses, unhashable values); the
    encoder is what refuses a tag that is not a str."""
    class Tag(str):
        pass

    for tag in (Tag("CmdID"), ["CmdID"], 1, True):
        element = Element(tag, NS)
        assert element.tag is tag and element.namespace == NS
    assert type(Element("CmdID", NS).tag) is str
    for tag in (["CmdID"], 1, True):
        with pytest.raises(EncodeError):
            syncml_codec.encode(Element("SyncML", NS, children=[Element(tag, NS)]))
        with pytest.raises(EncodeError):
            syncml_codec.encode(Element(tag, NS))
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", ["SYNCML:SYNCML1.2"]))


def test_same_tree_encodes_with_each_language_in_turn(Element):
    """One tree encoded with two languages that give its names different tokens, alternately:
    each encoding uses its own language's tokens (the compiled encoder remembers a name's token
    per language)."""
    def language(tokens):
        return Language(name="Example", family="example", version="1.0", fpi=None,
                        public_id=0x7F10, root="doc",
                        pages={0: CodePage("urn:example:turns", tokens)})
    first = language({0x05: "doc", 0x06: "a", 0x07: "b"})
    second = language({0x05: "doc", 0x07: "a", 0x06: "b"})
    tree = Element("doc", "urn:example:turns", children=[
        Element("a", "urn:example:turns", text="x"), Element("b", "urn:example:turns")])
    for _ in range(2):
        for chosen, a_token, b_token in ((first, 0x46, 0x07), (second, 0x47, 0x06)):
            data = syncml_codec.encode(tree, language=chosen)
            body = bytes([0x45, a_token, 0x03]) + b"x\x00" + bytes([0x01, b_token, 0x01])
            assert data.endswith(body)
            assert syncml_codec.decode(data, language=chosen) == tree


def test_registered_language_with_attribute_pages(Element):
    wml = Language(
        name="Example ML 1.0", family="example", version="1.0", fpi="-//EXAMPLE//DTD ML 1.0//EN",
        public_id=0x7F00, root="doc",
        pages={0: CodePage("urn:example:ml", {0x05: "doc", 0x06: "a"})},
        attribute_pages={0: AttributePage({0x05: ("href", ""), 0x06: ("href", "http://")},
                                          {0x85: ".com"})},
    )
    syncml_codec.register_language(wml)
    assert syncml_codec.language_for_public_id(0x7F00) is wml
    assert syncml_codec.language_for_namespace("urn:example:ml") is wml
    # <doc><a href="http://example.com"/></doc> with an ATTRSTART prefix and an ATTRVALUE token
    data = b"\x03\x81\xFE\x00\x6A\x00\x45\x86\x06\x03example\x00\x85\x01\x01"
    tree = syncml_codec.decode(data)
    assert tree == Element("doc", "urn:example:ml", children=[
        Element("a", "urn:example:ml", {"href": "http://example.com"})])
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(b"\x03\x81\xFE\x00\x6A\x00\x45\x86\x07\x01\x01")
    assert caught.value.offset == 8


def test_builtin_tables_spot_checks():
    assert SYNCML_12.tag_names[0][0x2D] == "SyncML"
    assert SYNCML_12.tag_names[0][0x3C] == "Correlator"
    assert SYNCML_12.tag_names[1][0x16] == "FieldLevel"
    assert SYNCML_12.tag_names[0][0x30] is None
    assert SYNCML_11.tag_names[0][0x39] == "SourceParent"
    assert SYNCML_11.tag_names[0][0x3A] is None
    assert DEVINF_12.tag_names[0][0x1C] == "MaxSize"
    assert DEVINF_12.tag_names[0][0x2F] is None
    assert DMDDF_12.tag_names[2][0x24] == "Node" and DMDDF_12.tag_names[2][0x25] == "node"
    assert syncml_codec.language_for_public_id("-//syncml//dtd syncml 1.2//en") is SYNCML_12
    assert syncml_codec.language_for_namespace("syncml:syncml1.2") is SYNCML_12
    assert syncml_codec.language_for_namespace("syncml:devinf", version="1.1").public_id == 0x0FD4


def _stream_inputs() -> list[Path]:
    return (sorted((VECTORS / "libwbxml").glob("*.wbxml"))
            + sorted((VECTORS / "libwbxml-n").glob("*.wbxml")) + public_vectors()
            + sorted((ROOT / "tests" / "fuzz_regressions").glob("wbxml-*.bin")))


def _compiled_or_skip():
    if "cython" not in api._IMPLEMENTATIONS:
        pytest.skip("the compiled extension is not built")
    return api._IMPLEMENTATIONS["cython"]


@pytest.mark.parametrize("path", _stream_inputs(), ids=lambda path: path.name)
def test_streamed_xml_is_the_tree_paths_xml(path):
    """The compiled WBXML->XML stream either gives up or writes exactly what decoding to a tree
    and writing it gives (the pure implementation's output, or its error)."""
    compiled = _compiled_or_skip()
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
    "commands": (True, b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>'
                       b'</SyncHdr><SyncBody><Get><CmdID>1</CmdID><Item><Target><LocURI>./a&amp;b'
                       b'&lt;c&gt;&#13;</LocURI></Target><Meta><Format xmlns="syncml:metinf">chr'
                       b'</Format></Meta></Item></Get><Final/></SyncBody></SyncML>'),
    "opaque-text": (True, b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Replace><CmdID>2</CmdID>'
                          b'<Item><Data>caf\xc3\xa9 \xe2\x82\xac</Data></Item></Replace></SyncBody>'
                          b'</SyncML>'),
    "type-rewrite": (True, b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Results><Meta><Type '
                           b'xmlns="syncml:metinf">application/vnd.syncml-devinf+xml</Type></Meta>'
                           b'</Results></SyncBody></SyncML>'),
    "binary-opaque": (False, b'<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:w="urn:syncml-codec:wbxml">'
                             b'<SyncBody><Add><Item><Data><w:opaque>AP8=</w:opaque></Data></Item>'
                             b'</Add></SyncBody></SyncML>'),
    "mixed-content": (False, b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody>text<Final/>tail'
                             b'</SyncBody></SyncML>'),
    "embedded-devinf": (False, (VECTORS / "xml" / "ds12-slow-sync-devinf.xml").read_bytes()),
}


@pytest.mark.parametrize("case", sorted(STREAM_CASES))
def test_stream_takes_common_documents_and_leaves_the_rest(case):
    compiled = _compiled_or_skip()
    streams, xml = STREAM_CASES[case]
    data = syncml_codec.xml_to_wbxml(xml)
    streamed = compiled.stream_xml(data)
    assert (streamed is not None) == streams
    expected = fallback.wbxml_to_xml(data)
    assert compiled.wbxml_to_xml(data) == expected
    assert syncml_codec.decode(expected) == syncml_codec.decode(data)
    assert compiled.stream_xml(data, limits=Limits(max_depth=2)) is None


def test_stream_gives_up_on_every_truncation():
    compiled = _compiled_or_skip()
    data = syncml_codec.xml_to_wbxml(STREAM_CASES["commands"][1])
    for cut in range(len(data)):
        assert compiled.stream_xml(data[:cut]) is None


def test_decoded_children_become_a_list_that_keeps_changes(Element):
    """Children read, searched and counted before and after ``children`` is first read (the
    compiled decoder holds them in a tuple until then) are the same; the list is kept."""
    source = Element("SyncML", NS, children=[
        Element("SyncHdr", NS, children=[Element("MsgID", NS, text="1")]),
        Element("SyncBody", NS, children=[Element("Final", NS)])])
    tree = syncml_codec.decode(syncml_codec.encode(source))
    assert len(tree) == 2 and [child.tag for child in tree] == ["SyncHdr", "SyncBody"]
    assert tree.find("SyncBody") == source.find("SyncBody") and tree == source
    children = tree.children
    assert type(children) is list and tree.children is children
    children.pop(0)
    tree.find("SyncBody").children.insert(0, Element("Alert", NS))
    assert [child.tag for child in tree] == ["SyncBody"] and len(tree) == 1
    assert [child.tag for child in tree.find("SyncBody")] == ["Alert", "Final"]
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree


def test_an_only_child_reads_and_changes_like_any_other(Element):
    """A decoded element with one child (the compiled decoder holds an only child without a
    tuple) counts, iterates, compares and encodes as any other, and keeps its child when it
    takes text, attributes, a tail or more children."""
    msg_id = Element("MsgID", NS, text="1")
    source = Element("SyncML", NS, children=[Element("SyncHdr", NS, children=[msg_id])])
    changes = {
        "text": lambda header: setattr(header, "text", "before"),
        "attributes": lambda header: header.attributes.update(id="7"),
        "tail": lambda header: setattr(header, "tail", "after"),
        "child": lambda header: header.children.append(Element("Final", NS)),
    }
    for name, change in changes.items():
        tree = syncml_codec.decode(syncml_codec.encode(source))
        header = tree.find("SyncHdr")
        assert len(header) == 1 and list(header) == [msg_id] and header.find("MsgID") == msg_id
        assert header == source.find("SyncHdr") and tree == source
        change(header)
        assert header.find("MsgID") == msg_id and header.children[0] == msg_id, name
        assert len(header) == (2 if name == "child" else 1), name
        assert syncml_codec.decode(syncml_codec.encode(tree)) == tree, name


def test_element_reserve_limit_is_set_and_reported():
    """The limit is whole Elements (32 bytes each); 16 MiB to begin with where the build keeps
    a reserve (the compiled one, but for sanitizer builds), 0 where it keeps none."""
    previous = syncml_codec.set_element_reserve(0)
    kept = previous > 0
    try:
        assert previous in (0, 16 << 20)
        assert syncml_codec.set_element_reserve(100) == 0
        assert syncml_codec.set_element_reserve(0) == (96 if kept else 0)
        with pytest.raises(ValueError):
            syncml_codec.set_element_reserve(-1)
        with pytest.raises(TypeError):
            syncml_codec.set_element_reserve(1.5)
    finally:
        syncml_codec.set_element_reserve(previous)


@pytest.mark.parametrize("reserve", [0, 64, 16 << 20])
def test_trees_built_from_reserved_elements_are_whole(reserve):
    """Elements taken from the reserve of freed ones start empty: trees decoded after others
    were freed equal their sources, whatever the reserve keeps."""
    compiled = _compiled_or_skip()
    previous = compiled.set_element_reserve(reserve)
    try:
        sources = [syncml_codec.decode(path.read_bytes()) for path in sorted(
            (VECTORS / "wbxml").glob("*.wbxml"))[:20]]
        for _ in range(3):
            for source in sources:
                tree = compiled.decode_wbxml(compiled.encode_wbxml(source))
                assert tree == source
                del tree
    finally:
        compiled.set_element_reserve(previous)


def test_tracemalloc_counts_elements_taken_from_and_given_to_the_reserve():
    """The memory figures stay true with the reserve: tracemalloc sees an Element taken from it
    as allocated, and one put back as freed."""
    import tracemalloc
    compiled = _compiled_or_skip()
    previous = compiled.set_element_reserve(16 << 20)
    Element = compiled.Element
    count = 5000
    data = compiled.encode_wbxml(Element("SyncML", NS, children=[
        Element("SyncBody", NS, children=[Element("Final", NS) for _ in range(count)])]))
    try:
        tree = compiled.decode_wbxml(data)
        del tree  # its Elements fill the reserve
        tracemalloc.start()
        try:
            tree = compiled.decode_wbxml(data)
            held, _ = tracemalloc.get_traced_memory()
            del tree
            left, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert held >= count * 32
        assert left < count * 8
    finally:
        compiled.set_element_reserve(previous)


def test_element_subclasses_are_made_and_freed(Element):
    class Tagged(Element):
        pass

    class Slotted(Element):
        __slots__ = ("extra",)

    class Bare(Element):
        __slots__ = ()

    for number in range(2000):
        tagged, slotted = Tagged("MsgID", NS, text=str(number)), Slotted("Final", NS)
        tagged.note, slotted.extra = number, -number
        parent = Element("SyncBody", NS, children=[tagged, slotted, Bare("Final", NS)])
        assert [type(child) for child in parent] == [Tagged, Slotted, Bare]
        assert (tagged.note, slotted.extra, tagged.text) == (number, -number, str(number))


def test_compiled_trees_are_left_out_of_the_cycle_collector():
    """Decoded trees hold no cycles: the compiled Elements and their children lists are not
    tracked, so a large tree costs the collector nothing; leaves get no list at all."""
    compiled = _compiled_or_skip()
    data = syncml_codec.xml_to_wbxml(STREAM_CASES["commands"][1])
    for tree in (compiled.decode_wbxml(data),
                 compiled.read_lxml(etree.fromstring(STREAM_CASES["commands"][1]))):
        stack, internal, leaves = [tree], 0, 0
        while stack:
            node = stack.pop()
            assert not gc.is_tracked(node)
            if len(node):
                internal += 1
                assert not gc.is_tracked(node.children)
                stack.extend(node.children)
            else:
                leaves += 1
        assert internal > 3 and leaves > 3


def test_a_language_registered_later_wins_over_a_remembered_header(Element):
    """Headers (and other answers that depend on the registry) may be memoised; registering a
    language empties the memos, so the next message already uses it."""
    data = b"\x03\x81\xFE\x01\x6A\x00\x45\x01"  # public id 0x7F01, <root>...</root>
    for root in ("first", "second"):
        syncml_codec.register_language(Language(
            name=f"Example {root}", family="example", version="1.0", fpi=None, public_id=0x7F01,
            root=root, pages={0: CodePage("urn:example:memo", {0x05: root})}))
        assert syncml_codec.decode(data) == Element(root, "urn:example:memo")


def test_literal_names_with_braces(Element):
    """A LITERAL tag may hold "}" and round-trips; a namespace holding "}" cannot be told apart
    from such a tag in ``{uri}tag``, so the encoder refuses it."""
    odd = Element("SyncML", NS, children=[Element("a}b", "urn:x", text="1"), Element("c}d", NS)])
    assert syncml_codec.decode(syncml_codec.encode(odd)) == odd
    with pytest.raises(EncodeError, match="holds '}'"):
        syncml_codec.encode(Element("SyncML", NS, children=[Element("Item", "urn:a}b")]))


@pytest.mark.parametrize("name", ["{}EX", "{urn:x}EX"])
def test_a_literal_root_keeps_the_documents_namespace(name):
    """``{uri}tag`` names a namespace below the root only: the root's namespace is the
    document's language, or the tree could not be written again (a fuzz finding)."""
    encoded = name.encode()
    data = bytes([3, 0xA4, 1, 0x6A, len(encoded) + 1]) + encoded + b"\x00\x04\x00"
    tree = syncml_codec.decode(data)
    assert (tree.tag, tree.namespace) == (name, NS)
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree
