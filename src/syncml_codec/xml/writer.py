"""The XML writer: an element tree as UTF-8 XML bytes, losing nothing.

Binary content (``bytes`` in the tree) is written in its place as
``<wbxml:opaque>BASE64</wbxml:opaque>``, and each character XML 1.0 cannot carry (control
characters, lone surrogates) as ``<wbxml:char code="N"/>`` (namespace ``urn:syncml-codec:wbxml``);
the reader reads both back exactly: XML output is always well-formed UTF-8.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from lxml import etree

from ..errors import EncodeError
from ..limits import MAX_ENCODE_DEPTH
from ..wbxml.rules import WBXML_NAMESPACE, is_namespace_uri, is_xml_text
from .reader import xml_parser

__all__ = ["write_xml", "to_lxml", "escape_text", "escape_attribute", "RESERVED_URIS", "XML_NAME"]

_XML_URI = "http://www.w3.org/XML/1998/namespace"
#: Namespaces no document may declare with a prefix of its own choosing.
RESERVED_URIS = (_XML_URI, "http://www.w3.org/2000/xmlns/")
_NOT_XML_CHAR = re.compile("([\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff])")
#: The element and attribute names the writer accepts.
XML_NAME = re.compile(r"^[A-Za-z_][\w.\-]*\Z")


def escape_text(text: str) -> str:
    """Text content escaped for XML (CR as ``&#13;`` so that it survives a reader)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def escape_attribute(text: str) -> str:
    """An attribute value escaped for a double-quoted XML attribute."""
    text = escape_text(text)
    for character, reference in (('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;")):
        if character in text:
            text = text.replace(character, reference)
    return text


class _Writer:
    def __init__(self, pretty: bool) -> None:
        self.pretty = pretty
        self.parts: list[str] = []
        self.valid_names: set[str] = set()

    def name(self, name: str) -> str:
        if name not in self.valid_names:
            if not isinstance(name, str) or not XML_NAME.match(name):
                raise EncodeError(f"{name!r} is not an XML name")
            self.valid_names.add(name)
        return name

    def element(
        self, node: Any, default_ns: str | None, prefixes: dict[str, str], indent: str, depth: int
    ) -> None:
        if depth > MAX_ENCODE_DEPTH:
            raise EncodeError(f"tree nested deeper than {MAX_ENCODE_DEPTH}")
        parts = self.parts
        tag = self.name(node.tag)
        namespace = node.namespace
        parts.append(f"<{tag}")
        if namespace != default_ns:
            if namespace is not None and (
                not is_namespace_uri(namespace) or namespace in RESERVED_URIS
            ):
                raise EncodeError(f"namespace {namespace!r} is not a URI XML can declare")
            parts.append(f' xmlns="{escape_attribute(namespace or "")}"')
        scoped = prefixes
        attribute_parts: list[str] = []
        for name, value in node.attributes.items():
            if not isinstance(value, str):
                raise EncodeError(f"attribute {name!r} must have a str value")
            if not is_xml_text(value):
                raise EncodeError(f"attribute {name!r} holds characters XML cannot carry")
            if name == "xmlns":
                raise EncodeError("an attribute named xmlns would be a namespace declaration")
            if name.startswith("xmlns:"):
                prefix = self.name(name[6:])
                if (
                    not is_namespace_uri(value)
                    or value in RESERVED_URIS
                    or prefix in ("xml", "xmlns")
                ):
                    raise EncodeError(f"{name}={value!r} is not a declaration XML allows")
                # Written as given: a reader keeps it only where it changes the binding.
                scoped = _bind(scoped, value, prefix)
                parts.append(f' {name}="{escape_attribute(value)}"')
                continue
            if name.startswith("{") and "}" in name:
                uri, local = name[1:].split("}", 1)
                if not is_namespace_uri(uri) or uri == RESERVED_URIS[1]:
                    raise EncodeError(f"namespace {uri!r} is not a URI XML can declare")
                scoped, prefix = self.declare(uri, scoped)
                name = f"{prefix}:{self.name(local)}"
            else:
                self.name(name)
            attribute_parts.append(f' {name}="{escape_attribute(value)}"')
        parts.extend(attribute_parts)
        text, children = node.text, node.children
        if not children and not text:
            parts.append("/>")
            return
        parts.append(">")
        self.content(text, scoped, bool(children))
        indent_children = self.pretty and not text and not any(c.tail for c in children)
        inner = indent + "  "
        for child in children:
            if indent_children:
                parts.append("\n" + inner)
            self.element(child, namespace, scoped, inner, depth + 1)
            self.content(child.tail, scoped, True)
        if indent_children:
            parts.append("\n" + indent)
        parts.append(f"</{tag}>")

    def content(self, value: Any, scoped: dict[str, str], element_content: bool = False) -> None:
        """Write text escaped (characters XML cannot carry as wbxml:char), bytes as
        wbxml:opaque. Whitespace alone between elements goes as wbxml:char too, or a reader
        would take it for indentation."""
        if not value:
            return
        prefix = scoped.get(WBXML_NAMESPACE)
        open_tag = (
            f'wbxml:{{}} xmlns:wbxml="{WBXML_NAMESPACE}"' if prefix is None else f"{prefix}:{{}}"
        )
        if isinstance(value, str):
            if element_content and not value.strip(" \t\r\n"):
                for character in value:
                    self.parts.append(f'<{open_tag.format("char")} code="{ord(character)}"/>')
                return
            if is_xml_text(value):
                self.parts.append(escape_text(value))
                return
            for index, piece in enumerate(_NOT_XML_CHAR.split(value)):
                if index % 2:
                    self.parts.append(f'<{open_tag.format("char")} code="{ord(piece)}"/>')
                elif piece:
                    self.parts.append(escape_text(piece))
            return
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise EncodeError(f"content must be str or bytes, not {type(value).__name__}")
        encoded = base64.b64encode(bytes(value)).decode("ascii")
        close_tag = "wbxml:opaque" if prefix is None else f"{prefix}:opaque"
        self.parts.append(f"<{open_tag.format('opaque')}>{encoded}</{close_tag}>")

    def declare(self, uri: str, scoped: dict[str, str]) -> tuple[dict[str, str], str]:
        """The prefix for ``uri``. Only the WBXML constructs' namespace is declared here (a reader
        leaves it out of the tree); any other needs an ``xmlns:p`` attribute in the tree, or
        the declaration written would come back as an attribute the tree did not have."""
        if uri == _XML_URI:
            return scoped, "xml"  # bound by XML itself, never declared
        prefix = scoped.get(uri)
        if prefix is None and uri != WBXML_NAMESPACE:
            raise EncodeError(
                f"namespace {uri!r} of an attribute has no xmlns:prefix attribute "
                "on the element or above it"
            )
        if prefix is None:
            used = set(scoped.values())
            prefix, counter = "wbxml", 0
            while prefix in used:
                counter += 1
                prefix = f"wbxml{counter}"
            scoped = _bind(scoped, uri, prefix)
            self.parts.append(f' xmlns:{prefix}="{escape_attribute(uri)}"')
        return scoped, prefix


def _bind(scoped: dict[str, str], uri: str, prefix: str) -> dict[str, str]:
    """The namespace scope (uri -> prefix) after binding ``prefix`` to ``uri``."""
    scope = {u: p for u, p in scoped.items() if p != prefix}
    scope[uri] = prefix
    return scope


def write_xml(root: Any, pretty: bool = False) -> bytes:
    """Serialise an element tree as a UTF-8 XML document."""
    writer = _Writer(pretty)
    writer.parts.append('<?xml version="1.0" encoding="UTF-8"?>' + ("\n" if pretty else ""))
    writer.element(root, None, {}, "", 0)
    if pretty:
        writer.parts.append("\n")
    return "".join(writer.parts).encode("utf-8")


def to_lxml(root: Any) -> Any:
    """The element tree as an lxml element (binary content as wbxml:opaque, as in XML output)."""
    return etree.fromstring(write_xml(root), xml_parser())
