"""Every SyncML 1.2 command as its own class, with its children in DTD order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, overload

from .base import (
    ChildList,
    ContentField,
    F,
    FlagField,
    IntField,
    Node,
    NodeField,
    NodeList,
    TextField,
    TextList,
    _Field,
)
from .items import Item, MapItem, Source, Target
from .meta import Chal, Cred, Meta

__all__ = [
    "Command",
    "Add",
    "Alert",
    "Atomic",
    "Copy",
    "Delete",
    "Exec",
    "Get",
    "Replace",
    "Sequence",
    "Status",
    "Results",
    "Sync",
    "Map",
    "Put",
    "Search",
    "Move",
    "COMMANDS",
    "CommandList",
    "wrap_command",
    "command_elements",
]


class Command(Node):
    """What every command has: a CmdID (a string: peers send UUIDs) and, mostly, Items."""

    #: Whether OMA DM uses this command (Sync, Map, Put, Search and Move are Data Sync only).
    IN_DM: ClassVar[bool] = True
    cmd_id = TextField("CmdID")
    no_resp = FlagField("NoResp")
    cred = NodeField("Cred", lambda: Cred)
    meta = NodeField("Meta", lambda: Meta)
    items = NodeList("Item", lambda: Item)


class _ItemCommand(Command):
    ORDER = ("CmdID", "NoResp", "Cred", "Meta", "Item")


class Add(_ItemCommand):
    TAG = "Add"


class Replace(_ItemCommand):
    TAG = "Replace"


class Copy(_ItemCommand):
    TAG = "Copy"


class Move(_ItemCommand):
    TAG = "Move"
    IN_DM = False


class Delete(Command):
    TAG = "Delete"
    ORDER = ("CmdID", "NoResp", "Archive", "SftDel", "Cred", "Meta", "Item")
    archive = FlagField("Archive")
    sft_del = FlagField("SftDel")


class Get(Command):
    TAG = "Get"
    ORDER = ("CmdID", "NoResp", "Lang", "Cred", "Meta", "Item")
    lang = TextField("Lang")


class Put(Get):
    TAG = "Put"
    IN_DM = False


class Alert(Command):
    """An alert; ``code`` is its Data as a number (see :class:`AlertCode`)."""

    TAG = "Alert"
    ORDER = ("CmdID", "NoResp", "Cred", "Data", "Correlator", "Item")
    data = ContentField("Data")
    code = IntField("Data")
    correlator = TextField("Correlator")


class Exec(Command):
    TAG = "Exec"
    ORDER = ("CmdID", "NoResp", "Cred", "Meta", "Correlator", "Item")
    correlator = TextField("Correlator")


class Status(Command):
    """The answer to a command; ``code`` is its Data as a number (see :class:`StatusCode`)."""

    TAG = "Status"
    ORDER = (
        "CmdID",
        "MsgRef",
        "CmdRef",
        "Cmd",
        "TargetRef",
        "SourceRef",
        "Cred",
        "Chal",
        "Data",
        "Item",
    )
    msg_ref = TextField("MsgRef")
    cmd_ref = TextField("CmdRef")
    cmd = TextField("Cmd")
    target_refs = TextList("TargetRef")
    source_refs = TextList("SourceRef")
    chal = NodeField("Chal", lambda: Chal)
    data = ContentField("Data")
    code = IntField("Data")


class Results(Command):
    TAG = "Results"
    ORDER = ("CmdID", "MsgRef", "CmdRef", "Meta", "TargetRef", "SourceRef", "Item")
    msg_ref = TextField("MsgRef")
    cmd_ref = TextField("CmdRef")
    target_ref = TextField("TargetRef")
    source_ref = TextField("SourceRef")


class CommandList(_Field):
    """The commands an element holds (``HOLDS`` of its class), as an editable list of views."""

    def __init__(self) -> None:
        super().__init__("")

    @overload
    def __get__(self: F, node: None, owner: type) -> F: ...
    @overload
    def __get__(self, node: Node, owner: type) -> ChildList[Command]: ...
    def __get__(self, node: Node | None, owner: type) -> Any:
        if node is None:
            return self
        return ChildList(node, node.HOLDS, wrap_command)  # type: ignore[attr-defined]

    def __set__(self, node: Node, commands: Any) -> None:
        view = self.__get__(node, type(node))
        del view[:]
        for command in commands:
            view.append(command)


class _Container(Command):
    """A command holding commands (Atomic, Sequence, Sync)."""

    #: The command tags this container may hold.
    HOLDS: ClassVar[tuple[str, ...]] = ()
    commands = CommandList()


_BODY_COMMANDS = (
    "Add",
    "Alert",
    "Atomic",
    "Copy",
    "Delete",
    "Exec",
    "Get",
    "Map",
    "Move",
    "Put",
    "Replace",
    "Results",
    "Search",
    "Sequence",
    "Status",
    "Sync",
)


class Atomic(_Container):
    TAG = "Atomic"
    HOLDS = _BODY_COMMANDS
    ORDER = ("CmdID", "NoResp", "Meta", HOLDS)


class Sequence(_Container):
    TAG = "Sequence"
    HOLDS = _BODY_COMMANDS
    ORDER = ("CmdID", "NoResp", "Meta", HOLDS)


class Sync(_Container):
    TAG = "Sync"
    IN_DM = False
    HOLDS = ("Add", "Atomic", "Copy", "Delete", "Move", "Replace", "Sequence")
    ORDER = ("CmdID", "NoResp", "Cred", "Target", "Source", "Meta", "NumberOfChanges", HOLDS)
    target = NodeField("Target", lambda: Target, Target)
    source = NodeField("Source", lambda: Source, Source)
    number_of_changes = IntField("NumberOfChanges")


class Map(Command):
    TAG = "Map"
    IN_DM = False
    ORDER = ("CmdID", "Target", "Source", "Cred", "Meta", "MapItem")
    target = NodeField("Target", lambda: Target, Target)
    source = NodeField("Source", lambda: Source, Source)
    map_items = NodeList("MapItem", lambda: MapItem)


class Search(Command):
    TAG = "Search"
    IN_DM = False
    ORDER = ("CmdID", "NoResp", "NoResults", "Cred", "Target", "Source", "Lang", "Meta", "Data")
    no_results = FlagField("NoResults")
    target = NodeField("Target", lambda: Target, Target)
    sources = NodeList("Source", lambda: Source)
    lang = TextField("Lang")
    data = ContentField("Data")


#: Tag -> command class.
COMMANDS: dict[str, type[Command]] = {
    cls.TAG: cls
    for cls in (
        Add,
        Alert,
        Atomic,
        Copy,
        Delete,
        Exec,
        Get,
        Map,
        Move,
        Put,
        Replace,
        Results,
        Search,
        Sequence,
        Status,
        Sync,
    )
}
assert set(COMMANDS) == set(_BODY_COMMANDS)


def wrap_command(element: Any) -> Command:
    """The command view for an element of one of the command tags."""
    return COMMANDS[element.tag].wrap(element)


_CONTAINERS = frozenset(tag for tag, cls in COMMANDS.items() if issubclass(cls, _Container))
#: Tag -> the child tags a command's CmdID goes before (all of its DTD's but CmdID, the first):
#: a CmdID added to a command goes before the first of those (unknown children stay before it).
AFTER_CMD_ID: dict[str, frozenset[str]] = {
    tag: frozenset(child for child, rank in cls._ranks.items() if rank > cls._ranks["CmdID"])
    for tag, cls in COMMANDS.items()
}


def command_elements(elements: Iterable[Any]) -> Iterator[Any]:
    """The command elements among ``elements``, with those inside Atomic, Sequence and Sync
    after their container: what ``Message.all_commands`` walks, without making views (and
    without recursion: containers may nest as deep as the decoding limits let them)."""
    pending = [iter(elements)]
    while pending:
        for element in pending[-1]:
            if element.tag in COMMANDS:
                yield element
                if element.tag in _CONTAINERS:
                    pending.append(iter(element.children))
                    break
        else:
            pending.pop()
