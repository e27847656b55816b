"""Moving packages: the outbox cuts commands into messages within the peer's MaxMsgSize, to the
byte; large objects go out in chunks and come back whole through an Assembler. Nothing here
does I/O: the caller moves the bytes."""

from .largeobject import Assembler, Outcome, SizeCounts, chunk_item, data_size
from .outbox import Outbox, OutboxError, pack

__all__ = [
    "Outbox",
    "OutboxError",
    "pack",
    "Assembler",
    "Outcome",
    "SizeCounts",
    "chunk_item",
    "data_size",
]
