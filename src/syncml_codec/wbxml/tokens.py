"""The WBXML token stream: global tokens (WAP-192 section 7.1) and a tokenizer over a body.

The pure-Python tree builder reads the body through :func:`iter_tokens`, and so does the annotated
``dump`` listing of the command line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from ..errors import DecodeError, LimitError
from ..limits import DEFAULT_LIMITS, Budget, Limits
from .header import Header, read_mb_u_int32, table_bytes

__all__ = ["Token", "iter_tokens"]

# Global tokens (WAP-192 section 7.1), the same on every code page.
SWITCH_PAGE, END, ENTITY, STR_I, LITERAL = 0x00, 0x01, 0x02, 0x03, 0x04
EXT_I_0, EXT_I_1, EXT_I_2, PI, LITERAL_C = 0x40, 0x41, 0x42, 0x43, 0x44
EXT_T_0, EXT_T_1, EXT_T_2, STR_T, LITERAL_A = 0x80, 0x81, 0x82, 0x83, 0x84
EXT_0, EXT_1, EXT_2, OPAQUE, LITERAL_AC = 0xC0, 0xC1, 0xC2, 0xC3, 0xC4
HAS_ATTRIBUTES, HAS_CONTENT = 0x80, 0x40


class Token(NamedTuple):
    """One WBXML token as the tokenizer reads it (for the tree builder and ``dump``)."""

    offset: int
    end: int
    kind: str  # TAG, LITERAL_TAG, END, STR_I, STR_T, ENTITY, OPAQUE, EXT, PI, SWITCH_PAGE,
    #            ATTR_START, ATTR_LITERAL, ATTR_VALUE
    page: int  # the tag or attribute code page in force
    code: int  # the token byte (TAG/ATTR_*/EXT), string-table index (STR_T), code point (ENTITY)
    value: Any  # decoded string, bytes, literal name or page number


def _termstr(
    data: bytes, pos: int, header: Header, max_string: int, budget: Budget | None
) -> tuple[str, int]:
    """Read a NUL-terminated string at ``pos``; returns (text, position after the NUL)."""
    width = header.nul_width
    if width == 1:
        end = data.find(b"\x00", pos)
    else:
        end = pos
        while True:
            end = data.find(b"\x00\x00", end)
            if end < 0 or (end - pos) % 2 == 0:
                break
            end += 1
    if end < 0:
        raise DecodeError("unterminated inline string", pos - 1)
    if end - pos > max_string:
        raise LimitError(
            f"inline string longer than max_string {max_string}", pos - 1, "max_string"
        )
    if budget is not None:
        budget.content(end - pos, pos - 1)
    try:
        return data[pos:end].decode(header.encoding), end + width
    except UnicodeDecodeError:
        raise DecodeError(f"inline string is not valid {header.encoding}", pos - 1) from None


def _table_ref(
    data: bytes, pos: int, header: Header, what: str, max_string: int, budget: Budget | None
) -> tuple[int, str, int]:
    """Read a string-table index at ``pos``: (index, string, position after the index)."""
    index, after = read_mb_u_int32(data, pos)
    if index >= len(header.string_table):
        raise DecodeError(f"{what} index {index} outside the string table", pos)
    raw = table_bytes(header.string_table, index, header.nul_width)
    if len(raw) > max_string:
        raise LimitError(
            f"string-table entry longer than max_string {max_string}", pos, "max_string"
        )
    if budget is not None:
        budget.content(len(raw), pos)
    try:
        return index, raw.decode(header.encoding), after
    except UnicodeDecodeError:
        raise DecodeError(f"string-table entry is not valid {header.encoding}", pos) from None


def iter_tokens(
    data: bytes, header: Header, limits: Limits = DEFAULT_LIMITS, budget: Budget | None = None
) -> Iterator[Token]:
    """Yield the body's tokens in order; raises DecodeError on the first malformed one.

    With a ``budget``, every string and OPAQUE payload is charged to it before it is made.
    """
    max_string = limits.max_string
    pos = header.body_offset
    size = len(data)
    tag_page = attr_page = 0
    in_attributes = False
    while pos < size:
        start = pos
        byte = data[pos]
        pos += 1
        if byte == SWITCH_PAGE:
            if pos >= size:
                raise DecodeError("truncated SWITCH_PAGE", start)
            page = data[pos]
            pos += 1
            if in_attributes:
                attr_page = page
            else:
                tag_page = page
            yield Token(start, pos, "SWITCH_PAGE", page, byte, page)
        elif byte == END:
            in_attributes = False
            yield Token(start, pos, "END", tag_page, byte, None)
        elif byte == STR_I:
            text, pos = _termstr(data, pos, header, max_string, budget)
            yield Token(start, pos, "STR_I", tag_page, byte, text)
        elif byte == STR_T:
            index, text, pos = _table_ref(data, pos, header, "STR_T", max_string, budget)
            yield Token(start, pos, "STR_T", tag_page, index, text)
        elif byte == ENTITY:
            code, pos = read_mb_u_int32(data, pos)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise DecodeError(f"ENTITY {code:#x} is not a Unicode scalar value", start)
            yield Token(start, pos, "ENTITY", tag_page, code, chr(code))
        elif byte == OPAQUE:
            if header.version == 0x00:
                raise DecodeError("OPAQUE does not exist in WBXML 1.0", start)
            length, pos = read_mb_u_int32(data, pos)
            if length > size - pos:
                raise DecodeError("OPAQUE length runs past the end of the input", start)
            if length > limits.max_opaque:
                raise LimitError(
                    f"OPAQUE longer than max_opaque {limits.max_opaque}", start, "max_opaque"
                )
            if budget is not None:
                budget.content(length, start)
            yield Token(start, pos + length, "OPAQUE", tag_page, length, data[pos : pos + length])
            pos += length
        elif byte in (EXT_I_0, EXT_I_1, EXT_I_2):
            text, pos = _termstr(data, pos, header, max_string, budget)
            yield Token(start, pos, "EXT", tag_page, byte, text)
        elif byte in (EXT_T_0, EXT_T_1, EXT_T_2):
            _, text, pos = _table_ref(data, pos, header, "EXT_T", max_string, budget)
            yield Token(start, pos, "EXT", tag_page, byte, text)
        elif byte in (EXT_0, EXT_1, EXT_2):
            yield Token(start, pos, "EXT", tag_page, byte, None)
        elif byte == PI:
            if in_attributes:
                raise DecodeError("PI inside an attribute list", start)
            in_attributes = True
            yield Token(start, pos, "PI", tag_page, byte, None)
        elif in_attributes:
            if byte == LITERAL:
                if not header.string_table and pos < size and data[pos] == 0:
                    name = "xmlns"  # Nokia phones name xmlns this way, with no string table
                    pos += 1
                else:
                    _, name, pos = _table_ref(data, pos, header, "LITERAL", max_string, budget)
                yield Token(start, pos, "ATTR_LITERAL", attr_page, byte, name)
            elif byte in (LITERAL_A, LITERAL_C, LITERAL_AC):
                raise DecodeError(f"tag token {byte:#04x} inside an attribute list", start)
            else:
                kind = "ATTR_START" if byte < 0x80 else "ATTR_VALUE"
                yield Token(start, pos, kind, attr_page, byte, None)
        elif byte in (LITERAL, LITERAL_A, LITERAL_C, LITERAL_AC):
            _, name, pos = _table_ref(data, pos, header, "LITERAL", max_string, budget)
            if not name:
                raise DecodeError("LITERAL tag with an empty name", start)
            in_attributes = bool(byte & HAS_ATTRIBUTES)
            yield Token(start, pos, "LITERAL_TAG", tag_page, byte, name)
        else:
            in_attributes = bool(byte & HAS_ATTRIBUTES)
            yield Token(start, pos, "TAG", tag_page, byte, None)
