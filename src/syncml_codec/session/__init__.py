"""Moving packages: large objects in chunks and back (the outbox, cutting messages to a peer's
MaxMsgSize, and the DM sessions build on them). Nothing here does I/O: the caller moves the
bytes."""

from .largeobject import Assembler, Outcome, SizeCounts, chunk_item, data_size

__all__ = ["Assembler", "Outcome", "SizeCounts", "chunk_item", "data_size"]
