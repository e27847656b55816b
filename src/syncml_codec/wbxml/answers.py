"""The DPU's work on elements, each piece in one call: reading a received command
(:func:`read_command`) and building the element trees of the answers a DM client sends (Status,
Results and their Items). A message of thousands of commands is read and answered in thousands
of these calls.

The compiled core has a twin of each (``_wbxml.read_command``, ``_wbxml.status_element``, ...)
that reads and builds the same; the DPU uses the implementation in use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .element import Element
from .languages import METINF_NAMESPACE

__all__ = [
    "CommandRead",
    "ItemRead",
    "read_command",
    "result_item",
    "results_element",
    "status_element",
]


class ItemRead:
    """One Item of a received command as the DPU needs it: Target and Source LocURI, Meta
    Format and Type (its own, else its command's), Data (text, bytes, or an embedded document's
    element), MoreData."""

    __slots__ = ("target", "source", "format", "type", "data", "more_data")

    def __init__(
        self,
        target: str | None,
        source: str | None,
        format: str | None,
        type: str | None,
        data: Any,
        more_data: bool,
    ) -> None:
        self.target, self.source, self.data, self.more_data = target, source, data, more_data
        self.format, self.type = format, type


class CommandRead:
    """A received command as the DPU needs it: its tag, CmdID (the first), NoResp, its Items
    read (:class:`ItemRead`) and whether the last of them has MoreData."""

    __slots__ = ("tag", "cmd_id", "no_resp", "requests", "more_data")

    def __init__(
        self, tag: str, cmd_id: str | None, no_resp: bool, requests: list[ItemRead]
    ) -> None:
        self.tag, self.cmd_id, self.no_resp, self.requests = tag, cmd_id, no_resp, requests
        self.more_data = bool(requests) and requests[-1].more_data


def read_command(element: Any) -> CommandRead:
    """A command's element read in one pass: its children, its Items' and their parts'. Of
    repeated parts, a command's first CmdID and first Meta naming a Format or Type count, an
    Item's last Target, Source, Meta and Data."""
    cmd_id = None
    no_resp = seen_cmd_id = False
    meta: tuple[str | None, str | None] = (None, None)
    items = []
    for child in element:
        tag = child.tag
        if tag == "Item":
            items.append(child)
        elif tag == "CmdID" and not seen_cmd_id:
            cmd_id, seen_cmd_id = child.text, True
        elif tag == "NoResp":
            no_resp = True
        elif tag == "Meta" and meta == (None, None):
            meta = _format_and_type(child)
    return CommandRead(element.tag, cmd_id, no_resp, [_read_item(item, meta) for item in items])


def _read_item(element: Any, command_meta: tuple[str | None, str | None]) -> ItemRead:
    target = source = data = format = type = None
    more_data = False
    for child in element:
        tag = child.tag
        if tag == "Target" or tag == "Source":
            uri = None
            for part in child:
                if part.tag == "LocURI":
                    uri = part.text
                    break
            if tag == "Target":
                target = uri
            else:
                source = uri
        elif tag == "Meta":
            format, type = _format_and_type(child)
        elif tag == "Data":
            data = child[0] if len(child) else child.text  # a document, or text
        elif tag == "MoreData":
            more_data = True
    return ItemRead(
        target, source, format or command_meta[0], type or command_meta[1], data, more_data
    )


def _format_and_type(meta: Any) -> tuple[str | None, str | None]:
    format = type = None
    for part in meta:
        if part.tag == "Format":
            format = part.text
        elif part.tag == "Type":
            type = part.text
    return format, type


def status_element(
    namespace: str | None,
    msg_ref: str | None,
    cmd_ref: str | None,
    cmd: str,
    requests: Iterable[Any],
    data: str,
    answered: Iterable[Any],
) -> Element:
    """``<Status>``: MsgRef, CmdRef, Cmd, a TargetRef and a SourceRef for each of ``requests``
    (objects with ``target`` and ``source``) that has one, Data (the code), then the elements
    of the ``answered`` Items."""
    requests = list(requests)
    parts = [
        Element("MsgRef", namespace, None, msg_ref),
        Element("CmdRef", namespace, None, cmd_ref),
        Element("Cmd", namespace, None, cmd),
    ]
    parts += [Element("TargetRef", namespace, None, r.target) for r in requests if r.target]
    parts += [Element("SourceRef", namespace, None, r.source) for r in requests if r.source]
    parts.append(Element("Data", namespace, None, data))
    parts += [item.element for item in answered]
    return Element("Status", namespace, None, None, parts)


def results_element(
    namespace: str | None, msg_ref: str | None, cmd_ref: str | None, items: Iterable[Any]
) -> Element:
    """``<Results>``: MsgRef, CmdRef, then the elements of ``items`` (Item views)."""
    parts = [
        Element("MsgRef", namespace, None, msg_ref),
        Element("CmdRef", namespace, None, cmd_ref),
    ]
    parts += [item.element for item in items]
    return Element("Results", namespace, None, None, parts)


def result_item(
    namespace: str | None, uri: str, format: str | None, type: str | None, value: Any
) -> Element:
    """A Results ``<Item>``: Source LocURI ``uri``, Meta Format (and Type when given), and Data:
    ``value`` as its text (str or bytes), as its child (an embedded document), or none."""
    meta = [Element("Format", METINF_NAMESPACE, None, format)]
    if type:
        meta.append(Element("Type", METINF_NAMESPACE, None, type))
    parts = [
        Element("Source", namespace, None, None, [Element("LocURI", namespace, None, uri)]),
        Element("Meta", namespace, None, None, meta),
    ]
    if isinstance(value, str | bytes):
        parts.append(Element("Data", namespace, None, value))
    elif value is not None:
        parts.append(Element("Data", namespace, None, None, [value]))
    return Element("Item", namespace, None, None, parts)
