"""The compiled XML->WBXML scanner: it either leaves a document to the tree path or writes exactly
what the tree path writes (``encode_wbxml(parse_xml(xml))``, the pure implementation's bytes)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import syncml_codec
from syncml_codec import DecodeError, EncodeError, Limits, _impl, fallback
from syncml_codec.wbxml.header import read_header

from helpers import public_vectors, xml_vectors

pytestmark = pytest.mark.usefixtures("codec")

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
OPTION_SETS = [
    {},
    {"opaque_data": "always"},
    {"opaque_data": "never"},
    {"version": 0},
    {"type_rewrite": False},
    {"public_id": "string"},
    {"string_table": True},
    {"string_table": True, "public_id": "string", "opaque_data": "never"},
]


@pytest.fixture
def compiled():
    if "cython" not in _impl.IMPLEMENTATIONS:
        pytest.skip("the compiled extension is not built")
    return _impl.IMPLEMENTATIONS["cython"]


def tree_path(xml: bytes | str, **options) -> bytes | tuple:
    """What the pure implementation makes of ``xml``: WBXML, or the error it raises."""
    try:
        return fallback.xml_to_wbxml(xml, **options)
    except (DecodeError, EncodeError) as error:
        return (type(error).__name__, str(error))


def assert_same_as_tree_path(compiled, xml: bytes | str, **options) -> bytes | None:
    """The scanner's result (None when it gives up) after checking it, and the compiled
    conversion as a whole, against the tree path."""
    expected = tree_path(xml, **options)
    streamed = compiled.stream_wbxml(xml, **options)
    if streamed is not None:
        assert streamed == expected
    try:
        converted = compiled.xml_to_wbxml(xml, **options)
    except (DecodeError, EncodeError) as error:
        converted = (type(error).__name__, str(error))
    assert converted == expected
    return streamed


def _xml_of_public_vectors() -> list[bytes]:
    documents = []
    for path in public_vectors():
        try:
            documents.append(fallback.wbxml_to_xml(path.read_bytes()))
        except (DecodeError, EncodeError):
            continue
    return documents


@pytest.mark.parametrize("path", xml_vectors(), ids=lambda path: path.name)
@pytest.mark.parametrize("options", OPTION_SETS, ids=repr)
def test_vectors(compiled, path, options):
    assert_same_as_tree_path(compiled, path.read_bytes(), **options)


def test_device_messages(compiled):
    documents = _xml_of_public_vectors()
    for xml in documents:
        for options in OPTION_SETS:
            assert_same_as_tree_path(compiled, xml, **options)
            assert_same_as_tree_path(
                compiled,
                syncml_codec.encode(syncml_codec.decode(xml), format="xml", pretty=True),
                **options,
            )


def test_the_common_vectors_stream(compiled):
    """The scanner is not a path that always gives up: every vector without attributes, prefixed
    namespaces or embedded documents goes through it."""
    leaves = {
        "dm12-tnds-add.xml",
        "ds11-devinf-results.xml",
        "ds12-slow-sync-devinf.xml",
        "windows-mdm.xml",
    }
    for path in xml_vectors():
        streamed = compiled.stream_wbxml(path.read_bytes())
        assert (streamed is None) == (path.name in leaves), path.name


def test_repeated_strings_stream_into_the_string_table(compiled):
    """With the string table the scanner shares what the tree encoder shares: strings written
    inline twice or more, references written in place of each copy."""
    results = b"".join(
        b"<Results><CmdID>%d</CmdID><Item><Source><LocURI>./Node/%d</LocURI>"
        b'</Source><Meta><Type xmlns="syncml:metinf">text/plain</Type></Meta>'
        b"<Data>caf\xc3\xa9 %d</Data></Item></Results>" % (i, i % 7, i % 3)
        for i in range(2_000, 2_050)
    )
    xml = DM % results
    for options in ({"string_table": True}, {"string_table": True, "public_id": "string"}):
        streamed = assert_same_as_tree_path(compiled, xml, **options)
        assert streamed is not None
        assert b"text/plain\x00" in read_header(streamed).string_table
        assert syncml_codec.decode(streamed) == syncml_codec.decode(xml)


DM = (
    b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody>%s'
    b"<Final/></SyncBody></SyncML>"
)
VCARD_ITEM = b"<Item><Data>BEGIN:VCARD\r\nEND:VCARD</Data></Item>"
META_VCARD = b'<Meta><Type xmlns="syncml:metinf">text/x-vcard</Type></Meta>'

STREAMED = {
    "references": DM % b"<Get><CmdID>1</CmdID><Item><Target><LocURI>./a&amp;b&lt;&gt;&quot;"
    b"&apos;&#13;&#x20AC;&#65;</LocURI></Target></Item></Get>",
    "cdata": DM % b"<Add><CmdID>2</CmdID><Item><Data><![CDATA[<x> & ]]>tail</Data></Item></Add>",
    "line ends": DM.replace(b"><", b">\r\n<") % b"<Add><Item><Data>a\r\nb\rc\n</Data></Item></Add>",
    "declaration and bom": b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8" standalone="yes" ?>'
    + DM % b"",
    "doctype names the language": b'<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.2//EN" '
    b'"http://www.openmobilealliance.org/tech/DTD/OMA-TS-SyncML_'
    b'RepPro_DTD-V1_2.dtd">\n<SyncML><SyncBody><Final/></SyncBody>'
    b"</SyncML>",
    "meta type before data": DM % (b"<Add><CmdID>2</CmdID>" + META_VCARD + VCARD_ITEM + b"</Add>"),
    "meta type of the item": DM
    % (b"<Replace><Item>" + META_VCARD + b"<Data>x</Data></Item></Replace>"),
    "embedded type rewritten": DM % b'<Results><Meta><Type xmlns="syncml:metinf">application/'
    b"vnd.syncml-devinf+xml</Type></Meta><Item><Data>x</Data>"
    b"</Item></Results>",
    "whitespace kept in leaves": DM % b"<Alert><Data> </Data><Item><Data>\n</Data></Item></Alert>",
    "non-ascii text": DM % "<Replace><Item><Data>café € 𝄞</Data></Item></Replace>".encode(),
    "metinf without namespace": DM % b"<Get><Meta><MaxMsgSize>100</MaxMsgSize></Meta></Get>",
    "mixed content": DM % b"text<Final/>tail<Final/> <Final/>",
    "devinf alone": b'<DevInf xmlns="syncml:devinf"><VerDTD>1.2</VerDTD><Man>x</Man></DevInf>',
    "ddf alone": b'<MgmtTree xmlns="syncml:dmddf1.2"><VerDTD>1.2</VerDTD><Node><NodeName>a'
    b"</NodeName></Node></MgmtTree>",
}

LEFT_TO_THE_TREE = {
    "comment": DM % b"<!-- note --><Final/>",
    "processing instruction": DM % b"<?app data?>",
    "attribute": DM.replace(b"<SyncBody>", b'<SyncBody a="1">') % b"",
    "prefixed namespace": DM.replace(b"<SyncBody>", b'<SyncBody xmlns:p="urn:x">') % b"",
    "latin-1 declaration": b'<?xml version="1.0" encoding="ISO-8859-1"?>' + DM % b"",
    "internal subset": b"<!DOCTYPE SyncML [<!ELEMENT SyncML ANY>]>" + DM % b"",
    "unknown element (literal)": DM % b"<VendorThing>1</VendorThing>",
    "embedded devinf": DM % b'<Results><Item><Data><DevInf xmlns="syncml:devinf"><VerDTD>1.2'
    b"</VerDTD></DevInf></Data></Item></Results>",
    "meta after the data": DM % (b"<Add><CmdID>2</CmdID>" + VCARD_ITEM + META_VCARD + b"</Add>"),
    "other version by verdtd": b'<DevInf xmlns="syncml:devinf"><VerDTD>1.1</VerDTD></DevInf>',
    "undeclared entity": DM % b"<Alert><Data>&nbsp;</Data></Alert>",
    "not well-formed": DM % b"<Alert></Alrt>",
    "control character": DM % b"<Alert><Data>\x01</Data></Alert>",
    "invalid utf-8": DM % b"<Alert><Data>\xc3\x28</Data></Alert>",
    "cdata end in text": DM % b"<Alert><Data>]]></Data></Alert>",
    "two roots": DM % b"" + b"<SyncML/>",
    "text after the root": DM % b"" + b"x",
    "truncated": (DM % b"")[:-3],
}


@pytest.mark.parametrize("case", sorted(STREAMED))
def test_streamed_shapes(compiled, case):
    for options in OPTION_SETS:
        streamed = assert_same_as_tree_path(compiled, STREAMED[case], **options)
        # Only what the tree path refuses (OPAQUE in WBXML 1.0) is left to it.
        assert (streamed is None) == isinstance(tree_path(STREAMED[case], **options), tuple)


@pytest.mark.parametrize("case", sorted(LEFT_TO_THE_TREE))
def test_shapes_left_to_the_tree_path(compiled, case):
    assert assert_same_as_tree_path(compiled, LEFT_TO_THE_TREE[case]) is None
    for options in OPTION_SETS:  # some options need no Meta Type: the scanner may take those
        assert_same_as_tree_path(compiled, LEFT_TO_THE_TREE[case], **options)


def test_text_input_and_options_that_leave_it(compiled):
    xml = STREAMED["non-ascii text"]
    assert assert_same_as_tree_path(compiled, xml.decode()) is not None
    assert assert_same_as_tree_path(compiled, xml, limits=Limits(max_depth=3)) is None
    assert assert_same_as_tree_path(compiled, xml, limits=Limits(max_size=len(xml) - 1)) is None
    assert assert_same_as_tree_path(compiled, xml, limits=Limits(max_string=3)) is None


def test_every_truncation(compiled):
    xml = STREAMED["meta type before data"]
    for cut in range(len(xml)):
        assert_same_as_tree_path(compiled, xml[:cut])


SNIPPETS = [
    b"<",
    b">",
    b"&",
    b";",
    b"/",
    b"]]>",
    b"\r",
    b"\n",
    b" ",
    b"\x00",
    b"\x01",
    b"\xff",
    b"\xc3\xa9",
    b"\xef\xbf\xbe",
    b"\xed\xa0\x80",
    b"&#0;",
    b"&#x10FFFF;",
    b"&#xD800;",
    b"&amp",
    b'"',
    b"'",
    b"=",
    b"xmlns",
    b' xmlns=""',
    b' xmlns="syncml:metinf"',
    b' xmlns="SYNCML:SYNCML1.1"',
    b' xmlns="a b"',
    b' xmlns="x://a:b"',
    b"<!--x-->",
    b"<![CDATA[",
    b"<?x?>",
    b"<Meta>",
    b"</Meta>",
    b"<Data>",
    b"</Data>",
    b"<Type>",
    b"</Type>",
    b"<Item>",
    b"</Item>",
    b"<VerDTD>1.1</VerDTD>",
    b"<Final/>",
    b"<Final />",
    b"<x:Final/>",
    b"</",
    b"<!DOCTYPE SyncML>",
]
BASES = [STREAMED[name] for name in sorted(STREAMED)] + [
    path.read_bytes() for path in xml_vectors()
]


@st.composite
def mutated(draw):
    """A document the scanner takes, with a few snippets inserted, bytes removed or replaced."""
    xml = bytearray(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(xml)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        snippet = draw(st.sampled_from(SNIPPETS))
        if action == "insert":
            xml[at:at] = snippet
        elif action == "delete":
            del xml[at : at + draw(st.integers(1, 8))]
        else:
            xml[at : at + len(snippet)] = snippet
    return bytes(xml)


@SETTINGS
@given(mutated(), st.sampled_from(OPTION_SETS))
def test_mutated_documents(compiled, xml, options):
    assert_same_as_tree_path(compiled, xml, **options)


def test_public_api_converts_with_either_implementation():
    """``syncml_codec.xml_to_wbxml`` (the implementation under test) gives the tree path's
    bytes, for bytes, str and memoryview input; WBXML input is refused."""
    for xml in (STREAMED["cdata"], STREAMED["non-ascii text"]):
        expected = fallback.xml_to_wbxml(xml)
        assert syncml_codec.xml_to_wbxml(xml) == expected
        assert syncml_codec.xml_to_wbxml(xml.decode()) == expected
        assert syncml_codec.xml_to_wbxml(memoryview(xml)) == expected
        assert syncml_codec.encode(syncml_codec.decode(xml)) == expected
    with pytest.raises(DecodeError):
        syncml_codec.xml_to_wbxml(syncml_codec.xml_to_wbxml(STREAMED["cdata"]))
    with pytest.raises(ValueError):
        syncml_codec.xml_to_wbxml(STREAMED["cdata"], version="2.0")
