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
from collections.abc import Callable
from typing import Any

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


def xml_parser(encoding: str | None = None) -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network; libxml2's own size and depth limits stay on.
    return etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        strip_cdata=True,
    )


def _byte_offset(data: bytes, line: int, column: int) -> int:
    offset = 0
    for _ in range(max(line, 1) - 1):
        newline = data.find(b"\n", offset)
        if newline < 0:
            break
        offset = newline + 1
    return min(offset + max(column, 1) - 1, len(data))


def parse_xml(
    xml: bytes | str, read_tree: Callable[..., Any], limits: Limits = DEFAULT_LIMITS
) -> Any:
    """Parse an XML document into an element tree, built by ``read_tree(root, language, limits)``
    (an implementation's ``read_lxml``) from the parsed lxml root."""
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    check_size(data, limits)
    try:
        root = etree.fromstring(data, xml_parser("utf-8" if isinstance(xml, str) else None))
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (1, 1)
        raise DecodeError(f"XML: {error.msg}", _byte_offset(data, line, column)) from None
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise DecodeError("XML: entity declarations are not accepted", data.find(b"<!ENTITY"))
    language = language_for_public_id(docinfo.public_id) if docinfo.public_id else None
    return read_tree(root, language, limits)


def read_lxml(
    node: Any,
    element_type: Callable[..., Any],
    language: Language | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """An lxml element and its subtree as an element tree built from ``element_type``.

    The compiled core has a twin that walks libxml2's nodes directly; both build their trees
    from the rules below (:func:`resolve_element`, :func:`node_attributes`, :func:`marked`,
    :func:`settle`).
    """
    return _Reader(element_type, limits).element(node, language, {}, 1)


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
    node: Any, nsmap: dict[str | None, str], parent_nsmap: dict[str | None, str]
) -> dict[str, str]:
    """An lxml element's attributes as the tree keeps them: the prefixed namespaces of its scope
    (``nsmap``) that differ from its parent's (``xmlns:p``), then its attributes."""
    attributes: dict[str, str] = {}
    for prefix, uri in nsmap.items():
        if prefix is not None and parent_nsmap.get(prefix) != uri and uri != WBXML_NAMESPACE:
            attributes[f"xmlns:{prefix}"] = uri
    for name, value in node.attrib.items():
        attributes[name] = value
    return attributes


def marked(node: Any) -> _Marked | None:
    """The content a wbxml:opaque or wbxml:char element stands for; None for other elements."""
    if node.tag == _OPAQUE_TAG:
        return _Marked(_base64(node))
    if node.tag == _CHAR_TAG:
        return _Marked(_character(node))
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
    def __init__(self, element_type: Callable[..., Any], limits: Limits) -> None:
        self.element_type = element_type
        self.max_depth = limits.max_depth
        self.max_string = limits.max_string

    def element(
        self, node: Any, language: Language | None, parent_nsmap: dict[str | None, str], depth: int
    ) -> Any:
        if not isinstance(node.tag, str):
            raise DecodeError(f"XML: unexpected {type(node).__name__} node", 0)
        if depth > self.max_depth:
            raise LimitError(f"XML: elements nested deeper than {self.max_depth}", 0, "max_depth")
        namespace, tag = _split_tag(node.tag)
        language, namespace = resolve_element(language, namespace, tag)
        nsmap = node.nsmap
        attributes = node_attributes(node, nsmap, parent_nsmap)
        # The content before, between and after the children: runs of XML text and of the
        # wbxml:opaque / wbxml:char elements that stand for content XML cannot carry as text.
        runs: list[list[Any]] = [[node.text]]
        children: list[Any] = []
        for source in node:
            piece = marked(source)
            if piece is not None:
                runs[-1] += [piece, source.tail]
            else:
                children.append(self.element(source, language, nsmap, depth + 1))
                runs.append([source.tail])
        text = settle(runs[0], bool(children), self.max_string)
        for child, run in zip(children, runs[1:], strict=True):
            child.tail = settle(run, True, self.max_string)
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
