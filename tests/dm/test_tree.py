"""The management tree: operations, properties, ACL checks and the status of each failure."""

from __future__ import annotations

import pytest

from syncml_codec.dm import ManagementTree, TreeError, UriLimits, device_tree


class Clock:
    """A clock the test moves: TStamp must follow it."""

    def __init__(self, now: float = 1_000_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def status(operation, *args, **kwargs) -> int:
    with pytest.raises(TreeError) as caught:
        operation(*args, **kwargs)
    return int(caught.value.status)


@pytest.fixture
def tree() -> ManagementTree:
    return ManagementTree(clock=Clock())


# -- the root and plain operations ----------------------------------------------------------


def test_a_new_tree_is_the_root_with_add_and_get_for_all(tree):
    assert list(tree.walk()) == ["."]
    assert tree.get(".?prop=ACL").value == "Add=*&Get=*"
    assert tree.get(".").value == "" and tree.get(".").format == "node"
    assert len(tree) == 1


def test_add_makes_missing_interior_ancestors_with_empty_acls(tree):
    tree.add("./A/B/C", "hello")
    assert list(tree.walk()) == [".", "./A", "./A/B", "./A/B/C"]
    for uri in ("./A", "./A/B", "./A/B/C"):
        assert tree.get(uri + "?prop=ACL").value == ""
    assert tree.get("./A/B").format == "node"
    assert tree.get("A/B/C") == tree.get("./A/B/C")
    leaf = tree.get("./A/B/C")
    assert (leaf.value, leaf.format) == ("hello", "chr")


def test_add_of_an_existing_node_is_418_and_the_root_too(tree):
    tree.add("./A", format="node")
    assert status(tree.add, "./A", format="node") == 418
    assert status(tree.add, ".", format="node") == 418


def test_add_under_a_leaf_is_refused(tree):
    tree.add("./Leaf", "v")
    assert status(tree.add, "./Leaf/Child", "v") == 405


def test_get_of_an_interior_node_lists_its_children_in_order(tree):
    for name in ("b", "a", "c"):
        tree.add(f"./Dir/{name}", name)
    listed = tree.get("./Dir")
    assert (listed.value, listed.format, listed.type) == ("b/a/c", "node", "text/plain")
    assert tree.children("./Dir") == ["b", "a", "c"]
    tree.add("./Empty", format="node")
    assert tree.get("./Empty").value == ""


def test_get_replace_delete_of_a_missing_node_are_404_and_replace_never_creates(tree):
    assert status(tree.get, "./Nope") == 404
    assert status(tree.replace, "./Nope", "v") == 404
    assert status(tree.delete, "./Nope") == 404
    assert "./Nope" not in tree


def test_replace_changes_a_leaf_and_refuses_interior_nodes(tree):
    tree.add("./A/x", "1", format="int")
    tree.replace("./A/x", "2")
    assert tree.get("./A/x").value == "2" and tree.get("./A/x").format == "int"
    tree.replace("./A/x", "text", format="chr", type="text/plain")
    assert (tree.get("./A/x").format, tree.get("./A/x").type) == ("chr", "text/plain")
    assert status(tree.replace, "./A", "v") == 405


def test_delete_takes_the_whole_subtree_but_never_the_root(tree):
    tree.add("./A/B/C", "v")
    tree.add("./A/D", "v")
    tree.delete("./A/B")
    assert list(tree.walk()) == [".", "./A", "./A/D"]
    assert status(tree.delete, ".") == 405


def test_copy_copies_a_subtree_and_replaces_an_existing_leaf(tree):
    tree.add("./Src/x", "1", format="int")
    tree.add("./Src/y/z", b"\x00")
    tree.replace("./Src/x?prop=Title", "the x")
    tree.copy("./Dst", "./Src")
    assert list(tree.walk("./Dst")) == ["./Dst", "./Dst/x", "./Dst/y", "./Dst/y/z"]
    assert tree.get("./Dst/y/z").value == b"\x00"
    assert tree.get("./Dst/x?prop=Title").value == "the x"
    tree.add("./Leaf", "old")
    tree.copy("./Leaf", "./Src/x")
    assert (tree.get("./Leaf").value, tree.get("./Leaf").format) == ("1", "int")
    assert status(tree.copy, "./Src/in", "./Src") == 403
    assert status(tree.copy, "./Dst", "./Src") == 403
    assert status(tree.copy, "./Dst", "./Src/x") == 403  # a leaf onto an interior node
    assert status(tree.copy, "./Leaf", "./Src") == 403  # an interior node onto a leaf
    assert status(tree.copy, "./New", "./Missing") == 404
    tree.replace("./Src?prop=Title", "the source")
    tree.copy("./Other", "./Src")
    assert tree.get("./Other?prop=Title").value == "the source"


def test_copy_needs_get_on_the_source(tree):
    tree.add("./Src/x", "1")
    tree.replace("./Src?prop=ACL", "Add=srv&Replace=srv")
    assert status(tree.copy, "./Dst", "./Src", server_id="srv") == 425
    assert "./Dst" not in tree


def test_rename_keeps_the_place_and_refuses_clashes_and_the_root(tree):
    for name in ("a", "b", "c"):
        tree.add(f"./D/{name}", name)
    tree.rename("./D/b", "B2")
    assert tree.children("./D") == ["a", "B2", "c"]
    tree.replace("./D/a?prop=Name", "A2")
    assert tree.children("./D") == ["A2", "B2", "c"]
    assert status(tree.rename, "./D/c", "A2") == 418
    verno = tree.get("./D?prop=VerNo").value
    tree.rename("./D/c", "c")  # its own name: nothing changes
    assert tree.children("./D") == ["A2", "B2", "c"] and tree.get("./D?prop=VerNo").value == verno
    assert status(tree.rename, ".", "root") == 405
    for bad in ("", "x/y", ".."):
        assert status(tree.rename, "./D/c", bad) == 400
    tree.replace("./D?prop=ACL", "Get=*")
    assert status(tree.rename, "./D/c", "C2", server_id="srv") == 425
    tree.rename("./D/c", "C2")
    assert tree.get("./D?prop=VerNo").value == str(int(verno) + 1)  # its child list changed


def test_uri_limits_follow_a_rename_of_their_node(tree):
    tree.add("./DevDetail/URI/MaxDepth", "3")
    assert tree.uri_limits.max_depth == 3
    tree.rename("./DevDetail/URI/MaxDepth", "Kept")
    assert tree.uri_limits.max_depth == 0
    tree.rename("./DevDetail/URI/Kept", "MaxDepth")
    assert tree.uri_limits.max_depth == 3


# -- properties ------------------------------------------------------------------------------


def test_every_property_of_a_leaf(tree):
    tree.add("./L", "hé", type="text/plain")
    properties = tree.properties("./L")
    assert properties == {
        "ACL": "",
        "Format": "chr",
        "Name": "L",
        "Size": "3",  # bytes of the UTF-8 value
        "TStamp": "20010909T014640Z",
        "Type": "text/plain",
        "VerNo": "0",
    }
    for name, value in properties.items():
        assert tree.get(f"./L?prop={name}").value == value


def test_an_interior_node_has_no_size_and_its_type_is_its_mo_identifier(tree):
    tree.add("./FW", format="node", type="urn:oma:mo:oma-fumo:1.0")
    assert tree.get("./FW?prop=Type").value == "urn:oma:mo:oma-fumo:1.0"
    assert status(tree.get, "./FW?prop=Size") == 406
    assert "Size" not in tree.properties("./FW")


def test_tstamp_and_verno_follow_each_change_and_verno_wraps(tree):
    clock = tree._clock
    tree.add("./L", "1")
    clock.now += 3600
    tree.replace("./L", "2")
    assert tree.get("./L?prop=TStamp").value == "20010909T024640Z"
    assert tree.get("./L?prop=VerNo").value == "1"
    for value in range(0xFFFF):
        tree.replace("./L", str(value))
    assert tree.get("./L?prop=VerNo").value == "0"  # 0xFFFF + 1 wraps


def test_a_parents_verno_counts_changes_of_its_child_list(tree):
    tree.add("./D", format="node")
    tree.add("./D/a", "1")
    tree.add("./D/b", "1")
    tree.replace("./D/a", "2")  # a value below: not the parent's list
    tree.delete("./D/b")
    assert tree.get("./D?prop=VerNo").value == "3"


def test_title_is_replaceable_up_to_255_bytes_and_other_properties_are_not(tree):
    tree.add("./L", "v")
    tree.replace("./L?prop=Title", "é" * 127)
    assert tree.get("./L?prop=Title").value == "é" * 127
    assert status(tree.replace, "./L?prop=Title", "é" * 128) == 400
    tree.replace("./L?prop=Title", "x" * 255)
    assert status(tree.replace, "./L?prop=Title", "x" * 256) == 400
    tree.replace("./L?prop=ACL", "Get=*")  # a leaf's Replace is its parent's: the root's
    assert status(tree.replace, "./L?prop=Title", "t", server_id="srv") == 425
    tree.replace("./L?prop=ACL", None)  # no Data: an empty ACL, which inherits
    assert tree.get("./L?prop=ACL").value == ""
    for prop in ("Format", "Type", "Size", "TStamp", "VerNo"):
        assert status(tree.replace, f"./L?prop={prop}", "x") == 405


def test_properties_cannot_be_added_or_deleted(tree):
    tree.add("./L", "v")
    assert status(tree.add, "./L?prop=Title", "x") == 405
    assert status(tree.delete, "./L?prop=ACL") == 405


def test_unknown_properties_are_406(tree):
    tree.add("./L", "v")
    assert status(tree.get, "./L?prop=Colour") == 406


# -- values and formats ----------------------------------------------------------------------


def test_formats_default_from_the_value(tree):
    tree.add("./s", "text")
    tree.add("./b", b"\x01\x02")
    tree.add("./n", format="node")
    tree.add("./z", None, format="null")
    assert [tree.get(u).format for u in ("./s", "./b", "./n", "./z")] == [
        "chr",
        "bin",
        "node",
        "null",
    ]
    assert tree.get("./b?prop=Size").value == "2" and tree.get("./z?prop=Size").value == "0"


def test_a_value_its_format_refuses_is_400_and_an_unknown_format_415(tree):
    assert status(tree.add, "./i", "12a", format="int") == 400
    assert status(tree.add, "./i", "2147483648", format="int") == 400
    assert status(tree.add, "./x", "v", format="jpeg") == 415
    assert "./i" not in tree


def test_b64_given_as_text_is_kept_as_the_bytes_it_stands_for(tree):
    tree.add("./k", "AAEC", format="b64")
    assert tree.get("./k").value == b"\x00\x01\x02"
    assert tree.get("./k?prop=Size").value == "3"
    assert status(tree.add, "./bad", "not base64!", format="b64") == 400


# -- ACLs ------------------------------------------------------------------------------------


def test_server_ids_are_checked_against_the_effective_acl(tree):
    tree.add("./A", format="node")
    tree.replace("./A?prop=ACL", "Get=srv&Add=srv&Replace=srv")
    tree.add("./A/leaf", "v")
    assert tree.get("./A/leaf", server_id="srv").value == "v"
    assert status(tree.get, "./A/leaf", server_id="other") == 425
    assert status(tree.get, "./A/leaf", server_id="sr") == 425  # never a substring
    assert status(tree.delete, "./A/leaf", server_id="srv") == 425
    tree.get("./A/leaf")  # the device itself is not checked


def test_children_and_struct_check_the_servers_get_on_the_node_asked(tree):
    tree.add("./A/leaf", "v")
    tree.replace("./A?prop=ACL", "Replace=srv")
    assert status(tree.children, "./A", server_id="srv") == 425
    assert status(tree.struct, "./A", server_id="srv") == 425
    assert tree.children("./A") == ["leaf"]  # the device itself is not checked


def test_inheritance_is_of_the_whole_value(tree):
    tree.add("./A/B", "v")
    tree.replace("./A?prop=ACL", "Replace=srv&Get=*")
    tree.replace("./A/B?prop=ACL", "Get=*")
    # B's own ACL names no Replace: nobody may Replace it, whatever its parent allows.
    assert status(tree.replace, "./A/B", "w", server_id="srv") == 425
    assert tree.get("./A/B?prop=ACL").value == "Get=*"
    assert tree.get("./A?prop=ACL").value == "Replace=srv&Get=*"


def test_prop_acl_is_the_nodes_own_value_empty_when_it_inherits(tree):
    tree.add("./A/B", "v")
    assert tree.get("./A/B?prop=ACL").value == ""
    assert tree.get("./A/B", server_id="anyone").value == "v"  # Get=* from the root


def test_who_may_change_an_acl_interior_its_own_replace_leaf_its_parents(tree):
    tree.add("./I/L", "v")
    tree.replace("./I?prop=ACL", "Get=*&Replace=parent")
    tree.replace("./I/L?prop=ACL", "Get=*&Replace=leaf")
    tree.replace("./I/L?prop=ACL", "Get=*&Replace=leaf", server_id="parent")
    assert status(tree.replace, "./I/L?prop=ACL", "Get=*", server_id="leaf") == 425
    tree.add("./I/Sub", format="node")
    tree.replace("./I/Sub?prop=ACL", "Replace=own")
    tree.replace("./I/Sub?prop=ACL", "Replace=own&Get=*", server_id="own")
    assert status(tree.replace, "./I/Sub?prop=ACL", "Get=*", server_id="parent") == 425


def test_the_root_keeps_add_for_every_server(tree):
    assert status(tree.replace, ".?prop=ACL", "Add=srv&Get=*") == 405
    tree.replace(".?prop=ACL", "Add=*&Get=*&Replace=srv")
    assert tree.get(".?prop=ACL").value == "Add=*&Get=*&Replace=srv"


def test_a_bad_acl_is_400_and_changes_nothing(tree):
    tree.add("./A", format="node")
    assert status(tree.replace, "./A?prop=ACL", "Get=a b") == 400
    assert status(tree.replace, "./A?prop=ACL", "Copy=*") == 400
    assert tree.get("./A?prop=ACL").value == ""


def test_an_interior_node_added_without_replace_on_its_parent_gets_its_creators_acl(tree):
    tree.add("./Acc", format="node", server_id="srv1")
    assert tree.get("./Acc?prop=ACL").value == "Add=srv1&Delete=srv1&Replace=srv1"
    tree.replace(".?prop=ACL", "Add=*&Get=*&Replace=srv2")
    tree.add("./Other", format="node", server_id="srv2")
    assert tree.get("./Other?prop=ACL").value == ""
    tree.add("./leaf", "v", server_id="srv1")
    assert tree.get("./leaf?prop=ACL").value == ""


def test_add_needs_add_on_the_nearest_existing_ancestor(tree):
    tree.add("./A", format="node")
    tree.replace("./A?prop=ACL", "Get=*")
    assert status(tree.add, "./A/B/C", "v", server_id="srv") == 425
    assert "./A/B" not in tree
    tree.add("./A/B/C", "v")  # the device


def test_a_get_refused_is_425_before_the_property_is_read(tree):
    tree.add("./A", format="node")
    tree.replace("./A?prop=ACL", "Replace=srv")
    assert status(tree.get, "./A?prop=Name", server_id="srv") == 425


# -- listings, URIs, aliases -----------------------------------------------------------------


def test_struct_lists_the_subtree_without_values_and_structdata_with(tree):
    tree.add("./A/x", "1", format="int")
    tree.add("./A/y", b"\x00")
    struct = tree.struct("./A")
    assert [(uri, data.format, data.value) for uri, data in struct] == [
        ("./A", "node", None),
        ("./A/x", "int", None),
        ("./A/y", "bin", None),
    ]
    data = tree.struct("./A", data=True)
    assert [entry.value for _, entry in data] == ["x/y", "1", b"\x00"]


def test_struct_leaves_out_what_the_server_may_not_get(tree):
    tree.add("./A/open", "1")
    tree.add("./A/closed/inner", "2")
    tree.replace("./A/closed?prop=ACL", "Replace=srv")
    listed = [uri for uri, _ in tree.struct("./A", server_id="srv")]
    assert listed == ["./A", "./A/open"]


def test_uri_limits_come_from_devdetail_and_give_414():
    tree = device_tree(
        dev_id="IMEI:1", man="M", mod="X", uri_limits=UriLimits(3, 40, 12), clock=Clock()
    )
    assert tree.uri_limits == UriLimits(3, 40, 12)
    assert status(tree.add, "./A/B/C/D", "v") == 414
    assert status(tree.add, "./Longer-than-12", "v") == 414
    assert status(tree.get, "./" + "/".join(["abcdefghijkl"] * 3) + "x") == 414
    tree.replace("./DevDetail/URI/MaxDepth", "0")
    assert tree.uri_limits.max_depth == 0
    tree.add("./A/B/C/D", "v")
    for no_number in ("²", "9" * 5_000):  # no limit (a server may write anything there)
        tree.replace("./DevDetail/URI/MaxSegLen", no_number)
        assert tree.uri_limits.max_segment_length == 0


def test_uri_limits_follow_a_limit_added_or_deleted_after_they_were_read():
    tree = ManagementTree(clock=Clock())
    tree.add("./DevDetail/URI", format="node")
    assert tree.uri_limits.max_depth == 0
    tree.add("./DevDetail/URI/MaxDepth", "3")
    assert tree.uri_limits.max_depth == 3
    assert status(tree.add, "./A/B/C/D", "v") == 414
    tree.delete("./DevDetail/URI/MaxDepth")
    assert tree.uri_limits.max_depth == 0
    tree.add("./A/B/C/D", "v")


def test_malformed_uris_are_400(tree):
    tree.add("./A/B", "v")
    for uri in ("./A/", "./A//B", "A/../B", "A/./B", "./A%zz", "/A"):
        assert status(tree.get, uri) == 400, uri
        assert uri not in tree


def test_percent_escapes_are_decoded_per_byte(tree):
    tree.add("./caf%C3%A9/x", "v")
    assert tree.children(".") == ["café"]
    assert list(tree.walk("./café")) == ["./caf%C3%A9", "./caf%C3%A9/x"]


def test_windows_aliases_are_an_option():
    plain = ManagementTree()
    plain.add("./Device/Vendor/MSFT/x", "1")
    assert "./Vendor/MSFT/x" not in plain
    windows = ManagementTree(windows_aliases=True)
    windows.add("./Device/Vendor/MSFT/x", "1")
    assert windows.get("./Vendor/MSFT/x").value == "1"
    windows.add("./User/Vendor/MSFT/x", "2")
    assert windows.get("./User/Vendor/MSFT/x").value == "2"
    assert windows.children(".") == ["Vendor", "User"]
    assert "./Device" not in windows  # the alias prefixes a path; alone it names a node


# -- transactions ----------------------------------------------------------------------------


def test_a_failed_transaction_undoes_every_change(tree):
    tree.add("./A/B/C", "c")
    tree.add("./A/X", b"\x00\x01")
    tree.replace("./A?prop=ACL", "Get=*")
    before = _snapshot(tree)
    with pytest.raises(RuntimeError), tree.transaction():
        tree.add("./Q/R", "1", format="int")
        tree.delete("./A/B")
        tree.replace("./A/X", "AAE=", format="b64", type="application/octet-stream")
        tree.replace("./A?prop=ACL", "Get=srv")
        tree.replace("./A/X?prop=Title", "t")
        tree.rename("./A", "Z")
        raise RuntimeError
    assert _snapshot(tree) == before


def test_a_transaction_that_succeeds_keeps_every_change():
    clock = Clock()
    tree = ManagementTree(clock=clock)
    tree.add("./A/X", "x", type="text/plain")
    clock.now += 60
    with tree.transaction():
        tree.replace("./A/X", "7", format="int", type="text/html")
        tree.add("./A/Y", "1", format="int")
    assert tree.get("./A/X") == ("7", "int", "text/html")
    assert tree.get("./A/Y").value == "1" and tree.get("./A/X?prop=VerNo").value == "1"
    assert tree.get("./A/X?prop=TStamp").value == "20010909T014740Z"  # the clock's, moved


def test_a_failed_transaction_undoes_uri_limits_it_changed(tree):
    tree.add("./DevDetail/URI", format="node")
    with pytest.raises(RuntimeError), tree.transaction():
        tree.add("./DevDetail/URI/MaxDepth", "3")
        assert tree.uri_limits.max_depth == 3
        raise RuntimeError
    assert tree.uri_limits.max_depth == 0
    tree.add("./A/B/C/D", "v")


def test_an_outer_transaction_undoes_what_follows_a_nested_one(tree):
    with pytest.raises(RuntimeError), tree.transaction():
        with tree.transaction():
            tree.add("./inner", "1")
        tree.add("./after", "1")
        raise RuntimeError
    assert "./inner" not in tree and "./after" not in tree


def test_nested_transactions_undo_only_their_own(tree):
    with tree.transaction():
        tree.add("./kept", "1")
        with pytest.raises(TreeError), tree.transaction():
            tree.add("./dropped", "1")
            tree.add("./dropped", "1")
    assert "./kept" in tree and "./dropped" not in tree


def _snapshot(tree):
    return [(uri, tree.properties(uri), tree.get(uri)) for uri in tree.walk()]
