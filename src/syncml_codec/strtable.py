"""The encoder's string table and the header written in front of an encoded body."""

from __future__ import annotations

from typing import Any

from .codepages import Language
from .errors import EncodeError
from .header import mb_u_int32

__all__ = ["StringTable", "repeated_strings", "start_document", "finish_document", "utf8"]

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


def repeated_strings(root: Any, max_depth: int) -> set[str]:
    """Texts of four or more characters that occur at least twice: worth a table entry.

    One pass with a set, so building the table is linear in the document. A tree nested deeper
    than ``max_depth`` (one that contains itself, say) is refused as the encoder refuses it.
    """
    seen: set[str] = set()
    repeated: set[str] = set()
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise EncodeError(f"tree nested deeper than {max_depth}")
        for value in (node.text, node.tail):
            if isinstance(value, str) and len(value) >= 4:
                if value in seen:
                    repeated.add(value)
                else:
                    seen.add(value)
        stack.extend((child, depth + 1) for child in node.children)
    return repeated


def start_document(language: Language, public_id: str) -> tuple[StringTable, bytes]:
    """A fresh string table and the public id field (the FPI goes in the table when textual)."""
    table = StringTable()
    if language.public_id is None or public_id == "string":
        if language.fpi is None:
            raise EncodeError(f"{language.name} has neither a numeric nor a textual public id")
        return table, b"\x00" + mb_u_int32(table.add(language.fpi))
    return table, mb_u_int32(language.public_id)


def finish_document(version: int, public_id: bytes, table: bytes | bytearray,
                    body: bytes) -> bytes:
    """Header (version, public id, charset UTF-8, string table) followed by the body."""
    charset = b"" if version == 0 else mb_u_int32(_UTF8)
    return b"".join((bytes([version]), public_id, charset, mb_u_int32(len(table)), bytes(table),
                     body))
