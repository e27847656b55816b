"""DDF documents (OMA DM TND 1.2 section 8.5): descriptions of management-tree nodes.

A :class:`Ddf` is a view over the document's element tree: the element is kept whole, so what
the view does not name (Microsoft's ``MSFT:`` extensions, RTProperties, comments aside) is
written back by :meth:`Ddf.to_xml` and :meth:`Ddf.to_wbxml`. Its :class:`DdfNode` objects are
what a :class:`~syncml_codec.dm.ManagementTree` enforces.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any, NamedTuple

from .. import api
from ..limits import DEFAULT_LIMITS, Limits
from ..model.codes import StatusCode
from ..wbxml.languages.ddf import DMDDF_NAMESPACE
from .errors import TreeError
from .tnds import read_node

__all__ = ["ACCESS_TYPES", "STANDARD_OBJECTS", "Ddf", "DdfNode", "Occurrence", "standard_ddf"]

#: The commands an AccessType may allow.
ACCESS_TYPES = ("Add", "Copy", "Delete", "Exec", "Get", "Replace")
_OCCURRENCES = {
    "One": (1, 1),
    "ZeroOrOne": (0, 1),
    "ZeroOrMore": (0, None),
    "OneOrMore": (1, None),
    "ZeroOrN": (0, 0),
    "OneOrN": (1, 0),
}
#: The standard management objects shipped with the package, by file name.
STANDARD_OBJECTS = ("devinfo", "devdetail", "dmacc", "fumo")


class Occurrence(NamedTuple):
    """How many instances of a node may exist: ``maximum`` ``None`` is unbounded."""

    kind: str = "One"
    minimum: int = 1
    maximum: int | None = 1


class DdfNode:
    """One ``Node`` of a DDF document. ``name`` is ``None`` for a placeholder (``<x>``, an
    empty NodeName: the name is chosen when the node is created)."""

    __slots__ = (
        "name",
        "path",
        "access",
        "format",
        "occurrence",
        "permanent",
        "case_sensitive",
        "mime_types",
        "ddf_name",
        "default_value",
        "description",
        "title",
        "rt_properties",
        "children",
        "element",
        "folds",
        "_named",
        "_placeholder",
    )

    def __init__(self, element: Any) -> None:
        self.element = element
        name = _text(element, "NodeName")
        self.name: str | None = name or None
        self.path: str | None = _text(element, "Path")
        properties = _child(element, "DFProperties")
        self.access: frozenset[str] = frozenset(_empty_tags(properties, "AccessType"))
        formats = _empty_tags(properties, "DFFormat")
        self.format: str | None = formats[0] if formats else None
        self.occurrence = _occurrence(properties)
        self.permanent = _empty_tags(properties, "Scope") == ["Permanent"]
        self.case_sensitive = _empty_tags(properties, "CaseSense") != ["CIS"]
        types = _child(properties, "DFType")
        self.mime_types: tuple[str, ...] = tuple(
            child.text or "" for child in _ddf_children(types, "MIME")
        )
        self.ddf_name: str | None = _text(types, "DDFName")
        self.default_value: str | None = _text(properties, "DefaultValue")
        self.description: str | None = _text(properties, "Description")
        self.title: str | None = _text(properties, "DFTitle")
        self.rt_properties = _rt_properties(element)
        self.children: tuple[DdfNode, ...] = tuple(
            DdfNode(child) for child in _ddf_children(element, "Node")
        )
        self._named = {child.name: child for child in self.children if child.name is not None}
        self._placeholder = next((child for child in self.children if child.name is None), None)
        #: Whether some child's name is compared without case (CaseSense CIS).
        self.folds = any(not child.case_sensitive for child in self.children)

    @property
    def is_interior(self) -> bool:
        return self.format == "node" or bool(self.children)

    @property
    def type(self) -> str:
        """The Type a node of this description gets: its DDFName (an MO identifier) or its
        only MIME type; empty when there are several or none."""
        if self.ddf_name:
            return self.ddf_name
        return self.mime_types[0] if len(self.mime_types) == 1 else ""

    @property
    def place(self) -> str:
        """Where a top node of a document goes: its Path (a trailing ``/``, which Microsoft's
        files have, aside) and name; a node named ``.`` is the root, a placeholder ``<x>``."""
        base = (self.path or ".").rstrip("/") or "."
        if not base.startswith("."):
            base = f"./{base}"
        if self.name == ".":
            return base
        return f"{base}/{self.name or '<x>'}"

    def child(self, name: str) -> DdfNode | None:
        """The description of a child named ``name``: the node of that name (compared without
        case where its CaseSense is CIS), else the placeholder, else ``None``."""
        found = self._named.get(name)
        if found is not None or not self.folds:
            return found or self._placeholder
        folded = name.casefold()
        for child in self._named.values():
            if not child.case_sensitive and child.name.casefold() == folded:  # type: ignore[union-attr]
                return child
        return self._placeholder

    def __repr__(self) -> str:
        return f"DdfNode({self.name or '<x>'!r}, format={self.format!r})"


class Ddf:
    """A DDF document: ``version`` (VerDTD), ``man``, ``mod`` and the described ``nodes``."""

    def __init__(self, element: Any) -> None:
        if element.tag != "MgmtTree" or element.namespace != DMDDF_NAMESPACE:
            raise TreeError(StatusCode.UNSUPPORTED_MEDIA_TYPE, f"not a DDF document: {element.tag}")
        self.element = element
        self.version = _text(element, "VerDTD")
        self.man = _text(element, "Man")
        self.mod = _text(element, "Mod")
        self.nodes = tuple(DdfNode(child) for child in _ddf_children(element, "Node"))

    @classmethod
    def parse(cls, data: bytes | str | Any, *, limits: Limits = DEFAULT_LIMITS) -> Ddf:
        """A DDF document from XML or WBXML bytes, XML text, or a decoded element tree
        (DOCTYPEs are never resolved). DecodeError for bytes that are neither."""
        if isinstance(data, bytes | bytearray | memoryview | str):
            data = api.decode(data, limits=limits)
        return cls(data)

    def walk(self) -> Iterator[tuple[str, DdfNode]]:
        """Every described node with its URI pattern (``<x>`` for placeholders), depth first."""
        stack = [(node.place, node) for node in reversed(self.nodes)]
        while stack:
            uri, node = stack.pop()
            yield uri, node
            stack.extend(
                (f"{uri}/{child.name or '<x>'}", child) for child in reversed(node.children)
            )

    def to_xml(self, *, pretty: bool = False) -> bytes:
        return api.encode(self.element, format="xml", pretty=pretty)

    def to_wbxml(self, **options: Any) -> bytes:
        """The document as WBXML (DM DDF 1.2 code page); ``options`` as :func:`encode` takes."""
        return api.encode(self.element, format="wbxml", **options)


def standard_ddf(name: str) -> Ddf:
    """A standard management object's description shipped with the package: ``devinfo``,
    ``devdetail``, ``dmacc`` (DMAcc 1.2) or ``fumo``."""
    if name not in STANDARD_OBJECTS:
        raise ValueError(f"no standard object {name!r}; known: {', '.join(STANDARD_OBJECTS)}")
    return Ddf.parse(resources.files(__package__).joinpath(f"mo/{name}.ddf").read_bytes())


def _ddf_children(element: Any, tag: str) -> Iterator[Any]:
    if element is None:
        return
    for child in element:
        if child.tag == tag and child.namespace == DMDDF_NAMESPACE:
            yield child


def _child(element: Any, tag: str) -> Any:
    return next(_ddf_children(element, tag), None)


def _text(element: Any, tag: str) -> str | None:
    found = _child(element, tag)
    if found is None:
        return None
    text = found.text
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return (text or "").strip()


def _empty_tags(element: Any, tag: str) -> list[str]:
    """The names of the empty elements inside ``tag`` (``<AccessType><Get/></AccessType>``)."""
    holder = _child(element, tag)
    return [] if holder is None else [child.tag for child in holder]


def _rt_properties(element: Any) -> dict[str, str]:
    """The run-time properties a DDF Node gives (RTProperties), read as a TNDS node's are:
    ACL, Format, Title, TStamp, Type, VerNo, where present."""
    properties = _child(element, "RTProperties")
    if properties is None:
        return {}
    _name, _path, acl, format, title, tstamp, type, verno, _value, _below = read_node(
        element, "DDF"
    )
    if _child(properties, "Format") is None:
        format = None  # not the "node" TNDS assumes for a node with children
    found = {"ACL": acl, "Format": format, "Title": title, "TStamp": tstamp, "Type": type,
             "VerNo": verno}  # fmt: skip
    return {name: str(value) for name, value in found.items() if value is not None}


def _occurrence(properties: Any) -> Occurrence:
    holder = _child(properties, "Occurrence")
    if holder is None or not len(holder):
        return Occurrence()
    kind = holder[0].tag
    if kind not in _OCCURRENCES:
        raise TreeError(StatusCode.BAD_REQUEST, f"DDF: no Occurrence {kind!r}")
    minimum, maximum = _OCCURRENCES[kind]
    if maximum == 0:
        text = holder[0].text
        if isinstance(text, bytes):
            text = text.decode("ascii", "replace")
        try:
            maximum = int((text or "").strip())
        except ValueError:
            raise TreeError(StatusCode.BAD_REQUEST, f"DDF: {kind} without its N") from None
    return Occurrence(kind, minimum, maximum)
