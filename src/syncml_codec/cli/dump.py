"""An annotated token listing of a WBXML document, for debugging captures."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from .. import _impl
from ..api import decode
from ..errors import DecodeError
from ..limits import DEFAULT_LIMITS, MAX_NESTED_DOCUMENTS, Limits, check_size
from ..wbxml.header import read_header
from ..wbxml.languages import Language
from ..wbxml.listing import listing_line, shown_text

__all__ = ["dump"]


def dump(
    data: bytes,
    language: Language | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    indent: str = "",
    base: int = 0,
    nesting: int = 0,
) -> Iterator[str]:
    """Yield one line per header field and token: offset, bytes, token, page, name, value.

    Nested WBXML documents inside OPAQUE are listed indented. Raises DecodeError (after the lines
    that could be read) at the first malformed token, or at a limit a decode would cross (of
    ``limits``: max_size, max_depth, max_string, max_opaque, max_output); offsets are
    ``base`` + the offset in ``data``; ``nesting`` documents enclose it.
    """
    check_size(data, limits)

    def line(offset: int, end: int, what: str) -> str:
        return listing_line(data, offset, end, base, indent + what)

    header = read_header(data, language)
    version = f"{(header.version >> 4) + 1}.{header.version & 0x0F}"
    yield line(0, 1, f"version {version}")
    name = header.language.name if header.language else "unknown"
    public_id = (
        f"{header.public_id:#06x}" if isinstance(header.public_id, int) else repr(header.public_id)
    )
    yield line(
        1,
        header.string_table_offset,
        f"public id {public_id} ({name}), charset "
        f"{header.charset} ({header.encoding}), string table "
        f"{len(header.string_table)} bytes",
    )
    if header.string_table:
        yield line(
            header.string_table_offset,
            header.body_offset,
            f"string table {shown_text(header.string_table.decode(header.encoding, 'replace'))}",
        )
    if header.language is None:
        raise DecodeError(f"unknown public id {header.public_id!r} (pass language=)", 1)

    def nested(raw: bytes, inner: str, at: int, outer: int) -> Iterator[str]:
        """The listing of an OPAQUE payload that decodes as a WBXML document under the limits
        left at its place (the decoder in use tells, before any line is made), to the nesting
        a decode reads; nothing for other payloads."""
        room = limits.max_depth - outer
        if not raw or raw[0] > 0x03 or room < 1 or nesting >= MAX_NESTED_DOCUMENTS:
            return
        inside = dataclasses.replace(limits, max_depth=room)
        try:
            decode(raw, limits=inside)
        except DecodeError:
            return
        yield from dump(raw, limits=inside, indent=inner, base=at, nesting=nesting + 1)

    yield from _impl.codec.list_tokens(data, header, limits, indent, base, nested)
