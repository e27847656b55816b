"""TNDS documents (OMA DM TNDS 1.2): a subtree with its values and run-time properties.

:func:`read_tnds` turns a ``MgmtTree`` element into :class:`TndsNode` records, checking its
structure; :func:`tnds_element` builds one. What the records mean to a tree (Add, Replace,
loading a saved tree) is :class:`~syncml_codec.dm.ManagementTree`'s business.

Choices the spec leaves open, made here: ``?list=TNDS`` alone lists Format and Type; ``+X``
adds ``X`` to those (``+Value`` for the values), ``-X`` takes ``X`` from all of them. Binary
values (``bin``, ``b64``) are written as base64 text in XML and WBXML alike. A top node named
``.`` stands for the node the document is applied to (how a saved tree keeps its root's ACL).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterable
from typing import Any

from .. import _impl, api
from ..limits import DEFAULT_LIMITS, Limits
from ..model.codes import StatusCode
from ..wbxml.languages.ddf import DMDDF_12, DMDDF_NAMESPACE
from .errors import TreeError
from .formats import FORMATS
from .uri import Uri

__all__ = [
    "ALL_TNDS_PROPERTIES",
    "DEFAULT_TNDS_PROPERTIES",
    "TNDS_TYPE_WBXML",
    "TNDS_TYPE_XML",
    "TndsNode",
    "TndsWbxmlWriter",
    "TndsWriter",
    "Unwritable",
    "read_tnds",
    "tnds_element",
    "tnds_properties",
    "node_fields",
    "read_node",
    "top_nodes",
]

#: What a ``?list=TNDS`` document may hold of each node, in the DTD's order.
ALL_TNDS_PROPERTIES = ("ACL", "Format", "Name", "Size", "Title", "TStamp", "Type", "VerNo", "Value")
DEFAULT_TNDS_PROPERTIES = frozenset({"Format", "Type"})
_MAX_NESTING = 512
_FORMATS = frozenset(FORMATS)
#: The MIME types of TNDS data in a command's Meta.
TNDS_TYPE_XML = "application/vnd.syncml.dmtnds+xml"
TNDS_TYPE_WBXML = "application/vnd.syncml.dmtnds+wbxml"


class TndsNode:
    """One ``Node`` of a TNDS document; ``None`` where the document says nothing."""

    __slots__ = ("name", "path", "acl", "format", "title", "tstamp", "type", "verno", "value",
                 "children")  # fmt: skip

    def __init__(
        self,
        name: str,
        path: str | None = None,
        acl: str | None = None,
        format: str | None = None,
        title: str | None = None,
        tstamp: str | None = None,
        type: str | None = None,
        verno: int | None = None,
        value: str | bytes | None = None,
        children: list[TndsNode] | None = None,
    ) -> None:
        self.name = name
        self.path = path
        self.acl = acl
        self.format = format
        self.title = title
        self.tstamp = tstamp
        self.type = type
        self.verno = verno
        self.value = value
        self.children = children if children is not None else []

    def segments(self) -> tuple[str, ...]:
        """The node's place relative to where the document is applied (Path, then name)."""
        below = Uri.parse(self.path).segments if self.path else ()
        return below if self.name == "." else (*below, self.name)

    def __repr__(self) -> str:
        return f"TndsNode({self.name!r}, format={self.format!r}, {len(self.children)} children)"


def tnds_properties(uri: Uri) -> frozenset[str]:
    """The properties a ``?list=TNDS`` URI asks for."""
    if uri.list_excludes:
        return frozenset(ALL_TNDS_PROPERTIES) - set(uri.list_properties)
    return DEFAULT_TNDS_PROPERTIES | set(uri.list_properties)


def read_tnds(document: Any, *, limits: Limits = DEFAULT_LIMITS) -> list[TndsNode]:
    """The top nodes of a TNDS document (a ``MgmtTree`` element, or its XML or WBXML bytes)
    with their children. TreeError 400 for a document whose structure is wrong, 415 for one
    that is not TNDS or names an unknown format."""
    return [_record(element, 0) for element in top_nodes(document, limits=limits)]


def top_nodes(document: Any, *, limits: Limits = DEFAULT_LIMITS) -> list[Any]:
    """The top ``Node`` elements of a TNDS document (element, XML or WBXML bytes)."""
    if isinstance(document, bytes | bytearray | memoryview | str):
        document = api.decode(document, limits=limits)
    if document.tag != "MgmtTree" or document.namespace != DMDDF_NAMESPACE:
        raise TreeError(StatusCode.UNSUPPORTED_MEDIA_TYPE, f"not a TNDS document: {document.tag}")
    return [child for child in document if _is(child, "Node")]


def read_node(element: Any, document: str) -> tuple[Any, ...]:
    """The fields of a TNDS or DDF ``Node`` element as the implementation in use reads them
    (``wbxml.tnds.read_tnds_node``); TreeError (400) naming the ``document`` kind for text
    that is not UTF-8."""
    try:
        fields: tuple[Any, ...] = _impl.codec.read_tnds_node(element)
    except UnicodeDecodeError:
        raise TreeError(StatusCode.BAD_REQUEST, f"{document}: text that is not UTF-8") from None
    return fields


def node_fields(element: Any, depth: int) -> tuple[Any, ...]:
    """A ``Node`` element's fields, checked: ``(name, path, acl, format, title, tstamp, type,
    verno, value, nodes)`` as :class:`TndsNode` has them (``format`` ``node`` where the node
    has children and names none), ``nodes`` its child ``Node`` elements. ``depth`` is how deep
    it lies (nodes nested over 512 deep are refused)."""
    if depth > _MAX_NESTING:
        raise TreeError(StatusCode.BAD_REQUEST, f"TNDS: nodes nested over {_MAX_NESTING} deep")
    fields = read_node(element, "TNDS")
    name, _, _, format, _, _, _, verno, value, below = fields
    if name is None:
        raise TreeError(StatusCode.BAD_REQUEST, "TNDS: a Node without NodeName")
    if format is not None and format not in _FORMATS:
        raise TreeError(StatusCode.UNSUPPORTED_MEDIA_TYPE, f"TNDS: Format {format!r}")
    if verno.__class__ is str:
        raise TreeError(StatusCode.BAD_REQUEST, f"TNDS: VerNo {verno!r}")
    if below and value is not None:
        raise TreeError(StatusCode.BAD_REQUEST, f"TNDS: node {name!r} has children and a Value")
    return fields


def _record(element: Any, depth: int) -> TndsNode:
    name, path, acl, format, title, tstamp, type, verno, value, below = node_fields(element, depth)
    children = [_record(child, depth + 1) for child in below]
    return TndsNode(name, path, acl, format, title, tstamp, type, verno, value, children)


def tnds_element(nodes: Iterable[Any]) -> Any:
    """A ``MgmtTree`` element (VerDTD 1.2) around already built ``Node`` elements."""
    element = api.element_class()
    version = element("VerDTD", DMDDF_NAMESPACE, None, "1.2")
    return element("MgmtTree", DMDDF_NAMESPACE, None, None, [version, *nodes])


def _is(element: Any, tag: str) -> bool:
    return bool(element.tag == tag and element.namespace == DMDDF_NAMESPACE)


class TndsWriter:
    """Builds ``Node`` elements for one selection of properties (``?list=TNDS+...``)."""

    def __init__(self, properties: Iterable[str]) -> None:
        wanted = frozenset(properties)
        unknown = wanted - set(ALL_TNDS_PROPERTIES)
        if unknown:
            raise ValueError(f"no TNDS property {', '.join(sorted(unknown))}")
        self.wanted = wanted
        self._element = api.element_class()

    def node(
        self,
        name: str,
        path: str | None,
        properties: dict[str, str],
        value: str | bytes | None,
        children: list[Any],
    ) -> Any:
        """One ``Node``: ``properties`` as ``?prop=`` reads them, ``value`` a leaf's (binary
        values base64 encoded), ``children`` the child ``Node`` elements."""
        element, ns = self._element, DMDDF_NAMESPACE
        parts = [element("NodeName", ns, None, name)]
        if path is not None:
            parts.append(element("Path", ns, None, path))
        rt = []
        for prop in ALL_TNDS_PROPERTIES[:-1]:
            if prop not in self.wanted or prop not in properties:
                continue
            text = properties[prop]
            if prop == "Format":
                rt.append(element("Format", ns, None, None, [element(text, ns)]))
            elif prop == "Type":
                kind = "DDFName" if properties["Format"] == "node" else "MIME"
                rt.append(element("Type", ns, None, None, [element(kind, ns, None, text or None)]))
            else:
                rt.append(element(prop, ns, None, text or None))
        if rt:
            parts.append(element("RTProperties", ns, None, None, rt))
        if "Value" in self.wanted and properties["Format"] not in ("node", "null"):
            if isinstance(value, bytes):
                value = base64.b64encode(value).decode("ascii")
            parts.append(element("Value", ns, None, value or None))
        parts.extend(children)
        return element("Node", ns, None, None, parts)


class TndsWbxmlWriter:
    """Writes a TNDS document as WBXML straight from a tree's nodes, byte for byte what
    encoding :class:`TndsWriter`'s elements gives (DM DDF 1.2 code page, no string table):
    saving a large tree does not build an element tree first. :meth:`node` opens a ``Node``
    (its children follow), :meth:`end` closes it. Texts holding NUL, which the encoder writes
    as entities, raise :class:`Unwritable`; the caller takes the element path for them."""

    def __init__(self, properties: Iterable[str]) -> None:
        wanted = frozenset(properties)
        self.wanted = wanted
        self._flags = tuple(
            name in wanted
            for name in ("ACL", "Format", "Name", "Size", "Title", "TStamp", "Type", "VerNo")
        )
        self._value = "Value" in wanted
        # Whether every node has an RTProperties (some property it always has is wanted).
        self._always_rt = bool(wanted & {"ACL", "Format", "Name", "TStamp", "Type", "VerNo"})
        self._out = bytearray(_prologue())
        self._texts: dict[object, bytes] = {}

    def node(self, node: Any, path: str | None) -> None:
        """Open the ``Node`` of ``node``, a tree node (its ``name``, ``acl``, ``format``,
        ``value``, ``title``, ``tstamp``, ``type``, ``verno``; ``children`` ``None`` for a
        leaf), at ``path`` (flat documents). Each ACL object is written once, then remembered:
        the nodes must stay alive while the writer is."""
        out = self._out
        name = _utf8(node.name)
        value = node.value
        raw = _utf8(value) if value.__class__ is str else value  # the Value's bytes, or the data
        if name:
            out += _NODE_NAME_OPEN
            out += name
            out += _STRING_END
        else:
            out += _NODE_NAME_EMPTY
        if path is not None:
            _write(out, _PATH, path)
        acl, format, named, sized, titled, stamped, typed, numbered = self._flags
        format_name = node.format
        sized = sized and node.children is None
        title = node.title if titled else None
        if self._always_rt or sized or title is not None:
            out += _RT_OPEN
            texts = self._texts
            if acl or format:  # ACL and Format: written once per (ACL object, format)
                key = (id(node.acl), format_name)
                written = texts.get(key)
                if written is None:
                    written = texts[key] = self._head(node.acl, format_name)
                out += written
            if named:
                out += _NAME[1] + name + _STRING_END if name else _NAME[0]
            if sized:
                out += _SIZE[1] + str(len(raw) if raw else 0).encode() + _STRING_END
            if title is not None:
                _write(out, _TITLE, title)
            if stamped or typed:  # TStamp and Type: written once per (time, kind, type)
                interior = format_name == "node"
                tail_key = (node.tstamp, interior, node.type)
                written = texts.get(tail_key)
                if written is None:
                    written = texts[tail_key] = self._tail(node.tstamp, interior, node.type)
                out += written
            if numbered:
                written = texts.get(node.verno)
                if written is None:
                    written = texts[node.verno] = _text_element(_VERNO, str(node.verno))
                out += written
            out += _END
        if self._value and format_name != "node" and format_name != "null":
            if value.__class__ is bytes:
                raw = base64.b64encode(value)
            if raw:
                out += _VALUE[1]
                out += raw
                out += _STRING_END
            else:
                out += _VALUE[0]

    def _head(self, acl: object, format: str) -> bytes:
        head = _text_element(_ACL, str(acl)) if self._flags[0] else b""
        return head + (_FORMAT_ELEMENTS[format] if self._flags[1] else b"")

    def _tail(self, tstamp: str, interior: bool, type: str) -> bytes:
        tail = _text_element(_TSTAMP, tstamp) if self._flags[5] else b""
        if self._flags[6]:
            tail += _TYPE_OPEN + _text_element(_DDF_NAME if interior else _MIME, type) + _END
        return tail

    def end(self) -> None:
        """Close the ``Node`` opened last."""
        self._out += _END

    def getvalue(self) -> bytes:
        """The document, closed."""
        return bytes(self._out + _END)


class Unwritable(Exception):
    """A text :class:`TndsWbxmlWriter` does not write (it holds NUL)."""


_END = b"\x01"
_TOKENS = {name: token for token, name in DMDDF_12.pages[2].tags.items()}
_STRING_END = b"\x00\x01"  # the inline string's terminator, and the element's END
_RT_OPEN = bytes([_TOKENS["RTProperties"] | 0x40])
_TYPE_OPEN = bytes([_TOKENS["Type"] | 0x40])
_FORMAT_ELEMENTS = {
    name: bytes([_TOKENS["Format"] | 0x40, _TOKENS[name]]) + _END for name in FORMATS
}
_NODE_NAME_OPEN = bytes([_TOKENS["Node"] | 0x40, _TOKENS["NodeName"] | 0x40, 0x03])
_NODE_NAME_EMPTY = bytes([_TOKENS["Node"] | 0x40, _TOKENS["NodeName"]])
# Per tag: (the tag alone, the tag with content and STR_I opening its inline string).
_PATH, _ACL, _NAME, _SIZE, _TITLE, _TSTAMP, _DDF_NAME, _MIME, _VERNO, _VALUE = (
    (bytes([_TOKENS[tag]]), bytes([_TOKENS[tag] | 0x40, 0x03]))
    for tag in (
        "Path", "ACL", "Name", "Size", "Title", "TStamp", "DDFName", "MIME", "VerNo", "Value",
    )
)  # fmt: skip


def _write(out: bytearray, tag: tuple[bytes, bytes], text: str) -> None:
    """A tag with its text as an inline string (no content bit for an empty text)."""
    if not text:
        out += tag[0]
        return
    out += tag[1]
    out += _utf8(text)
    out += _STRING_END


def _utf8(text: str) -> bytes:
    if "\x00" in text:
        raise Unwritable(text)
    return text.encode("utf-8")


def _text_element(tag: tuple[bytes, bytes], text: str) -> bytes:
    out = bytearray()
    _write(out, tag, text)
    return bytes(out)


@functools.cache
def _prologue() -> bytes:
    """The header and ``<MgmtTree><VerDTD>1.2</VerDTD>`` as the encoder writes them."""
    return api.encode(tnds_element([]))[:-1]
