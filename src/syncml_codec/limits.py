"""Resource limits for decoding untrusted input, with safe defaults.

Every limit is checked before anything is allocated for the item it guards, and each length is also
checked against the bytes actually left in the input, so no input can make a decoder allocate more
than the input itself justifies.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import DecodeError

__all__ = ["Limits", "DEFAULT_LIMITS", "MAX_ENCODE_DEPTH", "check_size"]

MiB = 1024 * 1024

#: Trees nested deeper than this are refused by the encoders and XML writers (EncodeError): a tree
#: made to contain itself would never end, and the pure-Python writers recurse, well within the
#: interpreter's recursion limit at this depth.
MAX_ENCODE_DEPTH = 512


@dataclass(frozen=True)
class Limits:
    """How much a decoder accepts. Exceeding any limit raises DecodeError."""

    #: Elements nested deeper than this (nested WBXML documents included).
    max_depth: int = 256
    #: Input larger than this many bytes (WBXML or XML).
    max_size: int = 32 * MiB
    #: A string (inline, string-table entry, XML text node) longer than this many bytes.
    max_string: int = 8 * MiB
    #: An OPAQUE payload longer than this many bytes.
    max_opaque: int = 32 * MiB

    def __post_init__(self) -> None:
        for name in ("max_depth", "max_size", "max_string", "max_opaque"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, not {value!r}")


DEFAULT_LIMITS = Limits()


def check_size(data: bytes | bytearray | memoryview | str, limits: Limits) -> None:
    """Refuse input larger than ``limits.max_size`` before reading or copying any of it (a
    ``str`` is at least as many UTF-8 bytes as it has characters)."""
    size = data.nbytes if isinstance(data, memoryview) else len(data)
    if size > limits.max_size:
        raise DecodeError(
            f"input of {size} bytes exceeds max_size {limits.max_size}", limits.max_size
        )
