"""The SyncML rules on WBXML: OPAQUE Data, control characters, nested documents, DevInf and DDF."""

from __future__ import annotations

import pytest

import syncml_codec
from syncml_codec import _impl

from helpers import METINF, NS, compiled_or_skip, syncml

pytestmark = pytest.mark.usefixtures("codec")


def test_data_under_add_is_opaque_and_under_status_inline(Element):
    def command(tag):
        return Element(
            tag,
            NS,
            children=[Element("Item", NS, children=[Element("Data", NS, text="123.123.123.123")])],
        )

    add = syncml_codec.encode(Element("SyncML", NS, children=[command("Add")]))
    status = syncml_codec.encode(Element("SyncML", NS, children=[command("Status")]))
    assert b"\x4f\xc3\x0f123.123.123.123\x01" in add
    assert b"\x4f\x03123.123.123.123\x00\x01" in status
    never = syncml_codec.encode(
        Element("SyncML", NS, children=[command("Add")]), opaque_data="never"
    )
    assert b"\x4f\x03123" in never
    always = syncml_codec.encode(
        Element("SyncML", NS, children=[command("Status")]), opaque_data="always"
    )
    assert b"\x4f\xc3\x0f" in always


def test_vobject_type_makes_data_opaque_anywhere(Element):
    item = Element(
        "Item",
        NS,
        children=[
            Element("Meta", NS, children=[Element("Type", METINF, text="text/x-vcard")]),
            Element("Data", NS, text="BEGIN:VCARD"),
        ],
    )
    data = syncml_codec.encode(
        Element("SyncML", NS, children=[Element("Results", NS, children=[item])])
    )
    assert b"\xc3\x0bBEGIN:VCARD" in data


def test_text_with_nul_or_control_characters_stays_text(Element):
    tree = Element(
        "SyncML",
        NS,
        children=[
            Element("MsgID", NS, text="a\x00b"),
            Element(
                "Add",
                NS,
                children=[Element("Item", NS, children=[Element("Data", NS, text="c\x17")])],
            ),
        ],
    )
    data = syncml_codec.encode(tree)
    assert b"\x5b\x03a\x00\x02\x00\x03b\x00\x01" in data  # NUL as ENTITY U+0000
    assert b"\x4f\x03c\x17\x00\x01" in data  # not OPAQUE: that would read back as bytes
    assert syncml_codec.decode(data) == tree


def short_texts() -> list[str]:
    """Texts around the length up to which the compiled decoder reuses recent short texts (32):
    repeated and distinct, ASCII and not, more than its slots, so many share a slot."""
    texts = ["1", "chr", "é", "日本", "x" * 31, "x" * 32, "x" * 33, "y" * 32, "é" * 16]
    texts += [f"{n:0{width}}" for n in range(400) for width in (1, 8, 16, 32)]
    texts += [
        f"{prefix}{n}{suffix}"
        for n in range(300)
        for prefix, suffix in (("./Vendor/", "/Value"), ("abcdefgh", "abcdefgh"), ("", "x" * 24))
    ]
    return texts + texts[::-1]


def test_short_texts_decode_exactly_inline_and_opaque(Element):
    """Every short text, written inline (LocURI) and OPAQUE (Data under Add), reads back
    exactly, whichever recent text shares its slot."""
    commands = [
        Element(
            "Add",
            NS,
            children=[
                Element(
                    "Item",
                    NS,
                    children=[
                        Element("Target", NS, children=[Element("LocURI", NS, text=text)]),
                        Element("Data", NS, text=text),
                    ],
                )
            ],
        )
        for text in short_texts()
    ]
    tree = Element("SyncML", NS, children=commands)
    data = syncml_codec.encode(tree)
    assert data.count(b"\x03" + b"y" * 32 + b"\x00") == 2  # inline
    assert data.count(b"\xc3\x20" + b"y" * 32) == 2  # OPAQUE, 32 bytes
    assert syncml_codec.decode(data) == tree
    assert syncml_codec.decode(syncml_codec.encode(tree, string_table=True)) == tree


def test_compiled_decoder_shares_repeated_short_texts():
    """The compiled decoder gives equal short ASCII texts met close together one str object
    (a copy each would cost an allocation and memory), unless another text took its slot in
    between; longer texts stay apart."""
    compiled = compiled_or_skip()
    Element = compiled.Element
    long_text = "a management object's value, longer than 32 bytes"
    results = [
        Element(
            "Results",
            NS,
            children=[
                Element("CmdID", NS, text=str(n)),
                Element("CmdRef", NS, text=str(n)),
                Element(
                    "Item",
                    NS,
                    children=[
                        Element(
                            "Meta",
                            NS,
                            children=[
                                Element("Format", METINF, text="chr"),
                                Element("Type", METINF, text="text/plain"),
                            ],
                        ),
                        Element("Data", NS, text=long_text),
                    ],
                ),
            ],
        )
        for n in range(100, 200)
    ]
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
    xml = (
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><Put><Meta><Type xmlns="syncml:metinf">'
        b"application/vnd.syncml-devinf+xml</Type></Meta><Item><Data>"
        b'<DevInf xmlns="syncml:devinf"><VerDTD>1.2</VerDTD><Man>X</Man></DevInf>'
        b"</Data></Item></Put></SyncML>"
    )
    data = syncml_codec.xml_to_wbxml(xml)
    assert b"application/vnd.syncml-devinf+wbxml" in data
    nested = bytes.fromhex("03A4036A004A")  # OPAQUE payload: DevInf 1.2 document, <DevInf>
    assert nested in data
    tree = syncml_codec.decode(data)
    devinf = tree.find("Put").find("Item").find("Data").children[0]
    assert (devinf.tag, devinf.namespace, devinf.findtext("Man")) == (
        "DevInf",
        "syncml:devinf",
        "X",
    )
    assert tree.find("Put").find("Meta").findtext("Type") == "application/vnd.syncml-devinf+xml"
    assert tree == syncml_codec.decode(xml)
    raw = syncml_codec.decode(data, type_rewrite=False)
    assert raw.find("Put").find("Meta").findtext("Type") == "application/vnd.syncml-devinf+wbxml"
    kept = syncml_codec.encode(tree, type_rewrite=False)
    assert b"application/vnd.syncml-devinf+xml" in kept


def test_devinf_version_follows_verdtd_or_the_outer_syncml(Element):
    def document(verdtd, outer_ns):
        devinf = Element(
            "DevInf", "syncml:devinf", children=[Element("Man", "syncml:devinf", text="X")]
        )
        if verdtd:
            devinf.children.insert(0, Element("VerDTD", "syncml:devinf", text=verdtd))
        return Element("SyncML", outer_ns, children=[Element("Data", outer_ns, children=[devinf])])

    assert bytes.fromhex("9F546A00") in syncml_codec.encode(document(None, "SYNCML:SYNCML1.1"))
    assert bytes.fromhex("A4036A00") in syncml_codec.encode(document("1.2", "SYNCML:SYNCML1.1"))


def test_embedded_document_that_does_not_parse_stays_data():
    bad = b"\x03\xa4\x03\x6a\x00\x4a"  # a DevInf document cut short
    data = syncml(
        b"\x54\x5a\x00\x01\x53\x03application/vnd.syncml-devinf+wbxml\x00\x01\x00\x00"
        b"\x01\x4f\xc3" + bytes([len(bad)]) + bad + b"\x01\x01"
    )
    tree = syncml_codec.decode(data)
    assert tree.find("Item").findtext("Data") == bad


def test_data_inside_the_meta_reads_the_type_before_it(Element):
    """A Data inside a Meta, after that Meta's Type: the Data rules find the Type in the Meta
    that is still open (the grandparent's first Meta), for each of two Data. The payload is a
    SyncML document, which only an embedding Type makes a nested tree (same family). A Data
    before the Type reads none."""
    inner = syncml_codec.encode(Element("SyncML", NS, children=[Element("Final", NS)]))
    data_token = b"\x4f\xc3" + bytes([len(inner)]) + inner + b"\x01"
    data = syncml(
        b"\x54\x5a\x00\x01\x53\x03application/vnd.syncml-devinf+wbxml\x00\x01\x00\x00"
        + data_token * 2
        + b"\x01\x01"
    )
    meta = syncml_codec.decode(data).find("Item").find("Meta")
    nested = [child.children[0] for child in meta.children if child.tag == "Data"]
    assert [(tree.tag, tree.children[0].tag) for tree in nested] == [("SyncML", "Final")] * 2
    untyped = data.replace(b"devinf+wbxml", b"devinf+wbxmX")
    assert syncml_codec.decode(untyped).find("Item").find("Meta").children[1].text == inner
    # A Data in the Meta before its Type has none; a Data after the closed Meta finds it.
    late = syncml(
        b"\x54\x5a" + data_token + b"\x00\x01\x53\x03application/vnd.syncml-devinf"
        b"+wbxml\x00\x01\x00\x00\x01" + data_token + b"\x01"
    )
    item = syncml_codec.decode(late).find("Item")
    assert item.find("Meta").findtext("Data") == inner
    assert item.find("Data").children[0].tag == "SyncML"
    for document in (data, late):
        trees = [module.decode_wbxml(document) for module in _impl.IMPLEMENTATIONS.values()]
        assert all(tree == trees[0] for tree in trees)


def test_standalone_ddf_uses_a_textual_public_id_and_page_2():
    data = syncml_codec.xml_to_wbxml(
        b'<MgmtTree xmlns="syncml:dmddf1.2"><VerDTD>1.2</VerDTD><Node><NodeName>A</NodeName>'
        b"<DFProperties><DFFormat><node/></DFFormat></DFProperties></Node></MgmtTree>"
    )
    assert data.startswith(b"\x03\x00\x00\x6a\x1b-//OMA//DTD-DM-DDF 1.2//EN\x00\x00\x02\x60")
    assert bytes.fromhex("25") in data  # <node/> (lower case) is 0x25, <Node> 0x24 | 0x40
    assert (
        syncml_codec.decode(data).find("Node").find("DFProperties").find("DFFormat").children[0].tag
        == "node"
    )


def test_devinf_12_accepts_size_for_maxsize(Element):
    tree = Element(
        "DevInf",
        "syncml:devinf",
        children=[
            Element("VerDTD", "syncml:devinf", text="1.2"),
            Element("Size", "syncml:devinf", text="9"),
        ],
    )
    data = syncml_codec.encode(tree)
    assert b"\x5c\x039\x00" in data
    assert syncml_codec.decode(data).children[1].tag == "MaxSize"
