"""Resource limits for decoding untrusted input, with safe defaults.

Every limit is checked before anything is allocated for the item it guards, and each length is also
checked against the bytes actually left in the input. What a decode *produces* is bounded too:
the elements it makes and the bytes of content it holds (string-table references, nested
documents and joined pieces can each produce far more than they take in the input).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import LimitError

__all__ = [
    "Limits",
    "DEFAULT_LIMITS",
    "MAX_ENCODE_DEPTH",
    "SHARED_LIMITS",
    "MAX_NESTED_DOCUMENTS",
    "Budget",
    "check_size",
]

MiB = 1024 * 1024

#: Trees nested deeper than this are refused by the encoders and XML writers (EncodeError): a tree
#: made to contain itself would never end, and the pure-Python writers recurse, well within the
#: interpreter's recursion limit at this depth.
MAX_ENCODE_DEPTH = 512

#: WBXML documents nested in OPAQUE Data deeper than this are not decoded and stay bytes (real
#: messages nest one or two: DevInf or TNDS inside SyncML); the pure-Python decoder recurses
#: per nested document, well within the interpreter's recursion limit at this depth.
MAX_NESTED_DOCUMENTS = 32

#: The limits on what a whole decode produces, shared with the documents nested in it: crossing
#: one inside a nested document ends the decode (a nested document that crosses any other limit
#: is not decoded, and stays bytes).
SHARED_LIMITS = ("max_output", "max_elements")


@dataclass(frozen=True)
class Limits:
    """How much a decoder accepts and produces. Crossing any limit raises :class:`LimitError`
    (a DecodeError) with the byte offset where it was crossed.

    The defaults leave a wide margin over real messages (a 10 MB DM message holds 350,000
    elements and 3 MB of text) and bound what the worst input can cost: about 100 MB of
    elements in the compiled implementation (500 MB in the pure one) and 128 MiB of content
    (up to four times that when a text mixes in characters beyond the BMP).
    """

    #: Elements nested deeper than this (nested WBXML documents included).
    max_depth: int = 256
    #: Input larger than this many bytes (WBXML or XML).
    max_size: int = 32 * MiB
    #: One string (inline, string-table entry, XML text node, or a text joined from pieces) of
    #: more than this many bytes (characters for joined text).
    max_string: int = 8 * MiB
    #: An OPAQUE payload longer than this many bytes.
    max_opaque: int = 32 * MiB
    #: More elements and attributes than this in one decode, nested documents included.
    max_elements: int = 2_000_000
    #: More content than this in one decode: every string and OPAQUE payload counted in the
    #: bytes the input spends on it, each time it is produced (a string-table entry once per
    #: reference), nested documents included.
    max_output: int = 128 * MiB

    def __post_init__(self) -> None:
        for name in (
            "max_depth",
            "max_size",
            "max_string",
            "max_opaque",
            "max_elements",
            "max_output",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, not {value!r}")


DEFAULT_LIMITS = Limits()


def check_size(data: bytes | bytearray | memoryview | str, limits: Limits) -> None:
    """Refuse input larger than ``limits.max_size`` before reading or copying any of it (a
    ``str`` is at least as many UTF-8 bytes as it has characters)."""
    size = data.nbytes if isinstance(data, memoryview) else len(data)
    if size > limits.max_size:
        raise LimitError(
            f"input of {size} bytes exceeds max_size {limits.max_size}", limits.max_size, "max_size"
        )


class Budget:
    """What one decode may still produce (``max_output`` bytes of content, ``max_elements``
    elements), shared with the documents nested in it. Each thing is charged before it is made,
    so crossing a limit raises before the allocation."""

    __slots__ = ("elements", "limits", "nesting", "output")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.output = limits.max_output
        self.elements = limits.max_elements
        self.nesting = 0  # how many documents the one being decoded is nested in

    def content(self, size: int, offset: int) -> None:
        """Charge ``size`` bytes of content for the token at ``offset``."""
        self.output -= size
        if self.output < 0:
            raise LimitError(
                f"the decoded content exceeds max_output {self.limits.max_output}",
                offset,
                "max_output",
            )

    def element(self, offset: int) -> None:
        """Charge one element or attribute for the token at ``offset``."""
        self.elements -= 1
        if self.elements < 0:
            raise LimitError(
                f"more than max_elements {self.limits.max_elements} elements",
                offset,
                "max_elements",
            )
