"""Addresses and items: Target, Source, their parents, Item and MapItem."""

from __future__ import annotations

from typing import Any, overload

from .base import F, FlagField, Node, NodeField, TextField, _Field, new_element
from .meta import Meta

__all__ = ["Target", "Source", "SourceParent", "TargetParent", "Item", "MapItem", "DataField"]


class _Address(Node):
    ORDER = ("LocURI", "LocName", "Filter")
    loc_uri = TextField("LocURI")
    loc_name = TextField("LocName")

    def __init__(self, loc_uri: str | None = None, **fields: Any) -> None:
        super().__init__(loc_uri=loc_uri, **fields)


class Target(_Address):
    TAG = "Target"


class Source(_Address):
    TAG = "Source"


class SourceParent(_Address):
    TAG = "SourceParent"


class TargetParent(_Address):
    TAG = "TargetParent"


class DataField(_Field):
    """``<Data>``: text, bytes, an embedded document (an Element such as DevInf), ``""`` for an
    empty ``<Data/>``, or None when there is none."""

    @overload
    def __get__(self: F, node: None, owner: type) -> F: ...
    @overload
    def __get__(self, node: Node, owner: type) -> Any: ...
    def __get__(self, node: Node | None, owner: type) -> Any:
        if node is None:
            return self
        child = node._first(self.tag)
        if child is None:
            return None
        if child.children:
            return child.children[0]
        return "" if child.text is None else child.text  # <Data/> holds the empty value

    def __set__(self, node: Node, value: Any) -> None:
        node._remove(self.tag)
        if value is None:
            return
        data = new_element(self.tag, node._namespace_for(self.tag))
        if isinstance(value, (str, bytes)):
            data.text = value
        elif hasattr(value, "tag") and hasattr(value, "children"):
            data.children.append(value)
        else:
            data.text = str(value)
        node._insert(data)


class Item(Node):
    """One item of a command: addresses, Meta, Data and the MoreData flag of a chunk."""

    TAG = "Item"
    ORDER = ("Target", "Source", "SourceParent", "TargetParent", "Meta", "Data", "MoreData")
    target = NodeField("Target", lambda: Target, Target)
    source = NodeField("Source", lambda: Source, Source)
    source_parent = NodeField("SourceParent", lambda: SourceParent, SourceParent)
    target_parent = NodeField("TargetParent", lambda: TargetParent, TargetParent)
    meta = NodeField("Meta", lambda: Meta)
    data = DataField("Data")
    more_data = FlagField("MoreData")

    @property
    def target_uri(self) -> str | None:
        """``Target/LocURI``, or None."""
        target = self.target
        return target.loc_uri if target is not None else None

    @property
    def source_uri(self) -> str | None:
        """``Source/LocURI``, or None."""
        source = self.source
        return source.loc_uri if source is not None else None


class MapItem(Node):
    """A DS mapping between a server id (Target) and a client id (Source)."""

    TAG = "MapItem"
    ORDER = ("Target", "Source")
    target = NodeField("Target", lambda: Target, Target)
    source = NodeField("Source", lambda: Source, Source)
