"""SyncML-specific encoding rules shared by both codec implementations.

These are the places where SyncML bends plain WBXML, kept compatible with libwbxml:

* ``<Data>`` under Add/Replace, or typed as a vObject or ``text/clear``, is written as OPAQUE;
* a DevInf or DM DDF/TNDS document inside ``<Data>`` is a nested WBXML document in OPAQUE;
* the Meta ``<Type>`` of such data reads ``...+wbxml`` in WBXML and ``...+xml`` in XML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import DecodeError, EncodeError
from .header import read_header
from .languages import (
    METINF_NAMESPACE,
    Language,
    language_for_namespace,
)

__all__ = [
    "WBXML_NAMESPACE",
    "WBXML_SPELLINGS",
    "XML_SPELLINGS",
    "data_type",
    "embedded_language",
    "is_embedded_type",
    "is_namespace_uri",
    "xmlns_action",
    "literal_name",
    "literal_tag",
    "bind_prefixes",
    "unbind_prefixes",
    "prefixed_name",
    "join_run",
    "GrowingMetaTypes",
    "looks_embedded",
    "opaque_value",
    "root_language",
    "DataClassifier",
    "EMBEDDED_TYPES",
    "OPAQUE_PARENTS",
    "VOBJECT_TYPES",
    "type_for_wbxml",
    "type_for_xml",
]

#: Namespace of the elements that carry WBXML constructs XML has no word for: ``ext`` and ``pi``
#: (EXT_* and PI tokens), and, in XML only, ``opaque`` (binary content as base64).
WBXML_NAMESPACE = "urn:syncml-codec:wbxml"

#: Meta Types the XML form spells otherwise: the WBXML spelling -> the XML one.
XML_SPELLINGS = {
    "application/vnd.syncml-devinf+wbxml": "application/vnd.syncml-devinf+xml",
    "application/vnd.syncml.dmtnds+wbxml": "application/vnd.syncml.dmtnds+xml",
}
#: Meta Types the WBXML form spells otherwise: the XML spelling -> the WBXML one.
WBXML_SPELLINGS = {xml: wbxml for wbxml, xml in XML_SPELLINGS.items()}
#: Meta Types (lower case, either spelling) that announce an embedded document.
EMBEDDED_TYPES = frozenset(XML_SPELLINGS) | frozenset(WBXML_SPELLINGS)
#: Meta Types whose textual Data libwbxml writes as OPAQUE.
VOBJECT_TYPES = frozenset(
    {"text/clear", "text/directory;profile=vCard", "text/x-vcard", "text/x-vcalendar"}
)
#: Commands whose Item Data libwbxml writes as OPAQUE.
OPAQUE_PARENTS = frozenset({"Add", "Replace"})
# Characters XML 1.0 cannot carry, even as character references.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _first_child(node: Any, tag: str) -> Any:
    for child in node.children:
        if child.tag == tag:
            return child
    return None


def _meta_type(node: Any) -> Any:
    meta = _first_child(node, "Meta")
    return _first_child(meta, "Type") if meta is not None else None


def data_type(parent: Any, grandparent: Any, type_element: Any = _meta_type) -> str | None:
    """The Meta ``<Type>`` that describes a ``<Data>``: from its parent, else its grandparent."""
    element = type_element(parent) if parent is not None else None
    if element is None and grandparent is not None:
        element = type_element(grandparent)
    if element is None or not isinstance(element.text, str):
        return None
    return element.text


def is_embedded_type(type_text: str | None) -> bool:
    """Whether a Meta Type announces an embedded DevInf or TNDS document (either spelling)."""
    if type_text is None:
        return False
    return type_text.lower() in EMBEDDED_TYPES


class GrowingMetaTypes:
    """``type_element`` for :func:`data_type` while a decoder appends children: the first Meta's
    first Type child of a node, found by looking at each child once however often the node is
    asked about, so a node with many Data children is read in linear time."""

    def __init__(self) -> None:
        # id(node) -> [node, children looked at, its first Meta, Meta children looked at, Type]
        self._scans: dict[int, list[Any]] = {}

    def __call__(self, node: Any) -> Any:
        scan = self._scans.get(id(node))
        if scan is None:
            scan = self._scans[id(node)] = [node, 0, None, 0, None]
        if scan[4] is None:
            if scan[2] is None:
                scan[2] = _first_new_child(scan, 1, node.children, "Meta")
            if scan[2] is not None:
                scan[4] = _first_new_child(scan, 3, scan[2].children, "Type")
        return scan[4]


def _first_new_child(scan: list[Any], index: int, children: list[Any], tag: str) -> Any:
    """The first of ``children`` from ``scan[index]`` on named ``tag``; ``scan[index]`` moves
    past the children looked at."""
    for position in range(scan[index], len(children)):
        if children[position].tag == tag:
            scan[index] = position + 1
            return children[position]
    scan[index] = len(children)
    return None


def looks_embedded(raw: bytes, outer: Language, type_text: str | None) -> bool:
    """Whether OPAQUE ``<Data>`` should be read as a nested document: its Meta Type
    (``type_text``, see :func:`data_type`) announces one, or it starts with the header of a
    document of another registered language."""
    if is_embedded_type(type_text):
        return True
    if len(raw) < 4 or raw[0] > 0x03:
        return False
    try:
        language = read_header(raw).language
    except DecodeError:
        return False
    return language is not None and language.family != outer.family


class DataClassifier:
    """libwbxml's rule for a textual ``<Data>``: OPAQUE for vObjects, text/clear, Add/Replace.

    One per encoded document: each node's Meta/Type is looked up once, so a command with
    thousands of Items costs linear time.
    """

    def __init__(self) -> None:
        self._type_elements: dict[int, Any] = {}

    def _type_element(self, node: Any) -> Any:
        key = id(node)  # the tree does not change while it is encoded, so ids are stable
        if key not in self._type_elements:
            self._type_elements[key] = _meta_type(node)
        return self._type_elements[key]

    def is_opaque(self, parent: Any, grandparent: Any) -> bool:
        type_text = data_type(parent, grandparent, self._type_element)
        if type_text is not None:
            if type_text in VOBJECT_TYPES:
                return True
            if is_embedded_type(type_text):
                return False
        return grandparent is not None and grandparent.tag in OPAQUE_PARENTS


def type_for_xml(text: str) -> str:
    """``application/vnd.syncml-devinf+wbxml`` -> ``...+xml``; any other text (other spellings
    included, so that every text round-trips) unchanged."""
    return XML_SPELLINGS.get(text, text)


def type_for_wbxml(text: str) -> str:
    """``application/vnd.syncml-devinf+xml`` -> ``...+wbxml``; any other text unchanged."""
    return WBXML_SPELLINGS.get(text, text)


def is_metinf_type(language: Language, page: int, tag: str) -> bool:
    """Whether an element is the MetInf ``<Type>`` of a SyncML document."""
    return (
        tag == "Type"
        and language.family == "syncml"
        and language.page_namespace(page) == METINF_NAMESPACE
    )


def embedded_language(outer: Language, parent: Any, node: Any) -> Language | None:
    """The language of a document nested in a SyncML ``<Data>`` (DevInf, DM DDF/TNDS), if any:
    the registered language of ``node``'s namespace, when it is of another family than
    ``outer`` (the decoder's :func:`looks_embedded` asks the same of a nested header).

    DevInf takes its version from its own ``<VerDTD>``, else from the outer SyncML version.
    """
    namespace = node.namespace
    if (
        outer.family != "syncml"
        or parent.tag != "Data"
        or not isinstance(namespace, str)
        or namespace.lower() in outer.namespace_pages
    ):
        return None
    version = _child_text(node, "VerDTD") or outer.version
    language = language_for_namespace(namespace, node.tag, version) or language_for_namespace(
        namespace, None, version
    )
    return language if language is not None and language.family != outer.family else None


def root_language(root: Any) -> Language:
    """The language a root element belongs to: by namespace and name, version by ``<VerDTD>``."""
    if not isinstance(root.tag, str) or not isinstance(root.namespace, (str, type(None))):
        raise EncodeError(
            f"root element <{root.tag!r}> in namespace {root.namespace!r}: "
            "the tag and namespace must be str"
        )
    version = _child_text(root, "VerDTD")
    language = language_for_namespace(root.namespace, root.tag, version)
    if language is None and root.namespace is not None:  # a fragment, such as a lone command
        language = language_for_namespace(root.namespace, None, version)
    if language is None:
        raise EncodeError(
            f"no registered language has root <{root.tag}> in namespace {root.namespace!r}"
        )
    return language


def _child_text(node: Any, tag: str) -> str | None:
    child = _first_child(node, tag)
    if child is None or not isinstance(child.text, str):
        return None
    return child.text.strip()


def opaque_value(raw: bytes, encoding: str) -> str | bytes:
    """OPAQUE content as the tree holds it: text when it is valid text XML can carry, else bytes."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return raw
    if _NOT_XML_CHAR.search(text):
        return raw
    return text


def join_run(pieces: list[str | bytes]) -> str | bytes:
    """Content pieces as one: text when every piece is text, else bytes (text pieces in UTF-8,
    so a binary piece turns the whole run into bytes)."""
    if all(type(piece) is str for piece in pieces):
        return "".join(pieces)  # type: ignore[arg-type]
    return b"".join(piece.encode("utf-8") if isinstance(piece, str) else piece for piece in pieces)


_URI = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+\Z")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*\Z")


def is_namespace_uri(value: str) -> bool:
    """Whether ``value`` can name a namespace: a non-empty RFC 3986 URI reference (a ``:`` in
    its first segment must end a scheme, as in ``SYNCML:SYNCML1.2``)."""
    if _URI.match(value) is None:
        return False
    first_segment = re.split(r"[/?#]", value, maxsplit=1)[0]
    return ":" not in first_segment or _SCHEME.match(first_segment.split(":", 1)[0]) is not None


def literal_tag(
    tag: str, namespace: str | None, on_its_page: bool, scope: Mapping[str, str] | None = None
) -> tuple[str, str | None]:
    """How a LITERAL element is written, as XML documents write it (so libwbxml and other
    decoders print well-formed XML): (its name, the ``xmlns`` attribute to add, or None).

    Its tag where the page in force gives its namespace; ``prefix:tag`` where a prefix in
    ``scope`` (prefix -> URI, from the ``xmlns:prefix`` attributes of the element and its
    ancestors) is bound to its namespace; else its tag with ``xmlns="uri"`` (``xmlns=""`` in no
    namespace); for a namespace that is no URI an ``xmlns`` can hold, ``{uri}tag``. The decoders
    read each form back into the same element. A LITERAL tag may hold "}", so the URI of the
    last form may not: its end would be ambiguous.
    """
    if on_its_page and namespace is not None:
        return tag, None
    if namespace is None:
        return tag, ""
    if scope and ":" not in tag:
        for prefix in reversed(list(scope)):
            if scope[prefix] == namespace:
                return f"{prefix}:{tag}", None
    if is_namespace_uri(namespace):
        return tag, namespace
    if "}" in namespace:
        raise EncodeError(f"namespace {namespace!r} holds '}}': no LITERAL name can carry it")
    return f"{{{namespace}}}{tag}", None


def literal_name(
    language: Language, name: str, page_namespace: str | None, root: bool = False
) -> tuple[str, str | None]:
    """(tag, namespace) of a LITERAL element. ``{uri}tag`` carries its namespace (``{}`` none;
    never the WBXML constructs' own, which only tokens make), except on the root, whose
    namespace is the document's language (the encoder writes no other, so a root in another
    namespace could not be written again); a name the language defines takes the namespace of
    its page (as the XML reader assigns it); else the page in force gives it."""
    if name.startswith("{") and "}" in name and not root:
        namespace, tag = name[1:].split("}", 1)  # the encoder writes no "}" in the URI
        if tag and namespace != WBXML_NAMESPACE:  # "{...}" alone is a name, not that form
            return tag, namespace or None
    found = language.find_tag(name, page_namespace)
    return name, language.page_namespace(found[0]) if found is not None else page_namespace


def bind_prefixes(scope: dict[str, str], attributes: Mapping[str, Any]) -> list[Any] | None:
    """Bind the prefixes that ``xmlns:prefix`` attributes declare in ``scope`` (prefix -> URI);
    what they replaced, for :func:`unbind_prefixes`, or None when they declare none."""
    replaced: list[Any] | None = None
    for name, value in attributes.items():
        if isinstance(name, str) and name.startswith("xmlns:") and isinstance(value, str):
            prefix = name[6:]
            if replaced is None:
                replaced = []
            replaced.append((prefix, scope.get(prefix)))
            scope[prefix] = value
    return replaced


def unbind_prefixes(scope: dict[str, str], replaced: list[Any]) -> None:
    """Undo :func:`bind_prefixes`: ``scope`` as it was before."""
    for prefix, outer in reversed(replaced):
        if outer is None:
            del scope[prefix]
        else:
            scope[prefix] = outer


def prefixed_name(name: str, scope: Mapping[str, str]) -> tuple[str, str] | None:
    """(local name, namespace) of a LITERAL element named ``prefix:local`` whose prefix
    ``scope`` binds (its own declarations included); None for any other name."""
    prefix, colon, local = name.partition(":")
    if not colon or not prefix or not local or ":" in local:
        return None
    namespace = scope.get(prefix)
    return (local, namespace) if namespace is not None and namespace != WBXML_NAMESPACE else None


def xmlns_action(element: Any, name: str, value: str, literal: bool, root: bool) -> str:
    """What a decoder does with an attribute of a new element: "attribute" (keep it), or for an
    ``xmlns`` holding a URI, "namespace" (a LITERAL element below the root takes it as its
    namespace) or "absorb" (it repeats the namespace a token or the root already has, as Nokia
    phones send it). An ``xmlns`` that disagrees with a token's page stays an attribute."""
    if name != "xmlns" or element.namespace == WBXML_NAMESPACE:
        return "attribute"
    if value == "" and literal and not root:
        return "namespace"  # none: how the encoders write a LITERAL element in no namespace
    if not is_namespace_uri(value):
        return "attribute"
    if literal and not root:
        return "namespace"
    if isinstance(element.namespace, str) and value.lower() == element.namespace.lower():
        return "absorb"
    return "attribute"


def is_xml_text(text: str) -> bool:
    """Whether XML 1.0 can carry ``text`` (escaped)."""
    return _NOT_XML_CHAR.search(text) is None
