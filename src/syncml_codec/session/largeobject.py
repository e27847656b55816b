"""Large objects (OMA DM 1.2 Protocol 2.2, RepPro "Large Object Handling"): an Item's Data too
big for one message travels in chunks, one per message, each the last item of a command of the
same type; MoreData marks every chunk but the last, Meta Size (the whole object's size) the
first only.

:func:`chunk_item` cuts one Item's Data into chunk Items; :class:`Assembler` joins received
chunks back into one command, with the statuses the recipient answers.
"""

from __future__ import annotations

import base64
import binascii
import copy
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

from ..model.codes import AlertCode, StatusCode
from ..model.commands import Alert, Command, wrap_command
from ..model.items import Item, Source, Target
from ..model.meta import Meta
from .serial import (
    StateError,
    checked_count,
    commands_from_text,
    commands_to_text,
    data_from_json,
    data_to_json,
)

__all__ = ["Assembler", "Outcome", "SizeCounts", "chunk_item", "data_size"]

#: Commands that may come between the chunks of an object (the Status answering the peer's
#: message, an Alert 1222 asking for the next): they neither continue nor interrupt it.
_BETWEEN_CHUNKS = frozenset({"Status", "Alert"})

#: What a Meta Size counts: the Data as sent (the text's UTF-8 bytes, or the bytes), the
#: decoded bytes of base64 (Meta Format ``b64``), or, receiving, either reading.
SizeCounts = Literal["sent", "decoded", "either"]


def data_size(data: str | bytes, format: str | None, counts: SizeCounts) -> int:
    """The size of ``data`` as ``counts`` reads it (``decoded`` only differs for ``b64``)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if counts == "decoded" and format == "b64":
        return len(base64.b64decode(b"".join(raw.split()), validate=False))
    return len(raw)


def chunk_item(item: Item, sizes: Iterator[int] | Callable[[int], int]) -> Iterator[Item]:
    """Cut ``item``'s Data into chunk Items: each a copy of ``item`` (Target, Source, Meta
    repeated) holding the next piece, ``sizes`` giving each piece's length in characters (or
    bytes), or a function of the chunk's index. Base64 text (Meta Format ``b64``) is cut on
    4-character boundaries, text never inside a character. MoreData is set on every chunk but
    the last; Meta Size, the whole Data's sent size, on the first only."""
    data = item.data
    if not isinstance(data, str | bytes):
        raise TypeError(f"only str or bytes Data is chunked, not {type(data).__name__}")
    meta = item.meta
    step = 4 if meta is not None and meta.format == "b64" else 1
    total = data_size(data, meta.format if meta is not None else None, "sent")
    position, index = 0, 0
    while True:
        wanted = sizes(index) if callable(sizes) else next(sizes)
        if wanted < step:
            raise ValueError(f"a chunk of {wanted} cannot hold a piece of this Data")
        end = min(len(data), position + wanted - wanted % step)
        piece = data[position:end]
        chunk = Item.wrap(copy.deepcopy(item.element))
        chunk.data = piece
        last = end >= len(data)
        chunk.more_data = not last
        if index == 0 and not last:
            chunk.meta = chunk.meta or Meta()
            chunk.meta.size = total
        elif chunk.meta is not None:
            chunk.meta.size = None
        yield chunk
        if last:
            return
        position, index = end, index + 1


@dataclass
class Outcome:
    """What to do with a received command.

    ``status``: the code to answer it with now (213 for a buffered chunk; 424, 413, 412 or 400
    for an object refused), or ``None`` when ``command`` is to be applied and answered as any
    command is. ``command``: the command to apply (the object whole, one Item with all its
    Data; or a command that was not chunked), ``None`` while chunks are buffered or when the
    object was refused. ``alert``: an Alert 1225 to send when an object was interrupted
    (answered before ``command``). ``sink``: the file the object was written to, with a sink.
    """

    status: StatusCode | None = None
    command: Command | None = None
    alert: Alert | None = None
    sink: IO[bytes] | None = None


class Assembler:
    """Joins the chunks of large objects received one command at a time (:meth:`feed`).

    ``max_obj_size``: the MaxObjSize this side declared (413 above it); ``size_counts``: what a
    received Meta Size counts (``either``, the default, accepts both readings of the spec);
    ``sink``: a function giving a writable binary file for each new object (its first chunk
    command), which then receives the chunks instead of memory.
    """

    def __init__(
        self,
        *,
        max_obj_size: int | None = None,
        size_counts: SizeCounts = "either",
        sink: Callable[[Command], IO[bytes]] | None = None,
    ) -> None:
        if size_counts not in ("sent", "decoded", "either"):
            raise ValueError(f"size_counts is 'sent', 'decoded' or 'either', not {size_counts!r}")
        self.max_obj_size = checked_count(max_obj_size, "max_obj_size", optional=True)
        self.size_counts = size_counts
        self.sink = sink
        self._pending: _Object | None = None
        self._refused: tuple[_Object, StatusCode] | None = None

    @property
    def pending(self) -> bool:
        """Whether an object's chunks are buffered, waiting for the next."""
        return self._pending is not None

    @property
    def receiving(self) -> bool:
        """Whether the next command may be a chunk of an object under way: its chunks are
        buffered, or it was refused and its remaining chunks get the same status."""
        return self._pending is not None or self._refused is not None

    def feed(self, command: Command) -> Outcome:
        """The outcome of a received command (see :class:`Outcome`). Status and Alert pass
        through, between chunks too; any other command before an object's last chunk
        interrupts it (Alert 1225). The chunks that follow
        a refused chunk of the same object get the same status, its last one included: no
        part of a refused object is ever applied."""
        refused = self._refused
        if refused is not None:
            self._refused = None
            if refused[0].continued_by(command):
                if _chunked_item(command) is not None:
                    self._refused = refused
                return Outcome(status=refused[1])
        if command.TAG in _BETWEEN_CHUNKS:
            return Outcome(command=command)
        pending = self._pending
        chunked = _chunked_item(command)
        if pending is not None and not pending.continued_by(command):
            self._pending = None
            interrupted = Outcome(alert=pending.interruption())
            follow = self.feed(command)
            follow.alert = interrupted.alert
            return follow
        if chunked is None:
            if pending is not None:  # the last chunk
                return self._finish(pending, command)
            return Outcome(command=command)
        item = command.items[-1]
        if pending is None:
            return self._start(command, item)
        if _meta_size(command, item) is not None:  # Size only on the first chunk
            return self._refuse(pending, StatusCode.BAD_REQUEST)
        return self._add(pending, item)

    def to_state(self) -> dict[str, Any]:
        """The object being received and the settings, as JSON-serializable data
        (:meth:`from_state` continues it). ValueError with a ``sink``: a file cannot be saved."""
        if self.sink is not None:
            raise ValueError("an Assembler writing to a sink has no state to save")
        refused = self._refused
        return {
            "max_obj_size": self.max_obj_size,
            "size_counts": self.size_counts,
            "pending": self._pending.to_state() if self._pending is not None else None,
            "refused": [refused[0].to_state(), int(refused[1])] if refused is not None else None,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Assembler:
        """The Assembler :meth:`to_state` described. StateError when ``state`` is not one."""
        try:
            assembler = cls(max_obj_size=state["max_obj_size"], size_counts=state["size_counts"])
            if state["pending"] is not None:
                assembler._pending = _Object.from_state(state["pending"])
            if state["refused"] is not None:
                saved, status = state["refused"]
                assembler._refused = (_Object.from_state(saved), StatusCode(status))
        except StateError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise StateError(f"not an Assembler's state: {error!r}") from None
        return assembler

    def _start(self, command: Command, item: Item) -> Outcome:
        declared = _meta_size(command, item)
        pending = _Object(command, declared or 0, _meta_format(command, item), None)
        if declared is None:
            return self._refuse(pending, StatusCode.INCOMPLETE_COMMAND)  # 412: no Size
        if self.max_obj_size is not None and declared > self.max_obj_size:
            return self._refuse(pending, StatusCode.REQUEST_ENTITY_TOO_LARGE)
        pending.sink = self.sink(command) if self.sink is not None else None
        self._pending = pending
        return self._add(pending, item)

    def _add(self, pending: _Object, item: Item) -> Outcome:
        status = pending.add(item.data, self.size_counts, self.max_obj_size)
        if status is not None:
            return self._refuse(pending, status)
        return Outcome(status=StatusCode.CHUNKED_ITEM_ACCEPTED)

    def _refuse(self, pending: _Object, status: StatusCode) -> Outcome:
        """Drop an object: this chunk and the rest of its chunks get ``status``."""
        self._pending = None
        self._refused = (pending, status)
        return Outcome(status=status)

    def _finish(self, pending: _Object, command: Command) -> Outcome:
        self._pending = None
        status = pending.add(command.items[-1].data, self.size_counts, self.max_obj_size)
        if status is None and not pending.size_matches(self.size_counts):
            status = StatusCode.SIZE_MISMATCH
        if status is not None:
            return Outcome(status=status)
        whole = wrap_command(copy.deepcopy(command.element))
        item = whole.items[-1]
        item.data = pending.joined()
        for meta in (item.meta, whole.meta):
            if meta is not None:
                meta.size = None
        return Outcome(command=whole, sink=pending.sink)


class _Object:
    """One object being received: its first command, declared Size, the chunks so far."""

    def __init__(
        self, command: Command, declared: int, format: str | None, sink: IO[bytes] | None
    ) -> None:
        self.command = command
        self.declared = declared
        self.format = format
        self.sink = sink
        self.parts: list[str] = []  # text chunks, joined once at the end
        self.binary = io.BytesIO()  # bytes chunks: its buffer becomes the object without a copy
        self.text: bool | None = None
        self.sent = 0
        self.decoded = 0
        self._b64_tail = b""

    def to_state(self) -> dict[str, Any]:
        return {
            "command": commands_to_text([self.command]),
            "declared": self.declared,
            "format": self.format,
            "text": self.text,
            "data": data_to_json(self.joined()),
            "sent": self.sent,
            "decoded": self.decoded,
            "b64_tail": data_to_json(self._b64_tail),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> _Object:
        (command,) = commands_from_text(state["command"])
        pending = cls(command, int(state["declared"]), state["format"], None)
        pending.text = state["text"]
        data = data_from_json(state["data"])
        if isinstance(data, str):
            pending.parts.append(data)
        elif data is not None:
            pending.binary.write(data)
        pending.sent, pending.decoded = int(state["sent"]), int(state["decoded"])
        tail = data_from_json(state["b64_tail"])
        pending._b64_tail = tail if isinstance(tail, bytes) else b""
        return pending

    def continued_by(self, command: Command) -> bool:
        """Whether ``command`` is this object's next chunk: the same command type, one item,
        the same Target and Source."""
        first = self.command
        if command.TAG != first.TAG or len(command.items) != 1:
            return False
        item, original = command.items[0], first.items[-1]
        return (item.target_uri, item.source_uri) == (original.target_uri, original.source_uri)

    def add(self, data: Any, counts: SizeCounts, max_obj_size: int | None) -> StatusCode | None:
        """Take a chunk; a status when the object must be refused (424 past the declared
        size, 413 past MaxObjSize, 400 for Data that is neither text nor bytes). Text and bytes
        chunks of one object join as bytes: a binary object's chunk that happens to be UTF-8
        text reads as text (decoders read such OPAQUE data so, as libwbxml does)."""
        if not isinstance(data, str | bytes):
            return StatusCode.BAD_REQUEST if data is not None else None
        if self.text is None:
            self.text = isinstance(data, str)
        elif self.text and isinstance(data, bytes):  # the text so far was bytes too
            self.binary.write("".join(self.parts).encode("utf-8"))
            self.parts.clear()
            self.text = False
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.sent += len(raw)
        readings = [self.sent]
        if self.format == "b64" and counts != "sent":
            self.decoded += self._decoded_length(raw)
            readings = [self.decoded] if counts == "decoded" else [self.sent, self.decoded]
        if min(readings) > self.declared:
            return StatusCode.SIZE_MISMATCH
        if max_obj_size is not None and min(readings) > max_obj_size:
            return StatusCode.REQUEST_ENTITY_TOO_LARGE
        if self.sink is not None:
            self.sink.write(raw)
        elif self.text:
            self.parts.append(data)  # text, as every chunk so far
        else:
            self.binary.write(raw)
        return None

    def _decoded_length(self, raw: bytes) -> int:
        """Bytes the base64 text decodes to, counted across chunks cut anywhere."""
        text = self._b64_tail + b"".join(raw.split())
        whole = len(text) - len(text) % 4
        self._b64_tail = text[whole:]
        try:
            return len(base64.b64decode(text[:whole], validate=True)) if whole else 0
        except (binascii.Error, ValueError):
            self._b64_tail = b"not base64"  # the decoded reading no longer applies
            return 0

    def size_matches(self, counts: SizeCounts) -> bool:
        """Whether the whole object has the declared Size, as ``counts`` reads it."""
        sent = self.declared == self.sent
        if self.format != "b64" or counts == "sent":
            return sent
        decoded = self.declared == self.decoded and not self._b64_tail
        return decoded if counts == "decoded" else sent or decoded

    def joined(self) -> str | bytes | None:
        """The whole Data (joined once), or None when it went to a sink."""
        if self.sink is not None:
            return None
        if self.text:
            return "".join(self.parts)
        return self.binary.getvalue()

    def interruption(self) -> Alert:
        """Alert 1225 naming the interrupted object's Target and Source."""
        original = self.command.items[-1]
        item = Item()
        if original.target_uri is not None:
            item.target = Target(original.target_uri)
        if original.source_uri is not None:
            item.source = Source(original.source_uri)
        return Alert(code=AlertCode.NO_END_OF_DATA, items=[item])


def _chunked_item(command: Command) -> Item | None:
    """The command's chunk: its last Item, when that has MoreData (read from the elements:
    every command received goes through here)."""
    last = None
    for child in command.element.children:
        if child.tag == "Item":
            last = child
    if last is None or not any(child.tag == "MoreData" for child in last.children):
        return None
    return Item.wrap(last)


def _meta_size(command: Command, item: Item) -> int | None:
    for meta in (item.meta, command.meta):
        if meta is not None and meta.size is not None:
            return meta.size
    return None


def _meta_format(command: Command, item: Item) -> str | None:
    for meta in (item.meta, command.meta):
        if meta is not None and meta.format is not None:
            return meta.format
    return None
