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
    #: The DevInfo the device sent (``{"./DevInfo/Mod": "X1", ...}``).
    dev_info: dict[str, str]


@dataclass(frozen=True)
class Authenticated(Event):
    """The peer's credentials were accepted (server side), or our own were (client side, on
    212). ``next_nonce`` is the nonce for the next session's MD5 credentials (raw bytes, empty
    for basic): the server stores it for the device, the client in its account."""

    username: str
    next_nonce: bytes = field(repr=False, default=b"")


@dataclass(frozen=True)
class Challenged(Event):
    """Credentials were missing (407) or refused (401). On the side that was challenged, the
    session answers with new credentials (``retrying``) or gives up; on the side that
    challenged, ``retrying`` says whether the peer may try again."""

    code: int
    auth_type: str | None
    retrying: bool


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
        text = f"{self.command} {self.target or ''} answered {self.code}".replace("  ", " ")
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


@dataclass(frozen=True)
class UserInteraction(Event):
    """A UI alert (1100-1104) the device answered (through the Processor's callback)."""

    alert: int
    #: The Data of the alert's Items: options (MINDT=..., DR=...), the text, the choices.
    texts: tuple[str, ...]
    code: int
    answer: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExecRequested(Event):
    """An Exec the device ran (or accepted, 202, to finish later)."""

    target: str | None
    correlator: str | None
    code: int
    data: Any = None


@dataclass(frozen=True)
class SessionEnded(Event):
    """The session is over: nothing more is sent or received."""

    reason: EndReason
    detail: str = ""
