"""The hardened XML reader: XML bytes (through lxml, with no entities, DTDs or network) to the
element tree.

Reading normalises namespaces the way WBXML sees them: every element the document's language knows
gets the namespace of its code page (so ``<MaxMsgSize>`` without ``xmlns="syncml:metinf"`` reads as
MetInf, and ``syncml:syncml1.2`` as ``SYNCML:SYNCML1.2``); elements in other namespaces are kept
as they are. Whitespace-only text between elements is indentation and is dropped; any other text,
and all text inside ``<Data>``, is kept exactly.

``<wbxml:opaque>BASE64</wbxml:opaque>`` and ``<wbxml:char code="N"/>`` (what the writer makes of
binary content and of characters XML cannot carry) are read back into the text they stand for.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from xml.parsers import expat

from lxml import etree

from ..errors import DecodeError, LimitError
from ..limits import DEFAULT_LIMITS, Limits, check_size
from ..wbxml.languages import (
    BoundedCache,
    Language,
    language_for_namespace,
    language_for_public_id,
)
from ..wbxml.rules import WBXML_NAMESPACE, join_run

__all__ = ["parse_xml", "read_lxml", "xml_parser"]

_OPAQUE_TAG = f"{{{WBXML_NAMESPACE}}}opaque"
_CHAR_TAG = f"{{{WBXML_NAMESPACE}}}char"


#: No entity expansion, no DTD loading, no network; libxml2's own size and depth limits stay on.
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
    "strip_cdata": True,
}

#: What elements of a parsed tree declare namespace prefixes, with the (prefix, URI) pairs each
#: declares itself (its ancestors' are not repeated).
Declarations = dict[Any, list[tuple[str, str]]]


def xml_parser(encoding: str | None = None) -> etree.XMLParser:
    parser: etree.XMLParser = etree.XMLParser(encoding=encoding, **_PARSER_OPTIONS)
    return parser


def _parse(data: bytes, encoding: str | None, declarations: bool) -> tuple[Any, Declarations]:
    """The parsed root of ``data`` and, when asked for, every element's own declarations, as
    the parser reports them (lxml tells what one element declares, without its ancestors'
    declarations, only while parsing; :func:`_declarations_in` says why)."""
    if not declarations:
        return etree.fromstring(data, xml_parser(encoding)), {}
    parser = etree.XMLPullParser(events=("start-ns", "start"), encoding=encoding, **_PARSER_OPTIONS)
    try:
        parser.feed(data)
        root = parser.close()
    except etree.XMLSyntaxError:
        # A fed parser reports some errors (an undefined entity) as "no element found": the
        # whole-document parse names them as the compiled implementation's does.
        etree.fromstring(data, xml_parser(encoding))
        raise
    return root, _collect_declarations(parser.read_events())


def _collect_declarations(events: Iterable[tuple[str, Any]]) -> Declarations:
    found: Declarations = {}
    pending: list[tuple[str, str]] = []
    for event, item in events:
        if event == "start-ns":
            pending.append(item)
        elif pending:
            found[item] = pending
            pending = []
    return found


def _byte_offset(data: bytes, line: int, column: int) -> int:
    offset = 0
    for _ in range(max(line, 1) - 1):
        newline = data.find(b"\n", offset)
        if newline < 0:
            break
        offset = newline + 1
    return min(offset + max(column, 1) - 1, len(data))


def parse_xml(
    xml: bytes | str,
    read_tree: Callable[..., Any],
    limits: Limits = DEFAULT_LIMITS,
    *,
    declarations: bool = False,
) -> Any:
    """Parse an XML document into an element tree, built by ``read_tree(root, language, limits)``
    (an implementation's ``read_lxml``) from the parsed lxml root. With ``declarations``, the
    parser also reports each element's own namespace declarations, handed to ``read_tree`` as
    a fourth argument (the pure-Python reader needs them; the compiled one reads libxml2's)."""
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    check_size(data, limits)
    try:
        root, declared = _parse(data, "utf-8" if isinstance(xml, str) else None, declarations)
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (1, 1)
        raise DecodeError(f"XML: {error.msg}", _byte_offset(data, line, column)) from None
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise DecodeError("XML: entity declarations are not accepted", data.find(b"<!ENTITY"))
    language = language_for_public_id(docinfo.public_id) if docinfo.public_id else None
    if language is None and isinstance(root.tag, str) and not root.tag.startswith("{"):
        language = _language_by_version(root)
    try:
        if declarations:
            return read_tree(root, language, limits, declared)
        return read_tree(root, language, limits)
    except DecodeError as error:
        node = getattr(error, "xml_node", None)
        if node is None:
            raise
        offset = _start_tag_offset(data, root, node)
        if isinstance(error, LimitError):
            raise LimitError(error.message, offset, error.limit) from None
        raise DecodeError(error.message, offset) from None


def _language_by_version(root: Any) -> Language | None:
    """For a root in no namespace, with no DOCTYPE to name its language: the language with that
    root whose version its ``<VerDTD>`` gives (the root's own, or its SyncHdr's), if any."""
    verdtd = root.find("VerDTD")
    if verdtd is None:
        verdtd = root.find("SyncHdr/VerDTD")
    version = verdtd.text.strip() if verdtd is not None and verdtd.text else None
    if version is None:
        return None
    found = language_for_namespace(None, root.tag, version)
    return found if found is not None and found.version == version else None


def at_node(error: DecodeError, node: Any) -> DecodeError:
    """``error``, marked with the lxml element it concerns (unless it is marked already):
    :func:`parse_xml` gives it the offset of that element's start tag in the input."""
    if getattr(error, "xml_node", None) is None:
        error.xml_node = node  # type: ignore[attr-defined]
    return error


def _start_tag_offset(data: bytes, root: Any, node: Any) -> int:
    """The byte offset of ``node``'s start tag in ``data``, the document ``root`` was parsed
    from: expat counts start tags up to it (done only for an error, in linear time)."""
    index = next((i for i, element in enumerate(root.iter()) if element is node), -1)
    if index < 0:
        return 0
    parser = expat.ParserCreate()
    found: list[int] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if len(found) == index:
            raise _Found(parser.CurrentByteIndex)
        found.append(0)

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except _Found as hit:
        return hit.offset
    except expat.ExpatError:
        pass
    return 0


class _Found(Exception):
    def __init__(self, offset: int) -> None:
        self.offset = offset


def read_lxml(
    node: Any,
    element_type: Callable[..., Any],
    language: Language | None = None,
    limits: Limits = DEFAULT_LIMITS,
    declarations: Declarations | None = None,
) -> Any:
    """An lxml element and its subtree as an element tree built from ``element_type``;
    ``declarations`` as :func:`parse_xml` collects them, when the parse that made ``node`` did.

    The compiled core has a twin that walks libxml2's nodes directly; both build their trees
    from the rules below (:func:`resolve_element`, :func:`node_attributes`, :func:`marked`,
    :func:`settle`).
    """
    if declarations is None:
        declarations = _own_declarations(node)
    reader = _Reader(element_type, limits, declarations)
    return reader.element(node, language, 1)


def _own_declarations(node: Any) -> Declarations:
    """The declarations of a subtree parsed elsewhere: its serialization parsed again, each
    element of the copy standing for the element at its place in document order. (lxml's other
    ways are slower than linear: ``nsmap`` walks every ancestor's declarations, ``iterwalk``
    queues one element's declarations in a list it empties from the front.)"""
    try:
        copy, declared = _parse(etree.tostring(node, with_tail=False), None, True)
    except etree.XMLSyntaxError as error:
        # An entity reference is written as "&name;", undefined when read alone; the reader
        # refuses entity references anyway.
        entity = next(node.iter(etree.Entity), None)
        if entity is None:
            raise DecodeError(f"XML: {error.msg}", 0) from None
        raise at_node(DecodeError("XML: unexpected _Entity node", 0), entity) from None
    places = {element: place for place, element in enumerate(copy.iter())}
    originals = list(node.iter(etree.Element))
    return {originals[places[element]]: pairs for element, pairs in declared.items()}


_resolved = BoundedCache()


def resolve_element(
    language: Language | None, namespace: str | None, tag: str
) -> tuple[Language | None, str | None]:
    """The language an element read from XML belongs to, and its namespace as the tree keeps it
    (a page's canonical spelling). ``language`` is its parent's."""
    key = (language, namespace, tag)
    found = _resolved.get(key)
    if found is None:
        found = _resolved.remember(key, _resolve_element(language, namespace, tag))
    return found


def _resolve_element(
    language: Language | None, namespace: str | None, tag: str
) -> tuple[Language | None, str | None]:
    if language is None or (
        namespace is not None and namespace.lower() not in language.namespace_pages
    ):
        # The document's root, or the root of a nested document (DevInf, MgmtTree).
        own = language_for_namespace(namespace, tag)
        if own is not None and own.root == tag:
            language = own
    if language is not None and (
        namespace is None or namespace.lower() in language.namespace_pages
    ):
        found = language.find_tag(tag, namespace)
        if found is not None:
            namespace = language.page_namespace(found[0])
        elif namespace is not None:  # an unknown element: its namespace, spelled canonically
            namespace = language.page_namespace(language.namespace_pages[namespace.lower()])
    return language, namespace


def node_attributes(
    node: Any, declared: Iterable[tuple[str | None, str]], scope: Mapping[str | None, str]
) -> dict[str, str]:
    """An lxml element's attributes as the tree keeps them: the prefixes it declares
    (``declared``) that its parent's ``scope`` binds otherwise (``xmlns:p``), then its own."""
    attributes: dict[str, str] = {}
    for prefix, uri in declared:
        if prefix and scope.get(prefix) != uri and uri != WBXML_NAMESPACE:
            attributes[f"xmlns:{prefix}"] = uri
    attributes.update(own_attributes(node))
    return attributes


def own_attributes(node: Any) -> list[tuple[str, str]]:
    """An lxml element's attributes, in order, in time linear in their number (lxml's
    ``attrib`` and ``items()`` look each value up by a walk through them all)."""
    if not len(node.attrib):
        return []
    return [(found.attrname, str(found)) for found in node.xpath("@*")]


def marked(node: Any) -> _Marked | None:
    """The content a wbxml:opaque or wbxml:char element stands for; None for other elements."""
    try:
        if node.tag == _OPAQUE_TAG:
            return _Marked(_base64(node))
        if node.tag == _CHAR_TAG:
            return _Marked(_character(node))
    except DecodeError as error:
        raise at_node(error, node) from None
    return None


def settle(run: list[Any], element_content: bool, max_string: int) -> Any:
    """One run of content (text and marked pieces) as the tree keeps it. A run of nothing but
    XML whitespace between elements is indentation: None."""
    pieces = [piece for piece in run if piece]
    if not pieces:
        return None
    if (
        element_content
        and len(pieces) == 1
        and isinstance(pieces[0], str)
        and not pieces[0].strip(" \t\r\n")
    ):
        return None
    content = join_run([piece.value if isinstance(piece, _Marked) else piece for piece in pieces])
    if len(content) > max_string:
        raise LimitError(f"XML: text longer than max_string {max_string}", 0, "max_string")
    return content


class _Reader:
    def __init__(
        self,
        element_type: Callable[..., Any],
        limits: Limits,
        declarations: Declarations,
    ) -> None:
        self.element_type = element_type
        self.max_depth = limits.max_depth
        self.max_string = limits.max_string
        self.declarations = declarations
        self.scope: dict[str | None, str] = {}  # prefix -> namespace, where the reader is

    def element(self, node: Any, language: Language | None, depth: int) -> Any:
        if not isinstance(node.tag, str):
            raise DecodeError(f"XML: unexpected {type(node).__name__} node", 0)
        if depth > self.max_depth:
            error = LimitError(f"XML: elements nested deeper than {self.max_depth}", 0, "max_depth")
            raise at_node(error, node)
        namespace, tag = _split_tag(node.tag)
        language, namespace = resolve_element(language, namespace, tag)
        if depth == 1:  # the top: every prefix in its scope is its own
            self.scope = dict(node.nsmap)
            attributes = node_attributes(node, self.scope.items(), {})
            declared: list[tuple[str, str]] = []
        else:
            declared = self.declarations.get(node, [])
            attributes = node_attributes(node, declared, self.scope)
        replaced = [(prefix, self.scope.get(prefix)) for prefix, _ in declared]
        self.scope.update(declared)
        # The content before, between and after the children: runs of XML text and of the
        # wbxml:opaque / wbxml:char elements that stand for content XML cannot carry as text.
        runs: list[list[Any]] = [[node.text]]
        children: list[Any] = []
        for source in node:
            piece = marked(source)
            if piece is not None:
                runs[-1] += [piece, source.tail]
            else:
                children.append(self.element(source, language, depth + 1))
                runs.append([source.tail])
        for prefix, outer in reversed(replaced):  # the scope as the parent has it
            if outer is None:
                del self.scope[prefix]
            else:
                self.scope[prefix] = outer
        try:
            text = settle(runs[0], bool(children), self.max_string)
            for child, run in zip(children, runs[1:], strict=True):
                child.tail = settle(run, True, self.max_string)
        except DecodeError as error:
            raise at_node(error, node) from None
        return self.element_type(tag, namespace, attributes, text, children)


class _Marked:
    """Content read from a wbxml:opaque or wbxml:char element (never indentation)."""

    __slots__ = ("value",)

    def __init__(self, value: str | bytes) -> None:
        self.value = value


def _split_tag(tag: str) -> tuple[str | None, str]:
    """lxml's ``{namespace}local`` as (namespace, local name)."""
    if tag.startswith("{"):  # a URI may hold "}", a local name may not
        namespace, _, local = tag[1:].rpartition("}")
        return namespace or None, local
    return None, tag


def _character(node: Any) -> str:
    try:
        return chr(int(node.get("code", ""), 10))
    except ValueError:
        raise DecodeError("XML: wbxml:char needs a code from 0 to 1114111", 0) from None


def _base64(node: Any) -> bytes:
    try:
        return base64.b64decode(node.text or "", validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError("XML: wbxml:opaque holds invalid base64", 0) from None
