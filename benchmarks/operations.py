"""Every measured operation, for syncml_codec and its peers, on one document.

``operations(kind, size)`` returns ``{(group, contender): callable}``: the callables share the
prepared inputs (WBXML, XML, tree, nested lists, msgpack bytes), so each times only its own work.
``operation(kind, size, group, contender)`` makes one of them with only the inputs it needs (for
a process that times it alone). A peer that is not installed is left out, and
``missing_peers()`` says why.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, lru_cache, partial

from lxml import etree

import syncml_codec
from syncml_codec import _impl
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
    if "cython" not in _impl.IMPLEMENTATIONS:
        missing["cython"] = "syncml_codec._wbxml is not built"
    return missing


class _Inputs:
    """The prepared inputs of one document, each made when an operation first needs it (the
    trees and models per implementation)."""

    def __init__(self, kind: str, size: int) -> None:
        self.kind, self.size = kind, size
        self._trees: dict[str, object] = {}
        self._messages: dict[str, Message] = {}

    @cached_property
    def xml(self) -> bytes:
        return sized(self.kind, self.size)

    @cached_property
    def data(self) -> bytes:
        return wbxml(self.kind, self.size)

    @cached_property
    def parser(self) -> etree.XMLParser:
        return etree.XMLParser(resolve_entities=False, no_network=True)

    @cached_property
    def root(self) -> etree._Element:
        return etree.fromstring(self.xml, self.parser)

    @cached_property
    def lists(self) -> list:
        return as_lists(_impl.IMPLEMENTATIONS["python"].decode_wbxml(self.data))

    @cached_property
    def packed(self) -> bytes:
        return msgpack.packb(self.lists)

    def tree(self, name: str) -> object:
        if name not in self._trees:
            self._trees[name] = _impl.IMPLEMENTATIONS[name].decode_wbxml(self.data)
        return self._trees[name]

    def message(self, name: str) -> Message:
        if name not in self._messages:
            self._messages[name] = _using(name, partial(Message.from_bytes, self.data))()
        return self._messages[name]


def _using(name: str, function: Callable[[], object]) -> Callable[[], object]:
    """``function`` run with implementation ``name`` active behind the public API."""

    def run() -> object:
        _impl.use(name)
        return function()

    return run


#: group -> (implementation name, inputs) -> the operation, for each implementation.
_CODEC_OPERATIONS: dict[str, Callable[[str, _Inputs], Callable[[], object]]] = {
    "decode": lambda name, d: partial(_impl.IMPLEMENTATIONS[name].decode_wbxml, d.data),
    "encode": lambda name, d: partial(_impl.IMPLEMENTATIONS[name].encode_wbxml, d.tree(name)),
    "wbxml->xml": lambda name, d: partial(syncml_codec.wbxml_to_xml, d.data),
    "xml->wbxml": lambda name, d: partial(syncml_codec.xml_to_wbxml, d.xml),
    "xml->wbxml string table": lambda name, d: partial(
        syncml_codec.xml_to_wbxml, d.xml, string_table=True
    ),
    "encode string table": lambda name, d: partial(
        _impl.IMPLEMENTATIONS[name].encode_wbxml, d.tree(name), string_table=True
    ),
    "wbxml->model": lambda name, d: partial(Message.from_bytes, d.data),
    "model->wbxml": lambda name, d: d.message(name).to_wbxml,
}

#: (group, peer) -> inputs -> the operation.
_PEER_OPERATIONS: dict[tuple[str, str], Callable[[_Inputs], Callable[[], object]]] = {
    ("decode", "msgpack unpackb"): lambda d: partial(msgpack.unpackb, d.packed),
    ("encode", "msgpack packb"): lambda d: partial(msgpack.packb, d.lists),
    ("decode", "lxml fromstring"): lambda d: partial(etree.fromstring, d.xml, d.parser),
    ("xml->wbxml", "lxml fromstring"): lambda d: partial(etree.fromstring, d.xml, d.parser),
    ("encode", "lxml tostring"): lambda d: partial(etree.tostring, d.root),
    ("wbxml->xml", "libwbxml"): lambda d: partial(libwbxml_wbxml2xml, d.data),
    ("xml->wbxml", "libwbxml"): lambda d: partial(libwbxml_xml2wbxml, d.xml),
    ("xml->wbxml string table", "libwbxml"): lambda d: partial(
        libwbxml_xml2wbxml, d.xml, string_table=True
    ),
}


def _measured(size: int, group: str, contender: str) -> bool:
    """Whether ``(group, contender)`` is timed on a document of ``size`` bytes here."""
    if contender in _impl.IMPLEMENTATIONS:
        return contender != "python" or size <= PURE_PYTHON_MAX
    if (group, contender) not in _PEER_OPERATIONS:
        return False
    if contender.startswith("msgpack"):
        return msgpack is not None
    if contender == "libwbxml":
        return libwbxml is not None and (
            group != "xml->wbxml string table" or size <= LIBWBXML_STRING_TABLE_MAX
        )
    return True


def _build(inputs: _Inputs, group: str, contender: str) -> Callable[[], object]:
    if contender in _impl.IMPLEMENTATIONS:
        return _using(contender, _CODEC_OPERATIONS[group](contender, inputs))
    return _PEER_OPERATIONS[(group, contender)](inputs)


def operation(kind: str, size: int, group: str, contender: str) -> Callable[[], object] | None:
    """One of ``operations(kind, size)`` with only its own inputs prepared, for a process that
    times it alone; None where it is not measured."""
    if not _measured(size, group, contender):
        return None
    return _build(_Inputs(kind, size), group, contender)


@lru_cache(maxsize=8)
def operations(kind: str, size: int) -> dict[tuple[str, str], Callable[[], object]]:
    """Every operation measured on the ``kind`` document of about ``size`` bytes."""
    inputs = _Inputs(kind, size)
    keys = [(group, name) for name in sorted(_impl.IMPLEMENTATIONS) for group in _CODEC_OPERATIONS]
    keys += list(_PEER_OPERATIONS)
    return {
        (group, contender): _build(inputs, group, contender)
        for group, contender in keys
        if _measured(size, group, contender)
    }
