"""Hostile XML: reading costs time linear in the input however attributes and namespace
declarations are arranged, and limit errors name the byte where the limit was crossed."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest
from lxml import etree

import syncml_codec
from syncml_codec import DecodeError, LimitError, Limits

pytestmark = pytest.mark.usefixtures("codec")

NS = b'xmlns="SYNCML:SYNCML1.2"'


def _seconds(function: Callable[[], object]) -> float:
    """The best of three CPU times of ``function()``, with the collector paused for the test's
    measurement (its passes over whatever else the test process holds are not the reader's)."""
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(3):
            start = time.process_time()
            function()
            best = min(best, time.process_time() - start)
    finally:
        if enabled:
            gc.enable()
    return best


def _from_lxml(xml: bytes) -> object:
    return syncml_codec.from_lxml(etree.fromstring(xml))


def _grows_linearly(make: Callable[[int], bytes], small: int) -> None:
    """Four times the input takes well under the sixteen times a quadratic reader needs (a
    linear one takes four to seven here: caches and allocation grow too): both sizes are
    measured in this run, under the same conditions."""
    for function in (syncml_codec.decode, syncml_codec.xml_to_wbxml, _from_lxml):
        documents = {n: make(n) for n in (small, 4 * small)}
        times = {
            n: _seconds(lambda f=function, document=document: f(document))
            for n, document in documents.items()
        }
        assert times[4 * small] < 10 * max(times[small], 0.002), (function.__name__, times)


def test_many_attributes_on_one_element():
    _grows_linearly(
        lambda n: b"<SyncML " + NS + b"><SyncBody "
        + b" ".join(b'a%d="v"' % i for i in range(n)) + b"/></SyncML>",
        10_000,
    )  # fmt: skip


def test_a_child_redeclaring_its_parents_prefixes():
    def make(n: int) -> bytes:
        outer = b" ".join(b'xmlns:p%d="urn:a:%d"' % (i, i) for i in range(n))
        inner = b" ".join(b'xmlns:p%d="urn:b:%d"' % (i, i) for i in range(n))
        return b"<SyncML " + NS + b" " + outer + b"><SyncBody " + inner + b"/></SyncML>"

    _grows_linearly(make, 2_000)


def test_many_declarations_in_scope_of_many_elements():
    def make(n: int) -> bytes:
        declarations = b" ".join(b'xmlns:p%d="urn:x:%d"' % (i, i) for i in range(n))
        children = b"<Final/>" * (4 * n)
        return (
            b"<SyncML "
            + NS
            + b" "
            + declarations
            + b"><SyncBody>"
            + children
            + b"</SyncBody></SyncML>"
        )

    _grows_linearly(make, 500)


def test_declarations_read_from_the_scope_they_are_in():
    xml = (
        b'<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:a="urn:a">'
        b'<SyncHdr xmlns:a="urn:a" xmlns:b="urn:b">'
        b'<VerDTD xmlns:a="urn:other">1.2</VerDTD><VerProto xmlns:b="urn:b">DM/1.2</VerProto>'
        b'</SyncHdr><SyncBody xmlns:b="urn:b2"/></SyncML>'
    )
    tree = syncml_codec.decode(xml)
    header, body = tree.children
    assert tree.attributes == {"xmlns:a": "urn:a"}
    assert header.attributes == {"xmlns:b": "urn:b"}  # a is bound to urn:a already
    assert header.children[0].attributes == {"xmlns:a": "urn:other"}
    assert header.children[1].attributes == {}
    assert body.attributes == {"xmlns:b": "urn:b2"}  # the header's b is out of scope here


@pytest.mark.parametrize(
    "xml,limits,offset",
    [
        (b"<SyncML " + NS + b"><SyncBody><Data>" + b"A" * 200 + b"</Data></SyncBody></SyncML>",
         Limits(max_string=100), b"<Data>"),
        (b"<SyncML " + NS + b">\n" + b"<Item>" * 20 + b"</Item>" * 20 + b"</SyncML>",
         Limits(max_depth=10), b"<Item>"),
        (b"<SyncML " + NS + b' xmlns:w="urn:syncml-codec:wbxml">\n<SyncBody><w:char code="x"/>'
         b"</SyncBody></SyncML>", Limits(), b"<w:char"),
    ],
    ids=["max_string", "max_depth", "wbxml-char"],
)  # fmt: skip
def test_xml_errors_name_the_element_where_they_happen(xml, limits, offset):
    """The offset is that of the start tag of the element concerned (a text's element; the
    tenth Item, at depth 11)."""
    offset = xml.index(offset) + (9 * len(b"<Item>") if offset == b"<Item>" else 0)
    for function in (syncml_codec.decode, syncml_codec.xml_to_wbxml):
        with pytest.raises(DecodeError) as raised:
            function(xml, limits=limits)
        assert raised.value.offset == offset, function
        assert isinstance(raised.value, LimitError) == (limits != Limits())
