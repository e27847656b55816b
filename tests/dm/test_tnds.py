"""TNDS: a subtree written with the properties asked for, applied to a tree all or nothing, and
a whole tree saved and loaded identical in XML and WBXML."""

from __future__ import annotations

import pytest

from syncml_codec import decode, encode
from syncml_codec.dm import ManagementTree, TreeError, read_tnds

from helpers import PUBLIC_VECTORS, require_libwbxml
from helpers.libwbxml import as_xml, wbxml2xml

pytestmark = pytest.mark.usefixtures("codec")


def clock() -> float:
    return 1_000_000_000.0


def sample() -> ManagementTree:
    tree = ManagementTree(clock=clock)
    tree.add("./Vendor/ISP/GWInfo/GWName", "gw.yyy.se", type="text/plain")
    tree.add("./Vendor/ISP/Port", "8080", format="int")
    tree.add("./Vendor/ISP/Key", b"\x00\xffkey")
    tree.add("./Vendor/ISP/Nothing", None, format="null")
    tree.replace("./Vendor?prop=ACL", "Get=*&Replace=srv&Add=srv&Delete=srv")
    tree.replace("./Vendor/ISP/Port?prop=Title", "The port")
    tree.replace("./Vendor/ISP/Port", "8081")
    return tree


def names(element) -> list:
    return [(node.findtext("NodeName"), node.findtext("Path")) for node in element.iter("Node")]


def test_a_subtree_nests_from_the_node_asked_for():
    element = sample().to_tnds("./Vendor/ISP?list=TNDS+Value")
    assert names(element) == [
        ("ISP", None),
        ("GWInfo", None),
        ("GWName", None),
        ("Port", None),
        ("Key", None),
        ("Nothing", None),
    ]
    port = next(n for n in element.iter("Node") if n.findtext("NodeName") == "Port")
    assert port.findtext("Value") == "8081"
    assert [child.tag for child in port.find("RTProperties")] == ["Format", "Type"]


def test_flat_nodes_carry_their_paths_parents_first():
    element = sample().to_tnds("./Vendor/ISP", nested=False)
    assert names(element) == [
        ("ISP", None),
        ("GWInfo", "ISP"),
        ("GWName", "ISP/GWInfo"),
        ("Port", "ISP"),
        ("Key", "ISP"),
        ("Nothing", "ISP"),
    ]


@pytest.mark.parametrize(
    ("query", "properties", "value"),
    [
        ("?list=TNDS", ["Format", "Type"], False),
        ("?list=TNDS+ACL+Value", ["ACL", "Format", "Type"], True),
        (
            "?list=TNDS+Size+TStamp+VerNo+Title",
            ["Format", "Size", "Title", "TStamp", "Type", "VerNo"],
            False,
        ),
        (
            "?list=TNDS-Format-Value",
            ["ACL", "Name", "Size", "Title", "TStamp", "Type", "VerNo"],
            False,
        ),
    ],
)
def test_the_list_query_chooses_the_properties(query, properties, value):
    element = sample().to_tnds("./Vendor/ISP/Port" + query)
    (node,) = element.iter("Node")
    assert [child.tag for child in node.find("RTProperties")] == properties
    assert (node.find("Value") is not None) == value


def test_binary_values_are_base64_and_null_has_no_value():
    element = sample().to_tnds("./Vendor/ISP?list=TNDS+Value")
    values = {n.findtext("NodeName"): n.find("Value") for n in element.iter("Node")}
    assert values["Key"].text == "AP9rZXk="
    assert values["Nothing"] is None


def test_a_server_sees_only_what_it_may_get():
    tree = sample()
    tree.replace("./Vendor/ISP/GWInfo?prop=ACL", "Replace=srv")
    element = tree.to_tnds("./Vendor", server_id="other")
    assert "GWInfo" not in [name for name, _ in names(element)]
    with pytest.raises(TreeError) as caught:
        tree.to_tnds("./Vendor/ISP/GWInfo", server_id="other")
    assert caught.value.status == 425


@pytest.mark.parametrize("form", ["xml", "wbxml"])
@pytest.mark.parametrize("nested", [True, False])
def test_a_saved_tree_loads_back_identical(form, nested):
    tree = sample()
    tree.replace(".?prop=ACL", "Add=*&Get=*&Exec=srv")
    saved = encode(tree.to_tnds(nested=nested), format=form)
    loaded = ManagementTree.from_tnds(saved, clock=lambda: 2_000_000_000.0)
    assert snapshot(loaded) == snapshot(tree)
    assert encode(loaded.to_tnds(nested=nested), format=form) == saved


def test_wbxml_written_from_the_tree_is_the_encoders_nul_included():
    tree = sample()
    tree.add("./Vendor/nul", "a\x00b")  # the encoder writes NUL as an entity
    for uri in (".", "./Vendor/ISP?list=TNDS+Value", "./Vendor?list=TNDS-Type-Format"):
        for nested in (True, False):
            written = tree.to_tnds_wbxml(uri, nested=nested)
            assert written == encode(tree.to_tnds(uri, nested=nested)), (uri, nested)
    assert tree.to_tnds_wbxml() == encode(tree.to_tnds())  # the same defaults: nested
    loaded = ManagementTree.from_tnds(tree.to_tnds_wbxml())
    assert loaded.get("./Vendor/nul").value == "a\x00b"


def snapshot(tree):
    return [(uri, tree.properties(uri), tree.get(uri)) for uri in tree.walk()]


SPEC_DOCUMENT = b"""<MgmtTree xmlns='syncml:dmddf1.2'><VerDTD>1.2</VerDTD>
<Node><NodeName>E-Mail</NodeName>
  <RTProperties><Format><node/></Format><Type><DDFName>com.operatorX.dm/1.0/EMail</DDFName></Type></RTProperties>
  <Node><NodeName>POP3</NodeName>
    <Node><NodeName>POPServer</NodeName>
      <RTProperties><Format><chr/></Format><Type><MIME>text/plain</MIME></Type></RTProperties>
      <Value>mail.Operatorx.com</Value></Node>
    <Node><NodeName>UserID</NodeName>
      <RTProperties><Format><chr/></Format><Type><MIME>text/plain</MIME></Type></RTProperties>
      <Value>UserName</Value></Node>
  </Node>
</Node></MgmtTree>"""


def test_the_specs_example_is_added_whole():
    tree = ManagementTree()
    tree.apply_tnds(".", SPEC_DOCUMENT, server_id="srv")
    assert tree.get("./E-Mail?prop=Type").value == "com.operatorX.dm/1.0/EMail"
    assert tree.get("./E-Mail/POP3/POPServer").value == "mail.Operatorx.com"
    assert tree.get("./E-Mail/POP3").format == "node"
    assert tree.get("./E-Mail?prop=ACL").value == "Add=srv&Delete=srv&Replace=srv"


def test_wbxml_written_from_the_tree_leaves_out_what_the_server_may_not_get():
    tree = sample()
    tree.replace("./Vendor/ISP/GWInfo?prop=ACL", "Replace=srv")
    for nested in (True, False):
        written = tree.to_tnds_wbxml(nested=nested, server_id="srv")
        assert written == encode(tree.to_tnds(nested=nested, server_id="srv"))
        assert b"GWName" not in written and b"Port" in written


def test_a_tree_saved_from_its_root_is_applied_to_another_root():
    saved = sample()
    saved.replace(".?prop=ACL", "Add=*&Get=*&Replace=srv")
    tree = ManagementTree(clock=clock)
    tree.apply_tnds(".", encode(saved.to_tnds()))
    assert list(tree.walk()) == list(saved.walk())
    assert tree.get(".?prop=ACL").value == "Add=*&Get=*&Replace=srv"  # the root's own
    assert tree.get("./Vendor/ISP/Port") == saved.get("./Vendor/ISP/Port")


def test_add_is_all_or_nothing():
    tree = ManagementTree()
    tree.add("./E-Mail/POP3/UserID", "existing")
    with pytest.raises(TreeError) as caught:
        tree.apply_tnds(".", SPEC_DOCUMENT)
    assert caught.value.status == 418
    assert list(tree.walk()) == [".", "./E-Mail", "./E-Mail/POP3", "./E-Mail/POP3/UserID"]


def test_add_is_refused_whole_by_the_acl():
    tree = ManagementTree(root_acl="Add=*&Get=*")
    tree.add("./Locked", format="node")
    tree.replace("./Locked?prop=ACL", "Get=*")
    with pytest.raises(TreeError) as caught:
        tree.apply_tnds("./Locked", SPEC_DOCUMENT, server_id="srv")
    assert caught.value.status == 425
    assert list(tree.walk()) == [".", "./Locked"]


def test_replace_makes_the_subtree_what_the_document_says():
    tree = ManagementTree()
    tree.apply_tnds(".", SPEC_DOCUMENT)
    tree.add("./E-Mail/POP3/Password", "secret")
    tree.add("./E-Mail/SMTP/Server", "smtp")
    changed = SPEC_DOCUMENT.replace(b"UserName", b"Someone Else")
    tree.apply_tnds(".", changed, replace=True)
    assert list(tree.walk("./E-Mail")) == [
        "./E-Mail",
        "./E-Mail/POP3",
        "./E-Mail/POP3/POPServer",
        "./E-Mail/POP3/UserID",
    ]
    assert tree.get("./E-Mail/POP3/UserID").value == "Someone Else"


def test_replace_is_all_or_nothing():
    tree = ManagementTree()
    tree.apply_tnds(".", SPEC_DOCUMENT)
    tree.add("./E-Mail/Other", "kept")
    # UserID comes last and fails (an int that is not a number), after Other was deleted
    # and POPServer replaced: both must come back.
    user_id = (
        b"<Format><chr/></Format><Type><MIME>text/plain</MIME></Type></RTProperties>\n"
        b"      <Value>UserName"
    )
    assert user_id in SPEC_DOCUMENT
    broken = SPEC_DOCUMENT.replace(b"mail.Operatorx.com", b"elsewhere").replace(
        user_id, user_id.replace(b"<chr/>", b"<int/>")
    )
    before = snapshot(tree)
    with pytest.raises(TreeError) as caught:
        tree.apply_tnds(".", broken, replace=True)
    assert caught.value.status == 400
    assert snapshot(tree) == before


@pytest.mark.parametrize(
    ("document", "status"),
    [
        (b"<MgmtTree xmlns='syncml:dmddf1.2'><Node><Value>x</Value></Node></MgmtTree>", 400),
        (
            b"<MgmtTree xmlns='syncml:dmddf1.2'><Node><NodeName>a</NodeName>"
            b"<RTProperties><Format><jpeg/></Format></RTProperties></Node></MgmtTree>",
            415,
        ),
        (
            b"<MgmtTree xmlns='syncml:dmddf1.2'><Node><NodeName>a</NodeName>"
            b"<RTProperties><VerNo>70000</VerNo></RTProperties></Node></MgmtTree>",
            400,
        ),
        (
            b"<MgmtTree xmlns='syncml:dmddf1.2'><Node><NodeName>a</NodeName><Value>v</Value>"
            b"<Node><NodeName>b</NodeName></Node></Node></MgmtTree>",
            400,
        ),
        (b"<SyncML xmlns='SYNCML:SYNCML1.2'/>", 415),
    ],
)
def test_malformed_documents_get_their_status(document, status):
    with pytest.raises(TreeError) as caught:
        read_tnds(document)
    assert caught.value.status == status
    with pytest.raises(TreeError):
        ManagementTree.from_tnds(document)


def _saved(*nodes: str) -> bytes:
    return f"<MgmtTree xmlns='syncml:dmddf1.2'>{''.join(nodes)}</MgmtTree>".encode()


@pytest.mark.parametrize(
    ("document", "status"),
    [
        (_saved("<Node><NodeName>a</NodeName></Node>" * 2), 418),
        (_saved("<Node><NodeName>..</NodeName></Node>"), 400),
        (_saved("<Node><NodeName>a/b</NodeName></Node>"), 400),
        (_saved("<Node><NodeName>x</NodeName><Node><NodeName>.</NodeName></Node></Node>"), 400),
    ],
    ids=["twice", "dot-dot", "slash", "dot-below-the-root"],
)
def test_a_saved_tree_with_impossible_names_is_refused(document, status):
    """A node named twice, or with a name no URI can hold (a top node named ``.`` is the
    root; below it, no node has that name)."""
    with pytest.raises(TreeError) as caught:
        ManagementTree.from_tnds(document)
    assert caught.value.status == status


def test_a_saved_path_must_name_an_interior_node():
    for path in ("missing", "a"):
        document = _saved(
            "<Node><NodeName>a</NodeName><Value>v</Value></Node>",
            f"<Node><NodeName>b</NodeName><Path>{path}</Path></Node>",
        )
        with pytest.raises(TreeError) as caught:
            ManagementTree.from_tnds(document)
        assert caught.value.status == 404


def test_the_roots_own_type_is_loaded():
    saved = _saved(
        "<Node><NodeName>.</NodeName><RTProperties><Format><node/></Format>"
        "<Type><DDFName>urn:example:root</DDFName></Type></RTProperties></Node>"
    )
    assert ManagementTree.from_tnds(saved).get(".?prop=Type").value == "urn:example:root"


def test_applied_nodes_take_the_documents_title_and_acl_both_ways():
    titled = SPEC_DOCUMENT.replace(
        b"<NodeName>POP3</NodeName>",
        b"<NodeName>POP3</NodeName><RTProperties><Format><node/></Format>"
        b"<ACL>Get=*</ACL><Title>Incoming</Title></RTProperties>",
    )
    tree = ManagementTree()
    tree.apply_tnds(".", titled)
    assert tree.get("./E-Mail/POP3?prop=Title").value == "Incoming"
    assert tree.get("./E-Mail/POP3?prop=ACL").value == "Get=*"
    tree.apply_tnds(".", titled.replace(b"Incoming", b"In"), replace=True)
    assert tree.get("./E-Mail/POP3?prop=Title").value == "In"


def test_replace_adds_what_is_missing():
    tree = ManagementTree()
    tree.add("./E-Mail/POP3/Other", "dropped")
    tree.apply_tnds(".", SPEC_DOCUMENT, replace=True)
    assert tree.get("./E-Mail/POP3/UserID").value == "UserName"
    assert "./E-Mail/POP3/Other" not in tree


def test_replace_turns_a_node_into_what_the_document_says_it_is():
    tree = ManagementTree()
    tree.add("./E-Mail/POP3/POPServer/inner", "x")  # interior where the document has a leaf
    tree.add("./E-Mail/POP3/UserID/inner", "y")
    tree.apply_tnds(".", SPEC_DOCUMENT, replace=True)
    assert tree.get("./E-Mail/POP3/POPServer").value == "mail.Operatorx.com"
    assert list(tree.walk("./E-Mail/POP3")) == [
        "./E-Mail/POP3", "./E-Mail/POP3/POPServer", "./E-Mail/POP3/UserID",
    ]  # fmt: skip
    tree.replace("./E-Mail/POP3/UserID?prop=Title", "kept")
    tree.apply_tnds(".", SPEC_DOCUMENT, replace=True)  # the same kinds: changed in place
    assert tree.get("./E-Mail/POP3/UserID?prop=Title").value == "kept"
    tree.delete("./E-Mail/POP3")
    tree.add("./E-Mail/POP3", "a leaf where the document has an interior node")
    tree.apply_tnds(".", SPEC_DOCUMENT, replace=True)
    assert tree.get("./E-Mail/POP3/UserID").value == "UserName"


def test_a_saved_node_without_a_format_is_chr():
    tree = ManagementTree.from_tnds(_saved("<Node><NodeName>a</NodeName><Value>v</Value></Node>"))
    assert tree.get("./a") == ("v", "chr", "")


@pytest.mark.parametrize("verno", ["000001", "9" * 5_000, "²"])
def test_a_verno_that_is_no_16_bit_number_is_refused(verno):
    document = (
        "<MgmtTree xmlns='syncml:dmddf1.2'><Node><NodeName>a</NodeName>"
        f"<RTProperties><VerNo>{verno}</VerNo></RTProperties></Node></MgmtTree>"
    ).encode()
    with pytest.raises(TreeError) as caught:
        read_tnds(document)
    assert caught.value.status == 400


def test_libwbxml_reads_our_tnds_wbxml_as_we_do(tmp_path):
    require_libwbxml()
    tree = sample()
    data = encode(tree.to_tnds())
    theirs = decode(wbxml2xml(data, tmp_path))
    assert as_xml(theirs) == as_xml(decode(data))


def test_the_spec_examples_in_the_public_corpus_read():
    folder = PUBLIC_VECTORS / "external" / "omadm-spec-examples-md"
    document = folder / "91_tnd_serialization_definition_tndxu_lie_hua_ding.md.b01.1.xml"
    if not document.exists():
        pytest.skip(f"{folder} is not present")
    quote = "\N{RIGHT SINGLE QUOTATION MARK}".encode()  # the page's typographic quotes
    text = document.read_bytes().replace(quote, b"'")
    tree = ManagementTree()
    tree.apply_tnds(".", text)
    assert "./E-Mail/POP3/PWD" in tree
