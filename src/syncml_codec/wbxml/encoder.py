"""The pure-Python WBXML encoder: an element tree to WBXML bytes, with the SyncML rules applied.

The twin of the compiled encoder: the same bytes for every tree, and the same errors.
"""

from __future__ import annotations

from array import array
from typing import Any

from ..errors import EncodeError
from ..limits import MAX_ENCODE_DEPTH
from .header import mb_u_int32
from .languages import Language
from .rules import (
    WBXML_NAMESPACE,
    DataClassifier,
    bind_prefixes,
    embedded_language,
    is_metinf_type,
    is_xml_text,
    literal_tag,
    root_language,
    type_for_wbxml,
    unbind_prefixes,
)
from .strtable import SharedStrings, finish_document, start_document, utf8
from .tokens import (
    END,
    EXT_0,
    EXT_1,
    EXT_2,
    EXT_I_0,
    EXT_I_1,
    EXT_I_2,
    EXT_T_0,
    EXT_T_1,
    EXT_T_2,
    HAS_ATTRIBUTES,
    HAS_CONTENT,
    LITERAL,
    OPAQUE,
    PI,
    STR_I,
    SWITCH_PAGE,
)

__all__ = ["encode_wbxml", "measure_wbxml"]


class _Encoder:
    def __init__(self, language: Language, options: dict[str, Any]) -> None:
        self.language = language
        self.options = options
        self.out = bytearray()
        self.page = 0
        self.shared: SharedStrings | None = None
        self.data_classifier = DataClassifier()
        self.prefixes: dict[str, str] = {}  # prefix -> URI of the xmlns:prefix attributes in scope
        self.measured: Any = None  # the element whose children are measured (measure_wbxml)
        self.figures = array("q")
        self.offset_width = 1  # what a string table reference counts as, at least (measuring)
        #: The table strings the measured child refers to (None: not measuring).
        self.referenced: set[str] | None = None
        self.table_cost = 0  # what the measured child puts in the string table
        self.table_users = 0  # measured children that refer to the string table

    def document(self, root: Any) -> bytes:
        self.table, public_id = start_document(self.language, self.options["public_id"])
        if self.options["string_table"]:
            self.shared = SharedStrings()
        self.element(root, None, None, 0)
        body = bytes(self.out) if self.shared is None else self.shared.share(self.out, self.table)
        return finish_document(self.options["version"], public_id, self.table.data, body)

    def string(self, text: str) -> None:
        if "\x00" in text:  # an inline string cannot hold NUL: write it as ENTITY U+0000
            for index, piece in enumerate(text.split("\x00")):
                if index:
                    self.out += b"\x02\x00"
                if piece:
                    self.string(piece)
        else:
            encoded = utf8(text)
            if self.shared is not None and len(text) >= SharedStrings.MIN_LENGTH:
                self.shared.record(text, len(self.out), len(encoded) + 2)
            self.out.append(STR_I)
            self.out += encoded
            self.out.append(0)

    def opaque(self, raw: bytes) -> None:
        if self.options["version"] == 0:
            raise EncodeError("WBXML 1.0 has no OPAQUE: binary content cannot be written")
        self.out.append(OPAQUE)
        self.out += mb_u_int32(len(raw))
        self.out += raw

    def content(self, value: Any, as_opaque: bool) -> None:
        if isinstance(value, str):
            # OPAQUE only for text a decoder reads back as text (see syncml.opaque_value).
            if as_opaque and is_xml_text(value):
                self.opaque(utf8(value))
            else:
                self.string(value)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self.opaque(bytes(value))
        else:
            raise EncodeError(f"content must be str or bytes, not {type(value).__name__}")

    def switch_page(self, page: int) -> None:
        if page != self.page:
            self.out.append(SWITCH_PAGE)
            self.out.append(page)
            self.page = page

    def element(self, node: Any, parent: Any, grandparent: Any, depth: int) -> None:
        if depth > MAX_ENCODE_DEPTH:
            raise EncodeError(f"tree nested deeper than {MAX_ENCODE_DEPTH}")
        tag, namespace, text = node.tag, node.namespace, node.text
        children, attributes = node.children, node.attributes
        if not isinstance(tag, str) or not tag:
            raise EncodeError(f"element tag must be a non-empty str, not {tag!r}")
        if text is not None and not isinstance(text, (str, bytes, bytearray, memoryview)):
            raise EncodeError(f"content must be str or bytes, not {type(text).__name__}")
        language = self.language
        if namespace == WBXML_NAMESPACE:
            self.wbxml_construct(node)
            return
        tags = language.tags_for_namespace(namespace)
        found = tags.get(tag) if tags is not None else None
        if tags is None and parent is not None:
            nested = embedded_language(language, parent, node)
            if nested is not None:
                self.opaque(_Encoder(nested, self.options).document(node))
                return
        bound = bind_prefixes(self.prefixes, attributes) if attributes else None
        if found is not None:
            name = None
        else:
            name, xmlns = literal_tag(tag, namespace, tags is not None, self.prefixes)
            if xmlns is not None and "xmlns" not in attributes:
                attributes = {"xmlns": xmlns, **attributes}  # its namespace, as XML declares it
        has_content = bool(children) or (text is not None and len(text) > 0)
        flags = (HAS_CONTENT if has_content else 0) | (HAS_ATTRIBUTES if attributes else 0)
        if name is not None:
            if namespace is not None and tags is not None:
                # A LITERAL element takes the namespace of the page in force when decoded.
                self.switch_page(language.namespace_pages[namespace.lower()])
            page = self.page
            self.out.append(LITERAL | flags)
            self.reference(name)
        else:
            assert found is not None
            page, token = found
            self.switch_page(page)
            self.out.append(token | flags)
        if attributes:
            self.attributes(attributes)
        if has_content:  # its text, its children with their tails, END
            if text is not None and len(text) > 0:
                as_opaque = False
                if language.family == "syncml":
                    if tag == "Data":
                        as_opaque = self.data_is_opaque(parent, grandparent)
                    elif (
                        self.options["type_rewrite"]
                        and isinstance(text, str)
                        and is_metinf_type(language, page, tag)
                    ):
                        text = type_for_wbxml(text)
                self.content(text, as_opaque)
            measured = node is self.measured
            for child in children:
                start, page_before = len(self.out), self.page
                if measured:
                    self.table_cost = 0
                    if self.referenced:
                        self.referenced.clear()
                self.element(child, node, parent, depth + 1)
                tail = child.tail
                if tail is not None and len(tail) > 0:
                    self.content(tail, False)
                if measured:
                    self.record(start, page_before)
            self.out.append(END)
        if bound:
            unbind_prefixes(self.prefixes, bound)

    def reference(self, text: str) -> None:
        """Write the offset of ``text`` in the string table (added on first use), counting
        what it puts there while a child is measured."""
        written = mb_u_int32(self.table.add(text))
        self.out += written
        if self.referenced is not None:
            if text not in self.referenced:
                self.referenced.add(text)
                self.table_cost += len(utf8(text)) + 1
            self.table_cost += max(0, self.offset_width - len(written))

    def record(self, start: int, page_before: int) -> None:
        """A measured child's figures (see :func:`measure_wbxml`), from where it started."""
        if len(self.out) > start and self.out[start] == SWITCH_PAGE:
            first_page, size = self.out[start + 1], len(self.out) - start - 2
        else:
            first_page, size = page_before, len(self.out) - start
        self.figures.extend((size + self.table_cost, page_before, first_page, self.page))
        self.table_users += self.table_cost > 0

    def data_is_opaque(self, parent: Any, grandparent: Any) -> bool:
        mode: str = self.options["opaque_data"]
        if mode == "auto":
            return self.data_classifier.is_opaque(parent, grandparent)
        return mode == "always"

    def attributes(self, attributes: dict[str, str]) -> None:
        for name, value in attributes.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise EncodeError(f"attribute {name!r} must map a str to a str")
            self.out.append(LITERAL)
            self.reference(name)
            if value:
                self.string(value)
        self.out.append(END)

    def wbxml_construct(self, node: Any) -> None:
        """Write an ``ext`` or ``pi`` element of the WBXML namespace as its global token."""
        if node.tag == "ext":
            try:
                token = int(node.attributes.get("token", ""), 16)
            except ValueError:
                token = -1
            if token in (EXT_0, EXT_1, EXT_2):
                self.out.append(token)
            elif (
                token in (EXT_I_0, EXT_I_1, EXT_I_2, EXT_T_0, EXT_T_1, EXT_T_2)
                and isinstance(node.text or "", str)
                and "\x00" not in (node.text or "")
            ):
                self.out.append(token)
                if token >= EXT_T_0:
                    self.reference(node.text or "")
                else:
                    self.out += utf8(node.text or "") + b"\x00"
            else:
                raise EncodeError("wbxml:ext needs token= EXT_* (e.g. 0x40) and matching text")
        elif node.tag == "pi":
            self.out.append(PI)
            self.attributes(node.attributes)
        else:
            raise EncodeError(f"unknown element {node.tag!r} in the {WBXML_NAMESPACE} namespace")


def encode_wbxml(
    root: Any,
    *,
    language: Language | None = None,
    version: int = 0x03,
    public_id: str = "number",
    string_table: bool = False,
    opaque_data: str = "auto",
    type_rewrite: bool = True,
) -> bytes:
    """Encode an Element tree as a WBXML document (options as in ``syncml_codec.encode``)."""
    options = {
        "version": version,
        "public_id": public_id,
        "string_table": string_table,
        "opaque_data": opaque_data,
        "type_rewrite": type_rewrite,
    }
    return _Encoder(language or root_language(root), options).document(root)


def measure_wbxml(
    root: Any,
    parent: Any,
    *,
    language: Language | None = None,
    version: int = 0x03,
    public_id: str = "number",
    opaque_data: str = "auto",
    type_rewrite: bool = True,
    offset_width: int = 1,
) -> tuple[int, array[int], int]:
    """Encode like :func:`encode_wbxml` (no string table), telling what each child of
    ``parent`` (an element of ``root``) takes: ``(document_size, figures, table_users)``, four
    figures a child: its size without the SWITCH_PAGE it needed first (if any), the code page
    in force before it, the page it starts in (the switch's) and the page in force after it.

    A child whose names have no token (LITERAL tags, attribute names) refers to the string
    table: its size then counts, at most, what it takes wherever it goes: each string it
    refers to with its NUL, once, and each reference as ``offset_width`` bytes (or wider, as
    written). ``table_users`` is how many children do."""
    options = {
        "version": version,
        "public_id": public_id,
        "string_table": False,
        "opaque_data": opaque_data,
        "type_rewrite": type_rewrite,
    }
    encoder = _Encoder(language or root_language(root), options)
    encoder.measured = parent
    encoder.offset_width = offset_width
    encoder.referenced = set()
    return len(encoder.document(root)), encoder.figures, encoder.table_users
