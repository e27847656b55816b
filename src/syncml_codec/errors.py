"""The exception hierarchy: everything the library raises on bad input derives from SyncMLError."""

from __future__ import annotations

__all__ = ["SyncMLError", "DecodeError", "EncodeError"]


class SyncMLError(Exception):
    """Base class of every error this library raises for bad input or unencodable documents."""


class DecodeError(SyncMLError, ValueError):
    """Malformed input (WBXML or XML).

    ``offset`` is the byte offset of the token or field that could not be decoded: for input that
    ends too early, the offset of the incomplete token or field.
    """

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at byte {offset})")
        self.message = message
        self.offset = offset

    def __reduce__(self) -> tuple[type[DecodeError], tuple[str, int]]:  # picklable
        return (type(self), (self.message, self.offset))


class EncodeError(SyncMLError, ValueError):
    """An element tree that cannot be written in the requested form."""
