"""What both sides of a DM session share: content types, the session error, message
numbering, the peer's limits, and matching the peer's Status and Results to the commands sent."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

from ..errors import SyncMLError
from ..limits import DEFAULT_LIMITS, Limits
from ..model.base import number_in
from ..model.codes import AlertCode, StatusCode
from ..model.commands import (
    COMMANDS,
    Alert,
    Command,
    Results,
    Status,
    command_elements,
    wrap_command,
)
from ..model.message import Header, Message
from ..model.meta import Meta
from ..security.auth import HMAC_HEADER, AuthError, decode_nonce, new_nonce, verify_hmac
from .events import Answered, EndReason, Event, SessionEnded
from .largeobject import Assembler
from .outbox import Outbox, OutboxError
from .serial import checked_count

__all__ = [
    "CONTENT_TYPE_WBXML",
    "CONTENT_TYPE_XML",
    "SessionError",
    "content_type",
    "format_of",
]

CONTENT_TYPE_WBXML = "application/vnd.syncml.dm+wbxml"
CONTENT_TYPE_XML = "application/vnd.syncml.dm+xml"
_CONTENT_TYPES = {"wbxml": CONTENT_TYPE_WBXML, "xml": CONTENT_TYPE_XML}
#: The MaxMsgSize assumed for a peer that declares none.
UNBOUNDED = 2**31 - 1
Format = Literal["wbxml", "xml"]


class SessionError(SyncMLError, ValueError):
    """A message this session cannot take (another session's, one too large, one arriving
    when none is expected, one after the end). The session is left as it was."""


def content_type(format: Format) -> str:
    """The HTTP Content-Type of a message in ``format`` (``"wbxml"`` or ``"xml"``)."""
    return _CONTENT_TYPES[format]


def format_of(data: bytes) -> Format:
    """Whether received bytes are XML (they start with ``<`` after any whitespace or byte order
    mark) or WBXML."""
    head = bytes(data[:64]).lstrip(b"\xef\xbb\xbf \t\r\n")
    return "xml" if head.startswith(b"<") else "wbxml"


class Conversation:
    """One side of a session: what it has sent and received, and what it still waits for.

    Subclasses decide what to answer; this keeps the numbering (MsgID per message, CmdID per
    message through the outbox), the peer's MaxMsgSize and MaxObjSize, the commands waiting for
    their Status (turned into :class:`Answered` events), and the end of the session.
    """

    def __init__(
        self,
        *,
        format: Format | None,
        max_msg_size: int | None,
        max_obj_size: int | None,
        clock: Callable[[], float] = time.time,
        nonces: Callable[[], bytes] = new_nonce,
        limits: Limits | None = None,
    ) -> None:
        if format not in (None, "wbxml", "xml"):
            raise ValueError(f"format is 'wbxml' or 'xml', not {format!r}")
        self.format: Format | None = format
        self.max_msg_size = checked_count(max_msg_size, "max_msg_size", optional=True)
        self.max_obj_size = checked_count(max_obj_size, "max_obj_size", optional=True)
        self.clock = clock
        self.nonces = nonces
        #: The decoding limits for the peer's messages (the defaults when None).
        self.limits = limits
        self.session_id: str | None = None
        self.version = "1.2"
        #: The MsgID of the next message this side sends.
        self.next_msg_id = 1
        #: The MsgID of the peer's last message.
        self.peer_msg_id: str | None = None
        self.peer_max_msg_size: int | None = None
        self.peer_max_obj_size: int | None = None
        #: When a message last came or went (``clock()``), to expire idle sessions.
        self.last_activity = clock()
        #: Set once the session is over.
        self.ended: SessionEnded | None = None
        self.outbox = self._new_outbox()
        self._waiting: dict[tuple[str, str], tuple[str, str | None]] = {}
        self._got_status: dict[tuple[str, str], int] = {}  # Gets answered 200, Results to come
        self._results = Assembler(max_obj_size=max_obj_size)  # large Results we receive
        self._mac: str | None = None  # the x-syncml-hmac of the message last given

    @property
    def content_type(self) -> str:
        """The Content-Type of the messages this session sends."""
        return content_type(self.format or "wbxml")

    @property
    def headers(self) -> dict[str, str]:
        """The transport headers of the message ``data_to_send`` gave last: its Content-Type,
        and its ``x-syncml-hmac`` when this side signs its messages (HMAC)."""
        headers = {"Content-Type": self.content_type}
        if self._mac is not None:
            headers[HMAC_HEADER] = self._mac
        return headers

    # -- reading -------------------------------------------------------------------------------

    def _decode(self, data: bytes) -> tuple[Message, Format]:
        """The received message and its encoding, after the checks that leave the session
        unchanged when they fail: not ended, within our MaxMsgSize, this session's (or the
        first one)."""
        if self.ended is not None:
            raise SessionError(f"the session has ended ({self.ended.reason.value})")
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"receive takes bytes, not {type(data).__name__}")
        if self.max_msg_size is not None and len(data) > self.max_msg_size:
            raise SessionError(
                f"a message of {len(data)} bytes, above this side's MaxMsgSize {self.max_msg_size}"
            )
        format = format_of(bytes(data))
        if self.format is not None and format != self.format:
            raise SessionError(f"a {format} message in a {self.format} session")
        message = Message.from_bytes(bytes(data), limits=self.limits or DEFAULT_LIMITS)
        header = message.header
        if self.session_id is not None and header.session_id != self.session_id:
            raise SessionError(
                f"SessionID {header.session_id!r} is not this session's {self.session_id!r}"
            )
        if header.msg_id is None:
            raise SessionError("the message has no MsgID")
        last = self.peer_msg_id
        if last is not None and not _after(header.msg_id, last):
            raise SessionError(
                f"message {header.msg_id} after message {last}: received already (a replay?)"
            )
        return message, format

    def _took(self, message: Message, format: Format) -> None:
        """Note a received message: its encoding, MsgID, and the limits its SyncHdr Meta
        declares."""
        self.format = format
        header = message.header
        self.peer_msg_id = header.msg_id
        self.version = message.version
        meta = header.meta
        if meta is not None:
            if meta.max_msg_size is not None:
                self.peer_max_msg_size = meta.max_msg_size
            if meta.max_obj_size is not None:
                self.peer_max_obj_size = meta.max_obj_size
        self.outbox.max_msg_size = self.peer_max_msg_size or UNBOUNDED
        self.outbox.max_obj_size = self.peer_max_obj_size
        self.last_activity = self.clock()

    def _answered(self, message: Message) -> tuple[list[Event], list[Command]]:
        """The events for the peer's Status and Results to our commands, and the Status this
        side owes for chunks of large Results (213, or the refusal). Read from the elements:
        a session's messages are mostly Status."""
        events: list[Event] = []
        owed: list[Command] = []
        waiting = self._waiting
        for element in command_elements(message.body.element.children):
            if element.tag == "Status":
                msg_ref, cmd_ref, text = _fields(element, "MsgRef", "CmdRef", "Data")
                key = (msg_ref or "", cmd_ref or "")
                sent = waiting.pop(key, None)
                code = number_in(text)
                if sent is None or code is None:
                    continue  # our 1222s, or a Status to nothing we asked
                if code == StatusCode.CHUNKED_ITEM_ACCEPTED:
                    continue  # a chunk of ours buffered: its last chunk gets the real status
                if sent[0] == "Get" and code == StatusCode.OK:
                    waiting[key] = sent
                    self._got_status[key] = code
                    continue
                events.append(Answered(sent[0], sent[1], code))
            elif element.tag == "Results":
                event, statuses = self._result(message, Results.wrap(element))
                if event is not None:
                    events.append(event)
                owed += statuses
        return events, owed

    def _result(self, message: Message, results: Results) -> tuple[Event | None, list[Command]]:
        """A Results (or a chunk of one) for a Get we sent: the Answered event once it is whole,
        or refused (424, 413, ...: the Get is answered with that status); the Status and
        Alert 1225 this side owes for it."""
        outcome = self._results.feed(results)
        owed: list[Command] = [outcome.alert] if outcome.alert is not None else []
        key = (results.msg_ref or self._last_sent_id(), results.cmd_ref or "")
        if outcome.command is None:  # a chunk (213), or a refused object
            code = int(outcome.status or StatusCode.OK)
            owed.append(
                Status(
                    msg_ref=message.msg_id,
                    cmd_ref=results.cmd_id,
                    cmd="Results",
                    source_refs=[item.source_uri for item in results.items if item.source_uri],
                    data=str(code),
                )
            )
            if code == StatusCode.CHUNKED_ITEM_ACCEPTED or key not in self._waiting:
                return None, owed
            self._got_status.pop(key, None)
            command, target = self._waiting.pop(key)
            return Answered(command, target, code), owed
        sent = self._waiting.pop(key, None)
        code = self._got_status.pop(key, StatusCode.OK)
        if sent is None:
            return None, owed
        return Answered(sent[0], sent[1], code, tuple(outcome.command.items)), owed

    def _header_status(self, message: Message) -> Status | None:
        """The peer's Status for the SyncHdr of our last message, or None."""
        msg_id = self._last_sent_id()
        return next((s for s in header_statuses(message) if s.msg_ref == msg_id), None)

    def _last_sent_id(self) -> str:
        return str(self.next_msg_id - 1)

    def _take_back(self, msg_id: str) -> bool:
        """The peer refused our message ``msg_id``, applying none of it: its commands wait for
        no Status; whether the outbox took them back, to send again (it did when it gave the
        message, and has given none since)."""
        for key in [key for key in self._waiting if key[0] == msg_id]:
            del self._waiting[key]
        return self.outbox.rewind(msg_id)

    # -- writing -------------------------------------------------------------------------------

    def _new_outbox(self) -> Outbox:
        """An empty outbox for messages within the peer's MaxMsgSize, as far as it is known."""
        return Outbox(self.peer_max_msg_size or UNBOUNDED, format=self.format or "wbxml")

    def _message(self, target: str | None, source: str | None, **fields: Any) -> Message:
        """Our next message, empty (its MsgID the next one)."""
        return Message(
            session_id=self.session_id,
            msg_id=str(self.next_msg_id),
            target=target,
            source=source,
            version=self.version,
            **fields,
        )

    def _header(self, target: str | None, source: str | None, **fields: Any) -> Header:
        """Our next message's SyncHdr."""
        return self._message(target, source, **fields).header

    def _limits_meta(self) -> Meta | None:
        """The Meta declaring this side's MaxMsgSize and MaxObjSize, if it has them."""
        if self.max_msg_size is None and self.max_obj_size is None:
            return None
        return Meta(max_msg_size=self.max_msg_size, max_obj_size=self.max_obj_size)

    def _next_message(self, header: Header, lead: list[Command], *, final: bool) -> Message:
        """The next message: ``lead``, then what the outbox holds, within the peer's
        MaxMsgSize; Final when ``final`` and the outbox is emptied. When the peer's MaxMsgSize
        leaves no room for what must go (a command that cannot be split, the SyncHdr and lead
        alone), the session ends (``LIMITS``) and the message aborts it (Alert 1223)."""
        outbox = self.outbox
        outbox.format = self.format or "wbxml"
        outbox.final = final
        try:
            message = outbox.next_message(header, lead=lead)
        except OutboxError as error:
            return self._abort(header, lead[:1], EndReason.LIMITS, str(error))
        if outbox.last_size > outbox.max_msg_size:
            detail = f"a message of {outbox.last_size} bytes at the least"
            return self._abort(header, lead[:1], EndReason.LIMITS, detail)
        self._sent(message, skip=len(lead))
        return message

    def _abort(
        self, header: Header, lead: list[Command], reason: EndReason, detail: str = ""
    ) -> Message:
        """The message ending the session: ``header``, ``lead``, Alert 1223 and Final."""
        message = self._message(None, None)
        message.header = Header.wrap(copy.deepcopy(header.element))
        message.add(*lead, Alert(code=AlertCode.SESSION_ABORT))
        message.final = True
        self.next_msg_id += 1
        self._end(reason, detail)
        return message

    def _sent(self, message: Message, *, skip: int = 0) -> None:
        """Note a message going out: its commands (after the first ``skip``) wait for a Status."""
        self._expect(message.msg_id or "", message.body.element.children[skip:])
        self.next_msg_id += 1
        self.last_activity = self.clock()

    def _expect(self, msg_id: str, elements: Iterable[Any]) -> None:
        """Note the commands (elements) that the peer answers with a Status: all but Status,
        Results, those with NoResp and the 1222 Alert; nested ones too."""
        waiting = self._waiting
        for element in elements:
            tag = element.tag
            if tag in _UNANSWERED or tag not in COMMANDS:
                continue
            cmd_id = data = target = None
            no_resp = False
            nested = []
            for child in element.children:
                name = child.tag
                if name == "CmdID":
                    cmd_id = child.text if cmd_id is None else cmd_id
                elif name == "NoResp":
                    no_resp = True
                elif name == "Data":
                    data = child.text if data is None else data
                elif name == "Item":
                    target = target or _item_uri(child)
                elif name in COMMANDS:
                    nested.append(child)
            if no_resp or (tag == "Alert" and number_in(data) == AlertCode.NEXT_MESSAGE):
                continue
            waiting[(msg_id, cmd_id or "")] = (tag, target)
            if nested:
                self._expect(msg_id, nested)

    def _encode(self, message: Message) -> bytes:
        if self.format == "xml":
            return message.to_xml()
        return message.to_wbxml()

    def _end(self, reason: EndReason, detail: str = "") -> SessionEnded:
        self.ended = SessionEnded(reason, detail)
        return self.ended

    # -- state ---------------------------------------------------------------------------------

    def _conversation_state(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "max_msg_size": self.max_msg_size,
            "max_obj_size": self.max_obj_size,
            "session_id": self.session_id,
            "version": self.version,
            "next_msg_id": self.next_msg_id,
            "peer_msg_id": self.peer_msg_id,
            "peer_max_msg_size": self.peer_max_msg_size,
            "peer_max_obj_size": self.peer_max_obj_size,
            "last_activity": self.last_activity,
            "ended": [self.ended.reason.value, self.ended.detail] if self.ended else None,
            "outbox": self.outbox.to_state(),
            "waiting": [[*key, *sent] for key, sent in self._waiting.items()],
            "got_status": [[*key, code] for key, code in self._got_status.items()],
            "results": self._results.to_state(),
        }

    def _restore_conversation(self, state: dict[str, Any]) -> None:
        self.session_id = state["session_id"]
        self.version = state["version"]
        self.next_msg_id = checked_count(state["next_msg_id"], "next_msg_id", least=1)
        self.peer_msg_id = state["peer_msg_id"]
        self.peer_max_msg_size = checked_count(
            state["peer_max_msg_size"], "peer_max_msg_size", optional=True
        )
        self.peer_max_obj_size = checked_count(
            state["peer_max_obj_size"], "peer_max_obj_size", optional=True
        )
        self.last_activity = float(state["last_activity"])
        ended = state["ended"]
        self.ended = SessionEnded(EndReason(ended[0]), ended[1]) if ended else None
        self.outbox = Outbox.from_state(state["outbox"])
        self._waiting = {(m, c): (tag, target) for m, c, tag, target in state["waiting"]}
        self._got_status = {(m, c): code for m, c, code in state["got_status"]}
        self._results = Assembler.from_state(state["results"])


_UNANSWERED = frozenset({"Status", "Results"})
#: The commands a peer answers (those that are no answer themselves).
_NEWS = frozenset(COMMANDS) - _UNANSWERED
#: The SyncHdr statuses that challenge credentials.
CHALLENGES = frozenset({StatusCode.INVALID_CREDENTIALS, StatusCode.MISSING_CREDENTIALS})


def chal_nonce(status: Status) -> bytes | None:
    """The NextNonce of a Status's Chal as raw bytes, or None; AuthError when it is no
    Base64."""
    chal = status.chal
    meta = chal.meta if chal is not None else None
    if meta is None or meta.next_nonce is None:
        return None
    return decode_nonce(meta.next_nonce)


def header_text(value: str | bytes | None) -> str | None:
    """A transport header's value as text: bytes (as ASGI and h11 give them) read as the
    ISO-8859-1 octets HTTP headers are."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    raise TypeError(f"a header's value is text or bytes, not {type(value).__name__}")


def hmac_proves(mac: str | None, username: str, password: str, nonce: bytes, data: bytes) -> bool:
    """Whether a received x-syncml-hmac value (None: none came) proves the message ``data``
    comes from ``username``: a malformed one proves nothing, as a wrong one."""
    if mac is None:
        return False
    try:
        return verify_hmac(mac, password, nonce, data, username=username)
    except AuthError:
        return False


def _after(msg_id: str, last: str) -> bool:
    """Whether a peer's MsgID may follow its last one: a greater number (they count from 1,
    one more per message), or, for MsgIDs that are no numbers, another one."""
    number, last_number = number_in(msg_id), number_in(last)
    if number is None or last_number is None:
        return msg_id != last
    return number > last_number


def _fields(element: Any, *tags: str) -> list[Any]:
    """The text of the first child of each tag (None where there is none)."""
    found: list[Any] = [None] * len(tags)
    for child in element.children:
        if child.tag in tags:
            index = tags.index(child.tag)
            if found[index] is None:
                found[index] = child.text
    return found


def asks_next_message(message: Message) -> bool:
    """Whether a message holds Alert 1222 (its sender asks for our next message)."""
    return any(
        element.tag == "Alert" and number_in(_fields(element, "Data")[0]) == AlertCode.NEXT_MESSAGE
        for element in message.body.element.children
    )


def header_statuses(message: Message) -> Iterator[Status]:
    """The Statuses a message holds for SyncHdrs (CmdRef 0)."""
    for element in message.body.element.children:
        if element.tag == "Status" and _fields(element, "CmdRef")[0] == "0":
            yield Status.wrap(element)


def brings_news(message: Message) -> bool:
    """Whether a message holds commands other than Status and Results: something for its
    receiver to act on."""
    return any(element.tag in _NEWS for element in message.body.element.children)


def peer_commands(message: Message) -> Iterator[Command]:
    """The commands of a message that are no Status nor Results, nested ones after their
    container."""
    for element in command_elements(message.body.element.children):
        if element.tag not in _UNANSWERED:
            yield wrap_command(element)


def _item_uri(item: Any) -> str | None:
    """An Item element's Target/LocURI, or its Source/LocURI."""
    for tag in ("Target", "Source"):
        for address in item.children:
            if address.tag == tag:
                for child in address.children:
                    if child.tag == "LocURI" and isinstance(child.text, str):
                        return str(child.text)
    return None
