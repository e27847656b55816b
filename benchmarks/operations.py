"""Every measured operation, for syncml_codec and its peers, on one document.

``operations(kind, size)`` returns ``{(group, contender): callable}``: the callables share the
prepared inputs (WBXML, XML, tree, nested lists, msgpack bytes), so each times only its own work.
A peer that is not installed is left out, and ``missing_peers()`` says why.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from lxml import etree

import syncml_codec
from syncml_codec import api
from syncml_codec.model import Message

from documents import sized, wbxml
from peers import as_lists, libwbxml, libwbxml_wbxml2xml, libwbxml_xml2wbxml, msgpack

#: Pure Python is timed only up to this size (it is the slow reference, not a contender).
PURE_PYTHON_MAX = 100_000
#: libwbxml's string table is worse than quadratic: beyond this it takes minutes.
LIBWBXML_STRING_TABLE_MAX = 60_000


def missing_peers() -> dict[str, str]:
    missing = {}
    if libwbxml is None:
        missing["libwbxml"] = "libwbxml2.so not found (Debian: libwbxml2-1)"
    if msgpack is None:
        missing["msgpack"] = "msgpack not installed (pip install msgpack)"
    if "cython" not in api._IMPLEMENTATIONS:
        missing["cython"] = "syncml_codec._wbxml is not built"
    return missing


@lru_cache(maxsize=8)
def operations(kind: str, size: int) -> dict[tuple[str, str], Callable[[], object]]:
    xml = sized(kind, size)
    data = wbxml(kind, size)
    ops: dict[tuple[str, str], Callable[[], object]] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for name, codec in sorted(api._IMPLEMENTATIONS.items()):
        if name == "python" and size > PURE_PYTHON_MAX:
            continue
        tree = codec.decode_wbxml(data)

        def use(function, name=name):
            def run():
                api._use(name)
                return function()
            return run

        ops[("decode", name)] = use(lambda codec=codec: codec.decode_wbxml(data))
        ops[("encode", name)] = use(lambda codec=codec, tree=tree: codec.encode_wbxml(tree))
        ops[("wbxml->xml", name)] = use(lambda: syncml_codec.wbxml_to_xml(data))
        ops[("xml->wbxml", name)] = use(lambda: syncml_codec.xml_to_wbxml(xml))
        ops[("xml->wbxml string table", name)] = use(
            lambda: syncml_codec.xml_to_wbxml(xml, string_table=True))
        ops[("encode string table", name)] = use(
            lambda codec=codec, tree=tree: codec.encode_wbxml(tree, string_table=True))
        ops[("wbxml->model", name)] = use(lambda: Message.from_bytes(data))
        message = Message.from_bytes(data)
        ops[("model->wbxml", name)] = use(message.to_wbxml)
    if msgpack is not None:
        lists = as_lists(api._IMPLEMENTATIONS["python"].decode_wbxml(data))
        packed = msgpack.packb(lists)
        ops[("decode", "msgpack unpackb")] = lambda: msgpack.unpackb(packed)
        ops[("encode", "msgpack packb")] = lambda: msgpack.packb(lists)
    root = etree.fromstring(xml, parser)
    ops[("decode", "lxml fromstring")] = lambda: etree.fromstring(xml, parser)
    ops[("xml->wbxml", "lxml fromstring")] = ops[("decode", "lxml fromstring")]
    ops[("encode", "lxml tostring")] = lambda: etree.tostring(root)
    if libwbxml is not None:
        ops[("wbxml->xml", "libwbxml")] = lambda: libwbxml_wbxml2xml(data)
        ops[("xml->wbxml", "libwbxml")] = lambda: libwbxml_xml2wbxml(xml)
        if size <= LIBWBXML_STRING_TABLE_MAX:
            ops[("xml->wbxml string table", "libwbxml")] = lambda: libwbxml_xml2wbxml(
                xml, string_table=True)
    return ops
