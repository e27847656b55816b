"""The XML side: a hardened lxml reader into the element tree, and a direct XML writer.

Reading normalises namespaces the way WBXML sees them: every element the document's language knows
gets the namespace of its code page (so ``<MaxMsgSize>`` without ``xmlns="syncml:metinf"`` reads as
MetInf, and ``syncml:syncml1.2`` as ``SYNCML:SYNCML1.2``); elements in other namespaces are kept
as they are. Whitespace-only text between elements is indentation and is dropped; any other text,
and all text inside ``<Data>``, is kept exactly.

Binary content (``bytes`` in the tree) is written as base64 with ``wbxml:encoding="base64"`` on
its element (namespace ``urn:syncml-codec:wbxml``) and read back as bytes: XML output is always
well-formed UTF-8 and loses nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Callable

from lxml import etree

from .codepages import Language, language_for_namespace, language_for_public_id
from .errors import DecodeError, EncodeError
from .syncml import WBXML_NAMESPACE, is_xml_text

__all__ = ["parse_xml", "write_xml", "from_lxml", "to_lxml"]

_ENCODING_ATTRIBUTE = f"{{{WBXML_NAMESPACE}}}encoding"
_XML_NAME = re.compile(r"^[A-Za-z_][\w.\-]*\Z")


def _parser(encoding: str | None = None) -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network; libxml2's own size and depth limits stay on.
    return etree.XMLParser(
        encoding=encoding, resolve_entities=False, load_dtd=False, no_network=True,
        dtd_validation=False, huge_tree=False, remove_comments=True, remove_pis=True,
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


def parse_xml(xml: bytes | str, element_type: Callable[..., Any], max_depth: int = 256) -> Any:
    """Parse an XML document into an element tree built from ``element_type``."""
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    try:
        root = etree.fromstring(data, _parser("utf-8" if isinstance(xml, str) else None))
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (1, 1)
        raise DecodeError(f"XML: {error.msg}", _byte_offset(data, line, column)) from None
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise DecodeError("XML: entity declarations are not accepted", data.find(b"<!ENTITY"))
    language = language_for_public_id(docinfo.public_id) if docinfo.public_id else None
    return _Reader(element_type, max_depth).element(root, language, {}, 1)


def from_lxml(element: Any, element_type: Callable[..., Any], max_depth: int = 256) -> Any:
    """Convert an lxml element (and its subtree) into an element tree."""
    return _Reader(element_type, max_depth).element(element, None, {}, 1)


class _Reader:
    def __init__(self, element_type: Callable[..., Any], max_depth: int) -> None:
        self.element_type = element_type
        self.max_depth = max_depth

    def element(self, node: Any, language: Language | None, parent_nsmap: dict, depth: int) -> Any:
        if not isinstance(node.tag, str):
            raise DecodeError(f"XML: unexpected {type(node).__name__} node", 0)
        if depth > self.max_depth:
            raise DecodeError(f"XML: elements nested deeper than {self.max_depth}", 0)
        qname = etree.QName(node)
        namespace, tag = qname.namespace, qname.localname
        own = language_for_namespace(namespace, tag)
        if own is not None and (language is None or own.root == tag and
                                (namespace or "").lower() not in language.namespace_pages):
            language = own
        if language is not None and (namespace is None
                                     or namespace.lower() in language.namespace_pages):
            found = language.find_tag(tag, namespace)
            if found is not None:
                namespace = language.page_namespace(found[0])

        attributes: dict[str, str] = {}
        nsmap = node.nsmap
        for prefix, uri in nsmap.items():
            if prefix is not None and parent_nsmap.get(prefix) != uri and uri != WBXML_NAMESPACE:
                attributes[f"xmlns:{prefix}"] = uri
        binary = False
        for name, value in node.attrib.items():
            if name == _ENCODING_ATTRIBUTE and value == "base64":
                binary = True
            else:
                attributes[name] = value

        children = [self.element(child, language, nsmap, depth + 1) for child in node]
        text = _content(node.text, bool(children))
        if binary and text is not None:
            try:
                text = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise DecodeError(f"XML: <{tag}> marked base64 holds invalid base64", 0) from None
        for child, source in zip(children, node):
            child.tail = _content(source.tail, True)
        return self.element_type(tag, namespace, attributes, text, children)


def _content(text: str | None, element_content: bool) -> str | None:
    """Text as the tree keeps it: None for nothing, and for indentation between elements."""
    if not text or (element_content and text.isspace()):
        return None
    return text


_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
    "\r": "&#13;", "\n": "&#10;", "\t": "&#9;",
})


class _Writer:
    def __init__(self, pretty: bool) -> None:
        self.pretty = pretty
        self.parts: list[str] = []
        self.valid_names: set[str] = set()

    def name(self, name: str) -> str:
        if name not in self.valid_names:
            if not isinstance(name, str) or not _XML_NAME.match(name):
                raise EncodeError(f"{name!r} is not an XML name")
            self.valid_names.add(name)
        return name

    def element(self, node: Any, default_ns: str | None, prefixes: dict[str, str],
                indent: str) -> None:
        parts = self.parts
        tag = self.name(node.tag)
        namespace = node.namespace
        parts.append(f"<{tag}")
        if namespace != default_ns:
            parts.append(f' xmlns="{(namespace or "").translate(_ATTRIBUTE_ESCAPES)}"')
        scoped = prefixes
        attribute_parts: list[str] = []
        for name, value in node.attributes.items():
            if not isinstance(value, str):
                raise EncodeError(f"attribute {name!r} must have a str value")
            if name.startswith("xmlns:"):
                prefix = self.name(name[6:])
                if scoped.get(value) != prefix:
                    scoped = {**scoped, value: prefix}
                    parts.append(f' {name}="{value.translate(_ATTRIBUTE_ESCAPES)}"')
                continue
            if name.startswith("{") and "}" in name:
                uri, local = name[1:].split("}", 1)
                scoped, prefix = self.declare(uri, scoped)
                name = f"{prefix}:{self.name(local)}"
            else:
                self.name(name)
            attribute_parts.append(f' {name}="{value.translate(_ATTRIBUTE_ESCAPES)}"')
        text = node.text
        if isinstance(text, (bytes, bytearray, memoryview)) or (text and not is_xml_text(text)):
            scoped, prefix = self.declare(WBXML_NAMESPACE, scoped)
            attribute_parts.append(f' {prefix}:encoding="base64"')
            raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
            text = base64.b64encode(raw).decode("ascii")
        parts.extend(attribute_parts)
        children = node.children
        if not children and not text:
            parts.append("/>")
            return
        parts.append(">")
        if text:
            parts.append(text.translate(_TEXT_ESCAPES))
        indent_children = self.pretty and not text and not any(c.tail for c in children)
        inner = indent + "  "
        for child in children:
            if indent_children:
                parts.append("\n" + inner)
            self.element(child, namespace, scoped, inner)
            tail = child.tail
            if tail:
                if not isinstance(tail, str) or not is_xml_text(tail):
                    raise EncodeError("binary content after a child element cannot be XML")
                parts.append(tail.translate(_TEXT_ESCAPES))
        if indent_children:
            parts.append("\n" + indent)
        parts.append(f"</{tag}>")

    def declare(self, uri: str, scoped: dict[str, str]) -> tuple[dict[str, str], str]:
        """The prefix for ``uri``, declaring one on the current element when none is in scope."""
        prefix = scoped.get(uri)
        if prefix is None:
            used = set(scoped.values())
            prefix = "wbxml" if uri == WBXML_NAMESPACE else "ns0"
            counter = 0
            while prefix in used:
                counter += 1
                prefix = f"ns{counter}"
            scoped = {**scoped, uri: prefix}
            self.parts.append(f' xmlns:{prefix}="{uri.translate(_ATTRIBUTE_ESCAPES)}"')
        return scoped, prefix


def write_xml(root: Any, pretty: bool = False) -> bytes:
    """Serialise an element tree as a UTF-8 XML document."""
    writer = _Writer(pretty)
    writer.parts.append('<?xml version="1.0" encoding="UTF-8"?>' + ("\n" if pretty else ""))
    writer.element(root, None, {}, "")
    if pretty:
        writer.parts.append("\n")
    return "".join(writer.parts).encode("utf-8")


def to_lxml(root: Any) -> Any:
    """The element tree as an lxml element (binary content base64-marked, as in XML output)."""
    return etree.fromstring(write_xml(root), _parser())
