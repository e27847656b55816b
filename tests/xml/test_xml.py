"""The XML side: namespaces, whitespace, output forms, lxml conversion, hostile XML."""

from __future__ import annotations

import pytest
from lxml import etree

import syncml_codec
from syncml_codec import DecodeError, EncodeError, Limits, _impl

pytestmark = pytest.mark.usefixtures("codec")

NS = "SYNCML:SYNCML1.2"


def test_root_namespace_is_matched_case_insensitively():
    tree = syncml_codec.decode(b'<SyncML xmlns="syncml:syncml1.2"><SyncHdr/></SyncML>')
    assert tree.namespace == NS and tree.children[0].namespace == NS


def test_root_without_namespace_is_syncml_12():
    tree = syncml_codec.decode(b"<SyncML><SyncBody><Final/></SyncBody></SyncML>")
    assert tree.namespace == NS
    assert syncml_codec.encode(tree) == bytes.fromhex("03A4016A006D6B120101")


def test_doctype_names_the_language_of_an_unqualified_root():
    tree = syncml_codec.decode(
        b'<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.1//EN" "http://x/y.dtd">'
        b"<SyncML><SyncHdr/></SyncML>"
    )
    assert tree.namespace == "SYNCML:SYNCML1.1"


def test_metinf_elements_with_or_without_their_namespace():
    spec = (
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><Meta><Type xmlns="syncml:metinf">t</Type>'
        b"</Meta></SyncML>"
    )
    lax = b'<SyncML xmlns="SYNCML:SYNCML1.2"><Meta><Type>t</Type></Meta></SyncML>'
    assert syncml_codec.decode(spec) == syncml_codec.decode(lax)
    assert syncml_codec.decode(lax).find("Meta").find("Type").namespace == "syncml:metinf"
    assert b'<Type xmlns="syncml:metinf">t</Type>' in syncml_codec.encode(
        syncml_codec.decode(lax), format="xml"
    )


def test_unknown_namespace_declarations_and_elements_are_kept():
    xml = (
        b'<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:msft="http://schemas.microsoft.com/MDM">'
        b'<SyncBody><msft:Extra msft:kind="a">x</msft:Extra><Final/></SyncBody></SyncML>'
    )
    tree = syncml_codec.decode(xml)
    assert tree.attributes == {"xmlns:msft": "http://schemas.microsoft.com/MDM"}
    extra = tree.find("SyncBody").children[0]
    assert extra.namespace == "http://schemas.microsoft.com/MDM"
    assert extra.attributes == {"{http://schemas.microsoft.com/MDM}kind": "a"}
    out = syncml_codec.encode(tree, format="xml")
    assert b'xmlns:msft="http://schemas.microsoft.com/MDM"' in out
    assert b"<msft:Extra" not in out or b'msft:kind="a"' in out
    assert syncml_codec.decode(out) == tree
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree


def test_indentation_is_dropped_and_data_is_kept_exactly():
    xml = (
        b'<SyncML xmlns="SYNCML:SYNCML1.2">\n  <SyncBody>\n    <Status>\n'
        b"      <Data>  two\n lines  </Data>\n      <Data>   </Data>\n"
        b"    </Status>\n  </SyncBody>\n</SyncML>\n"
    )
    status = syncml_codec.decode(xml).find("SyncBody").find("Status")
    assert [child.text for child in status] == ["  two\n lines  ", "   "]
    assert all(child.tail is None for child in status)


def test_carriage_returns_survive_xml():
    tree = syncml_codec.decode(b'<SyncML xmlns="SYNCML:SYNCML1.2"><Data>a&#13;\nb</Data></SyncML>')
    assert tree.findtext("Data") == "a\r\nb"
    out = syncml_codec.encode(tree, format="xml")
    assert b"a&#13;\nb" in out
    assert syncml_codec.decode(out) == tree


def test_compact_and_pretty_output():
    tree = syncml_codec.decode(
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Status><Data>'
        b"1</Data></Status><Final/></SyncBody></SyncML>"
    )
    compact = syncml_codec.encode(tree, format="xml")
    assert compact == (
        b'<?xml version="1.0" encoding="UTF-8"?><SyncML xmlns="SYNCML:SYNCML1.2">'
        b"<SyncBody><Status><Data>1</Data></Status><Final/></SyncBody></SyncML>"
    )
    pretty = syncml_codec.encode(tree, format="xml", pretty=True)
    assert pretty.decode().splitlines() == [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<SyncML xmlns="SYNCML:SYNCML1.2">',
        "  <SyncBody>",
        "    <Status>",
        "      <Data>1</Data>",
        "    </Status>",
        "    <Final/>",
        "  </SyncBody>",
        "</SyncML>",
    ]
    assert syncml_codec.decode(pretty) == tree


def test_escaping_in_text_and_attributes(Element):
    tree = Element("SyncML", NS, {"a": 'q"<&>\t\n'}, text="<&> ' \"")
    out = syncml_codec.encode(tree, format="xml")
    assert b"&lt;&amp;&gt;" in out and b'a="q&quot;&lt;&amp;&gt;&#9;&#10;"' in out
    assert syncml_codec.decode(out) == tree


def test_characters_xml_cannot_carry_are_marked_one_by_one(Element):
    tree = Element(
        "SyncML", NS, text="bell\x07 & \x00\ud800", children=[Element("Final", NS, tail="\x1f")]
    )
    out = syncml_codec.encode(tree, format="xml")
    assert (
        b'bell<wbxml:char xmlns:wbxml="urn:syncml-codec:wbxml" code="7"/> &amp; '
        b'<wbxml:char xmlns:wbxml="urn:syncml-codec:wbxml" code="0"/>'
    ) in out
    assert syncml_codec.decode(out) == tree
    with pytest.raises(DecodeError):
        syncml_codec.decode(b'<SyncML xmlns:w="urn:syncml-codec:wbxml"><w:char code="x"/></SyncML>')


def test_binary_content_between_elements_keeps_its_place(Element):
    tree = Element(
        "SyncML",
        NS,
        text=b"\xff",
        children=[Element("Final", NS, tail=b"\x00\x01"), Element("Final", NS, tail="x")],
    )
    out = syncml_codec.encode(tree, format="xml", pretty=True)
    assert syncml_codec.decode(out) == tree
    with pytest.raises(DecodeError):
        syncml_codec.decode(
            b'<SyncML xmlns:w="urn:syncml-codec:wbxml"><w:opaque>!!</w:opaque></SyncML>'
        )


def test_names_and_attribute_values_xml_cannot_carry_are_refused(Element):
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("bad name", NS), format="xml")
    with pytest.raises(EncodeError):
        syncml_codec.encode(Element("SyncML", NS, {"a": "\x01"}), format="xml")


def test_wbxml_to_xml_and_back(Element):
    tree = Element("SyncML", NS, children=[Element("Final", NS)])
    wbxml = syncml_codec.encode(tree)
    xml = syncml_codec.wbxml_to_xml(wbxml)
    assert xml.endswith(b'<SyncML xmlns="SYNCML:SYNCML1.2"><Final/></SyncML>')
    assert syncml_codec.xml_to_wbxml(xml) == wbxml
    assert syncml_codec.xml_to_wbxml(xml.decode()) == wbxml
    with pytest.raises(DecodeError):
        syncml_codec.wbxml_to_xml(xml)
    with pytest.raises(DecodeError):
        syncml_codec.xml_to_wbxml(wbxml)


def test_lxml_conversion(Element):
    tree = syncml_codec.decode(
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><Meta><Type>t</Type></Meta><Data>x</Data></SyncML>'
    )
    root = syncml_codec.to_lxml(tree)
    assert root.tag == "{SYNCML:SYNCML1.2}SyncML"
    assert root[0][0].tag == "{syncml:metinf}Type"
    assert syncml_codec.from_lxml(root) == tree
    built = etree.fromstring(b'<SyncML xmlns="SYNCML:SYNCML1.2"><Final/></SyncML>')
    assert syncml_codec.from_lxml(built) == Element("SyncML", NS, children=[Element("Final", NS)])


def test_lxml_subtrees_keep_the_declarations_made_inside_them():
    """An lxml subtree reads as the same subtree parsed from bytes does: its top holds every
    prefix in its scope, the elements under it only what they declare differently."""
    xml = (
        b'<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:a="urn:a"><!--c--><SyncBody xmlns:b="urn:b">'
        b'<Add xmlns:a="urn:a2"><Item xmlns:a="urn:a2" xmlns:c="urn:c"/></Add><Final/>'
        b"</SyncBody></SyncML>"
    )
    body = etree.fromstring(xml)[1]
    tree = syncml_codec.from_lxml(body)
    assert tree.attributes == {"xmlns:a": "urn:a", "xmlns:b": "urn:b"}
    add = tree.children[0]
    assert add.attributes == {"xmlns:a": "urn:a2"}
    assert add.children[0].attributes == {"xmlns:c": "urn:c"}
    assert tree.children[1].attributes == {}


def test_lxml_entity_references_are_refused():
    root = etree.fromstring(
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Data/></SyncBody></SyncML>'
    )
    root[0][0].append(etree.Entity("nbsp"))
    with pytest.raises(DecodeError, match="unexpected _Entity node"):
        syncml_codec.from_lxml(root)


def test_malformed_xml_reports_the_byte_offset():
    data = b'<SyncML xmlns="SYNCML:SYNCML1.2">\n<SyncHdr></SyncBody>\n</SyncML>'
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(data)
    assert data.find(b"</SyncBody>") <= caught.value.offset <= data.find(b"</SyncBody>") + 11


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE SyncML [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<SyncML xmlns="SYNCML:SYNCML1.2"><Data>&lol9;</Data></SyncML>"""


@pytest.mark.parametrize(
    "document",
    [
        BILLION_LAUGHS,
        b'<!DOCTYPE SyncML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><Data>&x;</Data></SyncML>',
        b'<!DOCTYPE SyncML [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><Data>&x;</Data></SyncML>',
        b'<!DOCTYPE SyncML [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
        b'<SyncML xmlns="SYNCML:SYNCML1.2"/>',
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><Data>&undefined;</Data></SyncML>',
    ],
    ids=["billion-laughs", "external-file", "external-http", "parameter-entity", "undefined"],
)
def test_entities_are_rejected(document):
    with pytest.raises(DecodeError):
        syncml_codec.decode(document)


def test_external_dtd_is_not_loaded():
    tree = syncml_codec.decode(
        b'<!DOCTYPE SyncML SYSTEM "http://127.0.0.1:9/never.dtd"><SyncML xmlns="SYNCML:SYNCML1.2"/>'
    )
    assert tree.tag == "SyncML"


def test_deep_xml_nesting_is_rejected():
    depth = 100_000
    with pytest.raises(DecodeError):
        syncml_codec.decode(b"<SyncML>" + b"<a>" * depth + b"</a>" * depth + b"</SyncML>")
    with pytest.raises(DecodeError):
        syncml_codec.decode(
            b"<SyncML>" + b"<a>" * 40 + b"</a>" * 40 + b"</SyncML>", limits=Limits(max_depth=20)
        )


def test_whitespace_content_between_elements_survives_xml(Element):
    tree = Element(
        "SyncML",
        NS,
        text="\r",
        children=[Element("Final", NS, tail=" \n"), Element("Final", NS, tail="\x01 ")],
    )
    for pretty in (False, True):
        assert syncml_codec.decode(syncml_codec.encode(tree, format="xml", pretty=pretty)) == tree


def test_reserved_namespaces(Element):
    tree = syncml_codec.decode(
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><Data xml:lang="en">x</Data></SyncML>'
    )
    out = syncml_codec.encode(tree, format="xml")
    assert b'xml:lang="en"' in out and b"xmlns:ns0" not in out
    assert syncml_codec.decode(out) == tree
    for bad in (
        Element("SyncML", NS, {"xmlns:xml": "urn:x"}),
        Element("SyncML", "http://www.w3.org/XML/1998/namespace"),
        Element("SyncML", NS, {"{http://www.w3.org/2000/xmlns/}a": "b"}),
    ):
        with pytest.raises(EncodeError):
            syncml_codec.encode(bad, format="xml")


def test_huge_text_nodes_are_rejected():
    huge = b"A" * (9 * 1024 * 1024)  # past the default max_string of 8 MiB
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(b'<SyncML xmlns="SYNCML:SYNCML1.2"><Data>' + huge + b"</Data></SyncML>")
    assert "max_string" in caught.value.message
    with pytest.raises(DecodeError):  # libxml2's own cap on a text node (no huge_tree)
        syncml_codec.decode(
            b"<SyncML><Data>" + b"B" * 11_000_000 + b"</Data></SyncML>",
            limits=Limits(max_string=32 * 1024 * 1024),
        )


def test_both_xml_writers_agree_on_every_vector():
    from pathlib import Path

    vectors = Path(__file__).resolve().parent.parent / "vectors"
    for path in sorted((vectors / "libwbxml").glob("*.wbxml")):
        tree = syncml_codec.decode(path.read_bytes())
        for pretty in (False, True):
            outputs = {module.write_xml(tree, pretty) for module in _impl.IMPLEMENTATIONS.values()}
            assert len(outputs) == 1, path.name


TRICKY_XML = [
    # prefixes declared, redeclared to the same and to another URI, and inherited
    b'<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:a="urn:a" xmlns:b="urn:b"><SyncHdr xmlns:a="urn:a">'
    b'<a:X xmlns:b="urn:c" b:attr="1" plain="2">t<b:Y/>tail</a:X></SyncHdr></SyncML>',
    # markers between text pieces, indentation, a foreign namespace
    b'<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:w="urn:syncml-codec:wbxml">\n'
    b'  <Data>a<w:opaque>AAE=</w:opaque>b<w:char code="1"/>c</Data>\n'
    b'  <Item xmlns="urn:u"><Data> </Data></Item>\n</SyncML>',
    # an embedded DevInf and a MetInf name outside its namespace
    b'<SyncML xmlns="SYNCML:SYNCML1.2"><Results><Item><Data><DevInf xmlns="syncml:devinf">'
    b"<VerDTD>1.2</VerDTD></DevInf></Data><Meta><MaxMsgSize>9</MaxMsgSize></Meta></Item>"
    b"</Results></SyncML>",
]


@pytest.mark.parametrize("document", TRICKY_XML)
def test_both_xml_readers_build_the_same_tree(document):
    """The compiled reader walks libxml2's nodes, the pure one lxml's proxies: same trees, for
    whole documents and for subtrees (whose inherited prefixes become declarations)."""
    from syncml_codec import fallback

    if "cython" not in _impl.IMPLEMENTATIONS:
        pytest.skip("the compiled extension is not built")
    compiled = _impl.IMPLEMENTATIONS["cython"]
    root = etree.fromstring(document)
    for node in root.iter():
        if node.tag.startswith("{urn:syncml-codec:wbxml}"):
            continue
        expected = fallback.read_lxml(node)
        assert compiled.read_lxml(node) == expected
        assert [type(child).__name__ for child in compiled.read_lxml(node)] == ["Element"] * len(
            expected.children
        )


def test_vendor_prefixes_and_attributes_become_attributes(Element):
    tree = syncml_codec.decode(TRICKY_XML[0])
    x = tree.children[0].children[0]
    assert (x.tag, x.namespace) == ("X", "urn:a")
    assert x.attributes == {"xmlns:b": "urn:c", "{urn:c}attr": "1", "plain": "2"}
    assert tree.attributes == {"xmlns:a": "urn:a", "xmlns:b": "urn:b"}
    assert tree.children[0].attributes == {}
    assert (x.text, x.children[0].tail) == ("t", "tail")


def test_markers_join_their_run_of_text():
    tree = syncml_codec.decode(TRICKY_XML[1])
    data, item = tree.children
    assert data.text == b"a\x00\x01b\x01c" and data.tail is None
    assert (item.namespace, item.children[0].text) == ("urn:u", " ")
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree


def test_a_namespaced_attribute_needs_its_declaration_in_the_tree(Element):
    """The writer invents no prefixes: a declaration it wrote would come back from a reader as an
    attribute the tree did not have."""
    declared = Element(
        "SyncML", NS, {"xmlns:v": "urn:v"}, children=[Element("Final", NS, {"{urn:v}flag": "1"})]
    )
    assert syncml_codec.decode(syncml_codec.encode(declared, format="xml")) == declared
    undeclared = Element("SyncML", NS, children=[Element("Final", NS, {"{urn:v}flag": "1"})])
    with pytest.raises(EncodeError, match="no xmlns:prefix"):
        syncml_codec.encode(undeclared, format="xml")
    assert syncml_codec.decode(syncml_codec.encode(undeclared)) == undeclared  # WBXML carries it


@pytest.mark.parametrize("version,public_id", [("1.1", 0x0FD3), ("1.0", 0x0FD1), ("1.2", 0x1201)])
def test_a_root_in_no_namespace_takes_its_version_from_verdtd(version, public_id):
    """Nothing else names the language (no namespace, no DOCTYPE): the SyncHdr's VerDTD does."""
    xml = (
        f"<SyncML><SyncHdr><VerDTD>{version}</VerDTD><VerProto>SyncML/{version}</VerProto>"
        "<SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>"
    ).encode()
    tree = syncml_codec.decode(xml)
    assert tree.namespace == f"SYNCML:SYNCML{version}"
    assert all(child.namespace == tree.namespace for child in tree.children)
    for data in (syncml_codec.xml_to_wbxml(xml), syncml_codec.encode(tree)):
        assert data[1:3] == bytes([0x80 | public_id >> 7, public_id & 0x7F])
    devinf = b"<DevInf><VerDTD>1.1</VerDTD><Man>x</Man></DevInf>"
    assert syncml_codec.xml_to_wbxml(devinf)[1:3] == b"\x9f\x54"  # DevInf 1.1: 0x0FD4
    assert syncml_codec.decode(syncml_codec.xml_to_wbxml(devinf)) == syncml_codec.decode(devinf)
