"""The pure-Python WBXML decoder: tokens to an element tree, with the SyncML rules applied.

The twin of the compiled decoder: the same trees, and the same errors at the same offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import DecodeError, LimitError
from ..limits import (
    DEFAULT_LIMITS,
    MAX_NESTED_DOCUMENTS,
    SHARED_LIMITS,
    Budget,
    Limits,
    check_size,
)
from ..xml import reader as xml_reader
from .element import Element
from .header import Header, read_header
from .languages import Language
from .rules import (
    WBXML_NAMESPACE,
    GrowingMetaTypes,
    bind_prefixes,
    data_type,
    is_metinf_type,
    join_run,
    literal_name,
    looks_embedded,
    opaque_value,
    prefixed_name,
    type_for_xml,
    unbind_prefixes,
    xmlns_action,
)
from .tokens import HAS_ATTRIBUTES, HAS_CONTENT, Token, iter_tokens

__all__ = ["decode_wbxml", "read_lxml"]


class _TreeBuilder:
    """Builds Elements from tokens, applying the language's tables and the SyncML rules."""

    def __init__(
        self,
        data: bytes,
        header: Header,
        options: dict[str, Any],
        depth: int,
        budget: Budget,
    ) -> None:
        self.data = data
        self.budget = budget
        self.max_string: int = options["limits"].max_string
        self.header = header
        self.language: Language = header.language  # type: ignore[assignment]
        self.options = options
        self.base_depth = depth
        self.stack: list[Element] = []
        self.pages: list[int] = []  # code page of each open element
        self.blank: list[bool] = []  # whether whitespace-only text came in each open element
        self.prefixes: dict[str, str] = {}  # prefix -> URI of the xmlns:prefix attributes in scope
        self.bound: list[list[Any] | None] = []  # what each open element bound in prefixes
        self.root: Element | None = None
        self.run: list[str | bytes] | None = None  # content pieces for one place, not joined
        self.run_target: Element | None = None
        self.run_is_tail = False
        self.run_length = 0  # of the run's pieces together, for max_string
        self.meta_types = GrowingMetaTypes()  # the Data rules' Meta Types, read in linear time

    def add_content(self, value: str | bytes, offset: int) -> None:
        """Content for the open element: its text, or its last child's tail. A second piece
        for the same place starts a run, joined once when it ends (``flush_run``), so many
        pieces cost linear time; the run may not grow past ``max_string``."""
        if not value:
            return  # an empty string adds nothing; the tree holds None, never ""
        if isinstance(value, str) and not value.strip(_XML_SPACE):
            self.blank[-1] = True
        element = self.stack[-1]
        is_tail = bool(element.children)
        target = element.children[-1] if is_tail else element
        if self.run is not None and self.run_target is target and self.run_is_tail == is_tail:
            self.grow_run(len(value), offset)
            self.run.append(value)
            return
        current = target.tail if is_tail else target.text
        if current is None:
            if is_tail:
                target.tail = value
            else:
                target.text = value
            return
        self.flush_run()
        self.run_length = len(current)
        self.grow_run(len(value), offset)
        self.run, self.run_target, self.run_is_tail = [current, value], target, is_tail

    def grow_run(self, length: int, offset: int) -> None:
        self.run_length += length
        if self.run_length > self.max_string:
            raise LimitError(
                f"text joined from pieces longer than max_string {self.max_string}",
                offset,
                "max_string",
            )

    def flush_run(self) -> None:
        if self.run is not None:
            setattr(self.run_target, "tail" if self.run_is_tail else "text", join_run(self.run))
            self.run = self.run_target = None

    def append(self, child: Element) -> None:
        """Append a child to the open element (the content before it is complete)."""
        self.flush_run()
        self.stack[-1].children.append(child)

    def tag_name(self, token: Token) -> tuple[str, str | None]:
        code = token.code & 0x3F
        names = self.language.tag_names.get(token.page)
        name = names[code] if names is not None else None
        if name is None:
            if self.options["unknown_tags"] != "keep":
                raise DecodeError(
                    f"unknown tag {code:#04x} on code page {token.page}", token.offset
                )
            name = f"wbxml-page{token.page}-{code:#04x}"
        return name, self.language.page_namespace(token.page)

    def attribute_start(self, token: Token) -> tuple[str, str]:
        page = self.language.attribute_pages.get(token.page)
        entry = page.starts.get(token.code) if page is not None else None
        if entry is None:
            raise DecodeError(
                f"unknown attribute {token.code:#04x} on code page {token.page}", token.offset
            )
        return entry

    def attribute_value(self, token: Token) -> str:
        page = self.language.attribute_pages.get(token.page)
        value = page.values.get(token.code) if page is not None else None
        if value is None:
            raise DecodeError(
                f"unknown attribute value {token.code:#04x} on code page {token.page}", token.offset
            )
        return value

    def opaque(self, token: Token) -> str | bytes | Element:
        raw: bytes = token.value
        if self.stack and self.language.family == "syncml" and self.stack[-1].tag == "Data":
            parent = self.stack[-2] if len(self.stack) > 1 else None
            grandparent = self.stack[-3] if len(self.stack) > 2 else None
            if self.budget.nesting < MAX_NESTED_DOCUMENTS and looks_embedded(
                raw, self.language, data_type(parent, grandparent, self.meta_types)
            ):
                self.budget.nesting += 1
                try:
                    return decode_wbxml(
                        raw,
                        limits=self.options["limits"],
                        unknown_tags=self.options["unknown_tags"],
                        type_rewrite=self.options["type_rewrite"],
                        _depth=self.base_depth + len(self.stack),
                        _budget=self.budget,
                    )
                except LimitError as error:
                    if error.limit in SHARED_LIMITS:  # the whole decode's: it ends here
                        start = token.end - len(raw)
                        raise LimitError(error.message, start + error.offset, error.limit) from None
                except DecodeError:
                    pass  # not a document after all: keep the bytes, as libwbxml does
                finally:
                    self.budget.nesting -= 1
        return opaque_value(raw, self.header.encoding)

    def open(self, element: Element, page: int, token: Token, has_content: bool) -> None:
        if self.root is None:
            self.root = element
        elif self.stack:
            self.append(element)
        else:
            raise DecodeError("a second root element", token.offset)
        if has_content:
            max_depth = self.options["limits"].max_depth
            if self.base_depth + len(self.stack) + 1 > max_depth:
                raise LimitError(
                    f"elements nested deeper than {max_depth}", token.offset, "max_depth"
                )
            self.stack.append(element)
            self.pages.append(page)
            self.blank.append(False)
        else:
            self.close(element, page)

    def close(self, element: Element, page: int) -> None:
        self.flush_run()
        if (
            self.options["type_rewrite"]
            and isinstance(element.text, str)
            and is_metinf_type(self.language, page, element.tag)
        ):
            element.text = type_for_xml(element.text)

    def build(self) -> Element:
        tokens = iter_tokens(self.data, self.header, self.options["limits"], self.budget)
        for token in tokens:
            kind = token.kind
            if kind == "TAG" or kind == "LITERAL_TAG":
                if kind == "TAG":
                    name, namespace = self.tag_name(token)
                else:
                    name, namespace = literal_name(
                        self.language,
                        token.value,
                        self.language.page_namespace(token.page),
                        self.root is None,
                    )
                self.budget.element(token.offset)
                element = Element(name, namespace)
                if token.code & HAS_ATTRIBUTES:
                    self.read_attributes(tokens, element, kind == "LITERAL_TAG")
                bound = (
                    bind_prefixes(self.prefixes, element.attributes) if element.attributes else None
                )
                if kind == "LITERAL_TAG" and ":" in name and self.root is not None:
                    # prefix:local, as XML writes it (code-page names hold no colon)
                    found = prefixed_name(name, self.prefixes)
                    if found is not None:
                        element.tag, element.namespace = found
                has_content = bool(token.code & HAS_CONTENT)
                self.open(element, token.page, token, has_content)
                if has_content:
                    self.bound.append(bound)
                elif bound:
                    unbind_prefixes(self.prefixes, bound)
            elif kind == "END":
                if not self.stack:
                    raise DecodeError("END without an open element", token.offset)
                element = self.stack.pop()
                self.close(element, self.pages.pop())
                if self.blank.pop():
                    _drop_blanks(element)
                bound = self.bound.pop()
                if bound:
                    unbind_prefixes(self.prefixes, bound)
            elif kind in ("STR_I", "STR_T", "ENTITY", "OPAQUE"):
                if not self.stack:
                    raise DecodeError("content outside the root element", token.offset)
                value = self.opaque(token) if kind == "OPAQUE" else token.value
                if isinstance(value, Element):
                    self.append(value)
                else:
                    self.add_content(value, token.offset)
            elif kind == "EXT":
                if not self.stack:
                    raise DecodeError("extension outside the root element", token.offset)
                self.budget.element(token.offset)
                self.append(
                    Element(
                        "ext", WBXML_NAMESPACE, {"token": f"{token.code:#04x}"}, token.value or None
                    )
                )
            elif kind == "PI":
                self.budget.element(token.offset)
                element = Element("pi", WBXML_NAMESPACE)
                self.read_attributes(tokens, element)
                if self.stack:
                    self.append(element)
            # SWITCH_PAGE needs no action: the tokenizer tracks pages.
        if self.stack:
            raise DecodeError(f"input ends inside <{self.stack[-1].tag}>", len(self.data))
        if self.root is None:
            raise DecodeError("no root element", len(self.data))
        return self.root

    def read_attributes(
        self, tokens: Iterator[Token], element: Element, literal: bool = False
    ) -> None:
        """Consume an attribute list up to its END into ``element.attributes``."""
        name: str | None = None
        value: list[str] = []  # the current attribute's value, in pieces (joined once)
        for token in tokens:
            kind = token.kind
            if kind == "SWITCH_PAGE":
                continue  # the tokenizer tracks the attribute page
            if kind in ("ATTR_START", "ATTR_LITERAL", "END"):
                if name is not None:
                    joined = self.join_value(value, token.offset)
                    self.budget.element(token.offset)
                    self.set_attribute(element, name, joined, literal)
                if kind == "END":
                    return
                if kind == "ATTR_START":
                    name, prefix = self.attribute_start(token)
                    value = [prefix]
                else:
                    name, value = token.value, []
            elif name is None:
                raise DecodeError("attribute value before an attribute name", token.offset)
            elif kind == "ATTR_VALUE":
                value.append(self.attribute_value(token))
            elif kind in ("STR_I", "STR_T", "ENTITY"):
                value.append(token.value)
            elif kind == "OPAQUE":
                text = opaque_value(token.value, self.header.encoding)
                if isinstance(text, bytes):
                    raise DecodeError("binary OPAQUE in an attribute value", token.offset)
                value.append(text)
            else:
                raise DecodeError(f"{kind} inside an attribute list", token.offset)
        raise DecodeError("input ends inside an attribute list", len(self.data))

    def join_value(self, pieces: list[str], offset: int) -> str:
        """An attribute's value from its pieces, no longer than ``max_string``."""
        if len(pieces) > 1 and sum(map(len, pieces)) > self.max_string:
            raise LimitError(
                f"text joined from pieces longer than max_string {self.max_string}",
                offset,
                "max_string",
            )
        return "".join(pieces)

    def set_attribute(self, element: Element, name: str, value: str, literal: bool) -> None:
        action = xmlns_action(element, name, value, literal, self.root is None)
        if action == "namespace":
            element.namespace = value or None
        elif action == "attribute":
            element.attributes[name] = value


_XML_SPACE = " \t\r\n"


def _drop_blanks(element: Element) -> None:
    """Whitespace-only text beside child elements is indentation, not content (as the XML
    reader reads it): an element with children keeps no such text, nor do its children as
    tails. Leaf text stays exactly as sent."""
    if not element.children:
        return
    if isinstance(element.text, str) and not element.text.strip(_XML_SPACE):
        element.text = None
    for child in element.children:
        if isinstance(child.tail, str) and not child.tail.strip(_XML_SPACE):
            child.tail = None


def read_lxml(
    node: Any, language: Language | None = None, limits: Limits = DEFAULT_LIMITS
) -> Element:
    """An lxml element and its subtree as an Element tree (see ``xml_reader.read_lxml``)."""
    tree: Element = xml_reader.read_lxml(node, Element, language, limits)
    return tree


def decode_wbxml(
    data: bytes,
    *,
    language: Language | None = None,
    limits: Limits = DEFAULT_LIMITS,
    unknown_tags: str = "error",
    type_rewrite: bool = True,
    _depth: int = 0,
    _budget: Budget | None = None,
) -> Element:
    """Decode a WBXML document into an Element tree (``_depth`` and ``_budget``: what the
    documents it is nested in have used)."""
    data = bytes(data)
    check_size(data, limits)
    header = read_header(data, language)
    if header.language is None:
        raise DecodeError(f"unknown public id {header.public_id!r} (pass language=)", 1)
    options = {"limits": limits, "unknown_tags": unknown_tags, "type_rewrite": type_rewrite}
    budget = Budget(limits) if _budget is None else _budget
    return _TreeBuilder(data, header, options, _depth, budget).build()
