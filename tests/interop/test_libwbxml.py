"""Independent truth: our codec against libwbxml (Debian libwbxml2-utils) on every vector."""

from __future__ import annotations

from xml.parsers import expat

import pytest

import syncml_codec

from helpers import PUBLIC_VECTORS, VECTORS, public_vectors, require_libwbxml, xml_vectors
from helpers.libwbxml import (
    LIBWBXML_DROPS_ATTRIBUTES,
    LIBWBXML_REWRITES_LINE_BREAKS,
    as_xml,
    drop_attributes,
    undo_line_break_rewrite,
    wbxml2xml,
    xml2wbxml,
    xml_line_ends,
)

pytestmark = pytest.mark.usefixtures("codec")

NAMES = [path.stem for path in xml_vectors()]
KNOWN_DIFFERENCES = {LIBWBXML_REWRITES_LINE_BREAKS, LIBWBXML_DROPS_ATTRIBUTES}


@pytest.fixture(autouse=True)
def _libwbxml():
    require_libwbxml()


def source_tree(name: str):
    return syncml_codec.decode((VECTORS / "xml" / f"{name}.xml").read_bytes())


def comparable(name: str, tree):
    """Apply the documented libwbxml difference of a vector to a tree, if it has one."""
    if name == LIBWBXML_REWRITES_LINE_BREAKS:
        return undo_line_break_rewrite(tree)
    if name == LIBWBXML_DROPS_ATTRIBUTES:
        return drop_attributes(tree)
    return tree


def test_corpus_is_complete():
    assert len(NAMES) >= 15
    for folder in ("libwbxml", "libwbxml-n"):
        assert sorted(p.stem for p in (VECTORS / folder).glob("*.wbxml")) == NAMES


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("folder,flags", [("libwbxml", ()), ("libwbxml-n", ("-n",))])
def test_stored_vectors_are_what_libwbxml_writes(name, folder, flags, tmp_path):
    produced = xml2wbxml(VECTORS / "xml" / f"{name}.xml", tmp_path / "out.wbxml", *flags)
    assert produced == (VECTORS / folder / f"{name}.wbxml").read_bytes()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("folder", ["libwbxml", "libwbxml-n"])
def test_we_decode_libwbxml_output_to_the_source_tree(name, folder):
    decoded = syncml_codec.decode((VECTORS / folder / f"{name}.wbxml").read_bytes())
    assert as_xml(comparable(name, decoded)) == as_xml(comparable(name, source_tree(name)))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("folder", ["libwbxml", "libwbxml-n"])
def test_our_tree_equals_wbxml2xml_tree(name, folder, tmp_path):
    data = (VECTORS / folder / f"{name}.wbxml").read_bytes()
    theirs = syncml_codec.decode(wbxml2xml(data, tmp_path))
    assert as_xml(xml_line_ends(syncml_codec.decode(data))) == as_xml(theirs)


@pytest.mark.parametrize("path", public_vectors(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_device_messages_decode_like_wbxml2xml(path, tmp_path):
    data = path.read_bytes()
    theirs = syncml_codec.decode(wbxml2xml(data, tmp_path))
    ours = syncml_codec.decode(data)
    # and libwbxml reads our re-encoding of the message back to the same tree
    again = syncml_codec.decode(wbxml2xml(syncml_codec.encode(ours), tmp_path))
    assert as_xml(xml_line_ends(ours)) == as_xml(theirs) == as_xml(again)


def test_device_line_breaks_survive_our_round_trip():
    """A Motorola message carries CR LF inside Data; we keep it where libwbxml's XML cannot."""
    path = PUBLIC_VECTORS / "motorola-dmlib" / "dm11" / "testreplace.wbxml"
    if not path.exists():
        pytest.skip("../shared/vectors-public not present")
    tree = syncml_codec.decode(path.read_bytes())
    item = tree.find("SyncBody").find("Replace").find("Item")
    assert item.findtext("Data") == "\r\n     000000011234564\r\n    "
    assert syncml_codec.decode(syncml_codec.encode(tree, format="xml")) == tree
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree


def test_real_device_messages_present():
    if not public_vectors():
        pytest.skip("../shared/vectors-public not present")
    assert len(public_vectors()) >= 8


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("string_table", [False, True])
def test_libwbxml_decodes_our_encoding_to_the_source_tree(name, string_table, tmp_path):
    ours = syncml_codec.xml_to_wbxml(
        (VECTORS / "xml" / f"{name}.xml").read_bytes(), string_table=string_table
    )
    theirs = syncml_codec.decode(wbxml2xml(ours, tmp_path))
    expected = xml_line_ends(source_tree(name))
    if name == LIBWBXML_DROPS_ATTRIBUTES:
        expected = drop_attributes(expected)
    assert as_xml(theirs) == as_xml(expected)


@pytest.mark.parametrize("name", sorted(set(NAMES) - KNOWN_DIFFERENCES))
def test_bytes_equal_xml2wbxml_n(name):
    ours = syncml_codec.xml_to_wbxml((VECTORS / "xml" / f"{name}.xml").read_bytes())
    assert ours == (VECTORS / "libwbxml-n" / f"{name}.wbxml").read_bytes()


def test_line_break_rewrite_is_the_only_vcard_difference():
    name = LIBWBXML_REWRITES_LINE_BREAKS
    source = (VECTORS / "xml" / f"{name}.xml").read_bytes()
    theirs = syncml_codec.decode((VECTORS / "libwbxml-n" / f"{name}.wbxml").read_bytes())
    ours = syncml_codec.decode(syncml_codec.xml_to_wbxml(source))
    assert as_xml(theirs) != as_xml(ours)  # libwbxml inserted CRs into the vCards
    assert "\r\n" in theirs.find("SyncBody").find("Sync").find("Add").find("Item").findtext("Data")
    assert as_xml(undo_line_break_rewrite(theirs)) == as_xml(undo_line_break_rewrite(ours))


def test_namespace_declaration_is_the_only_windows_difference():
    name = LIBWBXML_DROPS_ATTRIBUTES
    source = source_tree(name)
    assert source.attributes == {"xmlns:msft": "http://schemas.microsoft.com/MobileDevice/MDM"}
    theirs = syncml_codec.decode((VECTORS / "libwbxml-n" / f"{name}.wbxml").read_bytes())
    assert as_xml(theirs) == as_xml(drop_attributes(source))


def test_worked_example_from_the_reference_notes():
    """The DM 1.2 package 1 of the reference notes, 322 bytes from `xml2wbxml -n`."""
    E = syncml_codec.Element
    ns = "SYNCML:SYNCML1.2"

    def leaf(tag, text, namespace=ns):
        return E(tag, namespace, text=text)

    items = [
        E(
            "Item",
            ns,
            children=[
                E("Source", ns, children=[leaf("LocURI", f"./DevInfo/{k}")]),
                leaf("Data", v),
            ],
        )
        for k, v in [
            ("DevId", "IMEI:493005100592800"),
            ("Man", "ExampleManufacturer"),
            ("Mod", "ExampleModel"),
            ("DmV", "1.2"),
            ("Lang", "en-US"),
        ]
    ]
    tree = E(
        "SyncML",
        ns,
        children=[
            E(
                "SyncHdr",
                ns,
                children=[
                    leaf("VerDTD", "1.2"),
                    leaf("VerProto", "DM/1.2"),
                    leaf("SessionID", "1A2B"),
                    leaf("MsgID", "1"),
                    E("Target", ns, children=[leaf("LocURI", "http://dm.example.com/dm")]),
                    E("Source", ns, children=[leaf("LocURI", "IMEI:493005100592800")]),
                    E("Meta", ns, children=[leaf("MaxMsgSize", "10000", "syncml:metinf")]),
                ],
            ),
            E(
                "SyncBody",
                ns,
                children=[
                    E("Alert", ns, children=[leaf("CmdID", "1"), leaf("Data", "1201")]),
                    E("Replace", ns, children=[leaf("CmdID", "2"), *items]),
                    E("Final", ns),
                ],
            ),
        ],
    )
    data = syncml_codec.encode(tree)
    assert len(data) == 322
    assert data.startswith(bytes.fromhex("03A4016A006D6C7103") + b"1.2\x00\x01")
    assert b"\x5a\x00\x01\x4c\x03" + b"10000\x00\x01\x01\x01\x00\x00\x6b" in data
    assert b"\x4f\xc3\x14IMEI:493005100592800\x01" in data
    assert data.endswith(b"\x01\x12\x01\x01")


@pytest.mark.parametrize("name", NAMES)
def test_whitespace_kept_by_xml2wbxml_k_reads_as_indentation(name, tmp_path):
    """``xml2wbxml -k`` keeps the indentation of the XML as inline strings between elements:
    the WBXML readers drop whitespace-only text beside child elements, as the XML reader does,
    so both encodings read to the same tree."""
    data = xml2wbxml(VECTORS / "xml" / f"{name}.xml", tmp_path / "k.wbxml", "-k")
    assert b"\x03\n" in data or b"\x03 " in data  # indentation was kept as inline strings
    assert comparable(name, syncml_codec.decode(data)) == comparable(name, source_tree(name))
    converted = syncml_codec.wbxml_to_xml(data)
    assert b"wbxml:char" not in converted
    assert syncml_codec.decode(converted) == syncml_codec.decode(data)


def test_foreign_elements_are_written_with_their_prefix(Element, tmp_path):
    """An element in a namespace no page has is written as the document wrote it,
    ``prefix:local`` with the declaration kept as an attribute: libwbxml prints well-formed XML
    (it drops attributes, so no namespace-aware reader binds the prefix), and our decoders read
    it back into the namespaced element."""
    msft = "http://schemas.microsoft.com/MobileDevice/DM"
    xml = (
        b'<MgmtTree xmlns="syncml:dmddf1.2" xmlns:MSFT="' + msft.encode() + b'"><VerDTD>1.2'
        b"</VerDTD><Node><NodeName>x</NodeName><DFProperties><MSFT:Applicability>"
        b"<MSFT:OsBuildVersion>10.0</MSFT:OsBuildVersion></MSFT:Applicability></DFProperties>"
        b"</Node></MgmtTree>"
    )
    tree = syncml_codec.decode(xml)
    applicability = tree.find("Node").find("DFProperties").children[0]
    assert (applicability.tag, applicability.namespace) == ("Applicability", msft)
    data = syncml_codec.encode(tree)
    assert b"MSFT:Applicability\x00" in data and b"{" not in data
    assert syncml_codec.decode(data) == tree
    printed = wbxml2xml(data, tmp_path)
    expat.ParserCreate().Parse(printed, True)  # well-formed XML 1.0
    assert b"<MSFT:OsBuildVersion>10.0</MSFT:OsBuildVersion>" in printed
