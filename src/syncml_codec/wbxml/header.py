"""The WBXML document header (WAP-192 section 5.4): version, public id, charset, string table.

Read once per document, so both codec implementations share this pure-Python reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DecodeError
from .languages import Language, language_for_public_id

__all__ = ["CHARSETS", "Header", "read_header", "read_mb_u_int32", "mb_u_int32", "table_bytes"]

#: IANA MIBenum -> Python codec. 0 (unknown) is read as UTF-8, as libwbxml does.
CHARSETS: dict[int, str] = {
    0: "utf-8",
    3: "ascii",
    4: "latin-1",
    **{mib: f"iso-8859-{n}" for mib, n in zip(range(5, 13), range(2, 10), strict=True)},
    17: "shift_jis",
    106: "utf-8",
    1000: "utf-16-be",  # ISO-10646-UCS-2
    1013: "utf-16-be",
    1014: "utf-16-le",
    1015: "utf-16-be",  # UTF-16 without a byte order mark is big-endian (RFC 2781)
    2026: "big5",
}
UTF8 = 106


@dataclass(frozen=True)
class Header:
    """What precedes the body: the fields as read, and the language they select."""

    version: int
    public_id: int | str  # numeric id, or the FPI text for the ``00 index`` form
    charset: int
    encoding: str  # Python codec for ``charset``
    nul_width: int  # bytes of the string terminator: 2 for UTF-16, else 1
    string_table: bytes
    string_table_offset: int
    body_offset: int
    language: Language | None


def read_mb_u_int32(data: bytes, pos: int) -> tuple[int, int]:
    """Decode a multi-byte unsigned integer at ``pos``; returns (value, position after it)."""
    value = 0
    for i in range(5):
        if pos + i >= len(data):
            raise DecodeError("truncated mb_u_int32", pos)
        byte = data[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            if value > 0xFFFFFFFF:
                raise DecodeError("mb_u_int32 overflows 32 bits", pos)
            return value, pos + i + 1
    raise DecodeError("mb_u_int32 longer than 5 bytes", pos)


def mb_u_int32(value: int) -> bytes:
    """The minimal multi-byte encoding of ``value`` (0 <= value < 2**32)."""
    if not 0 <= value <= 0xFFFFFFFF:
        raise ValueError(f"{value} does not fit an mb_u_int32")
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def table_bytes(table: bytes, index: int, nul_width: int) -> bytes:
    """The bytes of the string at ``index`` in a string table (the last may lack its NUL)."""
    end = _find_nul(table, index, nul_width)
    return table[index : len(table) if end < 0 else end]


def _find_nul(data: bytes, start: int, nul_width: int, stop: int | None = None) -> int:
    stop = len(data) if stop is None else stop
    if nul_width == 1:
        return data.find(b"\x00", start, stop)
    pos = start
    while True:
        pos = data.find(b"\x00\x00", pos, stop)
        if pos < 0 or (pos - start) % 2 == 0:
            return pos
        pos += 1


def read_header(data: bytes, language: Language | None = None) -> Header:
    """Read the header; ``language`` overrides the one the public id names."""
    if not data:
        raise DecodeError("empty input", 0)
    version = data[0]
    if version > 0x03:
        raise DecodeError(f"unsupported WBXML version byte {version:#04x}", 0)
    public_id, pos = read_mb_u_int32(data, 1)
    index_offset = -1
    if public_id == 0:
        index_offset = pos
        public_id, pos = read_mb_u_int32(data, pos)
    charset = UTF8
    if version > 0x00:  # WBXML 1.0 has no charset field
        charset_offset = pos
        charset, pos = read_mb_u_int32(data, pos)
        if charset not in CHARSETS:
            raise DecodeError(f"unsupported charset MIBenum {charset}", charset_offset)
    encoding = CHARSETS[charset]
    nul_width = 2 if encoding.startswith("utf-16") else 1
    length_offset = pos
    table_length, pos = read_mb_u_int32(data, pos)
    if table_length > len(data) - pos:
        raise DecodeError("string table runs past the end of the input", length_offset)
    table = data[pos : pos + table_length]
    table_offset = pos
    pos += table_length

    fpi: int | str = public_id
    if index_offset >= 0:
        if public_id >= len(table):
            raise DecodeError("public id index outside the string table", index_offset)
        try:
            fpi = table_bytes(table, public_id, nul_width).decode(encoding)
        except UnicodeDecodeError:
            raise DecodeError("public id string cannot be decoded", index_offset) from None
    if language is None:
        language = language_for_public_id(fpi)
    return Header(version, fpi, charset, encoding, nul_width, table, table_offset, pos, language)
