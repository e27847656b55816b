"""Access control lists of management-tree nodes (OMA DM TND 1.2 section 7.7.1).

``Add=srv1&Delete=srv1&Replace=srv1+srv2&Get=*``: for each command, the server ids allowed to
use it on the node, ``*`` for any. A node whose own ACL is empty inherits the nearest
ancestor's value as a whole (not command by command); the root always has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..model.codes import StatusCode
from .errors import TreeError

__all__ = ["ACL_COMMANDS", "Acl", "DEFAULT_ROOT_ACL"]

#: The commands an ACL grants (there is no right for Copy).
ACL_COMMANDS = ("Add", "Delete", "Exec", "Get", "Replace")
_SERVER_ID = re.compile(r"[^=&*+\s]+\Z")


@dataclass(frozen=True)
class Acl:
    """One node's own ACL: command -> the server ids it allows, in the order written. Empty:
    the node inherits (see :meth:`effective`)."""

    entries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for command, ids in self.entries.items():
            if command not in ACL_COMMANDS:
                raise TreeError(StatusCode.BAD_REQUEST, f"ACL: no command {command!r}")
            if not ids:
                raise TreeError(StatusCode.BAD_REQUEST, f"ACL: {command} names no server")
            for server_id in ids:
                if server_id != "*" and not _SERVER_ID.match(server_id):
                    raise TreeError(StatusCode.BAD_REQUEST, f"ACL: bad server id {server_id!r}")
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))

    @classmethod
    def parse(cls, text: str) -> Acl:
        """An ACL property value; TreeError 400 for one that breaks the grammar (a command named
        twice is one entry, its ids joined)."""
        if not isinstance(text, str):
            raise TypeError(f"an ACL is a str, not {type(text).__name__}")
        if text == "":
            return cls()
        entries: dict[str, tuple[str, ...]] = {}
        for entry in text.split("&"):
            command, equals, ids = entry.partition("=")
            if not equals:
                raise TreeError(StatusCode.BAD_REQUEST, f"ACL entry {entry!r} has no '='")
            servers = tuple(ids.split("+"))
            if "" in servers:
                raise TreeError(StatusCode.BAD_REQUEST, f"ACL entry {entry!r} has an empty id")
            known = entries.get(command, ())
            entries[command] = known + tuple(s for s in servers if s not in known)
        return cls(entries)

    @classmethod
    def for_creator(cls, server_id: str) -> Acl:
        """The ACL an interior node gets when a server without Replace on its parent adds it:
        Add, Delete and Replace for that server."""
        return cls({"Add": (server_id,), "Delete": (server_id,), "Replace": (server_id,)})

    @staticmethod
    def effective(own_then_ancestors: Iterable[Acl]) -> Acl:
        """The ACL in force on a node: its own, else the nearest ancestor's (from the node up to
        the root), as a whole."""
        for acl in own_then_ancestors:
            if acl.entries:
                return acl
        return Acl()

    def allows(self, command: str, server_id: str) -> bool:
        """Whether ``server_id`` may use ``command`` under this ACL: ``*``, or that very id
        (ids are compared whole, never as substrings)."""
        ids = self.entries.get(command, ())
        return "*" in ids or server_id in ids

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __str__(self) -> str:
        return "&".join(f"{command}={'+'.join(ids)}" for command, ids in self.entries.items())

    def __repr__(self) -> str:
        return f"Acl({str(self)!r})"


#: The root's ACL unless a device says otherwise (TND 7.7.1: Add and Get for any server).
DEFAULT_ROOT_ACL = Acl({"Add": ("*",), "Get": ("*",)})
