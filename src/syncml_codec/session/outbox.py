"""Cutting commands into messages within a peer's MaxMsgSize, to the byte (OMA DM 1.2 Protocol
2.1 and 2.2): every message the :class:`Outbox` gives encodes to at most the bound, and is as
full as the commands allow.

How the sizes are known without encoding a message per command: a command's encoded size is
worked out once, about a message's worth of commands at a time (one encoding of them, which
tells what each takes: ``measure_wbxml``; in XML each command is written alone), numbered as
they would go in the message being filled. What depends on a command's place is then added
exactly: the digits of the CmdIDs it gets, a WBXML code-page switch where the command before it
ended on another page, the Final element, the message's SyncHdr and the commands leading it
(encoded once per message). Placing the commands that fit, numbering their CmdIDs and keeping
each Results with its Status are done over many commands at once, by the implementation in use
(``wbxml.packing``). Only an Item's Data is ever split (large objects,
:func:`~syncml_codec.session.largeobject.chunk_item`): a chunk's size is worked out from the
same figures and checked by encoding that one command.

With the string table (``string_table=True``) sizes are not additive: messages are packed by
the sizes without the table (an upper bound) and topped up while the encoded message leaves
room. So are they once a command has names without a token (a vendor's elements in a namespace
no code page has, attributes): its names go in the string table, so its size counts them in
full with their offsets at the widest a message allows, room is kept for the table's length to
grow, and messages are topped up in the same way.
"""

from __future__ import annotations

import copy
import sys
from array import array
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from .. import _impl, api
from ..errors import SyncMLError
from ..model.commands import (
    _CONTAINERS,
    AFTER_CMD_ID,
    COMMANDS,
    Command,
    _Container,
    wrap_command,
)
from ..model.items import Item
from ..model.message import Header, Message
from ..model.meta import Meta
from ..wbxml.packing import FIGURES
from .largeobject import SizeCounts, data_size
from .serial import StateError, checked_count, commands_from_text, commands_to_text

__all__ = ["Outbox", "OutboxError", "pack"]

#: The XML declaration the writer starts a document with.
_XML_DECLARATION = len(b'<?xml version="1.0" encoding="UTF-8"?>')
_FINAL_XML = len(b"<Final/>")
_FINAL_WBXML = 1
_SWITCH_PAGE = 2  # SWITCH_PAGE and a page number below 128
#: Commands sent before the queue's lists are cut short (and at least half of them).
_COMPACT_AFTER = 4096
_UNBOUNDED = 1 << 62  # room for whatever is placed
#: Commands measured at once: before any (to learn their average size), and beyond those the
#: average says fit (so that the last is mostly known not to fit).
_MEASURED_FIRST = 16
_MEASURED_MORE = 4


class OutboxError(SyncMLError, ValueError):
    """A command that fits no message (and has no Data to split), or an object larger than
    the peer's MaxObjSize."""


class _Queue:
    """Commands in order (their elements), with what is known of each: whether it travels with
    the one before (``joined``: a Results right after the Status of the same command), and once
    measured, its ``figures`` (:data:`~syncml_codec.wbxml.packing.FIGURES` each, with CmdIDs of
    one digit) and how many CmdIDs it holds. The commands before ``first`` are gone; those from
    ``first`` up to ``measured`` have figures, and carry CmdIDs numbered in order from
    ``numbered`` (None: not known to), the next to be measured getting ``next_number`` on."""

    def __init__(self, numbered: int | None = 1) -> None:
        self.elements: list[Any] = []
        self.joined = bytearray()
        self.figures: array[int] = array("q")
        self.cmd_ids: array[int] = array("q")
        self.first = 0
        self.numbered = numbered
        self.next_number = 1 if numbered is None else numbered

    @property
    def measured(self) -> int:
        return len(self.cmd_ids)

    def __len__(self) -> int:
        return len(self.elements) - self.first

    def append(self, elements: list[Any]) -> None:
        last = self.elements[-1] if len(self) else None
        self.joined += _impl.codec.joined_answers(elements, last)
        self.elements += elements

    def unit_end(self, start: int) -> int:
        """Where the unit holding the command at ``start`` ends."""
        end = start + 1
        while end < len(self.elements) and self.joined[end]:
            end += 1
        return end

    def number_from(self, first: int) -> None:
        """Number the measured waiting commands in order from ``first`` (unless they are)."""
        if self.numbered != first:
            counts = _number_elements(self.elements[self.first : self.measured], first)
            self.numbered, self.next_number = first, first + sum(counts)

    def take(self, end: int, numbered: int | None = None) -> list[Any]:
        """The commands from ``first`` to ``end``, gone from the queue; ``numbered`` is the
        CmdID the measured ones left start from (None: not known)."""
        taken = self.elements[self.first : end]
        self.first, self.numbered = end, numbered
        if self.first >= _COMPACT_AFTER and 2 * self.first >= len(self.elements):
            del self.elements[: self.first], self.joined[: self.first]
            del self.figures[: FIGURES * self.first], self.cmd_ids[: self.first]
            self.first = 0
        return taken

    def forget_figures(self) -> None:
        """Let the figures of the waiting commands go (they are measured again when needed)."""
        del self.figures[FIGURES * self.first :], self.cmd_ids[self.first :]
        self.numbered = None

    def put_first(self, queue: _Queue) -> None:
        """Put the commands of ``queue`` first: measured ones, or unmeasured ones while no
        waiting command is measured (the measured ones stay a prefix)."""
        first, measured = self.first, queue.measured == len(queue.elements)
        if not measured and self.measured > first:
            raise AssertionError("unmeasured commands put before measured ones")
        self.elements[first:first] = queue.elements
        self.joined[first:first] = queue.joined
        if measured:
            self.figures[FIGURES * first : FIGURES * first] = queue.figures
            self.cmd_ids[first:first] = queue.cmd_ids
            self.numbered = None

    def unit(self, start: int) -> _Queue:
        """The unit starting at ``start``, as a queue of its own (its figures copied)."""
        end = self.unit_end(start)
        unit = _Queue(numbered=None)
        unit.elements = self.elements[start:end]
        unit.joined = self.joined[start:end]
        unit.figures = self.figures[FIGURES * start : FIGURES * end]
        unit.cmd_ids = self.cmd_ids[start:end]
        return unit

    def size(self) -> int:
        """What the commands take with every CmdID one digit and no page switch before the
        first (what an error message gives)."""
        total, page = 0, None
        for index in range(self.first, len(self.elements)):
            size, _, first_page, end_page = self.figures[FIGURES * index : FIGURES * index + 4]
            total += size + (_SWITCH_PAGE if page is not None and first_page != page else 0)
            page = end_page
        return total


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
        checked_count(max_msg_size, "max_msg_size")
        checked_count(max_obj_size, "max_obj_size", optional=True)
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
        self._literal_names = False  # whether a command measured had names without a token
        self._measure_options = {k: v for k, v in encode_options.items() if k != "string_table"}
        self._queue = _Queue()
        self._chunks: _Chunking | None = None
        self._namespace = ""  # the SyncML namespace (version) of the message being filled
        #: The format, namespace and offset width the waiting commands' figures are of.
        self._measured_as: tuple[str, str, int] = ("", "", 0)
        self._last_measured = (0, 0)  # bytes and commands (to estimate how many fit)
        self._last: _LastMessage | None = None  # what the last message took, to rewind it
        #: The encoded size of the last message :meth:`next_message` gave (for checks).
        self.last_size = 0

    @property
    def pending(self) -> bool:
        """Whether commands (or chunks of an object) wait to be sent."""
        return bool(self._queue) or self._chunks is not None

    def queue(self, *commands: Command) -> None:
        """Add commands to send, in order. A Results right after the Status of the same
        command stays with it. OutboxError for an object above ``max_obj_size``."""
        self._queue.append(self._checked(commands))

    def queue_first(self, *commands: Command) -> None:
        """Put commands before those waiting (but after an object already going out in
        chunks): the answers to the peer's last message, to go before anything queued."""
        self._put_first(self._checked(commands))

    def _put_first(self, elements: list[Any]) -> None:
        queue = _Queue()
        queue.append(elements)
        if self._queue.measured > self._queue.first:  # keep the measured commands first
            self._measure_queue(queue)
        self._queue.put_first(queue)

    def rewind(self, msg_id: str | None) -> bool:
        """The peer refused the last message, applying none of it: when it had MsgID
        ``msg_id``, its commands wait again, first and in order, an object's chunk to be cut
        again from where it started (the next message may leave it other room). Whether
        there was such a message to rewind."""
        last = self._last
        if last is None or last.msg_id != msg_id:
            return False
        self._last = None
        self._chunks = last.chunking
        if last.chunking is not None:
            last.chunking.position = last.position
        if last.taken:
            self._put_first(last.taken)
        return True

    def sent_aside(self, msg_id: str | None, commands: Sequence[Command]) -> None:
        """Note that message ``msg_id`` went without :meth:`next_message` (answers that may
        not take the commands waiting along), holding ``commands``: if the peer refuses it,
        :meth:`rewind` puts them first in the queue, and leaves an object going out in chunks
        where it stands."""
        chunks = self._chunks
        self._last = _LastMessage(
            msg_id,
            [command.element for command in commands],
            chunks,
            chunks.position if chunks is not None else 0,
        )

    def _checked(self, commands: Sequence[Command]) -> list[Any]:
        """The elements of ``commands``, once they are known to be commands (and their
        objects within ``max_obj_size``)."""
        elements: list[Any] = _impl.codec.elements_of(commands, Command)
        if self.max_obj_size is not None:
            for command in commands:
                self._check_objects(command)
        return elements

    def next_message(self, header: Header, *, lead: Iterable[Command] = ()) -> Message:
        """The next message: ``header``'s SyncHdr (copied), then ``lead`` (the commands that
        must open it, such as the Status answering the peer's last message), then as many
        waiting commands as fit. OutboxError when the next waiting command cannot fit a message
        beside the SyncHdr and ``lead`` alone, and has no Data to split: it could never go,
        whatever goes before it."""
        message = _new_message(header)
        leading = list(lead)
        message.body.commands.extend(leading)
        self._namespace = sys.intern(f"SYNCML:SYNCML{message.version}")
        measured_as = (self.format, self._namespace, self._offset_width)
        if self._measured_as != measured_as:  # sizes of another encoding
            self._queue.forget_figures()
            self._measured_as = measured_as
        builder = _Builder(self, message, _number(leading, 1))
        resumed = self._chunks
        position = resumed.position if resumed is not None else 0
        if resumed is not None:
            builder.add_chunk(resumed)
        queue = self._queue
        while self._chunks is None and queue:
            self._measure_for(builder)
            builder.add_fitting(queue)
            if queue.measured == queue.first:
                continue  # every measured command went in: measure more
            if not self._split(queue.unit(queue.first), builder):
                break
        if not builder.placed and self.pending:
            unit = queue.unit(queue.first)
            raise OutboxError(builder.too_large(wrap_command(unit.elements[-1]), unit.size()))
        if self._upper_bounds:
            builder.top_up()
        final = self.final and not self.pending
        if final:
            builder.end_package()
        self.last_size = builder.encoded_size(final)
        self._last = self._taken(message, len(leading), resumed, position)
        return message

    def _taken(
        self, message: Message, leading: int, resumed: _Chunking | None, position: int
    ) -> _LastMessage:
        """What ``message`` took from the outbox, to put back if the peer refuses it: its
        commands after the ``leading`` ones, less the chunk of the object ``resumed`` (from
        ``position``), and with the whole object in place of a first chunk."""
        taken = [e for e in message.body.element.children[leading:] if e.tag in COMMANDS]
        if resumed is not None:
            del taken[0]
        if self._chunks is not None and self._chunks is not resumed:
            taken[-1] = self._chunks.command.element  # an object started: its first chunk
        return _LastMessage(message.msg_id, taken, resumed, position)

    # -- state ---------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """What the outbox holds and how it is set, as JSON-serializable data (a session's
        state, to continue in another process: :meth:`from_state`)."""
        chunks = self._chunks
        queue = self._queue
        last = self._last
        return {
            "max_msg_size": self.max_msg_size,
            "max_obj_size": self.max_obj_size,
            "format": self.format,
            "final": self.final,
            "size_counts": self.size_counts,
            "encode_options": self.encode_options,
            "commands": commands_to_text(map(wrap_command, queue.elements[queue.first :])),
            "chunking": None
            if chunks is None
            else {
                "before": commands_to_text(chunks.before),
                "command": commands_to_text([chunks.command]),
                "position": chunks.position,
            },
            "last": None
            if last is None
            else {
                "msg_id": last.msg_id,
                "taken": commands_to_text(map(wrap_command, last.taken)),
                # The object it went on with: the one going out (only its position then), or
                # one it finished.
                "chunking": None
                if last.chunking is None
                else {"position": last.position}
                if last.chunking is chunks
                else {
                    "command": commands_to_text([last.chunking.command]),
                    "position": last.position,
                },
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
            last = state.get("last")  # absent from the states of earlier versions
            if last is not None:
                outbox._last = _last_message_from(last, outbox._chunks)
        except StateError:
            raise
        except (IndexError, KeyError, TypeError, ValueError) as error:
            raise StateError(f"not an outbox's state: {error!r}") from None
        return outbox

    # -- sizes ---------------------------------------------------------------------------------

    @property
    def _upper_bounds(self) -> bool:
        """Whether commands' sizes add up to more than the message takes (the string table)."""
        return self._table or self._literal_names

    @property
    def _limit(self) -> int:
        """What the sizes of a message may add up to: ``max_msg_size``, less, once commands
        put names in the string table, what the table's length may grow by."""
        limit = min(self.max_msg_size, _UNBOUNDED)  # what the figures' 64-bit sums can hold
        if not self._literal_names:
            return limit
        return limit - self._offset_width + 1

    @property
    def _offset_width(self) -> int:
        """The bytes of the largest string table offset a message may hold (an mb_u_int32:
        seven bits a byte, five bytes at most)."""
        return min(5, max(1, (self.max_msg_size.bit_length() + 6) // 7))

    def _measure_for(self, builder: _Builder) -> None:
        """Number the measured waiting commands from ``builder``'s next CmdID and, when none
        waits, measure about as many as fit the room its message leaves (and a few more): the
        commands are numbered and measured together, and placed mostly as measured."""
        queue = self._queue
        queue.number_from(builder.next_cmd_id)
        if queue.measured == queue.first:
            size, count = self._last_measured
            room = self._limit - builder.base
            estimate = room * count // size + _MEASURED_MORE if size else _MEASURED_FIRST
            self._measure_queue(queue, queue.first + max(1, estimate))

    def _measure_queue(self, queue: _Queue, stop: int | None = None) -> None:
        """Work out the figures of the commands of ``queue`` not measured yet, up to ``stop``
        (the end of the unit it falls in; all by default), at once: numbered in order on from
        the last measured, their sizes then taken with CmdIDs of one digit."""
        start, end = queue.measured, len(queue.elements)
        if stop is not None and stop < end:
            end = queue.unit_end(max(start, stop - 1))
        if start >= end:
            return
        elements = queue.elements[start:end]
        cmd_ids = _number_elements(elements, queue.next_number)
        namespace = self._namespace
        _impl.codec.to_namespace(elements, namespace)  # the message's version (now in cache)
        if self.format == "xml":
            figures = array("q")
            for element in elements:
                figures.extend((self._xml_size(element), 0, 0, 0))
            size = sum(figures[::FIGURES])
        else:
            element = api.element_class()
            body = element("SyncBody", namespace, None, None, elements)
            root = element("SyncML", namespace, None, None, [body])
            size, figures, table_users = _impl.codec.measure_wbxml(
                root, body, offset_width=self._offset_width, **self._measure_options
            )
            self._literal_names = self._literal_names or table_users > 0
        _impl.codec.one_digit_sizes(figures, cmd_ids, queue.next_number)
        queue.next_number += sum(cmd_ids)
        queue.figures.extend(figures)
        queue.cmd_ids.extend(cmd_ids)
        self._last_measured = (size, len(elements))

    def _measured(self, commands: list[Command], first: int) -> _Queue:
        """``commands`` as a unit of their own, measured and numbered from ``first``."""
        unit = _Queue(first)
        unit.elements = [command.element for command in commands]
        unit.joined = bytearray(len(commands))
        unit.joined[1:] = b"\x01" * (len(commands) - 1)
        self._measure_queue(unit)
        return unit

    @staticmethod
    def _xml_size(element: Any) -> int:
        """A command's bytes in a SyncBody of its own namespace: written alone, less the XML
        declaration and the namespace declaration its root then needs."""
        written = api.encode(element, format="xml")
        namespace = element.namespace
        declaration = len(f' xmlns="{namespace}"'.encode()) if namespace else 0
        return len(written) - _XML_DECLARATION - declaration

    # -- splitting -----------------------------------------------------------------------------

    def _check_objects(self, command: Command) -> None:
        assert self.max_obj_size is not None
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

    def _split(self, unit: _Queue, builder: _Builder) -> bool:
        """Deal with the first waiting unit, which does not fit where the message stands. One
        that would fit a message of its own (beside the SyncHdr and lead) waits for the next
        message: False. Otherwise a command of several Items becomes one command per Item; an
        Item's Data goes in chunks, the first filling this message (objects that fit a message
        are never chunked: the spec forbids MoreData on them). OutboxError when nothing can be
        split."""
        if builder.fits_alone(unit):
            return False
        *before, splittable = map(wrap_command, unit.elements)
        if isinstance(splittable, _Container) or not _items(splittable):
            raise OutboxError(builder.too_large(splittable, unit.size()))
        items = list(splittable.items)
        queue = self._queue
        if len(items) > 1:
            queue.take(queue.first + len(unit))
            singles = []
            for item in items:
                single = wrap_command(copy.deepcopy(splittable.element))
                single.items = [Item.wrap(copy.deepcopy(item.element))]
                singles.append(single)
            split = _Queue()
            split.append([command.element for command in (*before, *singles)])
            self._measure_queue(split)
            queue.put_first(split)
            return True
        if not isinstance(items[0].data, str | bytes) or not items[0].data:
            raise OutboxError(builder.too_large(splittable, unit.size()))
        chunking = _Chunking(before, splittable)
        if builder.placed and not builder.room_for_chunk(chunking):
            return False  # the first chunk starts the next message
        queue.take(queue.first + len(unit))
        builder.add_chunk(chunking)
        return True


def _last_message_from(state: dict[str, Any], chunks: _Chunking | None) -> _LastMessage:
    """The :class:`_LastMessage` of an outbox's state, whose object going out is ``chunks``."""
    chunking = state["chunking"]
    resumed = None
    position = 0
    if chunking is not None:
        if "command" in chunking:
            (command,) = commands_from_text(chunking["command"])
            resumed = _Chunking([], command)
        else:
            resumed = chunks
        position = int(chunking["position"])
        if resumed is None or not 0 < position < len(resumed.data):
            raise ValueError(f"a chunk position of {position} to go back to")
    msg_id = state["msg_id"]
    if msg_id is not None and not isinstance(msg_id, str):
        raise ValueError(f"a MsgID of {msg_id!r}")
    taken = [command.element for command in commands_from_text(state["taken"])]
    return _LastMessage(msg_id, taken, resumed, position)


class _LastMessage:
    """What the last message took from the outbox: the commands (elements) it held whole,
    and the object it went on with and where that object stood before it."""

    def __init__(
        self, msg_id: str | None, taken: list[Any], chunking: _Chunking | None, position: int
    ) -> None:
        self.msg_id = msg_id
        self.taken = taken
        self.chunking = chunking
        self.position = position


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
    """One message being filled: its encoded size so far (without Final), the code page its
    next command starts after, its next CmdID."""

    def __init__(self, outbox: Outbox, message: Message, next_cmd_id: int) -> None:
        self.outbox = outbox
        self.message = message
        self.next_cmd_id = next_cmd_id
        self.placed = False  # whether a waiting command (or chunk) went in
        self.body: list[Any] = message.body.element.children  # appended to in place
        self.wbxml = outbox.format == "wbxml"
        self.base, self.page = self._skeleton()
        self.skeleton, self.skeleton_page, self.first_cmd_id = self.base, self.page, next_cmd_id
        self.final_costs = (self.final_cost(0), self.final_cost(1)) if outbox.final else None

    def _skeleton(self) -> tuple[int, int]:
        """The SyncHdr and lead's size, and the page after them: measured with a Final, so the
        body is never empty (an empty one is written shorter), then less the Final."""
        message = self.message
        self.end_package()
        try:
            if not self.wbxml:
                return len(api.encode(message.element, format="xml")) - _FINAL_XML, 0
            size, figures, _ = _impl.codec.measure_wbxml(
                message.element, message.body.element, **self.outbox._measure_options
            )
        finally:
            self.body.pop()
        page = figures[-FIGURES + 1]  # the page before Final: the page after the lead
        return size - self.final_cost(page), page

    def end_package(self) -> None:
        """Put Final after every command (as the model's setter would, without looking for
        the place)."""
        self.body.append(api.element_class()("Final", self.message.body.element.namespace))

    def final_cost(self, page: int) -> int:
        """What Final adds after a command that ends on ``page``."""
        if not self.wbxml:
            return _FINAL_XML
        return _FINAL_WBXML + (_SWITCH_PAGE if page else 0)

    @property
    def state(self) -> tuple[int, int, int]:
        """The message's size so far, its page and its next CmdID."""
        return self.base, self.page, self.next_cmd_id

    def _fit(
        self, queue: _Queue, state: tuple[int, int, int], room: int, final: bool
    ) -> tuple[int, int, int, int]:
        """``wbxml.packing.fit`` of ``queue``'s measured units from ``state`` (the message's
        size, page and next CmdID) in ``room`` bytes, Final counted after the last waiting when
        ``final``: where placing stops, and the state there."""
        stop = queue.measured
        final_costs = self.final_costs if final and stop == len(queue.elements) else None
        return _impl.codec.fit(  # type: ignore[no-any-return]
            queue.figures, queue.cmd_ids, queue.joined, queue.first, stop, *state, room,
            final_costs,
        )  # fmt: skip

    def fits_alone(self, unit: _Queue) -> bool:
        """Whether ``unit`` (the first waiting) would fit this message without the waiting
        commands in it."""
        last = len(unit) == len(self.outbox._queue)
        start = (self.skeleton, self.skeleton_page, self.first_cmd_id)
        end, *_ = self._fit(unit, start, self.outbox._limit, last)
        return end == len(unit.elements)

    def add_fitting(self, queue: _Queue) -> int:
        """Place the units of ``queue`` that fit, in order (with Final after the last); how
        many commands went in."""
        end, *after = self._fit(queue, self.state, self.outbox._limit, True)
        count = end - queue.first
        if count:
            self._place(queue, end, after)
        return count

    def add(self, unit: _Queue) -> None:
        """Place ``unit``, whatever room is left (a chunk made to fit)."""
        _, *after = self._fit(unit, self.state, _UNBOUNDED, False)
        self._place(unit, len(unit.elements), after)

    def _place(self, queue: _Queue, end: int, after: list[int]) -> None:
        """Put the waiting commands of ``queue`` up to ``end`` in the message (numbered from
        its next CmdID), ``after`` being the message's size, page and next CmdID then."""
        queue.number_from(self.next_cmd_id)
        self.base, self.page, self.next_cmd_id = after
        self.body.extend(queue.take(end, self.next_cmd_id))  # the rest were numbered on
        self.placed = True

    def encoded_size(self, final: bool) -> int:
        if self.outbox._upper_bounds:
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
            self.add(outbox._measured(chunking.before, self.next_cmd_id))
            chunking.before = []
        length = self._chunk_length(chunking)
        if length <= 0:
            raise OutboxError(self.too_large(chunking.command, chunking.rest()))
        self.add(outbox._measured([chunking.chunk(length)], self.next_cmd_id))
        chunking.position += length
        outbox._chunks = chunking if chunking.rest() else None

    def _chunk_cost(self, chunking: _Chunking, length: int) -> int:
        """The exact cost of the chunk of ``length`` where the message stands (encoded)."""
        unit = self.outbox._measured([chunking.chunk(length)], self.next_cmd_id)
        _, after, page, _ = self._fit(unit, self.state, _UNBOUNDED, False)
        cost = after - self.base
        if length >= chunking.rest() and self.outbox.final and not self.outbox._queue:
            cost += self.final_cost(page)
        return cost

    def _chunk_length(self, chunking: _Chunking) -> int:
        """The longest next piece of Data (in characters, or bytes; a multiple of 4 for base64
        but for the last piece) whose chunk fits the room left, 0 when none does: estimated
        from a one-step chunk's cost and the piece's UTF-8 length, then checked by encoding
        and shortened by what it exceeds (each unit of Data costs at least a byte)."""
        room = self.outbox._limit - self.base
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
        """With a string table the encoded message is smaller than the sizes say: add the
        waiting units that fit the room it leaves, until none does."""
        outbox = self.outbox
        while outbox._queue and outbox._chunks is None:
            self.base = len(api.encode(self.message.element, **outbox.encode_options))
            outbox._measure_for(self)
            if not self.add_fitting(outbox._queue):
                return

    def too_large(self, command: Command, size: int) -> str:
        return (
            f"{command.TAG} (CmdID {command.cmd_id}, {size} bytes in {self.outbox.format}) "
            f"cannot fit a message of at most {self.outbox.max_msg_size} bytes whose SyncHdr "
            f"and leading commands take {self.skeleton}"
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
    current = Header.wrap(copy.deepcopy(header.element))  # each message copies it
    while True:
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


def _number(commands: list[Command], first: int) -> int:
    """Number the CmdIDs of ``commands`` (nested ones too) from ``first``; the next number."""
    return first + sum(_number_elements([command.element for command in commands], first))


def _number_elements(elements: list[Any], first: int) -> array[int]:
    """Number the CmdIDs of the command ``elements`` from ``first``; how many each holds."""
    return _impl.codec.number_commands(  # type: ignore[no-any-return]
        elements, first, AFTER_CMD_ID, _CONTAINERS
    )


def _items(command: Command) -> list[Item]:
    return list(command.items) if hasattr(command, "items") else []
