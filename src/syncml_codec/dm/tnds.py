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
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .. import _impl, api
from ..limits import DEFAULT_LIMITS, Limits
from ..model.codes import StatusCode
from ..wbxml.languages.ddf import DMDDF_NAMESPACE
from .errors import TreeError
from .formats import FORMATS
from .uri import Uri

__all__ = [
    "ALL_TNDS_PROPERTIES",
    "DEFAULT_TNDS_PROPERTIES",
    "TNDS_TYPE_WBXML",
    "TNDS_TYPE_XML",
    "TndsNode",
    "read_tnds",
    "tnds_element",
    "tnds_properties",
    "walk_tnds",
]

#: What a ``?list=TNDS`` document may hold of each node, in the DTD's order.
ALL_TNDS_PROPERTIES = ("ACL", "Format", "Name", "Size", "Title", "TStamp", "Type", "VerNo", "Value")
DEFAULT_TNDS_PROPERTIES = frozenset({"Format", "Type"})
_MAX_NESTING = 512
H = TypeVar("H")
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
    with their children."""
    top = TndsNode(".")

    def adopt(parent: TndsNode, node: TndsNode) -> TndsNode:
        parent.children.append(node)
        return node

    walk_tnds(document, adopt, top, limits=limits)
    return top.children


def walk_tnds(
    document: Any,
    visit: Callable[[H, TndsNode], H],
    top: H,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Read a TNDS document's nodes, parents before children: ``visit(parent, node)`` gets
    the handle ``visit`` returned for the parent (``top`` for the top nodes) and a node
    without its children, and returns the node's handle. TreeError 400 for a document whose
    structure is wrong, 415 for one that is not TNDS or names an unknown format."""
    if isinstance(document, bytes | bytearray | memoryview | str):
        document = api.decode(document, limits=limits)
    if document.tag != "MgmtTree" or document.namespace != DMDDF_NAMESPACE:
        raise TreeError(StatusCode.UNSUPPORTED_MEDIA_TYPE, f"not a TNDS document: {document.tag}")
    pending = [(child, top, 0) for child in reversed(document.children) if _is(child, "Node")]
    while pending:
        element, parent, depth = pending.pop()
        if depth > _MAX_NESTING:
            raise TreeError(StatusCode.BAD_REQUEST, f"TNDS: nodes nested over {_MAX_NESTING} deep")
        node, below = _read_node(element)
        handle = visit(parent, node)
        pending.extend((child, handle, depth + 1) for child in reversed(below))


def tnds_element(nodes: Iterable[Any]) -> Any:
    """A ``MgmtTree`` element (VerDTD 1.2) around already built ``Node`` elements."""
    element = api.element_class()
    version = element("VerDTD", DMDDF_NAMESPACE, None, "1.2")
    return element("MgmtTree", DMDDF_NAMESPACE, None, None, [version, *nodes])


def _read_node(element: Any) -> tuple[TndsNode, list[Any]]:
    """A ``Node`` element's own fields, checked, and its ``Node`` children."""
    try:
        name, path, acl, format, title, tstamp, type, verno, value, below = (
            _impl.codec.read_tnds_node(element)
        )
    except UnicodeDecodeError:
        raise TreeError(StatusCode.BAD_REQUEST, "TNDS: text that is not UTF-8") from None
    if name is None:
        raise TreeError(StatusCode.BAD_REQUEST, "TNDS: a Node without NodeName")
    if format is not None and format not in _FORMATS:
        raise TreeError(StatusCode.UNSUPPORTED_MEDIA_TYPE, f"TNDS: Format {format!r}")
    if verno is not None:
        if not verno.isdigit() or int(verno) > 0xFFFF:
            raise TreeError(StatusCode.BAD_REQUEST, f"TNDS: VerNo {verno!r}")
        verno = int(verno)
    if below:
        if value is not None:
            raise TreeError(StatusCode.BAD_REQUEST, f"TNDS: node {name!r} has children and a Value")
        format = format or "node"
    node = TndsNode(name, path, acl, format, title, tstamp, type, verno, value)
    return node, below


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
