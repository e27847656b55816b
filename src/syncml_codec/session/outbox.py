"""Cutting commands into messages within a peer's MaxMsgSize, to the byte (OMA DM 1.2 Protocol
2.1 and 2.2): every message the :class:`Outbox` gives encodes to at most the bound, and is as
full as the commands allow.

How the sizes are known without encoding a message per command: a command's encoded size is
worked out once, when it is first needed, for all the commands waiting (one encoding of them
all, which tells where each lies: ``measure_wbxml``; in XML each command is written alone).
What depends on a command's place is then added exactly: the CmdID it gets (its digits), a
WBXML code-page switch where the command before it ended on another page, the Final element,
the message's SyncHdr and the commands leading it (encoded once per message). Only an Item's
Data is ever split (large objects, :func:`~syncml_codec.session.largeobject.chunk_item`): a
chunk's size is worked out from the same figures and checked by encoding that one command.

With the string table (``string_table=True``) sizes are not additive: messages are packed by
the sizes without the table (an upper bound) and topped up while the encoded message leaves
room.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from .. import _impl, api
from ..errors import SyncMLError
from ..model.commands import Command, Results, Status, _Container, command_elements, wrap_command
from ..model.items import Item
from ..model.message import Header, Message
from ..model.meta import Meta
from .largeobject import SizeCounts, data_size
from .serial import StateError, commands_from_text, commands_to_text

__all__ = ["Outbox", "OutboxError", "pack"]

#: The XML declaration the writer starts a document with.
_XML_DECLARATION = len(b'<?xml version="1.0" encoding="UTF-8"?>')
_FINAL_XML = len(b"<Final/>")
_FINAL_WBXML = 1
_SWITCH_PAGE = 2  # SWITCH_PAGE and a page number below 128


class OutboxError(SyncMLError, ValueError):
    """A command that fits no message (and has no Data to split), or an object larger than
    the peer's MaxObjSize."""


@dataclass
class _Unit:
    """Commands that travel together (a Status and the Results right after it): their encoded
    size with every CmdID one digit long and no code-page switch before them, the code page
    they start and end in, and how many CmdIDs they hold."""

    commands: list[Command]
    size: int = -1
    first_page: int = 0
    end_page: int = 0
    cmd_ids: int = 0


class Outbox:
    """Commands waiting to be sent to a peer that accepts messages of ``max_msg_size`` bytes.

    :meth:`queue` takes commands (the outbox owns them from then on: it numbers their CmdIDs
    per message); :meth:`next_message` gives the next message, at most ``max_msg_size`` bytes
    once encoded with ``format`` (``"wbxml"`` or ``"xml"``) and ``encode_options`` (as
    :func:`syncml_codec.encode` takes; XML is written compact). Final is set on the message that
    empties the outbox, unless ``final=False`` leaves it to the caller. An object larger than
    ``max_obj_size`` (as ``size_counts`` reads its Data: ``"sent"``, the text or bytes as sent,
    the default, which cutting base64 on 4-character boundaries makes right for both readings;
    or ``"decoded"``) is refused when queued.
    """

    def __init__(
        self,
        max_msg_size: int,
        *,
        max_obj_size: int | None = None,
        format: Literal["wbxml", "xml"] = "wbxml",
        final: bool = True,
        size_counts: SizeCounts = "sent",
        **encode_options: Any,
    ) -> None:
        if format not in ("wbxml", "xml"):
            raise ValueError(f"format is 'wbxml' or 'xml', not {format!r}")
        if format == "xml" and encode_options:
            raise ValueError(f"XML takes no encode options here: {sorted(encode_options)}")
        if size_counts not in ("sent", "decoded"):
            raise ValueError(f"size_counts is 'sent' or 'decoded', not {size_counts!r}")
        self.max_msg_size = max_msg_size
        self.max_obj_size = max_obj_size
        self.format = format
        self.final = final
        self.size_counts = size_counts
        self.encode_options = encode_options
        self._table = bool(encode_options.get("string_table"))
        self._measure_options = {k: v for k, v in encode_options.items() if k != "string_table"}
        self._units: deque[_Unit] = deque()
        self._chunks: _Chunking | None = None
        #: The encoded size of the last message :meth:`next_message` gave (for checks).
        self.last_size = 0

    @property
    def pending(self) -> bool:
        """Whether commands (or chunks of an object) wait to be sent."""
        return bool(self._units) or self._chunks is not None

    def queue(self, *commands: Command) -> None:
        """Add commands to send, in order. A Results right after the Status of the same
        command stays with it. OutboxError for an object above ``max_obj_size``."""
        self._add_units(self._units, commands)

    def queue_first(self, *commands: Command) -> None:
        """Put commands before those waiting (but after an object already going out in
        chunks): the commands of a message the peer refused, to send again."""
        units: deque[_Unit] = deque()
        self._add_units(units, commands)
        self._units.extendleft(reversed(units))

    def _add_units(self, units: deque[_Unit], commands: Iterable[Command]) -> None:
        for command in commands:
            if not isinstance(command, Command):
                raise TypeError(f"expected a command, not {type(command).__name__}")
            self._check_objects(command)
            last = units[-1] if units else None
            if last is not None and _follows(last.commands[-1], command):
                last.commands.append(command)
                last.size = -1
            else:
                units.append(_Unit([command]))

    def next_message(self, header: Header, *, lead: Iterable[Command] = ()) -> Message:
        """The next message: ``header``'s SyncHdr (copied), then ``lead`` (the commands that
        must open it, such as the Status answering the peer's last message), then as many
        waiting commands as fit. OutboxError when the first waiting command cannot fit beside
        the SyncHdr and ``lead``, and has no Data to split."""
        message = _new_message(header)
        leading = list(lead)
        message.body.commands.extend(leading)
        builder = _Builder(self, message, _number(leading, 1))
        if self._chunks is not None:
            builder.add_chunk(self._chunks)
        while self._chunks is None and self._units:
            unit = self._units[0]
            if unit.size < 0:
                self._measure(message.version)
            if builder.fits(unit, last=len(self._units) == 1):
                builder.add(unit)
                self._units.popleft()
            elif not self._split(unit, builder):
                break
        if not builder.placed and self.pending:
            raise OutboxError(builder.too_large(self._units[0]))
        if self._table:
            builder.top_up()
        message.final = self.final and not self.pending
        self.last_size = builder.encoded_size(message.final)
        return message

    # -- state ---------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """What the outbox holds and how it is set, as JSON-serializable data (a session's
        state, to continue in another process: :meth:`from_state`)."""
        chunks = self._chunks
        return {
            "max_msg_size": self.max_msg_size,
            "max_obj_size": self.max_obj_size,
            "format": self.format,
            "final": self.final,
            "size_counts": self.size_counts,
            "encode_options": self.encode_options,
            "commands": commands_to_text(c for unit in self._units for c in unit.commands),
            "chunking": None
            if chunks is None
            else {
                "before": commands_to_text(chunks.before),
                "command": commands_to_text([chunks.command]),
                "position": chunks.position,
            },
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Outbox:
        """The outbox :meth:`to_state` described. StateError when ``state`` is not one."""
        try:
            outbox = cls(
                state["max_msg_size"],
                max_obj_size=state["max_obj_size"],
                format=state["format"],
                final=state["final"],
                size_counts=state["size_counts"],
                **state["encode_options"],
            )
            outbox.queue(*commands_from_text(state["commands"]))
            chunking = state["chunking"]
            if chunking is not None:
                (command,) = commands_from_text(chunking["command"])
                outbox._chunks = _Chunking(commands_from_text(chunking["before"]), command)
                position = int(chunking["position"])
                if not 0 < position < len(outbox._chunks.data):
                    raise ValueError(f"a chunk position of {position}")
                outbox._chunks.position = position
        except StateError:
            raise
        except (IndexError, KeyError, TypeError, ValueError) as error:
            raise StateError(f"not an outbox's state: {error!r}") from None
        return outbox

    # -- sizes ---------------------------------------------------------------------------------

    def _measure(self, version: str) -> None:
        """Work out the size of every waiting unit not measured yet, at once."""
        self._measure_units([unit for unit in self._units if unit.size < 0], version)

    def _measure_units(self, units: list[_Unit], version: str) -> None:
        if not units:
            return
        for unit in units:
            unit.cmd_ids = _number(unit.commands, 1, placeholder=True)
        if self.format == "xml":
            for unit in units:
                unit.size = sum(self._xml_size(command) for command in unit.commands)
            return
        element = api.element_class()
        namespace = f"SYNCML:SYNCML{version}"
        commands = [command.element for unit in units for command in unit.commands]
        body = element("SyncBody", namespace, None, None, commands)
        root = element("SyncML", namespace, None, None, [body])
        document, start, spans = _impl.codec.measure_wbxml(root, body, **self._measure_options)
        encoded = document[start:]
        position = 0
        for unit in units:
            taken = spans[position : position + len(unit.commands)]
            position += len(unit.commands)
            unit.size, unit.first_page, unit.end_page = _span_figures(encoded, taken)

    @staticmethod
    def _xml_size(command: Command) -> int:
        """A command's bytes in a SyncBody of its own namespace: written alone, less the XML
        declaration and the namespace declaration its root then needs."""
        written = api.encode(command.element, format="xml")
        namespace = command.element.namespace
        declaration = len(f' xmlns="{namespace}"'.encode()) if namespace else 0
        return len(written) - _XML_DECLARATION - declaration

    # -- splitting -----------------------------------------------------------------------------

    def _check_objects(self, command: Command) -> None:
        if self.max_obj_size is None:
            return
        for item in _items(command):
            data = item.data
            if isinstance(data, str | bytes):
                meta = item.meta or command.meta
                size = data_size(data, meta.format if meta else None, self.size_counts)
                if size > self.max_obj_size:
                    raise OutboxError(
                        f"{command.TAG} of {item.target_uri or item.source_uri}: an object of "
                        f"{size} bytes, above the peer's MaxObjSize {self.max_obj_size}"
                    )

    def _split(self, unit: _Unit, builder: _Builder) -> bool:
        """Deal with a unit that does not fit where the message stands. One that would fit a
        message of its own (beside the SyncHdr and lead) waits for the next message: False.
        Otherwise a command of several Items becomes one command per Item; an Item's Data
        goes in chunks, the first filling this message (objects that fit a message are never
        chunked: the spec forbids MoreData on them). False too when nothing can be split."""
        if builder.fits_alone(unit, last=len(self._units) == 1):
            return False
        splittable = unit.commands[-1]
        if isinstance(splittable, _Container) or not _items(splittable):
            return False
        items = list(splittable.items)
        if len(items) > 1:
            self._units.popleft()
            for index, item in reversed(list(enumerate(items))):
                single = wrap_command(copy.deepcopy(splittable.element))
                single.items = [Item.wrap(copy.deepcopy(item.element))]
                commands = [*unit.commands[:-1], single] if index == 0 else [single]
                self._units.appendleft(_Unit(commands))
            return True
        if not isinstance(items[0].data, str | bytes) or not items[0].data:
            return False
        chunking = _Chunking(unit.commands[:-1], splittable)
        if builder.placed and not builder.room_for_chunk(chunking):
            return False  # the first chunk starts the next message
        self._units.popleft()
        builder.add_chunk(chunking)
        return True


class _Chunking:
    """An object going out in chunks: the commands before it in its unit (sent with the first
    chunk), the command, and how far its Data has gone."""

    def __init__(self, before: list[Command], command: Command) -> None:
        self.before = before
        self.command = command
        item = command.items[0]
        self.data: str | bytes = item.data
        meta = item.meta or command.meta
        self.step = 4 if meta is not None and meta.format == "b64" else 1
        self.position = 0
        self.total = data_size(self.data, meta.format if meta else None, "sent")

    def rest(self) -> int:
        return len(self.data) - self.position

    def piece_bytes(self, length: int) -> int:
        """The UTF-8 bytes of the next ``length`` units of Data."""
        piece = self.data[self.position : self.position + length]
        return len(piece.encode("utf-8")) if isinstance(piece, str) else len(piece)

    def chunk(self, length: int) -> Command:
        """The command carrying the next ``length`` units of Data: MoreData unless it takes
        the rest, Meta Size (the whole object's) on the first chunk only."""
        chunk = wrap_command(copy.deepcopy(self.command.element))
        item = chunk.items[0]
        item.data = self.data[self.position : self.position + length]
        last = length >= self.rest()
        item.more_data = not last
        for meta in (item.meta, chunk.meta):
            if meta is not None:
                meta.size = None
        if self.position == 0 and not last:
            item.meta = item.meta or Meta()
            item.meta.size = self.total
        return chunk


class _Builder:
    """One message being filled: its encoded size so far (without Final) and the code page
    its next command starts after."""

    def __init__(self, outbox: Outbox, message: Message, next_cmd_id: int) -> None:
        self.outbox = outbox
        self.message = message
        self.next_cmd_id = next_cmd_id
        self.placed = False  # whether a waiting command (or chunk) went in
        self.body: list[Any] = message.body.element.children  # appended to in place
        self.wbxml = outbox.format == "wbxml"
        self.base, self.page = self._skeleton()
        self.skeleton, self.skeleton_page, self.first_cmd_id = self.base, self.page, next_cmd_id

    def _skeleton(self) -> tuple[int, int]:
        """The SyncHdr and lead's size, and the page after them: measured with a Final, so the
        body is never empty (an empty one is written shorter), then less the Final."""
        message = self.message
        message.final = True
        try:
            if not self.wbxml:
                return len(api.encode(message.element, format="xml")) - _FINAL_XML, 0
            document, _, spans = _impl.codec.measure_wbxml(
                message.element, message.body.element, **self.outbox._measure_options
            )
        finally:
            message.final = False
        page = spans[-1][2]  # where Final started: the page after the lead
        return len(document) - self.final_cost(page), page

    def final_cost(self, page: int) -> int:
        """What Final adds after a command that ends on ``page``."""
        if not self.wbxml:
            return _FINAL_XML
        return _FINAL_WBXML + (_SWITCH_PAGE if page else 0)

    def cost(self, unit: _Unit) -> int:
        """What ``unit`` adds where the message stands: its size, a page switch, its CmdIDs'
        digits beyond one each."""
        switch = _SWITCH_PAGE if self.wbxml and unit.first_page != self.page else 0
        return unit.size + switch + _digits(self.next_cmd_id, unit.cmd_ids)

    def fits(self, unit: _Unit, last: bool) -> bool:
        """Whether ``unit`` fits, with Final after it when it would empty the outbox."""
        return self._fits(self.base, self.page, self.next_cmd_id, unit, last)

    def fits_alone(self, unit: _Unit, last: bool) -> bool:
        """Whether ``unit`` would fit this message without the waiting commands in it."""
        return self._fits(self.skeleton, self.skeleton_page, self.first_cmd_id, unit, last)

    def _fits(self, base: int, page: int, cmd_id: int, unit: _Unit, last: bool) -> bool:
        switch = _SWITCH_PAGE if self.wbxml and unit.first_page != page else 0
        after = base + unit.size + switch + _digits(cmd_id, unit.cmd_ids)
        if last and self.outbox.final:
            after += self.final_cost(unit.end_page)
        return after <= self.outbox.max_msg_size

    def add(self, unit: _Unit) -> None:
        self.base += self.cost(unit)
        self.page = unit.end_page
        _number(unit.commands, self.next_cmd_id)
        self.next_cmd_id += unit.cmd_ids
        self.body.extend(command.element for command in unit.commands)
        self.placed = True

    def encoded_size(self, final: bool) -> int:
        if self.outbox._table:
            return len(api.encode(self.message.element, **self.outbox.encode_options))
        return self.base + (self.final_cost(self.page) if final else 0)

    # -- chunks --------------------------------------------------------------------------------

    def room_for_chunk(self, chunking: _Chunking) -> bool:
        """Whether the smallest chunk of the object fits after what the message holds."""
        return self._chunk_length(chunking) > 0

    def add_chunk(self, chunking: _Chunking) -> None:
        """Put the next chunk (after, for the first, the commands before it in its unit);
        the chunk ends the message unless it is the last."""
        outbox = self.outbox
        if chunking.before:
            unit = _Unit(chunking.before)
            outbox._units.appendleft(unit)
            outbox._measure(self.message.version)
            outbox._units.popleft()
            self.add(unit)
            chunking.before = []
        length = self._chunk_length(chunking)
        if length <= 0:
            raise OutboxError(self.too_large(_Unit([chunking.command], size=chunking.rest())))
        command = chunking.chunk(length)
        self.add(self._measured(command))
        chunking.position += length
        outbox._chunks = chunking if chunking.rest() else None

    def _measured(self, command: Command) -> _Unit:
        unit = _Unit([command])
        self.outbox._measure_units([unit], self.message.version)
        return unit

    def _chunk_cost(self, chunking: _Chunking, length: int) -> int:
        """The exact cost of the chunk of ``length`` where the message stands (encoded)."""
        unit = self._measured(chunking.chunk(length))
        cost = self.cost(unit)
        if length >= chunking.rest() and self.outbox.final and not self.outbox._units:
            cost += self.final_cost(unit.end_page)
        return cost

    def _chunk_length(self, chunking: _Chunking) -> int:
        """The longest next piece of Data (in characters, or bytes; a multiple of 4 for base64
        but for the last piece) whose chunk fits the room left, 0 when none does: estimated
        from a one-step chunk's cost and the piece's UTF-8 length, then checked by encoding
        and shortened by what it exceeds (each unit of Data costs at least a byte)."""
        room = self.outbox.max_msg_size - self.base
        rest, step = chunking.rest(), chunking.step
        smallest = min(rest, step)
        overhead = self._chunk_cost(chunking, smallest) - chunking.piece_bytes(smallest)
        budget = room - overhead
        length = min(rest, budget)
        while length > 0 and chunking.piece_bytes(length) > budget:
            length = length * budget // chunking.piece_bytes(length)
        while length > 0:
            if length < rest:
                length -= length % step
                if length <= 0:
                    return 0
            excess = self._chunk_cost(chunking, length) - room
            if excess <= 0:
                return length
            length -= excess
        return 0

    # -- the string table ----------------------------------------------------------------------

    def top_up(self) -> None:
        """With the string table the encoded message is smaller than the sizes say: add the
        waiting units that fit the room it leaves, until none does."""
        outbox = self.outbox
        while outbox._units and outbox._chunks is None:
            self.base = len(api.encode(self.message.element, **outbox.encode_options))
            added = False
            while outbox._units:
                unit = outbox._units[0]
                if unit.size < 0:
                    outbox._measure(self.message.version)
                if not self.fits(unit, last=len(outbox._units) == 1):
                    break
                self.add(unit)
                outbox._units.popleft()
                added = True
            if not added:
                return

    def too_large(self, unit: _Unit) -> str:
        command = unit.commands[-1]
        return (
            f"{command.TAG} (CmdID {command.cmd_id}, {unit.size} bytes in {self.outbox.format}) "
            f"cannot fit a message of at most {self.outbox.max_msg_size} bytes whose SyncHdr "
            f"and leading commands take {self.base}"
        )


def pack(
    commands: Iterable[Command], header: Header, max_msg_size: int, **options: Any
) -> list[Message]:
    """A package's messages: ``commands`` cut into messages of at most ``max_msg_size`` bytes,
    each with ``header`` (its MsgID counting up from the header's), Final on the last.
    ``options`` as :class:`Outbox` takes."""
    outbox = Outbox(max_msg_size, **options)
    outbox.queue(*commands)
    messages = []
    msg_id = int(header.msg_id or 1)
    while True:
        current = Header.wrap(copy.deepcopy(header.element))
        current.msg_id = str(msg_id)
        messages.append(outbox.next_message(current))
        if not outbox.pending:
            return messages
        msg_id += 1


# -- helpers ------------------------------------------------------------------------------------


def _new_message(header: Header) -> Message:
    element = api.element_class()
    namespace = header.element.namespace
    root = element(
        "SyncML",
        namespace,
        None,
        None,
        [copy.deepcopy(header.element), element("SyncBody", namespace)],
    )
    return Message.from_element(root)


def _number(commands: list[Command], first: int, *, placeholder: bool = False) -> int:
    """Number the CmdIDs of ``commands`` (nested ones too) from ``first`` (every one ``1``
    with ``placeholder``); how many there are, or the next number."""
    count = 0
    for element in command_elements(command.element for command in commands):
        text = "1" if placeholder else str(first + count)
        for child in element.children:
            if child.tag == "CmdID":
                child.text = text
                break
        else:  # none yet: the model puts it where the DTD wants it
            wrap_command(element).cmd_id = text
        count += 1
    return count if placeholder else first + count


def _digits(first: int, count: int) -> int:
    """The bytes CmdIDs ``first`` .. ``first + count - 1`` add over one digit each."""
    return sum(len(str(number)) - 1 for number in range(first, first + count))


def _span_figures(body: bytes, spans: list[tuple[int, int, int, int]]) -> tuple[int, int, int]:
    """(size without a leading page switch, first page, end page) of consecutive spans."""
    start, _, page_before, _ = spans[0]
    end_page = spans[-1][3]
    size = spans[-1][1] - start
    if body[start] == 0:  # SWITCH_PAGE: the first tag's page differs from the one in force
        return size - _SWITCH_PAGE, body[start + 1], end_page
    return size, page_before, end_page


def _items(command: Command) -> list[Item]:
    return list(command.items) if hasattr(command, "items") else []


def _follows(status: Command, command: Command) -> bool:
    """Whether ``command`` is the Results of the command ``status`` answers."""
    return (
        isinstance(status, Status)
        and isinstance(command, Results)
        and (status.msg_ref, status.cmd_ref) == (command.msg_ref, command.cmd_ref)
    )
