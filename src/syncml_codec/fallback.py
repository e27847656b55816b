"""The pure-Python twin of the compiled core ``_wbxml``: the same interface, trees, bytes and
errors at the same offsets.

Used when the extension is not built, or when ``SYNCML_CODEC_PUREPYTHON=1`` is set. Each piece
lives in the layer it belongs to; this module gathers them under the compiled core's names.
"""

from __future__ import annotations

from typing import Any

from .limits import DEFAULT_LIMITS, Limits
from .wbxml.answers import read_command, result_item, results_element, status_element
from .wbxml.decoder import decode_wbxml, read_lxml
from .wbxml.element import Element
from .wbxml.encoder import encode_wbxml, measure_wbxml
from .wbxml.languages import Language
from .wbxml.listing import list_tokens
from .wbxml.packing import (
    elements_of,
    fit,
    joined_answers,
    number_commands,
    one_digit_sizes,
    to_namespace,
)
from .wbxml.tnds import read_tnds_node
from .xml.reader import Declarations, parse_xml
from .xml.reader import read_lxml as read_element_tree
from .xml.writer import write_xml

__all__ = [
    "Element",
    "decode_wbxml",
    "elements_of",
    "encode_wbxml",
    "fit",
    "joined_answers",
    "list_tokens",
    "measure_wbxml",
    "number_commands",
    "one_digit_sizes",
    "read_command",
    "read_lxml",
    "read_tnds_node",
    "read_xml",
    "result_item",
    "results_element",
    "wbxml_to_xml",
    "write_xml",
    "xml_to_wbxml",
    "set_element_reserve",
    "status_element",
    "to_namespace",
]


def wbxml_to_xml(
    data: bytes,
    *,
    pretty: bool = False,
    language: Language | None = None,
    limits: Limits = DEFAULT_LIMITS,
    unknown_tags: str = "error",
    type_rewrite: bool = True,
) -> bytes:
    """A WBXML document as XML bytes: ``write_xml(decode_wbxml(data, ...), pretty)``."""
    tree = decode_wbxml(
        data,
        language=language,
        limits=limits,
        unknown_tags=unknown_tags,
        type_rewrite=type_rewrite,
    )
    return write_xml(tree, pretty)


def read_xml(xml: bytes | str, *, limits: Limits = DEFAULT_LIMITS) -> Element:
    """An XML document as an Element tree, read with the namespace declarations its parse
    reports (see ``xml.reader.parse_xml``)."""
    tree: Element = parse_xml(xml, _read_parsed, limits, declarations=True)
    return tree


def _read_parsed(
    root: Any, language: Language | None, limits: Limits, declarations: Declarations
) -> Element:
    tree: Element = read_element_tree(root, Element, language, limits, declarations)
    return tree


def xml_to_wbxml(xml: bytes | str, *, limits: Limits = DEFAULT_LIMITS, **options: Any) -> bytes:
    """An XML document as WBXML: ``encode_wbxml(read_xml(xml), **options)``."""
    return encode_wbxml(read_xml(xml, limits=limits), **options)


def set_element_reserve(max_bytes: int) -> int:
    """The pure-Python Element keeps no reserve of freed Elements: nothing to set (returns 0)."""
    return 0
