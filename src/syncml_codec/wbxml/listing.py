"""The annotated token listing of a WBXML body (``python -m syncml_codec dump``), one line per
token: offset, bytes, indented token, page, name, value.

The compiled core has a twin, ``_wbxml.list_tokens``, that makes the same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..errors import LimitError
from ..limits import Budget, Limits
from .header import Header
from .tokens import HAS_ATTRIBUTES, HAS_CONTENT, iter_tokens

__all__ = ["Nested", "list_tokens", "listing_line", "shown_text"]

#: Lists a nested document found in OPAQUE: (payload, indentation, offset of the payload in
#: the outermost input, depth of the OPAQUE's element) to its lines, none if it is not one.
Nested = Callable[[bytes, str, int, int], Iterable[str]]

MAX_HEX = 8  # bytes shown per line; longer tokens end in "..."
MAX_TEXT = 60  # characters shown of a string
_ONE_BYTE = [f"{byte:02X}".ljust(28) for byte in range(256)]  # a one-byte token's bytes column
_FLAG_BITS = HAS_CONTENT | HAS_ATTRIBUTES
_FLAGS = {  # what a tag's flags read as
    0: " (empty)",
    HAS_CONTENT: " (content)",
    HAS_ATTRIBUTES: " (attributes)",
    HAS_CONTENT | HAS_ATTRIBUTES: " (content, attributes)",
}


def listing_line(data: bytes, offset: int, end: int, base: int, what: str) -> str:
    """The line of the token (or header field) at ``data[offset:end]``: its offset plus
    ``base``, its bytes (the first eight), then ``what``."""
    shown = data[offset : min(end, offset + MAX_HEX)].hex(" ").upper()
    if end - offset > MAX_HEX:
        shown += " ..."
    return f"{base + offset:08X}  {shown:<27} {what}"


def shown_text(value: str) -> str:
    """A string as a listing shows it: its first characters, quoted, and its length if cut."""
    shown = repr(value[:MAX_TEXT])
    return shown + (f" ... ({len(value)} chars)" if len(value) > MAX_TEXT else "")


def list_tokens(
    data: bytes,
    header: Header,
    limits: Limits,
    indent: str = "",
    base: int = 0,
    nested: Nested | None = None,
) -> Iterator[str]:
    """Yield one line per token of the body of ``data`` (whose header is ``header``, of a known
    language), indented by element depth after ``indent``; offsets are ``base`` + the offset in
    ``data``. ``nested`` lists the OPAQUE payloads that are documents.

    Raises DecodeError after the lines that could be read. Of ``limits``: max_string,
    max_opaque, max_output and max_depth as a decode checks them.
    """
    assert header.language is not None
    tag_names = header.language.tag_names
    max_depth = limits.max_depth
    pads = [indent]  # the indentation of the open elements' content, outermost first
    for offset, end, kind, page, code, value in iter_tokens(data, header, limits, Budget(limits)):
        if kind == "TAG" or kind == "LITERAL_TAG":
            if code & HAS_CONTENT and len(pads) > max_depth:  # as a decode counts depth
                raise LimitError(f"elements nested deeper than {max_depth}", offset, "max_depth")
            if kind == "TAG":
                names = tag_names.get(page)
                tag = (names[code & 0x3F] if names else None) or "?unknown"
            else:
                tag = value
            what = f"{pads[-1]}<{tag}>  {kind} page {page}{_FLAGS[code & _FLAG_BITS]}"
            if code & HAS_CONTENT:
                pads.append(pads[-1] + "  ")
        elif kind == "END":
            if len(pads) > 1:
                pads.pop()
            what = f"{pads[-1]}END"
        elif kind in ("STR_I", "EXT") and isinstance(value, str):
            what = f"{pads[-1]}{kind} {shown_text(value)}"
        elif kind == "STR_T":
            what = f"{pads[-1]}STR_T @{code} {shown_text(value)}"
        elif kind == "OPAQUE":
            what = f"{pads[-1]}OPAQUE {code} bytes"
        elif kind == "ENTITY":
            what = f"{pads[-1]}ENTITY U+{code:04X}"
        elif kind == "SWITCH_PAGE":
            what = f"{pads[-1]}SWITCH_PAGE {value}"
        else:
            what = f"{pads[-1]}{kind} {code:#04x}" + (f" {value!r}" if value else "")
        if end - offset == 1:  # most tokens: their column made once per byte value
            yield f"{base + offset:08X}  {_ONE_BYTE[data[offset]]}{what}"
            continue
        yield listing_line(data, offset, end, base, what)
        if kind == "OPAQUE" and nested is not None:
            yield from nested(value, pads[-1] + "  ", base + end - code, len(pads) - 1)
