"""Languages as data: the built-in tables, registering languages, one tree in turn with each."""

from __future__ import annotations

import pytest

import syncml_codec
from syncml_codec import DecodeError, EncodeError
from syncml_codec.wbxml.languages import (
    DEVINF_12,
    DMDDF_12,
    SYNCML_11,
    SYNCML_12,
    AttributePage,
    CodePage,
    Language,
)

from helpers import NS

pytestmark = pytest.mark.usefixtures("codec")


def test_same_tree_encodes_with_each_language_in_turn(Element):
    """One tree encoded with two languages that give its names different tokens, alternately:
    each encoding uses its own language's tokens (the compiled encoder remembers a name's token
    per language)."""

    def language(tokens):
        return Language(
            name="Example",
            family="example",
            version="1.0",
            fpi=None,
            public_id=0x7F10,
            root="doc",
            pages={0: CodePage("urn:example:turns", tokens)},
        )

    first = language({0x05: "doc", 0x06: "a", 0x07: "b"})
    second = language({0x05: "doc", 0x07: "a", 0x06: "b"})
    tree = Element(
        "doc",
        "urn:example:turns",
        children=[Element("a", "urn:example:turns", text="x"), Element("b", "urn:example:turns")],
    )
    for _ in range(2):
        for chosen, a_token, b_token in ((first, 0x46, 0x07), (second, 0x47, 0x06)):
            data = syncml_codec.encode(tree, language=chosen)
            body = bytes([0x45, a_token, 0x03]) + b"x\x00" + bytes([0x01, b_token, 0x01])
            assert data.endswith(body)
            assert syncml_codec.decode(data, language=chosen) == tree


def test_registered_language_with_attribute_pages(Element):
    wml = Language(
        name="Example ML 1.0",
        family="example",
        version="1.0",
        fpi="-//EXAMPLE//DTD ML 1.0//EN",
        public_id=0x7F00,
        root="doc",
        pages={0: CodePage("urn:example:ml", {0x05: "doc", 0x06: "a"})},
        attribute_pages={
            0: AttributePage({0x05: ("href", ""), 0x06: ("href", "http://")}, {0x85: ".com"})
        },
    )
    syncml_codec.register_language(wml)
    assert syncml_codec.language_for_public_id(0x7F00) is wml
    assert syncml_codec.language_for_namespace("urn:example:ml") is wml
    # <doc><a href="http://example.com"/></doc> with an ATTRSTART prefix and an ATTRVALUE token
    data = b"\x03\x81\xfe\x00\x6a\x00\x45\x86\x06\x03example\x00\x85\x01\x01"
    tree = syncml_codec.decode(data)
    assert tree == Element(
        "doc",
        "urn:example:ml",
        children=[Element("a", "urn:example:ml", {"href": "http://example.com"})],
    )
    assert syncml_codec.decode(syncml_codec.encode(tree)) == tree
    with pytest.raises(DecodeError) as caught:
        syncml_codec.decode(b"\x03\x81\xfe\x00\x6a\x00\x45\x86\x07\x01\x01")
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


def test_a_language_registered_later_wins_over_a_remembered_header(Element):
    """Headers (and other answers that depend on the registry) may be memoised; registering a
    language empties the memos, so the next message already uses it."""
    data = b"\x03\x81\xfe\x01\x6a\x00\x45\x01"  # public id 0x7F01, <root>...</root>
    for root in ("first", "second"):
        syncml_codec.register_language(
            Language(
                name=f"Example {root}",
                family="example",
                version="1.0",
                fpi=None,
                public_id=0x7F01,
                root=root,
                pages={0: CodePage("urn:example:memo", {0x05: root})},
            )
        )
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


def test_registering_is_idempotent_and_a_newer_language_replaces_the_one_it_stands_for():
    before = syncml_codec.languages()
    syncml_12 = syncml_codec.language_for_public_id(0x1201)
    for _ in range(1_000):
        syncml_codec.register_language(syncml_12)
    assert len(syncml_codec.languages()) == len(before)
    assert syncml_codec.languages()[0] is syncml_12

    def example(name: str, **identity) -> Language:
        fields = {"fpi": None, "public_id": None, "version": "1.0", "namespace": "urn:example:r"}
        fields.update(identity)
        page = CodePage(fields.pop("namespace"), {0x05: "doc"})
        return Language(name, "example", root="doc", pages={0: page}, **fields)

    by_id, by_id_again = example("a", public_id=0x7F30), example("b", public_id=0x7F30)
    by_fpi = example("c", fpi="-//EXAMPLE//DTD R//EN", namespace="urn:example:fpi")
    by_fpi_again = example("d", fpi="-//example//dtd r//en", namespace="urn:example:fpi2")
    by_ns, by_ns_again = (
        example("e", namespace="urn:example:ns"),
        example("f", namespace="URN:example:NS"),
    )
    other_version = example("g", namespace="urn:example:ns", version="2.0")
    for first, second in ((by_id, by_id_again), (by_fpi, by_fpi_again), (by_ns, by_ns_again)):
        syncml_codec.register_language(first)
        count = len(syncml_codec.languages())
        syncml_codec.register_language(second)
        assert len(syncml_codec.languages()) == count
        assert first not in syncml_codec.languages() and second in syncml_codec.languages()
    assert syncml_codec.language_for_public_id(0x7F30) is by_id_again
    assert syncml_codec.language_for_public_id("-//EXAMPLE//DTD R//EN") is by_fpi_again
    syncml_codec.register_language(other_version)
    assert syncml_codec.language_for_namespace("urn:example:ns", version="1.0") is by_ns_again
    assert syncml_codec.language_for_namespace("urn:example:ns", version="2.0") is other_version
    # DevInf 1.0, 1.1 and 1.2 share a namespace and stay apart by version
    assert {lang.version for lang in syncml_codec.languages() if lang.family == "devinf"} == {
        "1.0",
        "1.1",
        "1.2",
    }
