"""DDF documents: what a description says, that it comes back whole, and what a tree enforces."""

from __future__ import annotations

import pytest

from syncml_codec import encode
from syncml_codec.dm import (
    STANDARD_OBJECTS,
    Ddf,
    ManagementTree,
    Occurrence,
    TreeError,
    device_tree,
    standard_ddf,
)

pytestmark = pytest.mark.usefixtures("codec")

DDF = b"""<?xml version="1.0"?>
<!DOCTYPE MgmtTree PUBLIC "-//OMA//DTD-DM-DDF 1.2//EN" "http://example.invalid/never-fetched.dtd">
<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM">
  <VerDTD>1.2</VerDTD>
  <Man>Acme</Man>
  <Node>
    <NodeName>App</NodeName>
    <Path>./Vendor</Path>
    <DFProperties>
      <AccessType><Get/><Add/></AccessType>
      <DFFormat><node/></DFFormat>
      <Scope><Permanent/></Scope>
      <DFType><DDFName>com.acme/1.0/App</DDFName></DFType>
      <MSFT:Applicability><MSFT:OsBuildVersion>10.0</MSFT:OsBuildVersion></MSFT:Applicability>
    </DFProperties>
    <RTProperties>
      <ACL>Get=*</ACL><Title>The app</Title><Type><DDFName>com.acme/1.0/App</DDFName></Type>
    </RTProperties>
    <Node>
      <NodeName>Mode</NodeName>
      <DFProperties>
        <AccessType><Get/><Replace/></AccessType>
        <DefaultValue>3</DefaultValue>
        <Description>How it runs.</Description>
        <DFFormat><int/></DFFormat>
        <Occurrence><One/></Occurrence>
        <DFTitle>Mode</DFTitle>
        <DFType><MIME>text/plain</MIME><MIME>application/x-int</MIME></DFType>
      </DFProperties>
    </Node>
    <Node>
      <NodeName/>
      <DFProperties>
        <AccessType><Add/><Delete/><Get/><Replace/></AccessType>
        <DFFormat><chr/></DFFormat>
        <Occurrence><ZeroOrN>2</ZeroOrN></Occurrence>
        <CaseSense><CIS/></CaseSense>
        <DFType><MIME>text/plain</MIME></DFType>
      </DFProperties>
    </Node>
  </Node>
</MgmtTree>
"""


def test_a_description_reads_every_field():
    ddf = Ddf.parse(DDF)
    assert (ddf.version, ddf.man, ddf.mod) == ("1.2", "Acme", None)
    (app,) = ddf.nodes
    assert (app.name, app.path, app.format, app.permanent) == ("App", "./Vendor", "node", True)
    assert app.access == {"Get", "Add"}
    assert (app.ddf_name, app.type) == ("com.acme/1.0/App", "com.acme/1.0/App")
    mode, placeholder = app.children
    assert mode.occurrence == Occurrence("One", 1, 1)
    assert (mode.default_value, mode.description, mode.title) == ("3", "How it runs.", "Mode")
    assert mode.mime_types == ("text/plain", "application/x-int") and mode.type == ""
    assert placeholder.name is None and not placeholder.case_sensitive
    assert placeholder.occurrence == Occurrence("ZeroOrN", 0, 2)
    assert [uri for uri, _ in ddf.walk()] == [
        "./Vendor/App",
        "./Vendor/App/Mode",
        "./Vendor/App/<x>",
    ]


def test_the_document_comes_back_whole_extensions_included():
    ddf = Ddf.parse(DDF)
    again = Ddf.parse(ddf.to_xml())
    assert again.element == ddf.element
    msft = "http://schemas.microsoft.com/MobileDevice/DM"
    (extension,) = [e for e in ddf.element.iter() if e.namespace == msft and len(e)]
    assert (extension.tag, extension[0].tag, extension[0].text) == (
        "Applicability",
        "OsBuildVersion",
        "10.0",
    )
    assert Ddf.parse(ddf.to_wbxml()).element == ddf.element


def test_a_doctype_is_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    document = (
        f'<!DOCTYPE MgmtTree [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>&x;</NodeName></Node></MgmtTree>"
    ).encode()
    try:
        ddf = Ddf.parse(document)
    except Exception as error:  # refusing the entity is as good as not resolving it
        assert "SECRET" not in str(error)
    else:
        assert "SECRET" not in (ddf.nodes[0].name or "")


def test_not_a_ddf_document_is_415():
    with pytest.raises(TreeError) as caught:
        Ddf.parse(b'<SyncML xmlns="SYNCML:SYNCML1.2"/>')
    assert caught.value.status == 415


def described_tree() -> ManagementTree:
    tree = ManagementTree()
    skipped = tree.describe(Ddf.parse(DDF), create=True)
    assert skipped == []
    return tree


def status(operation, *args, **kwargs) -> int:
    with pytest.raises(TreeError) as caught:
        operation(*args, **kwargs)
    return int(caught.value.status)


def test_a_skeleton_has_the_required_nodes_with_their_defaults_and_types():
    tree = described_tree()
    assert list(tree.walk()) == [".", "./Vendor", "./Vendor/App", "./Vendor/App/Mode"]
    mode = tree.get("./Vendor/App/Mode")
    assert (mode.value, mode.format) == ("3", "int")
    assert tree.get("./Vendor/App?prop=Type").value == "com.acme/1.0/App"


def test_access_type_refuses_with_405_after_the_acl():
    tree = described_tree()
    assert status(tree.delete, "./Vendor/App/Mode", server_id="srv") == 425  # ACL first
    tree.replace(".?prop=ACL", "Add=*&Get=*&Delete=*&Replace=*&Exec=*")
    assert status(tree.delete, "./Vendor/App/Mode", server_id="srv") == 405
    tree.replace("./Vendor/App/Mode", "4", server_id="srv")
    tree.delete("./Vendor/App/Mode")  # the device is not held to AccessType


def test_access_type_without_get_refuses_a_servers_get_with_405():
    tree = ManagementTree()
    tree.describe(Ddf.parse(DDF.replace(b"<Add/><Delete/><Get/><Replace/>", b"<Add/><Replace/>")))
    tree.replace(".?prop=ACL", "Add=*&Get=*&Replace=*")
    tree.add("./Vendor/App/one", "1", server_id="srv")
    assert status(tree.get, "./Vendor/App/one", server_id="srv") == 405
    assert tree.get("./Vendor/App/one").value == "1"  # the device is not held to it


def test_a_described_leaf_added_without_a_value_takes_its_default():
    tree = ManagementTree()
    tree.describe(Ddf.parse(DDF))  # no skeleton: nothing created
    tree.add("./Vendor/App/Mode")
    assert (tree.get("./Vendor/App/Mode").value, tree.get("./Vendor/App/Mode").format) == (
        "3",
        "int",
    )
    tree.add("./Vendor/App/item")  # no DefaultValue: an empty value of its format
    assert tree.get("./Vendor/App/item").value == ""


def test_interior_nodes_added_on_the_way_are_held_to_their_description():
    tree = ManagementTree()
    tree.describe(Ddf.parse(DDF))
    tree.replace(".?prop=ACL", "Add=*&Get=*&Delete=*&Replace=*")
    tree.add("./Vendor/App/item", "v")  # makes ./Vendor/App on the way
    assert tree.get("./Vendor/App?prop=Type").value == "com.acme/1.0/App"
    assert status(tree.delete, "./Vendor/App", server_id="srv") == 405  # AccessType: Get, Add


def test_a_server_may_not_delete_a_permanent_node_nor_one_its_description_requires():
    deletable = DDF.replace(
        b"<AccessType><Get/><Add/></AccessType>", b"<AccessType><Get/><Add/><Delete/></AccessType>"
    )
    deletable = deletable.replace(
        b"<AccessType><Get/><Replace/></AccessType>",
        b"<AccessType><Delete/><Get/><Replace/></AccessType>",
    )
    tree = ManagementTree()
    tree.describe(Ddf.parse(deletable), create=True)
    tree.replace(".?prop=ACL", "Add=*&Get=*&Delete=*&Replace=*")
    assert status(tree.delete, "./Vendor/App", server_id="srv") == 405  # permanent
    assert status(tree.delete, "./Vendor/App/Mode", server_id="srv") == 405  # One: required
    tree.add("./Vendor/App/item", "v", server_id="srv")
    tree.delete("./Vendor/App/item", server_id="srv")  # ZeroOrN: may go
    tree.delete("./Vendor/App/Mode")  # the device is not held to the description
    one_or_more = Ddf.parse(DDF.replace(b"<ZeroOrN>2</ZeroOrN>", b"<OneOrN>3</OneOrN>"))
    tree = ManagementTree()
    tree.describe(one_or_more, create=True)
    tree.replace(".?prop=ACL", "Add=*&Get=*&Delete=*&Replace=*")
    tree.add("./Vendor/App/a", "1", server_id="srv")
    tree.add("./Vendor/App/b", "2", server_id="srv")
    tree.delete("./Vendor/App/a", server_id="srv")  # one of two: may go
    assert status(tree.delete, "./Vendor/App/b", server_id="srv") == 405  # the last one
    kept = Ddf.parse(DDF.replace(b"<Add/><Delete/><Get/><Replace/>", b"<Add/><Get/><Replace/>"))
    tree = ManagementTree()
    tree.describe(kept, create=True)
    tree.replace(".?prop=ACL", "Add=*&Get=*&Delete=*&Replace=*")
    tree.add("./Vendor/App/item", "v", server_id="srv")
    assert status(tree.delete, "./Vendor/App/item", server_id="srv") == 405  # no Delete


def test_a_server_copies_a_described_node_only_when_its_access_type_has_copy():
    tree = described_tree()
    tree.replace(".?prop=ACL", "Add=*&Get=*&Replace=*")
    assert status(tree.copy, "./Mode", "./Vendor/App/Mode", server_id="srv") == 405
    tree.add("./Vendor/App/item", "v")  # the placeholder's AccessType has no Copy either
    assert status(tree.copy, "./Item", "./Vendor/App/item", server_id="srv") == 405
    copyable = Ddf.parse(DDF.replace(b"<Add/><Delete/><Get/><Replace/>", b"<Add/><Copy/><Get/>"))
    other = ManagementTree()
    other.describe(copyable, create=True)
    other.replace(".?prop=ACL", "Add=*&Get=*&Replace=*")
    other.add("./Vendor/App/item", "v")
    other.copy("./Item", "./Vendor/App/item", server_id="srv")
    assert other.get("./Item").value == "v"
    tree.copy("./Mode", "./Vendor/App/Mode")  # the device is not held to AccessType


def test_a_server_renames_neither_a_permanent_node_nor_one_with_a_fixed_name():
    tree = described_tree()
    tree.replace(".?prop=ACL", "Add=*&Get=*&Replace=*")
    tree.replace("./Vendor/App?prop=ACL", "Add=*&Get=*&Replace=*")
    assert status(tree.rename, "./Vendor/App", "App2", server_id="srv") == 405  # permanent
    assert status(tree.rename, "./Vendor/App/Mode", "Mode2", server_id="srv") == 405  # named
    tree.add("./Vendor/App/item", "v")
    tree.rename("./Vendor/App/item", "other", server_id="srv")  # a placeholder's instance
    tree.rename("./Vendor/App/Mode", "Mode2")  # the device is not held to the description


def test_a_description_matches_the_nodes_already_there():
    tree = ManagementTree()
    tree.add("./Vendor/App/Mode", "5", format="int")
    tree.replace(".?prop=ACL", "Add=*&Get=*&Delete=*&Replace=*")
    assert tree.describe(Ddf.parse(DDF), create=True) == []  # matched, nothing made again
    assert tree.get("./Vendor/App/Mode").value == "5"
    assert status(tree.delete, "./Vendor/App/Mode", server_id="srv") == 405  # described now
    assert status(tree.delete, "./Vendor/App", server_id="srv") == 405


def test_a_document_of_several_top_nodes_is_placed_by_their_paths_only():
    other = (
        b"<Node><NodeName>Other</NodeName><Path>./Vendor</Path><DFProperties>"
        b"<AccessType><Get/></AccessType><DFFormat><chr/></DFFormat>"
        b"<DFType><MIME>text/plain</MIME></DFType></DFProperties></Node></MgmtTree>"
    )
    two = Ddf.parse(DDF.replace(b"</MgmtTree>", other))
    tree = ManagementTree()
    assert tree.describe(two, create=True) == []
    assert "./Vendor/App/Mode" in tree and tree.get("./Vendor/Other").value == ""
    with pytest.raises(ValueError):
        tree.describe(two, at="./Vendor/Else")


def test_a_skeleton_leaves_out_a_required_leaf_without_a_default_its_format_needs():
    chr_mode = Ddf.parse(DDF.replace(b"<DefaultValue>3</DefaultValue>", b"").replace(
        b"<DFFormat><int/></DFFormat>", b"<DFFormat><chr/></DFFormat>"))  # fmt: skip
    tree = ManagementTree()
    assert tree.describe(chr_mode, create=True) == []
    assert tree.get("./Vendor/App/Mode").value == ""  # chr: empty
    int_mode = Ddf.parse(DDF.replace(b"<DefaultValue>3</DefaultValue>", b""))
    tree = ManagementTree()
    ((uri, error),) = tree.describe(int_mode, create=True)
    assert uri == "./Vendor/App/Mode" and error.status == 400


def test_b64_and_bin_stand_for_one_another_against_a_description():
    binary = Ddf.parse(DDF.replace(b"<DFFormat><chr/></DFFormat>", b"<DFFormat><bin/></DFFormat>"))
    tree = ManagementTree()
    tree.describe(binary, create=True)
    tree.add("./Vendor/App/blob", "AAE=", format="b64")
    assert tree.get("./Vendor/App/blob") == (b"\x00\x01", "bin", "text/plain")
    assert status(tree.replace, "./Vendor/App/blob", "x", format="chr") == 415


def test_formats_are_held_to_the_description():
    tree = described_tree()
    assert status(tree.replace, "./Vendor/App/Mode", "x", format="chr") == 415
    assert status(tree.replace, "./Vendor/App/Mode", "many") == 400
    tree.add("./Vendor/App/item", "v")
    assert tree.get("./Vendor/App/item").format == "chr"


def test_occurrence_limits_instances_and_names_fold_where_cis():
    tree = described_tree()
    tree.add("./Vendor/App/one", "1", server_id="srv")
    assert status(tree.add, "./Vendor/App/ONE", "1") == 418  # CIS: the same name
    assert tree.get("./Vendor/App/One").value == "1"
    tree.add("./Vendor/App/two", "2")
    assert status(tree.add, "./Vendor/App/three", "3") == 420


def test_permanent_and_required_nodes_stay():
    tree = described_tree()
    tree.replace(".?prop=ACL", "Add=*&Get=*&Delete=*&Replace=*")
    assert status(tree.delete, "./Vendor/App", server_id="srv") == 405
    assert status(tree.rename, "./Vendor/App", "Other", server_id="srv") == 405


def test_nodes_a_described_parent_does_not_name_are_405():
    tree = ManagementTree()
    tree.describe(standard_ddf("devinfo"), create=True)
    assert status(tree.add, "./DevInfo/Extra", "x") == 405


@pytest.mark.parametrize("name", STANDARD_OBJECTS)
def test_the_standard_objects_ship_and_round_trip(name):
    ddf = standard_ddf(name)
    assert Ddf.parse(ddf.to_wbxml()).element == ddf.element
    assert ddf.nodes[0].is_interior


def test_fumo_is_placed_where_the_device_keeps_it():
    tree = ManagementTree()
    tree.describe(standard_ddf("fumo"), at="./FwUpdate", create=True)
    assert tree.get("./FwUpdate?prop=Type").value == "urn:oma:mo:oma-fumo:1.0"
    assert tree.children("./FwUpdate") == []  # State (int, no default) waits for the device
    tree.add("./FwUpdate/State", 10)
    tree.add("./FwUpdate/Download/PkgURL", "http://example.invalid/fw.dd")
    assert tree.get("./FwUpdate/Download?prop=Format").value == "node"
    with pytest.raises(ValueError):
        tree.describe(standard_ddf("fumo"))  # a placeholder needs a place


def test_a_device_tree_holds_the_standard_objects():
    tree = device_tree(dev_id="IMEI:49015420323751", man="Acme", mod="X1", fw_version="1.0.7")
    assert tree.get("./DevInfo/DevId", server_id="srv").value == "IMEI:49015420323751"
    assert tree.get("./DevDetail/FwV").value == "1.0.7"
    assert tree.get("./DevDetail/LrgObj").value == "true"
    assert tree.get("./DevInfo?prop=Type").value == "urn:oma:mo:oma-dm-devinfo:1.0"
    assert tree.children("./DMAcc") == []
    assert status(tree.replace, "./DevInfo/Mod", "X2", server_id="srv") == 425
    tree.add("./DMAcc/acme", format="node", server_id="srv")
    assert status(tree.add, "./DMAcc/acme/ServerID", "srv", server_id="srv") == 405
    tree.add("./DMAcc/acme/ServerID", "srv")  # accounts are the device's to make
    assert tree.get("./DMAcc/acme?prop=Type").value == "urn:oma:mo:oma-dm-dmacc:1.0"


def test_a_skeleton_reports_what_it_leaves_out():
    document = DDF.replace(b"<DefaultValue>3</DefaultValue>", b"<DefaultValue>three</DefaultValue>")
    tree = ManagementTree()
    ((uri, error),) = tree.describe(Ddf.parse(document), create=True)
    assert uri == "./Vendor/App/Mode" and error.status == 400


def test_ddf_wbxml_encodes_with_the_ddf_public_identifier():
    data = encode(standard_ddf("devinfo").element)
    assert b"-//OMA//DTD-DM-DDF 1.2//EN" in data
