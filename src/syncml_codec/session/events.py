"""What a session tells its application: typed events, returned by ``receive`` (and kept in
``ended`` for the end of the session)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..model.items import Item

__all__ = [
    "Event",
    "EndReason",
    "SessionStarted",
    "Authenticated",
    "Challenged",
    "CredentialsRefused",
    "Answered",
    "GenericAlert",
    "UserInteraction",
    "ExecRequested",
    "SessionEnded",
]


class EndReason(str, Enum):
    """Why a session ended."""

    #: The last package left nothing to answer.
    COMPLETED = "completed"
    #: Credentials were refused (or missing) more often than the session allows, or a
    #: challenge asked for an authentication type this side does not do.
    AUTHENTICATION_FAILED = "authentication failed"
    #: The peer sent Alert 1223.
    ABORTED_BY_PEER = "aborted by the peer"
    #: This side sent Alert 1223 (``abort()``).
    ABORTED = "aborted"
    #: The user declined a session a notification asked for (UI mode user interaction).
    DECLINED = "declined by the user"
    #: The peer refused the session (a SyncHdr status that is no success nor a challenge).
    REFUSED = "refused"
    #: The peer's limits leave no way on: a MaxMsgSize that not even the answer's SyncHdr
    #: fits, or a MaxObjSize below an object that must go.
    LIMITS = "the peer's limits cannot be met"


class Event:
    """Base class of every session event."""

    __slots__ = ()


@dataclass(frozen=True)
class SessionStarted(Event):
    """The server read the device's package 1 and authenticated it."""

    session_id: str
    device_id: str
    #: The Alert that opened the session: 1200 (server-initiated) or 1201 (client-initiated).
    alert: int
    #: The DevInfo the device sent (``{"./DevInfo/Mod": "X1", ...}``): each node's Data as
    #: sent, text or (binary Data) bytes; None for an Item without Data.
    dev_info: dict[str, str | bytes | None]

    def __str__(self) -> str:
        return f"session {self.session_id} started by {self.device_id} (Alert {self.alert})"


@dataclass(frozen=True)
class Authenticated(Event):
    """The peer's credentials were accepted (server side), or our own were (client side, on
    212). ``next_nonce`` is the nonce for the next session's MD5 credentials (raw bytes, empty
    for basic): the server stores it for the device, the client in its account."""

    username: str
    next_nonce: bytes = field(repr=False, default=b"")

    def __str__(self) -> str:
        return f"authenticated: {self.username}"


@dataclass(frozen=True)
class Challenged(Event):
    """The peer found this side's credentials missing (407) or wrong (401): the session sends
    new ones over the challenge's nonce (``retrying``), or gives up."""

    code: int
    auth_type: str | None
    retrying: bool

    def __str__(self) -> str:
        then = "trying again" if self.retrying else "giving up"
        return f"challenged by the peer: {self.code} ({self.auth_type or 'no Chal'}), {then}"


@dataclass(frozen=True)
class CredentialsRefused(Event):
    """The peer's credentials were missing (407) or wrong (401): this side challenged it
    (``retrying``: it may try again) or ended the session."""

    code: int
    auth_type: str | None
    retrying: bool

    def __str__(self) -> str:
        then = "challenged" if self.retrying else "no more tries"
        return f"the peer's credentials refused: {self.code}, {then}"


@dataclass(frozen=True)
class Answered(Event):
    """The peer's Status (and Results) for a command this side sent: ``Get ./DevDetail/FwV
    answered 200`` with ``value`` ``"1.0.7"``. A command whose Items went in several commands
    (one per Item, or a large object in chunks) is answered once per command that carries its
    final Status."""

    command: str
    target: str | None
    code: int
    #: The Items of the Results (Get), whole even when they came in chunks.
    items: tuple[Item, ...] = ()

    @property
    def value(self) -> Any:
        """The Data of the first Results Item, or None."""
        return self.items[0].data if self.items else None

    def __str__(self) -> str:
        verb = "accepted" if self.code == 202 else "answered"  # to finish later (FUMO)
        text = f"{self.command} {self.target or ''} {verb} {self.code}".replace("  ", " ")
        return f"{text}, value {self.value}" if self.items else text


@dataclass(frozen=True)
class GenericAlert(Event):
    """A Generic Alert (1226) from the device: FUMO's result, a fault report."""

    type: str | None
    format: str | None
    data: Any
    source: str | None
    correlator: str | None
    mark: str | None = None

    def __str__(self) -> str:
        text = f"Generic Alert {self.type} from {self.source}: {self.data}"
        return text + (f" (Correlator {self.correlator})" if self.correlator else "")


@dataclass(frozen=True)
class UserInteraction(Event):
    """A UI alert (1100-1104) the device answered (through the Processor's callback)."""

    alert: int
    #: The Data of the alert's Items as sent (text; bytes for binary Data): options
    #: (MINDT=..., DR=...), the text, the choices.
    texts: tuple[Any, ...]
    code: int
    #: The Data of the Items the device answered with (the text typed, the choices made).
    answer: tuple[Any, ...] = ()

    def __str__(self) -> str:
        shown = [data if isinstance(data, str) else repr(data) for data in self.answer]
        answer = f": {', '.join(shown)}" if shown else ""
        return f"UI alert {self.alert} answered {self.code}{answer}"


@dataclass(frozen=True)
class ExecRequested(Event):
    """An Exec the device ran (or accepted, 202, to finish later)."""

    target: str | None
    correlator: str | None
    code: int
    data: Any = None

    def __str__(self) -> str:
        correlator = f" (Correlator {self.correlator})" if self.correlator else ""
        verb = "accepted" if self.code == 202 else "answered"
        return f"Exec {self.target}{correlator} {verb} {self.code}"


@dataclass(frozen=True)
class SessionEnded(Event):
    """The session is over: nothing more is sent or received."""

    reason: EndReason
    detail: str = ""

    def __str__(self) -> str:
        return f"session ended: {self.reason.value}" + (f" ({self.detail})" if self.detail else "")
