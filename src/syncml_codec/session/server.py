"""The server side of a DM session, without I/O: :class:`ServerSession` takes the device's
messages as bytes (``receive``), gives its own (``data_to_send``), and fits in a JSON document
between the two (``to_state``/``from_state``), so any worker process can carry on a session
another one started.

The session reads package 1 (the device's DevInfo and credentials, checked through the
application's lookup; a challenge with a fresh nonce when they are missing or wrong, 212 with
the nonce for the next session when they pass), then sends the commands the application
queues, in packages cut by the outbox within the device's MaxMsgSize, follows the device's
1222 requests and multi-message packages, and matches every Status and Results to the command
it answers (:class:`~syncml_codec.session.events.Answered`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..limits import Limits
from ..model.codes import AlertCode, StatusCode
from ..model.commands import Alert, Command, Replace
from ..model.message import Message
from ..model.responses import status_for, status_for_header
from ..security.auth import (
    AUTH_BASIC,
    AUTH_MAC,
    AUTH_MD5,
    AuthError,
    chal_for,
    hmac_header,
    md5_credential,
    new_nonce,
    verify_credential,
)
from .base import (
    CHALLENGES,
    Conversation,
    Format,
    SessionError,
    brings_news,
    chal_nonce,
    header_statuses,
    header_text,
    hmac_proves,
    peer_commands,
)
from .events import (
    Authenticated,
    Challenged,
    CredentialsRefused,
    EndReason,
    Event,
    GenericAlert,
    SessionStarted,
)
from .serial import (
    StateError,
    checked_count,
    commands_from_text,
    commands_to_text,
    data_from_json,
    data_to_json,
)

__all__ = ["DeviceCredentials", "CredentialLookup", "ServerSession"]

#: What a device may send besides Status and Results (DM 1.2 Protocol 2.3).
_FROM_DEVICE = frozenset({"Alert", "Replace"})
_STATE_VERSION = 1
_AUTH_TYPES = (AUTH_MD5, AUTH_BASIC, AUTH_MAC)


@dataclass(frozen=True)
class DeviceCredentials:
    """What the server keeps for one device's account: the password the device's credentials
    prove, and the nonce the server gave it last (raw bytes; the device's MD5 credentials or
    HMACs use it). ``server_password``, ``server_nonce`` and ``server_auth_type`` (MD5
    credentials, or HMACs: the device's SRVCRED AAuthType), when the device checks the
    server's credentials too (the server's name is its ServerID)."""

    username: str
    password: str = field(repr=False)
    nonce: bytes = field(default=b"", repr=False)
    server_password: str | None = field(default=None, repr=False)
    server_nonce: bytes = field(default=b"", repr=False)
    server_auth_type: str = AUTH_MD5


#: The application's look-up: the credentials of a username (SyncHdr/Source/LocName, or the
#: device id when there is none), None when unknown. It is called again after a restore, so
#: secrets never go into the session's state.
CredentialLookup = Callable[[str], DeviceCredentials | None]


class ServerSession(Conversation):
    """One DM session of the server ``server_uri`` (its address, the SyncHdr Source) with a
    device, from the device's package 1 to the end.

    Loop: hand the device's message to :meth:`receive` (the events it brings), :meth:`queue`
    commands, send :meth:`data_to_send` back (with :attr:`content_type`). The session runs in
    the encoding the device chose. ``server_id`` is the server's name in the device's DMAcc
    (its credentials, when the device checks them); ``auth_type`` what it demands
    (``syncml:auth-md5``, ``syncml:auth-basic``, or ``syncml:auth-MAC``: an HMAC of every
    message, in the ``x-syncml-hmac`` header); ``max_msg_size``/``max_obj_size`` what it
    accepts; ``limits`` bound what decoding a device's message may produce. ``nonces`` and
    ``clock`` are injectable for deterministic tests.
    """

    def __init__(
        self,
        server_uri: str,
        *,
        credentials: CredentialLookup,
        server_id: str | None = None,
        auth_type: str = AUTH_MD5,
        format: Format | None = None,
        max_msg_size: int | None = None,
        max_obj_size: int | None = None,
        max_auth_attempts: int = 3,
        clock: Callable[[], float] = time.time,
        nonces: Callable[[], bytes] = new_nonce,
        limits: Limits | None = None,
    ) -> None:
        if auth_type not in _AUTH_TYPES:
            raise ValueError(f"auth_type is one of {_AUTH_TYPES}, not {auth_type!r}")
        super().__init__(
            format=format,
            max_msg_size=max_msg_size,
            max_obj_size=max_obj_size,
            clock=clock,
            nonces=nonces,
            limits=limits,
        )
        self.server_uri = server_uri
        self.server_id = server_id or server_uri
        self.credentials = credentials
        self.auth_type = auth_type
        self.max_auth_attempts = checked_count(max_auth_attempts, "max_auth_attempts")
        self.device_id: str | None = None
        self.username: str | None = None
        self.authenticated = False
        #: The DevInfo the device sent in package 1: each node's Data as sent (None for none).
        self.dev_info: dict[str, str | bytes | None] = {}
        self._attempts = 0
        self._client_nonce: bytes | None = None  # the nonce given in this session
        self._server_nonce: bytes | None = None  # the nonce the device gave for ours
        self._server_auth_type: str | None = None  # how we prove ourselves, if the device asked
        self._lead: list[Command] | None = None  # set while a message is due
        self._mode = "commands"  # what the due message holds besides the lead
        self._ending: EndReason | None = None  # the session ends once the due message goes
        self._device_final = False  # whether the device's last message ended its package
        self._last_received: str | None = None  # the SHA-256 of the device's last message
        self._last_reply: bytes | None = None  # our answer to it, once taken
        self._repeating = False  # whether data_to_send gives _last_reply again

    def queue(self, *commands: Command) -> None:
        """Commands for the device, sent in order as soon as the protocol allows (CmdIDs are
        given per message). OutboxError for an object above the device's MaxObjSize."""
        if self.ended is not None:
            raise SessionError(f"the session has ended ({self.ended.reason.value})")
        self.outbox.queue(*commands)

    # -- receiving -----------------------------------------------------------------------------

    @property
    def client_nonce(self) -> bytes | None:
        """The nonce this session last gave the device (None before it gave one): its next
        credentials, or with HMAC its next message, use it. Store it for the device's next
        session (``DeviceCredentials.nonce``); with HMAC it changes with every message."""
        return self._client_nonce

    @property
    def server_nonce(self) -> bytes | None:
        """The nonce the device last gave for the server's credentials (or HMACs) in this
        session, None when it gave none: store it for the next session
        (``DeviceCredentials.server_nonce``)."""
        return self._server_nonce

    def receive(self, data: bytes, *, hmac: str | bytes | None = None) -> list[Event]:
        """Take the device's message (``hmac``: the ``x-syncml-hmac`` header it came with); the
        events it brings. SessionError (the session unchanged) for a message that is not due
        or not this session's; DecodeError for bytes that are no message.

        The device's last message sent again, byte for byte (a device that lost the answer
        retries its request), brings no event: :meth:`data_to_send` gives the same answer
        again, even after the session's end. Any other message with a MsgID already received
        is refused as a replay."""
        digest = _digest(data)
        if self._lead is None and self._last_reply is not None and digest == self._last_received:
            self._repeating = True
            self.last_activity = self.clock()
            return []
        events = self._receive(data, header_text(hmac))
        self._last_received, self._last_reply, self._repeating = digest, None, False
        return events

    def _receive(self, data: bytes, mac: str | None) -> list[Event]:
        if self.ended is None and self._lead is not None:
            raise SessionError("the answer to the device's last message was not taken yet")
        message, format = self._decode(data)
        source = message.header.source
        if self.device_id is not None and (source is None or source.loc_uri != self.device_id):
            raise SessionError(f"the message is not from {self.device_id}")
        if self.device_id is None:
            if source is None or not source.loc_uri:
                raise SessionError("package 1 names no device (SyncHdr/Source/LocURI)")
            self.session_id = message.header.session_id
            self.device_id = source.loc_uri
            self.username = source.loc_name or source.loc_uri
        self._took(message, format)
        events: list[Event] = []
        chal = None
        header_code: int = StatusCode.OK
        started = False
        if not self.authenticated or self.auth_type == AUTH_MAC:  # an HMAC on every message
            started = not self.authenticated
            header_code, chal, events = self._authenticate(message, bytes(data), mac)
            if header_code in CHALLENGES:
                return events
        refused = self._our_credentials_refused(message)
        if refused is not None:
            events.append(refused)
        answered, owed = self._answered(message)
        events += answered
        lead: list[Command] = [status_for_header(message, header_code, chal=chal)]
        asks_next = False
        for command in peer_commands(message):
            code, more = self._device_command(command)
            events += more
            lead.append(status_for(message, command, code))
            if isinstance(command, Alert):
                if command.code == AlertCode.NEXT_MESSAGE:
                    asks_next = True
                elif command.code == AlertCode.SESSION_ABORT:
                    self._ending = EndReason.ABORTED_BY_PEER
        lead += owed
        if started:
            events.append(self._started(message))
        self._device_final = message.final
        if self._ending is not None:
            self._mode = "only"
        elif not message.final and not asks_next:
            self._mode = "next"
        else:
            self._mode = "commands"
        self._lead = lead
        return events

    def _authenticate(
        self, message: Message, data: bytes, mac: str | None
    ) -> tuple[int, Any, list[Event]]:
        """Check the device's credentials (with HMAC, every message's mac): when they pass,
        212 (200 with HMAC) and the next nonce; otherwise a challenge with a fresh nonce
        answering every command, none applied (past ``max_auth_attempts`` failures in the
        session, the end)."""
        username = self.username or ""
        known = self.credentials(username)
        proof = mac if self.auth_type == AUTH_MAC else message.header.cred
        if known is not None and proof is not None and self._valid(proof, data, known):
            first, self.authenticated = not self.authenticated, True
            self._client_nonce = self.nonces()
            accepted = StatusCode.AUTHENTICATION_ACCEPTED
            if self.auth_type == AUTH_MAC:
                accepted = StatusCode.OK  # 212 would end HMACs, which cover every message
            return (
                int(accepted),
                chal_for(self.auth_type, self._client_nonce),
                [Authenticated(username, self._client_nonce)] if first else [],
            )
        code = int(
            StatusCode.MISSING_CREDENTIALS if proof is None else StatusCode.INVALID_CREDENTIALS
        )
        self._attempts += 1
        retrying = self._attempts <= self.max_auth_attempts
        chal = None
        if retrying:
            self._client_nonce = self.nonces()
            chal = chal_for(self.auth_type, self._client_nonce)
        else:
            self._ending = EndReason.AUTHENTICATION_FAILED
        lead: list[Command] = [status_for_header(message, code, chal=chal)]
        lead += [status_for(message, command, code) for command in peer_commands(message)]
        self._lead, self._mode = lead, "only"
        return code, chal, [CredentialsRefused(code, self.auth_type, retrying)]

    def _valid(self, proof: Any, data: bytes, known: DeviceCredentials) -> bool:
        """Whether the device's Cred (with HMAC, the mac of the message ``data``) proves
        ``known``."""
        nonce = self._client_nonce if self._client_nonce is not None else known.nonce
        if self.auth_type == AUTH_MAC:
            return hmac_proves(proof, known.username, known.password, nonce, data)
        cred = proof
        if cred.meta is not None and cred.meta.type not in (None, self.auth_type):
            return False
        return verify_credential(cred, known.username, known.password, nonce)

    def _our_credentials_refused(self, message: Message) -> Event | None:
        """The device's Statuses for our SyncHdrs (our last message's, and a refusal of an
        earlier one it sends again when we challenged the message that carried it): a Chal
        gives the nonce for our credentials, and their type (MD5 credentials, or an HMAC);
        401/407 means it refused that message and applied nothing: the commands go again."""
        refused = None
        for status in header_statuses(message):
            if status.chal is None or status.chal.meta is None:
                continue
            if status.chal.meta.type in (AUTH_MD5, AUTH_MAC):
                self._server_auth_type = status.chal.meta.type
            try:
                nonce = chal_nonce(status)
            except AuthError:
                nonce = None  # a NextNonce that is no Base64: the last one stays
            if nonce is not None:
                self._server_nonce = nonce
            if status.code in CHALLENGES:
                self._take_back(status.msg_ref or "")
                refused = Challenged(status.code or 0, status.chal.meta.type, retrying=True)
        return refused

    def _device_command(self, command: Command) -> tuple[int, list[Event]]:
        """The status of a command the device sent, and what the application hears of it."""
        if command.TAG not in _FROM_DEVICE:
            return StatusCode.COMMAND_NOT_ALLOWED, []
        if isinstance(command, Replace):
            values = {
                item.source_uri: item.data
                for item in command.items
                if item.source_uri and item.source_uri.startswith("./DevInfo/")
            }
            if any(not isinstance(value, str | bytes | None) for value in values.values()):
                return StatusCode.UNSUPPORTED_MEDIA_TYPE, []  # a document where a value goes
            self.dev_info.update(values)
            return StatusCode.OK, []
        assert isinstance(command, Alert)
        if command.code == AlertCode.GENERIC_ALERT:
            events: list[Event] = []
            for item in command.items:
                meta = item.meta
                events.append(
                    GenericAlert(
                        meta.type if meta else None,
                        meta.format if meta else None,
                        item.data,
                        item.source_uri,
                        command.correlator,
                        meta.mark if meta else None,
                    )
                )
            return StatusCode.OK, events
        return StatusCode.OK, []

    def _started(self, message: Message) -> SessionStarted:
        alerts = [
            command.code
            for command in message.commands
            if isinstance(command, Alert)
            and command.code in (AlertCode.SERVER_INITIATED_MGMT, AlertCode.CLIENT_INITIATED_MGMT)
        ]
        return SessionStarted(
            self.session_id or "", self.device_id or "", alerts[0] if alerts else 0, self.dev_info
        )

    # -- sending -------------------------------------------------------------------------------

    def data_to_send(self) -> bytes | None:
        """The message answering the device's last one, or None when none is due (the
        session waits for the device, or is over)."""
        if self._repeating:
            self._repeating = False
            return self._last_reply
        data = self._answer()
        if data is not None:
            self._last_reply = data
        return data

    def _answer(self) -> bytes | None:
        lead = self._lead
        if lead is None:
            return None
        message = self._message(self.device_id, self.server_uri, meta=self._limits_meta())
        known = self.credentials(self.username or "")
        credential = self._credential(known)
        if credential is not None:
            message.header.cred = credential
        self._lead = None
        if self._mode == "commands":
            # The Status for the SyncHdr opens the message, the answers to the device's other
            # commands follow, before the commands waiting (an object going out in chunks
            # keeps its turn).
            header_status, *answers = lead
            self.outbox.queue_first(*answers)
            message = self._next_message(message.header, [header_status], final=True)
            if message.final and not brings_news(message) and self._device_final:
                self._ending = EndReason.COMPLETED  # a whole package answered with nothing new
            data = self._encode(message)
        else:
            message.add(*lead)
            if self._mode == "next":
                message.add(Alert(code=AlertCode.NEXT_MESSAGE))
            message.final = self._mode == "only"
            data = self._encode(message)
            if len(data) > (self.peer_max_msg_size or len(data)):
                detail = f"an answer of {len(data)} bytes"
                data = self._encode(self._abort(message.header, lead[:1], EndReason.LIMITS, detail))
            else:
                self._sent(message, skip=len(message.commands))
                if self._mode == "next":  # the answers go again if the device refuses them
                    self.outbox.sent_aside(message.msg_id, lead[1:])
        if self._ending is not None:
            failed = self._ending is EndReason.AUTHENTICATION_FAILED
            self._end(self._ending, "the device's credentials failed" if failed else "")
        self._mac = self._signature(known, data)
        return data

    def _our_nonce(self, known: DeviceCredentials) -> bytes:
        return self._server_nonce if self._server_nonce is not None else known.server_nonce

    def _our_auth_type(self, known: DeviceCredentials | None) -> str | None:
        """How we prove ourselves: as the device last asked, or as its account says; None
        when it has no password for us."""
        if known is None or known.server_password is None:
            return None
        return self._server_auth_type or known.server_auth_type

    def _credential(self, known: DeviceCredentials | None) -> Any:
        """Our MD5 credentials, when the device has a password for us and takes no HMAC."""
        if known is None or self._our_auth_type(known) in (None, AUTH_MAC):
            return None
        assert known.server_password is not None
        return md5_credential(self.server_id, known.server_password, self._our_nonce(known))

    def _signature(self, known: DeviceCredentials | None, data: bytes) -> str | None:
        """The x-syncml-hmac of our message ``data``, when the device takes HMACs."""
        if known is None or self._our_auth_type(known) != AUTH_MAC:
            return None
        assert known.server_password is not None
        return hmac_header(self.server_id, known.server_password, self._our_nonce(known), data)

    # -- state ---------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Everything the session knows, as JSON-serializable data (no secrets: the credentials
        come from the look-up again). :meth:`from_state` continues the session from it."""
        return {
            "state_version": _STATE_VERSION,
            **self._conversation_state(),
            "server_uri": self.server_uri,
            "server_id": self.server_id,
            "auth_type": self.auth_type,
            "max_auth_attempts": self.max_auth_attempts,
            "device_id": self.device_id,
            "username": self.username,
            "authenticated": self.authenticated,
            "dev_info": {uri: data_to_json(value) for uri, value in self.dev_info.items()},
            "attempts": self._attempts,
            "client_nonce": data_to_json(self._client_nonce),
            "server_nonce": data_to_json(self._server_nonce),
            "server_auth_type": self._server_auth_type,
            "lead": commands_to_text(self._lead) if self._lead is not None else None,
            "mode": self._mode,
            "ending": self._ending.value if self._ending is not None else None,
            "device_final": self._device_final,
            "last_received": self._last_received,
            "last_reply": data_to_json(self._last_reply),
            "repeating": self._repeating,
            "last_mac": self._mac,
        }

    @classmethod
    def from_state(
        cls,
        state: dict[str, Any],
        *,
        credentials: CredentialLookup,
        clock: Callable[[], float] = time.time,
        nonces: Callable[[], bytes] = new_nonce,
        limits: Limits | None = None,
    ) -> ServerSession:
        """The session :meth:`to_state` saved, continuing. StateError when ``state`` is not
        one."""
        try:
            if state["state_version"] != _STATE_VERSION:
                raise StateError(f"a state of version {state['state_version']!r}")
            session = cls(
                state["server_uri"],
                credentials=credentials,
                server_id=state["server_id"],
                auth_type=state["auth_type"],
                format=state["format"],
                max_msg_size=state["max_msg_size"],
                max_obj_size=state["max_obj_size"],
                max_auth_attempts=state["max_auth_attempts"],
                clock=clock,
                nonces=nonces,
                limits=limits,
            )
            session._restore_conversation(state)
            session.device_id = state["device_id"]
            session.username = state["username"]
            session.authenticated = bool(state["authenticated"])
            session.dev_info = {
                str(uri): data_from_json(value) for uri, value in state["dev_info"].items()
            }
            session._attempts = int(state["attempts"])
            session._client_nonce = _bytes_in(state["client_nonce"], "a nonce")
            session._server_nonce = _bytes_in(state["server_nonce"], "a nonce")
            lead = state["lead"]
            session._lead = commands_from_text(lead) if lead is not None else None
            session._mode = state["mode"]
            ending = state["ending"]
            session._ending = EndReason(ending) if ending is not None else None
            session._device_final = bool(state["device_final"])
            # Absent from the states of earlier versions: no answer to give again.
            session._last_received = _text_or_none(state.get("last_received"), "a digest")
            session._last_reply = _bytes_in(state.get("last_reply"), "the last answer")
            session._repeating = bool(state.get("repeating", False))
            session._server_auth_type = _auth_type(state.get("server_auth_type"))
            session._mac = _text_or_none(state.get("last_mac"), "an HMAC")
        except StateError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            raise StateError(f"not a server session's state: {error!r}") from None
        return session


def _digest(data: bytes) -> str | None:
    """The SHA-256 of received bytes (None for what is no bytes: ``_decode`` refuses it)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        return None
    return hashlib.sha256(data).hexdigest()


def _text_or_none(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise StateError(f"{what} in the state is a {type(value).__name__}")
    return value


def _auth_type(value: Any) -> str | None:
    if value is not None and value not in _AUTH_TYPES:
        raise StateError(f"an authentication type in the state is {value!r}")
    return None if value is None else str(value)


def _bytes_in(value: Any, what: str) -> bytes | None:
    """Bytes :func:`data_to_json` saved (None for none); StateError for text."""
    data = data_from_json(value)
    if isinstance(data, str):
        raise StateError(f"{what} in the state is text")
    return data
