"""Moving packages and running sessions, without I/O: the caller moves the bytes.

The outbox cuts commands into messages within the peer's MaxMsgSize, to the byte; large
objects go out in chunks and come back whole through an Assembler. ``ClientSession`` (the
device) and ``ServerSession`` take a DM session's messages as bytes and give theirs, with typed
events for the application; a server session fits in JSON between two messages.
"""

from .base import CONTENT_TYPE_WBXML, CONTENT_TYPE_XML, SessionError, content_type, format_of
from .client import Account, ClientSession
from .events import (
    Answered,
    Authenticated,
    Challenged,
    CredentialsRefused,
    EndReason,
    Event,
    ExecRequested,
    GenericAlert,
    SessionEnded,
    SessionStarted,
    UserInteraction,
)
from .largeobject import Assembler, Outcome, SizeCounts, chunk_item, data_size
from .outbox import Outbox, OutboxError, pack
from .serial import StateError
from .server import CredentialLookup, DeviceCredentials, ServerSession

__all__ = [
    "ClientSession",
    "ServerSession",
    "Account",
    "DeviceCredentials",
    "CredentialLookup",
    "CONTENT_TYPE_WBXML",
    "CONTENT_TYPE_XML",
    "content_type",
    "format_of",
    "SessionError",
    "StateError",
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
    "Outbox",
    "OutboxError",
    "pack",
    "Assembler",
    "Outcome",
    "SizeCounts",
    "chunk_item",
    "data_size",
]
