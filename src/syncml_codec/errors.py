"""The exception hierarchy: everything the library raises on bad input derives from SyncMLError."""

from __future__ import annotations

__all__ = ["SyncMLError", "DecodeError", "LimitError", "EncodeError"]


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


class LimitError(DecodeError):
    """Input that crosses one of the decoder's :class:`~syncml_codec.Limits` (a DecodeError:
    catching DecodeError catches it too); ``limit`` names it (``"max_output"``, ...)."""

    def __init__(self, message: str, offset: int, limit: str) -> None:
        super().__init__(message, offset)
        self.limit = limit

    def __reduce__(self) -> tuple[type[LimitError], tuple[str, int, str]]:  # type: ignore[override]
        return (type(self), (self.message, self.offset, self.limit))


class EncodeError(SyncMLError, ValueError):
    """An element tree that cannot be written in the requested form."""
