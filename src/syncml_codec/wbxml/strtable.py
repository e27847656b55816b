"""The encoder's string table and the header written in front of an encoded body."""

from __future__ import annotations

from collections import Counter

from ..errors import EncodeError
from .header import mb_u_int32
from .languages import Language

__all__ = ["StringTable", "SharedStrings", "start_document", "finish_document", "utf8"]

_UTF8 = 0x6A


def utf8(text: str) -> bytes:
    """``text`` as UTF-8; EncodeError for a lone surrogate, which has no UTF-8 form."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise EncodeError("text holds a lone surrogate: it has no UTF-8 form") from None


class StringTable:
    """A string table built as the encoder goes: each string stored once, in first-use order."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.offsets: dict[str, int] = {}

    def add(self, text: str) -> int:
        """The offset of ``text``, appending it (NUL-terminated UTF-8) on first use."""
        offset = self.offsets.get(text)
        if offset is None:
            offset = self.offsets[text] = len(self.data)
            self.data += utf8(text) + b"\x00"
        return offset


class SharedStrings:
    """The string table's candidates, gathered while the body is written (one pass).

    Every inline string of four or more characters is noted with where it was written; once
    the body is complete, :meth:`share` moves the strings written twice or more to the table
    (in order of first use) and replaces each of their inline copies with a reference.
    Nothing is looked up twice and no second walk of the tree is needed, so sharing stays
    linear in the document.
    """

    MIN_LENGTH = 4  # shorter strings are left inline: a reference would save little or nothing

    def __init__(self) -> None:
        self.sites: list[tuple[int, int, str]] = []  # (position, length in bytes, string)

    def record(self, text: str, position: int, length: int) -> None:
        """Note that ``text`` was written inline (STR_I, UTF-8, NUL) at ``position``."""
        self.sites.append((position, length, text))

    def share(self, body: bytearray, table: StringTable) -> bytes:
        """``body`` with the strings written twice or more referenced from ``table``."""
        uses = Counter(text for _, _, text in self.sites)  # in order of first use
        offsets = {text: table.add(text) for text, count in uses.items() if count > 1}
        if not offsets:
            return bytes(body)
        pieces: list[bytes | bytearray] = []
        copied = 0
        for position, length, text in self.sites:
            offset = offsets.get(text)
            if offset is not None:
                pieces += (body[copied:position], b"\x83", mb_u_int32(offset))  # STR_T
                copied = position + length
        pieces.append(body[copied:])
        return b"".join(pieces)


def start_document(language: Language, public_id: str) -> tuple[StringTable, bytes]:
    """A fresh string table and the public id field (the FPI goes in the table when textual)."""
    table = StringTable()
    if language.public_id is None or public_id == "string":
        if language.fpi is None:
            raise EncodeError(f"{language.name} has neither a numeric nor a textual public id")
        return table, b"\x00" + mb_u_int32(table.add(language.fpi))
    return table, mb_u_int32(language.public_id)


def finish_document(version: int, public_id: bytes, table: bytes | bytearray, body: bytes) -> bytes:
    """Header (version, public id, charset UTF-8, string table) followed by the body."""
    charset = b"" if version == 0 else mb_u_int32(_UTF8)
    return b"".join(
        (bytes([version]), public_id, charset, mb_u_int32(len(table)), bytes(table), body)
    )
