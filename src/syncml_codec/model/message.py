"""Messages and packages: ``SyncML`` = ``SyncHdr`` + ``SyncBody``; a package is 1+ messages."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any, Literal, overload

from .. import api
from ..errors import SyncMLError
from .base import ChildList, F, FlagField, N, Node, NodeField, TextField, new_element, number_in
from .commands import (
    COMMANDS,
    Command,
    CommandList,
    Results,
    Status,
    command_elements,
    wrap_command,
)
from .items import Source, Target
from .meta import Cred, Meta

__all__ = ["Header", "Body", "Message", "Package", "ModelError", "ModelWarning"]


class ModelError(SyncMLError, ValueError):
    """A document that is not a SyncML message at all (wrong root, no header or body)."""


class ModelWarning(UserWarning):
    """Something a peer sent that the DTD does not allow; it is kept in the tree."""


class Header(Node):
    """``<SyncHdr>``."""

    TAG = "SyncHdr"
    ORDER = (
        "VerDTD",
        "VerProto",
        "SessionID",
        "MsgID",
        "Target",
        "Source",
        "RespURI",
        "NoResp",
        "Cred",
        "Meta",
    )
    ver_dtd = TextField("VerDTD")
    ver_proto = TextField("VerProto")
    session_id = TextField("SessionID")
    msg_id = TextField("MsgID")
    target = NodeField("Target", lambda: Target, Target)
    source = NodeField("Source", lambda: Source, Source)
    resp_uri = TextField("RespURI")
    no_resp = FlagField("NoResp")
    cred = NodeField("Cred", lambda: Cred)
    meta = NodeField("Meta", lambda: Meta)


class Body(Node):
    """``<SyncBody>``: commands in order, then ``<Final/>`` when the package ends here."""

    TAG = "SyncBody"
    HOLDS = tuple(COMMANDS)
    ORDER = (HOLDS, "Final")
    commands = CommandList()
    final = FlagField("Final")


_PARTS = ["SyncHdr", "SyncBody"]
_BODY_TAGS = frozenset((*COMMANDS, "Final"))
_TAG = attrgetter("tag")


class _PartField(NodeField[N]):
    """A part every message has (SyncHdr, SyncBody): reads as the view, never None."""

    @overload
    def __get__(self: F, node: None, owner: type) -> F: ...
    @overload
    def __get__(self, node: Node, owner: type) -> N: ...
    def __get__(self, node: Node | None, owner: type) -> Any:
        value = NodeField.__get__(self, node, owner)
        if value is None:
            raise ModelError(f"the message has no <{self.tag}>")
        return value


class Message(Node):
    """One SyncML message. It never does I/O: bytes come in and go out through the caller.

    ``Message(session_id=..., msg_id=..., target=..., source=...)`` starts a new one;
    :meth:`from_bytes` reads WBXML or XML; :meth:`to_wbxml` and :meth:`to_xml` write it.
    """

    TAG = "SyncML"
    ORDER = ("SyncHdr", "SyncBody")
    header = _PartField("SyncHdr", lambda: Header)
    body = _PartField("SyncBody", lambda: Body)

    def __init__(
        self,
        *,
        session_id: Any = None,
        msg_id: Any = None,
        target: str | Target | None = None,
        source: str | Source | None = None,
        version: str = "1.2",
        protocol: str | None = None,
        final: bool = False,
        **header_fields: Any,
    ) -> None:
        super().__init__()
        self.element.namespace = f"SYNCML:SYNCML{version}"
        header = Header.wrap(new_element("SyncHdr", self.element.namespace))
        protocol = protocol or f"DM/{version}"
        for name, value in (
            ("ver_dtd", version),
            ("ver_proto", protocol),
            ("session_id", session_id),
            ("msg_id", msg_id),
            ("target", target),
            ("source", source),
            *header_fields.items(),
        ):
            setattr(header, name, value)
        self.header = header
        self.body = Body.wrap(new_element("SyncBody", self.element.namespace))
        self.final = final

    # -- reading and writing ----------------------------------------------------------------------

    @classmethod
    def from_element(cls, element: Any) -> Message:
        """The message an element tree holds (the tree is used, not copied)."""
        if element.tag != "SyncML":
            raise ModelError(f"not a SyncML message: the root is <{element.tag}>")
        children = element.children
        tags = list(map(_TAG, children))
        if tags != _PARTS:
            if "SyncBody" not in tags:
                raise ModelError("a SyncML message needs a SyncBody")
            # Documentation examples and some tools send the body alone: read, and say so
            # (``validate`` reports it; ``header`` raises ModelError on such a message).
            warnings.warn(
                f"SyncML holds {tags}, not SyncHdr then SyncBody", ModelWarning, stacklevel=2
            )
        body = children[tags.index("SyncBody")]
        if not _BODY_TAGS.issuperset(map(_TAG, body)):
            unknown = [child.tag for child in body if child.tag not in _BODY_TAGS]
            warnings.warn(
                f"SyncBody holds elements that are no commands: {unknown}",
                ModelWarning,
                stacklevel=2,
            )
        return cls.wrap(element)

    @classmethod
    def from_bytes(cls, data: bytes | str, **options: Any) -> Message:
        """Decode WBXML or XML (detected) into a message; ``options`` as for ``decode``."""
        return cls.from_element(api.decode(data, **options))

    def to_wbxml(self, **options: Any) -> bytes:
        """The message as WBXML (``options`` as for ``syncml_codec.encode``)."""
        return api.encode(self.element, **options)

    def to_xml(self, *, pretty: bool = False) -> bytes:
        """The message as UTF-8 XML."""
        return api.encode(self.element, format="xml", pretty=pretty)

    # -- content ------------------------------------------------------------------------------

    @property
    def version(self) -> str:
        """The SyncML version of the namespace (``1.2``, ``1.1``, ``1.0``)."""
        namespace = self.element.namespace or ""
        return namespace[-3:] if namespace.upper().startswith("SYNCML:SYNCML") else "1.2"

    @property
    def commands(self) -> ChildList[Command]:
        """The body's commands, in order (an editable view)."""
        return self.body.commands

    def all_commands(self) -> Iterator[Command]:
        """Every command, with those inside Atomic, Sequence and Sync after their container."""
        return map(wrap_command, command_elements(self.body.element.children))

    @property
    def final(self) -> bool:
        """Whether this message ends its package (``<Final/>``)."""
        return self.body.final

    @final.setter
    def final(self, value: bool) -> None:
        self.body.final = value

    @property
    def session_id(self) -> str | None:
        return self.header.session_id

    @property
    def msg_id(self) -> str | None:
        return self.header.msg_id

    def status_of(self, msg_id: Any, cmd_id: Any) -> Status | None:
        """The Status in this message that answers command ``cmd_id`` of message ``msg_id``
        (what a peer sent back for a command one sent), or None."""
        for command in self.all_commands():
            if (
                isinstance(command, Status)
                and command.cmd_ref == str(cmd_id)
                and command.msg_ref == str(msg_id)
            ):
                return command
        return None

    def results_of(self, msg_id: Any, cmd_id: Any) -> list[Results]:
        """The Results in this message for command ``cmd_id`` of message ``msg_id`` (a Results
        without MsgRef answers the message this one replies to)."""
        return [
            command
            for command in self.all_commands()
            if isinstance(command, Results)
            and command.cmd_ref == str(cmd_id)
            and command.msg_ref in (str(msg_id), None)
        ]

    def add(self, *commands: Command) -> Message:
        """Append commands to the body, numbering those without a CmdID (nested ones too)."""
        body = self.body
        for command in commands:
            if not isinstance(command, Command):
                raise TypeError(f"expected a command, not {command!r}")
            body._insert(command.element)
        self.number_commands()
        return self

    def number_commands(self) -> None:
        """Give every command without a CmdID the next number, in document order."""
        commands = list(self.all_commands())
        numbers = [number_in(c.cmd_id) for c in commands]
        next_id = max((n for n in numbers if n is not None), default=0) + 1
        for command in commands:
            if command.cmd_id is None:
                command.cmd_id = str(next_id)
                next_id += 1


class Package:
    """The messages of one package (1-4) from one sender; the last one carries ``<Final/>``."""

    def __init__(
        self, number: int, sender: Literal["client", "server"], messages: Iterable[Message] = ()
    ) -> None:
        if number not in (1, 2, 3, 4):
            raise ValueError("packages 1-4 are SyncML messages (package 0 is a notification)")
        if sender not in ("client", "server"):
            raise ValueError("sender is 'client' or 'server'")
        self.number = number
        self.sender = sender
        self.messages: list[Message] = []
        for message in messages:
            self.add(message)

    def add(self, message: Message) -> None:
        """Add the next message; none may follow the one that ended the package."""
        if self.complete:
            raise ModelError(f"package {self.number} already ended with <Final/>")
        self.messages.append(message)

    @property
    def complete(self) -> bool:
        """Whether the last message so far carries ``<Final/>``."""
        return bool(self.messages) and self.messages[-1].final

    @property
    def expected_sender(self) -> str:
        """Who sends this package number in a DM session (odd: client, even: server)."""
        return "client" if self.number % 2 else "server"

    def commands(self) -> Iterator[Command]:
        """Every command of every message, in order."""
        for message in self.messages:
            yield from message.all_commands()

    def __repr__(self) -> str:
        state = "complete" if self.complete else "open"
        return f"<Package {self.number} from {self.sender}: {len(self.messages)} messages, {state}>"
