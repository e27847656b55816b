"""The public conversion functions, over whichever codec implementation is active."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from . import _impl
from .errors import DecodeError
from .limits import DEFAULT_LIMITS, Limits, check_size
from .wbxml.languages import Language
from .xml import writer as xml_writer

if TYPE_CHECKING:
    from ._wbxml import Element  # the interface both implementations' Elements have

__all__ = [
    "decode",
    "encode",
    "wbxml_to_xml",
    "xml_to_wbxml",
    "from_lxml",
    "to_lxml",
    "is_wbxml",
    "set_element_reserve",
    "element_class",
    "implementation",
]

_VERSIONS = {"1.0": 0x00, "1.1": 0x01, "1.2": 0x02, "1.3": 0x03}
_OPAQUE_DATA = ("auto", "always", "never")
_PUBLIC_IDS = ("number", "string")
_UNKNOWN_TAGS = ("error", "keep")


def implementation() -> str:
    """The implementation in use: "cython" (the compiled core) or "python" (its pure twin)."""
    return _impl.name


def element_class() -> type:
    """The element class of the implementation in use: what decoders build and model objects
    make (``Element(tag, namespace=None, attributes=None, text=None, children=None, tail=None)``).
    """
    return _impl.codec.Element  # type: ignore[no-any-return]


def _check_limits(limits: Any) -> None:
    if not isinstance(limits, Limits):
        raise TypeError("limits must be a syncml_codec.Limits")


def is_wbxml(data: bytes) -> bool:
    """Whether ``data`` looks like WBXML (a version byte 0x00-0x03) rather than XML."""
    return len(data) > 0 and data[0] <= 0x03


def set_element_reserve(max_bytes: int) -> int:
    """Keep at most ``max_bytes`` of memory for the compiled Elements of the next trees;
    returns the previous limit.

    Compiled Elements live in 256 KiB chunks of their own. A chunk a freed tree leaves empty is
    kept for the next trees while the kept chunks fit in the limit (16 MiB by default: the
    Elements of a 15 MB message), so a large message is decoded partly in memory the last one
    left rather than in fresh pages mapped from the system; the others go back to the system.
    So a process keeps at most this much for its Elements after freeing its trees (about 12 MB
    after a 10 MB DM message); ``set_element_reserve(0)`` gives it all back. The pure-Python
    implementation keeps none (the call returns 0).
    """
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool):
        raise TypeError("max_bytes must be an int")
    if max_bytes < 0:
        raise ValueError("max_bytes must not be negative")
    compiled = _impl.IMPLEMENTATIONS.get("cython")
    return 0 if compiled is None else compiled.set_element_reserve(max_bytes)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> Any:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}")
    return value


def decode(
    data: bytes | bytearray | memoryview | str,
    *,
    language: Language | None = None,
    limits: Limits = DEFAULT_LIMITS,
    unknown_tags: Literal["error", "keep"] = "error",
    type_rewrite: bool = True,
) -> Element:
    """Decode WBXML or XML (detected from the first byte) into an element tree.

    ``limits`` bounds depth, input size, string and OPAQUE lengths (see :class:`Limits`);
    ``language`` forces the WBXML language instead of the header's public id;
    ``unknown_tags="keep"`` names unknown tag tokens ``wbxml-page<P>-0x<TT>`` instead of
    raising; ``type_rewrite`` turns a Meta Type ``...+wbxml`` into ``...+xml`` as libwbxml does.
    Raises DecodeError on bad input.
    """
    _check_limits(limits)
    check_size(data, limits)
    if not isinstance(data, str):
        data = bytes(data)
        if is_wbxml(data):
            _choice("unknown_tags", unknown_tags, _UNKNOWN_TAGS)
            tree: Element = _impl.codec.decode_wbxml(
                data,
                language=language,
                limits=limits,
                unknown_tags=unknown_tags,
                type_rewrite=bool(type_rewrite),
            )
            return tree
    read: Element = _impl.codec.read_xml(data, limits=limits)
    return read


def encode(
    element: Any,
    *,
    format: Literal["wbxml", "xml"] = "wbxml",
    pretty: bool = False,
    string_table: bool = False,
    opaque_data: Literal["auto", "always", "never"] = "auto",
    version: str = "1.3",
    public_id: Literal["number", "string"] = "number",
    language: Language | None = None,
    type_rewrite: bool = True,
) -> bytes:
    """Encode an element tree as WBXML (default) or XML.

    WBXML options: ``string_table`` shares repeated strings through the string table;
    ``opaque_data`` writes textual ``<Data>`` as OPAQUE where libwbxml does ("auto": under
    Add/Replace and for vObject/text/clear types), always, or never (binary data is always
    OPAQUE); ``version`` is the WBXML version; ``public_id="string"`` writes the FPI in the string
    table; ``language`` overrides the one the root element implies. XML option: ``pretty``.
    """
    element = _tree(element, "encode")
    if format == "xml":
        xml: bytes = _impl.codec.write_xml(element, pretty=pretty)
        return xml
    if format != "wbxml":
        raise ValueError(f"format must be 'wbxml' or 'xml', not {format!r}")
    wbxml: bytes = _impl.codec.encode_wbxml(
        element,
        **_wbxml_options(string_table, opaque_data, version, public_id, language, type_rewrite),
    )
    return wbxml


def _wbxml_options(
    string_table: bool,
    opaque_data: str,
    version: str,
    public_id: str,
    language: Language | None,
    type_rewrite: bool,
) -> dict[str, Any]:
    """The WBXML options of :func:`encode`, checked, as the implementations take them."""
    if version not in _VERSIONS:
        raise ValueError(f"version must be one of {', '.join(_VERSIONS)}, not {version!r}")
    return {
        "language": language,
        "version": _VERSIONS[version],
        "public_id": _choice("public_id", public_id, _PUBLIC_IDS),
        "string_table": bool(string_table),
        "opaque_data": _choice("opaque_data", opaque_data, _OPAQUE_DATA),
        "type_rewrite": bool(type_rewrite),
    }


def wbxml_to_xml(
    data: bytes | bytearray | memoryview,
    *,
    pretty: bool = False,
    language: Language | None = None,
    limits: Limits = DEFAULT_LIMITS,
    unknown_tags: Literal["error", "keep"] = "error",
    type_rewrite: bool = True,
) -> bytes:
    """Convert a WBXML document to UTF-8 XML (options as for :func:`decode`).

    The same bytes as ``encode(decode(data), format="xml", pretty=pretty)``; the compiled core
    streams common documents straight to XML without building the tree.
    """
    _check_limits(limits)
    check_size(data, limits)
    data = bytes(data)
    if not is_wbxml(data):
        raise DecodeError("not WBXML: the first byte is not a WBXML version (0x00-0x03)", 0)
    xml: bytes = _impl.codec.wbxml_to_xml(
        data,
        pretty=bool(pretty),
        language=language,
        limits=limits,
        unknown_tags=_choice("unknown_tags", unknown_tags, _UNKNOWN_TAGS),
        type_rewrite=bool(type_rewrite),
    )
    return xml


def xml_to_wbxml(
    xml: bytes | bytearray | memoryview | str,
    *,
    string_table: bool = False,
    opaque_data: Literal["auto", "always", "never"] = "auto",
    version: str = "1.3",
    public_id: Literal["number", "string"] = "number",
    language: Language | None = None,
    type_rewrite: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """Convert an XML document to WBXML (options as for :func:`encode`, ``limits`` as for
    :func:`decode`).

    The same bytes as ``encode(decode(xml), ...)``; the compiled core encodes common documents
    while it scans the XML, without building a tree.
    """
    _check_limits(limits)
    check_size(xml, limits)
    if not isinstance(xml, str):
        xml = bytes(xml)
        if is_wbxml(xml):
            raise DecodeError("not XML: the input starts like WBXML", 0)
    options = _wbxml_options(string_table, opaque_data, version, public_id, language, type_rewrite)
    wbxml: bytes = _impl.codec.xml_to_wbxml(xml, limits=limits, **options)
    return wbxml


def from_lxml(element: Any) -> Element:
    """Convert an lxml element into an element tree (namespaces normalised as on XML input)."""
    tree: Element = _impl.codec.read_lxml(element)
    return tree


def to_lxml(element: Any) -> Any:
    """Convert an element tree (or a model object's) into an lxml element."""
    return xml_writer.to_lxml(_tree(element, "to_lxml"))


def _tree(element: Any, function: str) -> Any:
    """The element tree to write: ``element`` itself, or a model object's (a ``Message``, a
    command, ...); TypeError naming anything else."""
    from .model.base import Node  # the model is built on this module

    if isinstance(element, Node):
        return element.element
    if not (hasattr(element, "tag") and hasattr(element, "children")):
        raise TypeError(
            f"{function}() takes an Element or a model object, not {type(element).__name__}"
        )
    return element
