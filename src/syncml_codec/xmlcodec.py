"""The XML side: a hardened lxml reader into the element tree, and a direct XML writer.

Reading normalises namespaces the way WBXML sees them: every element the document's language knows
gets the namespace of its code page (so ``<MaxMsgSize>`` without ``xmlns="syncml:metinf"`` reads as
MetInf, and ``syncml:syncml1.2`` as ``SYNCML:SYNCML1.2``); elements in other namespaces are kept
as they are. Whitespace-only text between elements is indentation and is dropped; any other text,
and all text inside ``<Data>``, is kept exactly.

Binary content (``bytes`` in the tree) is written in its place as
``<wbxml:opaque>BASE64</wbxml:opaque>``, and each character XML 1.0 cannot carry (control
characters, lone surrogates) as ``<wbxml:char code="N"/>`` (namespace ``urn:syncml-codec:wbxml``);
both are read back exactly: XML output is always well-formed UTF-8 and loses nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Callable

from lxml import etree

from .codepages import BoundedCache, Language, language_for_namespace, language_for_public_id
from .errors import DecodeError, EncodeError
from .limits import DEFAULT_LIMITS, MAX_ENCODE_DEPTH, Limits, check_size
from .syncml import WBXML_NAMESPACE, is_namespace_uri, is_xml_text, join_run

__all__ = ["parse_xml", "read_lxml", "write_xml", "to_lxml"]

_XML_URI = "http://www.w3.org/XML/1998/namespace"
RESERVED_URIS = (_XML_URI, "http://www.w3.org/2000/xmlns/")
_OPAQUE_TAG = f"{{{WBXML_NAMESPACE}}}opaque"
_CHAR_TAG = f"{{{WBXML_NAMESPACE}}}char"
_NOT_XML_CHAR = re.compile("([\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff])")
XML_NAME = re.compile(r"^[A-Za-z_][\w.\-]*\Z")


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


def parse_xml(xml: bytes | str, read_tree: Callable[..., Any],
              limits: Limits = DEFAULT_LIMITS) -> Any:
    """Parse an XML document into an element tree, built by ``read_tree(root, language, limits)``
    (an implementation's ``read_lxml``) from the parsed lxml root."""
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    check_size(data, limits)
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
    return read_tree(root, language, limits)


def read_lxml(node: Any, element_type: Callable[..., Any], language: Language | None = None,
              limits: Limits = DEFAULT_LIMITS) -> Any:
    """An lxml element and its subtree as an element tree built from ``element_type``.

    The compiled core has a twin that walks libxml2's nodes directly; both build their trees
    from the rules below (:func:`resolve_element`, :func:`node_attributes`, :func:`marked`,
    :func:`settle`).
    """
    return _Reader(element_type, limits).element(node, language, {}, 1)


_resolved = BoundedCache()


def resolve_element(language: Language | None, namespace: str | None,
                    tag: str) -> tuple[Language | None, str | None]:
    """The language an element read from XML belongs to, and its namespace as the tree keeps it
    (a page's canonical spelling). ``language`` is its parent's."""
    key = (language, namespace, tag)
    found = _resolved.get(key)
    if found is None:
        found = _resolved.remember(key, _resolve_element(language, namespace, tag))
    return found


def _resolve_element(language: Language | None, namespace: str | None,
                     tag: str) -> tuple[Language | None, str | None]:
    if language is None or (namespace is not None
                            and namespace.lower() not in language.namespace_pages):
        # The document's root, or the root of a nested document (DevInf, MgmtTree).
        own = language_for_namespace(namespace, tag)
        if own is not None and own.root == tag:
            language = own
    if language is not None and (namespace is None
                                 or namespace.lower() in language.namespace_pages):
        found = language.find_tag(tag, namespace)
        if found is not None:
            namespace = language.page_namespace(found[0])
        elif namespace is not None:  # an unknown element: its namespace, spelled canonically
            namespace = language.page_namespace(language.namespace_pages[namespace.lower()])
    return language, namespace


def node_attributes(node: Any, nsmap: dict, parent_nsmap: dict) -> dict[str, str]:
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
    if element_content and len(pieces) == 1 and isinstance(pieces[0], str) \
            and not pieces[0].strip(" \t\r\n"):
        return None
    content = join_run([piece.value if isinstance(piece, _Marked) else piece for piece in pieces])
    if len(content) > max_string:
        raise DecodeError(f"XML: text longer than max_string {max_string}", 0)
    return content


class _Reader:
    def __init__(self, element_type: Callable[..., Any], limits: Limits) -> None:
        self.element_type = element_type
        self.max_depth = limits.max_depth
        self.max_string = limits.max_string

    def element(self, node: Any, language: Language | None, parent_nsmap: dict, depth: int) -> Any:
        if not isinstance(node.tag, str):
            raise DecodeError(f"XML: unexpected {type(node).__name__} node", 0)
        if depth > self.max_depth:
            raise DecodeError(f"XML: elements nested deeper than {self.max_depth}", 0)
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
        for child, run in zip(children, runs[1:]):
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

    def element(self, node: Any, default_ns: str | None, prefixes: dict[str, str],
                indent: str, depth: int) -> None:
        if depth > MAX_ENCODE_DEPTH:
            raise EncodeError(f"tree nested deeper than {MAX_ENCODE_DEPTH}")
        parts = self.parts
        tag = self.name(node.tag)
        namespace = node.namespace
        parts.append(f"<{tag}")
        if namespace != default_ns:
            if namespace is not None and (not is_namespace_uri(namespace)
                                          or namespace in RESERVED_URIS):
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
                if not is_namespace_uri(value) or value in RESERVED_URIS \
                        or prefix in ("xml", "xmlns"):
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
        open_tag = (f'wbxml:{{}} xmlns:wbxml="{WBXML_NAMESPACE}"' if prefix is None
                    else f"{prefix}:{{}}")
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
            raise EncodeError(f"namespace {uri!r} of an attribute has no xmlns:prefix attribute "
                              "on the element or above it")
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
    return etree.fromstring(write_xml(root), _parser())
