"""An annotated token listing of a WBXML document, for debugging captures."""

from __future__ import annotations

from collections.abc import Iterator

from ..api import decode as decode_wbxml
from ..errors import DecodeError
from ..wbxml.header import read_header
from ..wbxml.languages import Language
from ..wbxml.tokens import HAS_ATTRIBUTES, HAS_CONTENT, iter_tokens

__all__ = ["dump"]

_MAX_HEX = 8  # bytes shown per line; longer tokens end in "..."
_MAX_TEXT = 60
_ONE_BYTE = [f"{byte:02X}".ljust(28) for byte in range(256)]  # a one-byte token's bytes column
_FLAG_BITS = HAS_CONTENT | HAS_ATTRIBUTES
_FLAGS = {  # what a tag's flags read as
    0: " (empty)",
    HAS_CONTENT: " (content)",
    HAS_ATTRIBUTES: " (attributes)",
    HAS_CONTENT | HAS_ATTRIBUTES: " (content, attributes)",
}


def _hex(data: bytes, start: int, end: int) -> str:
    shown = data[start : min(end, start + _MAX_HEX)].hex(" ").upper()
    return shown + (" ..." if end - start > _MAX_HEX else "")


def _text(value: str) -> str:
    shown = repr(value[:_MAX_TEXT])
    return shown + (f" ... ({len(value)} chars)" if len(value) > _MAX_TEXT else "")


def dump(
    data: bytes, language: Language | None = None, indent: str = "", base: int = 0
) -> Iterator[str]:
    """Yield one line per header field and token: offset, bytes, token, page, name, value.

    Nested WBXML documents inside OPAQUE are listed indented. Raises DecodeError (after the lines
    that could be read) at the first malformed token; offsets are relative to ``data``.
    """

    def line(offset: int, end: int, what: str) -> str:
        return f"{base + offset:08X}  {_hex(data, offset, end):<27} {indent}{what}"

    header = read_header(data, language)
    version = f"{(header.version >> 4) + 1}.{header.version & 0x0F}"
    yield line(0, 1, f"version {version}")
    public_end = header.string_table_offset
    language = header.language
    name = language.name if language else "unknown"
    public_id = (
        f"{header.public_id:#06x}" if isinstance(header.public_id, int) else repr(header.public_id)
    )
    yield line(
        1,
        public_end,
        f"public id {public_id} ({name}), charset "
        f"{header.charset} ({header.encoding}), string table "
        f"{len(header.string_table)} bytes",
    )
    if header.string_table:
        yield line(
            header.string_table_offset,
            header.body_offset,
            f"string table {_text(header.string_table.decode(header.encoding, 'replace'))}",
        )
    if language is None:
        raise DecodeError(f"unknown public id {header.public_id!r} (pass language=)", 1)
    depth = 0
    pads = [indent]  # the indentation of each depth, made once
    tag_names = language.tag_names
    for offset, end, kind, page, code, value in iter_tokens(data, header):
        if depth + 1 >= len(pads):
            pads.append(pads[-1] + "  ")
        pad = pads[depth]
        if kind == "TAG" or kind == "LITERAL_TAG":
            if kind == "TAG":
                names = tag_names.get(page)
                tag = (names[code & 0x3F] if names else None) or "?unknown"
            else:
                tag = value
            what = f"{pad}<{tag}>  {kind} page {page}{_FLAGS[code & _FLAG_BITS]}"
            if code & HAS_CONTENT:
                depth += 1
        elif kind == "END":
            depth = max(depth - 1, 0)
            what = f"{pads[depth]}END"
        elif kind in ("STR_I", "EXT") and isinstance(value, str):
            what = f"{pad}{kind} {_text(value)}"
        elif kind == "STR_T":
            what = f"{pad}STR_T @{code} {_text(value)}"
        elif kind == "OPAQUE":
            what = f"{pad}OPAQUE {code} bytes"
        elif kind == "ENTITY":
            what = f"{pad}ENTITY U+{code:04X}"
        elif kind == "SWITCH_PAGE":
            what = f"{pad}SWITCH_PAGE {value}"
        else:
            what = f"{pad}{kind} {code:#04x}" + (f" {value!r}" if value else "")
        if end - offset == 1:  # most tokens: their column made once per byte value
            yield f"{base + offset:08X}  {_ONE_BYTE[data[offset]]}{what}"
            continue
        shown = data[offset : min(end, offset + _MAX_HEX)].hex(" ").upper()
        if end - offset > _MAX_HEX:
            shown += " ..."
        yield f"{base + offset:08X}  {shown:<27} {what}"
        if kind == "OPAQUE":
            yield from _nested(value, pad + "  ", base + end - code)


def _nested(raw: bytes, indent: str, base: int) -> Iterator[str]:
    """The listing of an OPAQUE payload that is itself a WBXML document; nothing otherwise
    (the decoder in use tells which, at its own speed, before any line is made)."""
    if not raw or raw[0] > 0x03:
        return
    try:
        decode_wbxml(raw)
    except DecodeError:
        return
    yield from dump(raw, indent=indent, base=base)
