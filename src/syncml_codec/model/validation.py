"""Checking a message against a profile (DM 1.2, DM 1.1.2, DS 1.2): findings, never exceptions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .base import Node, number_in
from .codes import DM_ALERT_CODES
from .commands import COMMANDS, Alert, Atomic, Command, Results, Sequence, Status, wrap_command
from .items import Item, MapItem, Source, SourceParent, Target, TargetParent
from .message import Body, Header, Message
from .meta import Anchor, Chal, Cred, Mem, Meta

__all__ = ["Finding", "PROFILES", "validate"]


@dataclass(frozen=True)
class Finding:
    """One problem: where (an XPath-like path with 1-based indexes), which rule, and what."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


@dataclass(frozen=True)
class _Profile:
    dm: bool
    ver_dtd: str
    ver_proto: str


PROFILES = {
    "dm1.2": _Profile(True, "1.2", "DM/1.2"),
    "dm1.1.2": _Profile(True, "1.1", "DM/1.1"),
    "ds1.2": _Profile(False, "1.2", "SyncML/1.2"),
}

_HEADER_REQUIRED = ("VerDTD", "VerProto", "SessionID", "MsgID", "Target", "Source")
_STATUS_REQUIRED = ("MsgRef", "CmdRef", "Cmd", "Data")
_NEED_ITEMS = ("Add", "Replace", "Copy", "Delete", "Get", "Put", "Exec", "Results", "Move")
_NOT_IN_DM_ELEMENTS = ("Archive", "Lang", "NoResults", "NumberOfChanges", "SftDel", "NoResp")
_DM_ATOMIC_CHILDREN = ("Add", "Alert", "Delete", "Copy", "Replace")
_DM_SEQUENCE_CHILDREN = ("Add", "Replace", "Delete", "Copy", "Get", "Exec", "Alert")
# Content models: which children each element may hold (from the views' DTD order).
_VIEW_CLASSES: tuple[type[Node], ...] = (
    *COMMANDS.values(),
    Header,
    Body,
    Item,
    MapItem,
    Target,
    Source,
    SourceParent,
    TargetParent,
    Meta,
    Anchor,
    Mem,
    Cred,
    Chal,
)
_VIEWS = {cls.TAG: cls for cls in _VIEW_CLASSES}


def validate(message: Message | Any, profile: str = "dm1.2") -> list[Finding]:
    """Every rule ``message`` breaks under ``profile`` ("dm1.2", "dm1.1.2" or "ds1.2")."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    element = message.element if isinstance(message, Message) else message
    return list(_Checker(PROFILES[profile]).message(element))


def _text(element: Any, tag: str) -> Any:
    for child in element.children:
        if child.tag == tag:
            return child.text
    return None


class _Checker:
    def __init__(self, profile: _Profile) -> None:
        self.profile = profile

    def message(self, root: Any) -> Iterator[Finding]:
        if root.tag != "SyncML":
            yield Finding(root.tag, "not-syncml", f"the root is <{root.tag}>, not <SyncML>")
            return
        yield from self.content("SyncML", root)
        tags = [child.tag for child in root.children]
        if tags != ["SyncHdr", "SyncBody"]:
            yield Finding("SyncML", "structure", f"SyncML holds {tags}, not SyncHdr, SyncBody")
        for child, path in _paths("SyncML", root):
            if child.tag == "SyncHdr":
                yield from self.header(child, path)
            elif child.tag == "SyncBody":
                yield from self.body(child, path)

    def content(self, path: str, element: Any) -> Iterator[Finding]:
        """Children the element's content model does not allow, and DM's unused elements."""
        view = _VIEWS.get(element.tag)
        allowed = set(view._ranks) if view is not None else {"SyncHdr", "SyncBody"}
        for child, child_path in _paths(path, element):
            if child.tag not in allowed:
                yield Finding(
                    child_path,
                    "unknown-element",
                    f"<{child.tag}> is not allowed in <{element.tag}>",
                )
            elif self.profile.dm and child.tag in _NOT_IN_DM_ELEMENTS:
                yield Finding(child_path, "not-in-dm", f"OMA DM does not use <{child.tag}>")
            elif (
                view is not None
                and child.tag in _VIEWS
                and child.tag not in COMMANDS
                and child.tag != "Data"
            ):
                yield from self.content(child_path, child)

    def header(self, header: Any, path: str) -> Iterator[Finding]:
        yield from self.content(path, header)
        for tag in _HEADER_REQUIRED:
            if _text(header, tag) is None and not any(c.tag == tag for c in header.children):
                yield Finding(path, "header-missing", f"SyncHdr has no <{tag}>")
        for tag, expected in (
            ("VerDTD", self.profile.ver_dtd),
            ("VerProto", self.profile.ver_proto),
        ):
            value = _text(header, tag)
            if value is not None and value.strip() != expected:
                yield Finding(f"{path}/{tag}", "version", f"{tag} is {value!r}, not {expected!r}")

    def body(self, body: Any, path: str) -> Iterator[Finding]:
        yield from self.content(path, body)
        seen_ids: dict[str, str] = {}
        answered: set[tuple[Any, Any]] = set()
        for command, command_path in self.commands(body, path):
            yield from self.command(command, command_path, seen_ids)
            if isinstance(command, Status):
                answered.add((command.msg_ref, command.cmd_ref))
            elif (
                isinstance(command, Results)
                and (command.msg_ref, command.cmd_ref) not in answered
                and (None, command.cmd_ref) not in answered
            ):
                yield Finding(
                    command_path,
                    "results-without-status",
                    f"Results for CmdRef {command.cmd_ref!r} come before any Status "
                    "for that command",
                )

    def commands(self, parent: Any, path: str) -> Iterator[tuple[Command, str]]:
        """The commands under ``parent`` with their paths, those inside a container after it
        (walked without recursion: containers nest as deep as the decoding limits allow)."""
        pending = [_paths(path, parent)]
        while pending:
            for child, child_path in pending[-1]:
                if child.tag in COMMANDS:
                    yield wrap_command(child), child_path
                    if child.tag in ("Atomic", "Sequence", "Sync"):
                        pending.append(_paths(child_path, child))
                        break
            else:
                pending.pop()

    def command(self, command: Command, path: str, seen_ids: dict[str, str]) -> Iterator[Finding]:
        element = command.element
        tag = command.TAG
        yield from self.content(path, element)
        cmd_id = command.cmd_id
        if not cmd_id:
            yield Finding(path, "missing-cmdid", f"<{tag}> has no CmdID")
        elif cmd_id in seen_ids:
            yield Finding(
                path, "duplicate-cmdid", f"CmdID {cmd_id!r} is already used by {seen_ids[cmd_id]}"
            )
        else:
            seen_ids[cmd_id] = path
        if self.profile.dm:
            if not command.IN_DM:
                yield Finding(path, "not-in-dm", f"OMA DM does not use <{tag}>")
            if tag != "Status" and command.cred is not None:
                yield Finding(
                    f"{path}/Cred", "cred-in-command", "OMA DM allows credentials only in SyncHdr"
                )
            if isinstance(command, Atomic):
                for child in command.commands:
                    if child.TAG not in _DM_ATOMIC_CHILDREN:
                        yield Finding(
                            path, "atomic-nesting", f"OMA DM forbids <{child.TAG}> inside <Atomic>"
                        )
            if isinstance(command, Sequence):
                for child in command.commands:
                    if child.TAG not in _DM_SEQUENCE_CHILDREN:
                        yield Finding(
                            path,
                            "sequence-content",
                            f"OMA DM forbids <{child.TAG}> inside <Sequence>",
                        )
        if tag in _NEED_ITEMS and not command.items:
            yield Finding(path, "item-required", f"<{tag}> needs at least one <Item>")
        if tag == "Exec" and len(command.items) > 1:
            yield Finding(path, "item-required", "<Exec> holds exactly one <Item>")
        if isinstance(command, Status):
            for required in _STATUS_REQUIRED:
                if _text(element, required) is None:
                    yield Finding(path, "status-missing", f"Status has no <{required}>")
            data = command.data
            if isinstance(data, str) and not (len(data.strip()) == 3 and number_in(data)):
                yield Finding(f"{path}/Data", "status-code", f"{data!r} is no status code")
        if isinstance(command, Alert):
            code = command.code
            if code is None:
                yield Finding(path, "alert-code", "Alert has no numeric alert code in <Data>")
            elif self.profile.dm and code not in DM_ALERT_CODES:
                yield Finding(f"{path}/Data", "alert-code", f"{code} is not an OMA DM alert code")


def _paths(path: str, element: Any) -> Iterator[tuple[Any, str]]:
    """Each child with its path: ``parent/Tag[n]`` counting siblings of the same tag from 1."""
    counts: dict[str, int] = {}
    for child in element.children:
        counts[child.tag] = counts.get(child.tag, 0) + 1
        yield child, f"{path}/{child.tag}[{counts[child.tag]}]"
