"""Property tests: random trees round-trip; random bytes give one outcome in both codecs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import syncml_codec
from syncml_codec import DecodeError, _impl
from syncml_codec.wbxml.languages import SYNCML_12
from syncml_codec.wbxml.rules import is_xml_text

from helpers import VECTORS

pytestmark = pytest.mark.usefixtures("codec")

NS = "SYNCML:SYNCML1.2"
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Every SyncML 1.2 element name with its page's namespace, plus names the tables do not know.
NAMES = [
    (name, SYNCML_12.page_namespace(pages[0][0])) for name, pages in SYNCML_12.tag_tokens.items()
] + [("VendorExt", NS), ("x-Custom", NS)]

xml_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20).filter(
    is_xml_text
)
binary = st.binary(min_size=1, max_size=20).map(lambda raw: b"\xff" + raw)  # never valid UTF-8


CONTENT = st.one_of(xml_text, binary)


def trees(element_type, content=CONTENT):
    """Trees of SyncML elements: leaves carry text or bytes, inner elements carry children."""

    def element(children):
        return st.builds(
            lambda name_ns, kids, text, attributes: element_type(
                name_ns[0], name_ns[1], attributes, None if kids else text, kids
            ),
            st.sampled_from(NAMES),
            children,
            st.none() | content,
            st.dictionaries(
                st.sampled_from(["a", "b-c"]),
                st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8),
                max_size=2,
            ),
        )

    leaf = element(st.just([]))
    tree = st.recursive(
        leaf, lambda inner: element(st.lists(inner, min_size=1, max_size=4)), max_leaves=25
    )
    return st.builds(
        lambda kids: element_type("SyncML", NS, None, None, kids), st.lists(tree, max_size=5)
    )


@SETTINGS
@given(data=st.data())
def test_random_trees_round_trip_through_wbxml(Element, data):
    tree = data.draw(trees(Element))
    for options in (
        {},
        {"string_table": True},
        {"opaque_data": "always"},
        {"version": "1.2", "public_id": "string"},
    ):
        assert syncml_codec.decode(syncml_codec.encode(tree, **options)) == tree


@SETTINGS
@given(data=st.data())
def test_random_trees_round_trip_through_xml(Element, data):
    tree = data.draw(trees(Element))
    for pretty in (False, True):
        assert syncml_codec.decode(syncml_codec.encode(tree, format="xml", pretty=pretty)) == tree


@SETTINGS
@given(data=st.data())
def test_both_implementations_encode_random_trees_to_the_same_bytes(Element, data):
    tree = data.draw(trees(Element))
    for options in ({}, {"string_table": True}):
        outputs = {
            module.encode_wbxml(tree, **options) for module in _impl.IMPLEMENTATIONS.values()
        }
        assert len(outputs) == 1
    for pretty in (False, True):
        outputs = {module.write_xml(tree, pretty) for module in _impl.IMPLEMENTATIONS.values()}
        assert len(outputs) == 1


def _outcome(module, data: bytes):
    try:
        return module.decode_wbxml(data, unknown_tags="keep")
    except DecodeError as error:
        return (error.offset, error.message)


SEEDS = [path.read_bytes() for path in sorted((VECTORS / "libwbxml").glob("*.wbxml"))]
HEADERS = [
    b"\x03\xa4\x01\x6a\x00",
    b"\x02\x00\x00\x6a\x04ab\x00\x00",
    b"\x01\xa4\x03\x6a\x00",
    b"\x03\x00\x00\x6a\x1b-//OMA//DTD-DM-DDF 1.2//EN\x00",
]


@settings(max_examples=400, deadline=None)
@given(header=st.sampled_from(HEADERS), body=st.binary(max_size=64))
def test_random_bodies_give_one_outcome(header, body):
    outcomes = [_outcome(module, header + body) for module in _impl.IMPLEMENTATIONS.values()]
    assert all(outcome == outcomes[0] for outcome in outcomes)


@settings(max_examples=400, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(st.integers(0, 2000), st.integers(0, 255), st.sampled_from("rid")), max_size=4
    ),
)
def test_mutated_vectors_give_one_outcome(seed, edits):
    data = bytearray(seed)
    for position, value, action in edits:
        position %= len(data) + 1
        if action == "r" and position < len(data):
            data[position] = value
        elif action == "i":
            data.insert(position, value)
        elif position < len(data):
            del data[position]
    assume(data)
    outcomes = [_outcome(module, bytes(data)) for module in _impl.IMPLEMENTATIONS.values()]
    assert all(outcome == outcomes[0] for outcome in outcomes)
