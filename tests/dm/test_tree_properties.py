"""Property tests: random trees round-trip through TNDS (XML and WBXML, nested and flat), and
random operation sequences, failing ones included, never leave the tree inconsistent."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncml_codec import encode
from syncml_codec.dm import ALL_TNDS_PROPERTIES, Acl, ManagementTree, TreeError, Uri
from syncml_codec.dm.formats import value_size

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
pytestmark = pytest.mark.usefixtures("codec")

# Names and texts: any XML character, whitespace and line ends included ("/" is the separator).
CHARACTERS = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="/"
) | st.sampled_from(" \t\r\n")
NAMES = st.text(CHARACTERS, min_size=1, max_size=8).filter(lambda name: name not in (".", ".."))
TEXTS = st.text(CHARACTERS, max_size=12)
SERVERS = st.sampled_from(["srv1", "srv2", "srv3"])
VALUES = st.one_of(
    st.tuples(st.just("chr"), TEXTS),
    st.tuples(st.just("int"), st.integers(-(2**31), 2**31 - 1).map(str)),
    st.tuples(st.just("bool"), st.sampled_from(["true", "false"])),
    st.tuples(st.just("bin"), st.binary(max_size=12)),
    st.tuples(st.just("b64"), st.binary(max_size=12)),
    st.tuples(st.just("float"), st.sampled_from(["1.5E-3", "-0", "INF", "NaN", ".5", "12"])),
    st.tuples(st.just("date"), st.sampled_from(["2026-12-06", "19991231"])),
    st.tuples(st.just("time"), st.sampled_from(["23:59:60Z", "101530", "10:15:30.5+01:00"])),
    st.tuples(st.just("xml"), st.sampled_from(["<a>1</a>", "text &amp; <b/>"])),
    st.tuples(st.just("null"), st.none()),
)
ACLS = st.lists(
    st.tuples(st.sampled_from(["Add", "Delete", "Exec", "Get", "Replace"]), SERVERS | st.just("*")),
    max_size=4,
).map(lambda pairs: "&".join(f"{command}={server}" for command, server in pairs))


def path(segments) -> str:
    return str(Uri(tuple(segments)))


@st.composite
def trees(draw) -> ManagementTree:
    """A tree made by the device: interior nodes and leaves of every format, with ACLs, titles
    and (through repeated replaces) VerNos."""
    clock = iter(range(1_000_000_000, 2_000_000_000, 3601))
    tree = ManagementTree(clock=lambda: next(clock))
    interiors = [()]
    for _ in range(draw(st.integers(1, 25))):
        parent = draw(st.sampled_from(interiors))
        segments = (*parent, draw(NAMES))
        if path(segments) in tree:
            continue
        if draw(st.booleans()):
            tree.add(path(segments), format="node", type=draw(st.sampled_from(["", "urn:x:1"])))
            interiors.append(segments)
        else:
            format, value = draw(VALUES)
            tree.add(
                path(segments), value, format=format, type=draw(st.sampled_from(["", "text/plain"]))
            )
            for _ in range(draw(st.integers(0, 2))):
                tree.replace(path(segments), value)
        if draw(st.booleans()):
            tree.replace(path(segments) + "?prop=ACL", draw(ACLS))
        if draw(st.booleans()):
            tree.replace(path(segments) + "?prop=Title", draw(TEXTS))
    return tree


def snapshot(tree: ManagementTree) -> list:
    return [(uri, tree.properties(uri), tree.get(uri)) for uri in tree.walk()]


@SETTINGS
@given(tree=trees(), form=st.sampled_from(["xml", "wbxml"]), nested=st.booleans())
def test_random_trees_round_trip_through_tnds(tree, form, nested):
    saved = encode(tree.to_tnds(nested=nested), format=form)
    loaded = ManagementTree.from_tnds(saved)
    assert snapshot(loaded) == snapshot(tree)


@SETTINGS
@given(
    tree=trees(),
    nested=st.booleans(),
    properties=st.sets(st.sampled_from(ALL_TNDS_PROPERTIES)),
)
def test_tnds_wbxml_written_from_the_tree_is_the_encoders(tree, nested, properties):
    assert tree.to_tnds_wbxml(properties=properties, nested=nested) == encode(
        tree.to_tnds(properties=properties, nested=nested)
    )


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add-node", "replace", "delete", "copy", "rename", "acl", "get"]),
        st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3),
        st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3),
        st.one_of(st.none(), SERVERS),
        VALUES,
        ACLS,
    ),
    max_size=40,
)


def run(tree: ManagementTree, operation) -> None:
    kind, target, other, server, (format, value), acl = operation
    uri = path(target)
    if kind == "add":
        tree.add(uri, value, format=format, server_id=server)
    elif kind == "add-node":
        tree.add(uri, format="node", server_id=server)
    elif kind == "replace":
        tree.replace(uri, value, format=format, server_id=server)
    elif kind == "delete":
        tree.delete(uri, server_id=server)
    elif kind == "copy":
        tree.copy(path(other), uri, server_id=server)
    elif kind == "rename":
        tree.rename(uri, other[-1], server_id=server)
    elif kind == "acl":
        tree.replace(uri + "?prop=ACL", acl, server_id=server)
    else:
        tree.get(uri, server_id=server)


@SETTINGS
@given(operations=OPERATIONS)
def test_random_operations_keep_the_tree_consistent(operations):
    tree = ManagementTree(root_acl="Add=*&Get=*&Replace=srv1&Delete=srv2")
    for operation in operations:
        before = snapshot(tree)
        try:
            run(tree, operation)
        except TreeError:
            assert snapshot(tree) == before  # a refused operation changes nothing
        check_consistent(tree)


def check_consistent(tree: ManagementTree) -> None:
    """Links both ways, names as keys, ACL inheritance, Size and VerNo."""
    root = tree._root
    stack = [(root, Acl.parse(tree.get(".?prop=ACL").value))]
    while stack:
        node, inherited = stack.pop()
        own = node.acl
        effective = own if own.entries else inherited
        assert node.effective_acl() == effective
        assert 0 <= node.verno <= 0xFFFF
        uri = path(node.segments())
        if node.children is None:
            assert int(tree.get(uri + "?prop=Size").value) == value_size(node.value)
            continue
        for name, child in node.children.items():
            assert child.parent is node and child.name == name
            stack.append((child, effective))
    assert effective_acl_of_root_keeps_add(tree)


def effective_acl_of_root_keeps_add(tree: ManagementTree) -> bool:
    return "*" in tree._root.acl.entries.get("Add", ())
