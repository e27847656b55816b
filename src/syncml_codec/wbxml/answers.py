"""The element trees of the answers a DM client sends (Status, Results and their Items), each
built in one call: a message of thousands of commands is answered in thousands of them.

The compiled core has a twin of each (``_wbxml.status_element``, ...) that builds the same
trees; the DPU uses the implementation in use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .element import Element
from .languages import METINF_NAMESPACE

__all__ = ["result_item", "results_element", "status_element"]


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
