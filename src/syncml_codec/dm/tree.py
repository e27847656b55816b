"""The management tree (OMA DM TND 1.2 sections 6-7): nodes, properties, ACLs, descriptions.

Every operation takes the URI a command's LocURI carries and an optional ``server_id``: given,
the node's effective ACL and its DDF AccessType are checked; ``None`` is the device itself, which
may do anything the tree's structure allows. A failure raises :class:`TreeError` with the status
the command's Status carries, checked in the order a DM client's configuration manager checks:
the URI (400, 414), existence (404, 418), the ACL (425), the description (405), the format (415),
the value. The tree is a plain in-memory structure, not thread-safe: one session changes it at
a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import repeat
from typing import Any, NamedTuple

from .. import api
from ..limits import DEFAULT_LIMITS, Limits
from ..model.base import number_in
from ..model.codes import StatusCode
from .acl import DEFAULT_ROOT_ACL, Acl
from .ddf import Ddf, DdfNode
from .errors import (
    INVALID_VALUE,
    NOT_DESCRIBED,
    REQUIRED_NODE,
    TOO_MANY_INSTANCES,
    TreeError,
)
from .formats import BINARY_FORMATS, FORMATS, NodeValue, check_value, value_size
from .tnds import (
    ALL_TNDS_PROPERTIES,
    TndsNode,
    TndsWbxmlWriter,
    TndsWriter,
    Unwritable,
    node_fields,
    read_tnds,
    tnds_element,
    tnds_properties,
    top_nodes,
)
from .uri import Uri, UriLimits

__all__ = ["ManagementTree", "NodeData"]

_EMPTY_ACL = Acl()
_MAX_TITLE = 255
_URI_LIMIT_NODES = {"MaxDepth": "max_depth", "MaxTotLen": "max_total_length",
                    "MaxSegLen": "max_segment_length"}  # fmt: skip
_CHANGEABLE_PROPERTIES = ("ACL", "Name", "Title")
_FORMATS = frozenset(FORMATS)
_EMPTY_FORMATS = frozenset({"b64", "bin", "chr", "null", "xml"})  # the formats "" is a value of


class NodeData(NamedTuple):
    """What a Get returns: the value (a leaf's value, an interior node's child names joined by
    ``/``, or a property's text) with the Format and Type its Results carry."""

    value: NodeValue
    format: str
    type: str


class _Node:
    """One node. ``children`` is ``None`` for a leaf; ``acl`` is the node's own (empty when it
    inherits); ``described`` its DDF description, if any."""

    __slots__ = (
        "name",
        "parent",
        "children",
        "value",
        "format",
        "type",
        "acl",
        "title",
        "tstamp",
        "verno",
        "described",
    )

    def __init__(self, name: str, parent: _Node | None, format: str, type: str, stamp: str) -> None:
        self.name = name
        self.parent = parent
        self.children: dict[str, _Node] | None = {} if format == "node" else None
        self.value: NodeValue = None
        self.format = format
        self.type = type
        self.acl = _EMPTY_ACL
        self.title: str | None = None
        self.tstamp = stamp
        self.verno = 0
        self.described: DdfNode | None = None

    def segments(self) -> tuple[str, ...]:
        names = []
        node: _Node | None = self
        while node is not None and node.parent is not None:
            names.append(node.name)
            node = node.parent
        return tuple(reversed(names))

    def effective_acl(self) -> Acl:
        node: _Node | None = self
        while node is not None:
            if node.acl.entries:
                return node.acl
            node = node.parent
        return _EMPTY_ACL


class ManagementTree:
    """A device's management tree, from the root ``.`` (ACL ``Add=*&Get=*`` unless
    ``root_acl`` says otherwise). ``windows_aliases`` reads ``./Device/X`` as ``./X`` (Windows
    names the device scope both ways); ``clock`` gives the time TStamp records (seconds since
    the epoch)."""

    def __init__(
        self,
        *,
        root_acl: Acl | str = DEFAULT_ROOT_ACL,
        windows_aliases: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._stamp_second = -1
        self._stamp = ""
        self.windows_aliases = windows_aliases
        self._root = _Node(".", None, "node", "", self._now())
        self._root.acl = Acl.parse(root_acl) if isinstance(root_acl, str) else root_acl
        self._uri_limits: UriLimits | None = None
        self._anchored: dict[tuple[str, ...], DdfNode] = {}
        self._journal: list[Callable[[], None]] | None = None
        self._acls: dict[str, Acl] = {}

    # -- reading -------------------------------------------------------------------------------

    def get(self, uri: str, *, server_id: str | None = None) -> NodeData:
        """A leaf's value, an interior node's child list, or (``?prop=``) a property."""
        target = self._parse(uri)
        node = self._existing(target)
        if server_id is not None:
            self._check_acl(node.effective_acl(), "Get", server_id, target)
        if target.prop is not None:
            return NodeData(self._property(node, target.prop), "chr", "text/plain")
        if node.described is not None:
            self._check_access(node, "Get", server_id, target)
        if node.children is not None:
            return NodeData("/".join(node.children), "node", "text/plain")
        return NodeData(node.value, node.format, node.type)

    def children(self, uri: str, *, server_id: str | None = None) -> list[str]:
        """The names of an interior node's children, in the order they were added."""
        target = self._parse(uri)
        node = self._existing(target)
        self._check_acl(node.effective_acl(), "Get", server_id, target)
        if node.children is None:
            raise TreeError(StatusCode.BAD_REQUEST, f"{target} is a leaf")
        return list(node.children)

    def __contains__(self, uri: str) -> bool:
        try:
            return self._find(self._parse(uri).segments) is not None
        except TreeError:
            return False

    def properties(self, uri: str) -> dict[str, str]:
        """Every property of a node as ``?prop=`` reads it (no ACL check: the device's view)."""
        node = self._existing(self._parse(uri))
        names = ("ACL", "Format", "Name", "Size", "Title", "TStamp", "Type", "VerNo")
        return {
            name: self._property(node, name)
            for name in names
            if not (name == "Size" and node.children is not None)
            and not (name == "Title" and node.title is None)
        }

    def struct(
        self, uri: str, *, data: bool = False, server_id: str | None = None
    ) -> list[tuple[str, NodeData]]:
        """``?list=Struct`` (``data`` false: Format and Type, no values) or ``StructData``
        (leaf values too): the node and its descendants, depth first. Nodes ``server_id`` may
        not Get are left out; their descendants are listed under their own ACLs."""
        target = self._parse(uri)
        top = self._existing(target)
        self._check_acl(top.effective_acl(), "Get", server_id, target)
        listed = []
        for segments, node in _walk(top, target.segments):
            if server_id is not None and not node.effective_acl().allows("Get", server_id):
                continue
            if node.children is not None:
                value: NodeValue = "/".join(node.children) if data else None
                listed.append((str(Uri(segments)), NodeData(value, "node", node.type)))
            else:
                value = node.value if data else None
                listed.append((str(Uri(segments)), NodeData(value, node.format, node.type)))
        return listed

    def walk(self, uri: str = ".") -> Iterator[str]:
        """The URIs of a node and its descendants, depth first (the device's view)."""
        target = self._parse(uri)
        for segments, _node in _walk(self._existing(target), target.segments):
            yield str(Uri(segments))

    def __len__(self) -> int:
        """The number of nodes, the root included."""
        return sum(1 for _ in _walk(self._root, ()))

    @property
    def uri_limits(self) -> UriLimits:
        """The URI limits the tree enforces: ``./DevDetail/URI/MaxDepth``, ``MaxTotLen`` and
        ``MaxSegLen`` where those nodes hold numbers (0 or absent: unlimited)."""
        if self._uri_limits is None:
            found = {}
            holder = self._find(("DevDetail", "URI"))
            for name, field in _URI_LIMIT_NODES.items():
                leaf = holder.children.get(name) if holder and holder.children else None
                number = number_in(leaf.value) if leaf is not None else None
                if number is not None:
                    found[field] = number
            self._uri_limits = UriLimits(**found)
        return self._uri_limits

    # -- changing ------------------------------------------------------------------------------

    def add(
        self,
        uri: str,
        value: object = None,
        *,
        format: str | None = None,
        type: str | None = None,
        server_id: str | None = None,
        creator_acl: bool = True,
    ) -> None:
        """Add a node: interior with ``format="node"`` (the default when there is no value and
        no description says otherwise), else a leaf. An interior node added by a server that
        lacks Replace on its parent gets Add, Delete and Replace for that server, as TND says
        (``creator_acl=False``: an empty ACL, inheriting). Missing interior ancestors are created
        with empty ACLs. 418 when the node exists."""
        target = self._parse(uri)
        if target.prop is not None or target.list_form is not None:
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"Add of {uri}: not a node")
        if target.is_root:
            raise TreeError(StatusCode.ALREADY_EXISTS, "the root exists")
        anchor, depth = self._deepest(target.segments)
        if depth == len(target.segments):
            raise TreeError(StatusCode.ALREADY_EXISTS, f"{target} exists")
        if anchor.children is None:
            raise TreeError(NOT_DESCRIBED, f"{Uri(target.segments[:depth])} is a leaf")
        acl = anchor.effective_acl()
        self._check_acl(acl, "Add", server_id, target)
        names = target.segments[depth:]
        descriptions = self._descriptions(anchor, target.segments[:depth], names, server_id)
        described = descriptions[-1]
        format = self._format_for(format, described, value, target)
        type = type if type is not None else (described.type if described else "")
        if format == "node":
            if value not in (None, "", b""):
                raise TreeError(INVALID_VALUE, f"interior node {target} takes no value")
            stored: NodeValue = None
        else:
            if value is None and described is not None and described.default_value is not None:
                value = described.default_value
            stored = check_value(value, format)
        parent = anchor
        for name, description in zip(names[:-1], descriptions[:-1], strict=True):
            parent = self._attach(parent, name, "node", description.type if description else "")
            parent.described = description
        node = self._attach(parent, names[-1], format, type)
        node.described = described
        node.value = stored
        if (
            format == "node"
            and creator_acl
            and server_id is not None
            and not acl.allows("Replace", server_id)
        ):
            node.acl = Acl.for_creator(server_id)
        self._changed(target.segments)

    def replace(
        self,
        uri: str,
        value: object,
        *,
        format: str | None = None,
        type: str | None = None,
        server_id: str | None = None,
    ) -> None:
        """Replace a leaf's value (never creates: 404), or with ``?prop=`` the ACL, Name or
        Title property. ``format`` and ``type`` change with the value when given."""
        target = self._parse(uri)
        node = self._existing(target)
        if target.prop is not None:
            self._replace_property(node, target, value, server_id)
            return
        if target.list_form is not None:
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"Replace of {uri}")
        if server_id is not None:
            self._check_acl(node.effective_acl(), "Replace", server_id, target)
            if node.described is not None:
                self._check_access(node, "Replace", server_id, target)
        if node.children is not None:
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"{target} is an interior node")
        format = self._format_for(format or node.format, node.described, value, target)
        if format == "node":
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"{target} is a leaf")
        value = check_value(value, format)
        if self._journal is None:
            node.value, node.format = value, format
            if type is not None:
                node.type = type
        else:
            self._set(node, "value", value)
            self._set(node, "format", format)
            if type is not None:
                self._set(node, "type", type)
        self._touch(node)
        self._changed(target.segments)

    def rename(self, uri: str, name: str, *, server_id: str | None = None) -> None:
        """Give a node a new name (Replace of ``?prop=Name``): 405 for the root and permanent
        nodes, 418 when a sibling has that name."""
        target = self._parse(uri)
        self._rename(self._existing(target), target, name, server_id)

    def delete(self, uri: str, *, server_id: str | None = None) -> None:
        """Delete a node and its whole subtree (the descendants' AccessType notwithstanding):
        405 for the root, permanent nodes and nodes their description requires."""
        target = self._parse(uri)
        node = self._existing(target)
        if target.prop is not None or target.list_form is not None:
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"Delete of {uri}")
        if node.parent is None:
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, "the root cannot be deleted")
        self._check_acl(node.effective_acl(), "Delete", server_id, target)
        if server_id is not None:
            self._check_access(node, "Delete", server_id, target)
            self._check_deletable(node, target)
        self._detach(node)
        self._changed(target.segments)

    def copy(self, target_uri: str, source_uri: str, *, server_id: str | None = None) -> None:
        """Copy a node with its subtree and properties (its ACLs aside: copies inherit).
        The source needs Get (and, described, Copy); the target is added, or, a leaf that
        exists, replaced. 403 for a copy into its own subtree or onto an interior node."""
        source_target = self._parse(source_uri)
        source = self._existing(source_target)
        self._check_acl(source.effective_acl(), "Get", server_id, source_target)
        self._check_access(source, "Copy", server_id, source_target)
        target = self._parse(target_uri)
        if target.segments[: len(source_target.segments)] == source_target.segments:
            raise TreeError(StatusCode.FORBIDDEN, f"copy of {source_target} into itself")
        existing = self._find(target.segments)
        if existing is None:
            self.add(
                target_uri, source.value, format=source.format, type=source.type,
                server_id=server_id,
            )  # fmt: skip
            copied = self._existing(target)
            copied.title = source.title
            for segments, node in _walk(source, ()):
                if segments:
                    self._copy_below(copied, segments, node)
            return
        if existing.children is not None or source.children is not None:
            raise TreeError(StatusCode.FORBIDDEN, f"{target} exists: only a leaf is copied onto")
        self.replace(
            target_uri, source.value, format=source.format, type=source.type, server_id=server_id
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: when the block raises, every change made in it is undone (nested
        blocks undo only their own). What a TNDS Add and an Atomic command stand on."""
        outermost = self._journal is None
        if outermost:
            self._journal = []
        journal = self._journal
        assert journal is not None
        savepoint = len(journal)
        try:
            yield
        except BaseException:
            while len(journal) > savepoint:
                journal.pop()()
            self._uri_limits = None
            raise
        finally:
            if outermost:
                self._journal = None

    # -- TNDS ----------------------------------------------------------------------------------

    def to_tnds(
        self,
        uri: str = ".",
        properties: Iterable[str] = ALL_TNDS_PROPERTIES,
        *,
        nested: bool = True,
        server_id: str | None = None,
    ) -> Any:
        """A node and its subtree as a TNDS ``MgmtTree`` element, relative to the node's
        parent (the root appears as a node named ``.``). ``properties`` choose what each node
        carries, unless ``uri`` asks itself (``?list=TNDS+ACL+Value``); ``nested`` false gives
        a flat list of nodes with Path. Nodes ``server_id`` may not Get are left out with
        their subtrees. Encode it with :func:`syncml_codec.encode` to save a tree."""
        top, properties = self._tnds_target(uri, properties, server_id)
        writer = TndsWriter(properties)
        return tnds_element(self._tnds_nodes(top, writer, nested, server_id))

    def _tnds_target(
        self, uri: str, properties: Iterable[str], server_id: str | None
    ) -> tuple[_Node, Iterable[str]]:
        """The node a TNDS listing starts at and the properties it carries (the URI's own
        ``?list=TNDS`` selection, where it has one)."""
        target = self._parse(uri)
        if target.list_form is not None and target.list_form != "TNDS":
            raise TreeError(StatusCode.BAD_REQUEST, f"{uri} asks for a {target.list_form}")
        if target.list_form == "TNDS":
            properties = tnds_properties(target)
        top = self._existing(target)
        self._check_acl(top.effective_acl(), "Get", server_id, target)
        return top, properties

    def to_tnds_wbxml(
        self,
        uri: str = ".",
        properties: Iterable[str] = ALL_TNDS_PROPERTIES,
        *,
        nested: bool = True,
        server_id: str | None = None,
    ) -> bytes:
        """:meth:`to_tnds` encoded as WBXML (the bytes :func:`syncml_codec.encode` gives for
        it), written straight from the tree: how a large tree is saved."""
        top, properties = self._tnds_target(uri, properties, server_id)
        writer = TndsWbxmlWriter(properties)
        try:
            self._write_wbxml(top, writer, nested, server_id)
        except Unwritable:  # a text with NUL, which the encoder writes as an entity
            return api.encode(self.to_tnds(uri, properties, nested=nested, server_id=server_id))
        return writer.getvalue()

    @staticmethod
    def _write_wbxml(
        top: _Node, writer: TndsWbxmlWriter, nested: bool, server_id: str | None
    ) -> None:
        # Entries: a node and its path in the document, or None to close the node opened last.
        stack: list[tuple[_Node, tuple[str, ...]] | None] = [(top, ())]
        while stack:
            entry = stack.pop()
            if entry is None:
                writer.end()
                continue
            node, relative = entry
            if server_id is not None and not node.effective_acl().allows("Get", server_id):
                continue
            if nested:
                writer.node(node, None)
                stack.append(None)
            else:
                writer.node(node, str(Uri(relative))[2:] if relative else None)
                writer.end()
            if node.children:
                here = (*relative, node.name) if node.parent is not None and not nested else ()
                stack.extend(zip(reversed(node.children.values()), repeat(here)))

    @classmethod
    def from_tnds(
        cls, document: Any, *, limits: Limits = DEFAULT_LIMITS, **options: Any
    ) -> ManagementTree:
        """A tree loaded from a TNDS document (element, XML or WBXML), every property kept as
        the document gives it: how a tree saved with :meth:`to_tnds` comes back. ``options``
        as the constructor takes."""
        tree = cls(**options)
        for element in top_nodes(document, limits=limits):
            tree._load(tree._root, element, 0)
        return tree

    def apply_tnds(
        self,
        uri: str,
        document: Any,
        *,
        replace: bool = False,
        server_id: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        """Apply a TNDS document (element, XML or WBXML) below the node ``uri``: Add (the
        default) creates every node it holds, 418 if one exists; ``replace`` makes each top
        node's subtree what the document says (children it leaves out are deleted). All or
        nothing (loading a saved tree, TStamp and VerNo included, is :meth:`from_tnds`)."""
        nodes = read_tnds(document, limits=limits)
        base = self._parse(uri)
        base_node = self._existing(base)
        if base_node.children is None:
            raise TreeError(NOT_DESCRIBED, f"{base} is a leaf")
        with self.transaction():
            for spec in nodes:
                segments = (*base.segments, *spec.segments())
                if spec.name == ".":
                    self._tnds_children(segments, spec, replace, server_id)
                    self._tnds_properties(self._existing(Uri(segments)), spec, server_id)
                elif replace and self._find(segments) is not None:
                    self._tnds_replace(segments, spec, server_id)
                else:
                    self._tnds_add(segments, spec, server_id)

    # -- descriptions --------------------------------------------------------------------------

    def describe(
        self, ddf: Ddf | DdfNode, at: str | None = None, *, create: bool = False
    ) -> list[tuple[str, TreeError]]:
        """Enforce a DDF description from now on: each of the document's top nodes at its Path
        and name (a top node named ``.`` is the root), or a single one (a placeholder such as
        FUMO's ``<x>`` must be) at ``at``. Existing nodes there are matched to it; ``create``
        also adds the required named nodes it describes that do not exist (a tree skeleton:
        interior nodes, and leaves with their DefaultValue). Returns the nodes the skeleton
        left out, with why (a DefaultValue the node's own format refuses, say)."""
        tops = [ddf] if isinstance(ddf, DdfNode) else list(ddf.nodes)
        if at is not None and len(tops) != 1:
            raise ValueError(f"at= places one description; the document has {len(tops)}")
        skipped: list[tuple[str, TreeError]] = []
        for description in tops:
            place = self._place(description, at)
            self._anchored[place.segments] = description
            node = self._find(place.segments)
            if node is None and create:
                self._create_described(place.segments, description, skipped)
                node = self._find(place.segments)
            if node is not None:
                self._match(node, description, skipped if create else None)
        return skipped

    def _place(self, description: DdfNode, at: str | None) -> Uri:
        if at is not None:
            return self._parse(at)
        if description.name is None:
            raise ValueError("a placeholder description is placed with at=")
        return self._parse(description.place)

    def check_access(self, uri: Uri, command: str, server_id: str | None) -> None:
        """Check ``server_id``'s right to ``command`` on ``uri`` by the effective ACL of the
        nearest node the tree holds on its way (where a plug-in owns what lies below):
        TreeError 425 when it has none."""
        anchor, _depth = self._deepest(uri.segments)
        self._check_acl(anchor.effective_acl(), command, server_id, uri)

    # -- internals: finding --------------------------------------------------------------------

    def _parse(self, uri: str) -> Uri:
        parsed = Uri.parse(uri, self.uri_limits)
        if self.windows_aliases and len(parsed.segments) > 1 and parsed.segments[0] == "Device":
            return Uri(parsed.segments[1:], parsed.prop, parsed.list_form,
                       parsed.list_properties, parsed.list_excludes)  # fmt: skip
        return parsed

    def _find(self, segments: tuple[str, ...]) -> _Node | None:
        node = self._root
        for name in segments:
            children = node.children
            if children is None:
                return None
            found = children.get(name) or _case_insensitive(node, name)
            if found is None:
                return None
            node = found
        return node

    def _existing(self, target: Uri) -> _Node:
        node = self._find(target.segments)
        if node is None:
            raise TreeError(StatusCode.NOT_FOUND, f"no node {target.node}")
        return node

    def _deepest(self, segments: tuple[str, ...]) -> tuple[_Node, int]:
        """The deepest existing node on the way to ``segments`` and how many segments it
        covers."""
        node = self._root
        for depth, name in enumerate(segments):
            children = node.children
            found = None
            if children is not None:
                found = children.get(name) or _case_insensitive(node, name)
            if found is None:
                return node, depth
            node = found
        return node, len(segments)

    # -- internals: checks ---------------------------------------------------------------------

    @staticmethod
    def _check_acl(acl: Acl, command: str, server_id: str | None, target: Uri) -> None:
        if server_id is not None and not acl.allows(command, server_id):
            raise TreeError(
                StatusCode.PERMISSION_DENIED, f"{server_id!r} may not {command} {target.node}"
            )

    @staticmethod
    def _check_access(node: _Node, command: str, server_id: str | None, target: Uri) -> None:
        described = node.described
        if server_id is not None and described is not None and command not in described.access:
            raise TreeError(
                StatusCode.COMMAND_NOT_ALLOWED, f"{command} is not an AccessType of {target.node}"
            )

    def _check_deletable(self, node: _Node, target: Uri) -> None:
        for _segments, below in _walk(node, ()):
            if below.described is not None and below.described.permanent:
                raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"{target}: a permanent node")
        described = node.described
        if described is not None and described.occurrence.minimum and node.parent is not None:
            siblings = node.parent.children or {}
            alike = sum(1 for other in siblings.values() if other.described is described)
            if alike <= described.occurrence.minimum:
                raise TreeError(REQUIRED_NODE, f"{target}: its description requires it")

    def _descriptions(
        self,
        anchor: _Node,
        anchor_segments: tuple[str, ...],
        names: tuple[str, ...],
        server_id: str | None,
    ) -> list[DdfNode | None]:
        """The descriptions of the nodes an Add creates (``names`` below ``anchor``), with the
        description's checks: AccessType Add on the new node, a described parent naming it,
        Occurrence."""
        found: list[DdfNode | None] = []
        parent_description = anchor.described
        segments = anchor_segments
        siblings = anchor.children or {}
        for name in names:
            segments = (*segments, name)
            described = self._anchored.get(segments)
            if described is None and parent_description is not None:
                described = parent_description.child(name)
                if described is None:
                    raise TreeError(NOT_DESCRIBED, f"{Uri(segments)} is not described")
            if described is not None:
                self._check_occurrence(siblings, described, segments)
            found.append(described)
            parent_description = described
            siblings = {}
        last = found[-1]
        if server_id is not None and last is not None and "Add" not in last.access:
            raise TreeError(
                StatusCode.COMMAND_NOT_ALLOWED, f"Add is not an AccessType of {Uri(segments)}"
            )
        return found

    @staticmethod
    def _check_occurrence(
        siblings: dict[str, _Node], described: DdfNode, segments: tuple[str, ...]
    ) -> None:
        maximum = described.occurrence.maximum
        if maximum is None or (described.name is not None and maximum >= 1):
            return  # a named node exists at most once anyway
        alike = sum(1 for other in siblings.values() if other.described is described)
        if alike >= maximum:
            raise TreeError(TOO_MANY_INSTANCES, f"{Uri(segments)}: at most {maximum} such nodes")

    @staticmethod
    def _format_for(
        format: str | None, described: DdfNode | None, value: object, target: Uri
    ) -> str:
        """The format a node gets: the one given, checked against its description's DFFormat
        (``b64`` and ``bin`` stand for one another), else the description's, else ``bin`` for
        bytes, ``node`` for no value, ``chr`` otherwise."""
        expected = described.format if described is not None else None
        if format is None:
            if expected is not None:
                return expected
            if isinstance(value, bytes):
                return "bin"
            return "node" if value is None else "chr"
        if format not in _FORMATS:
            raise TreeError(StatusCode.UNSUPPORTED_MEDIA_TYPE, f"no format {format!r}")
        if expected is not None and format != expected:
            if format in BINARY_FORMATS and expected in BINARY_FORMATS:
                return expected
            raise TreeError(
                StatusCode.UNSUPPORTED_MEDIA_TYPE, f"{target.node} is {expected}, not {format}"
            )
        return format

    # -- internals: changing -------------------------------------------------------------------

    def _attach(self, parent: _Node, name: str, format: str, type: str) -> _Node:
        node = _Node(name, parent, format, type, self._now())
        children = parent.children
        assert children is not None
        children[name] = node
        if self._journal is not None:

            def undo() -> None:
                del children[name]

            self._journal.append(undo)
        self._touch(parent)
        return node

    def _detach(self, node: _Node) -> None:
        parent = node.parent
        assert parent is not None and parent.children is not None
        if self._journal is not None:
            self._set(parent, "children", dict(parent.children))
        del parent.children[node.name]
        self._touch(parent)

    def _set(self, node: _Node, slot: str, value: object) -> None:
        """Change one attribute of a node, undoably inside a transaction."""
        if self._journal is not None:
            old = getattr(node, slot)
            self._journal.append(lambda: setattr(node, slot, old))
        setattr(node, slot, value)

    def _touch(self, node: _Node) -> None:
        """Record a change of ``node``'s value (a leaf's data, an interior node's child list)."""
        if self._journal is None:
            node.tstamp, node.verno = self._now(), (node.verno + 1) & 0xFFFF
            return
        self._set(node, "tstamp", self._now())
        self._set(node, "verno", (node.verno + 1) & 0xFFFF)

    def _now(self) -> str:
        second = int(self._clock())
        if second != self._stamp_second:
            self._stamp_second = second
            self._stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(second))
        return self._stamp

    def _changed(self, segments: tuple[str, ...]) -> None:
        if segments[:1] == ("DevDetail",) and (len(segments) < 3 or segments[1] == "URI"):
            self._uri_limits = None

    def _replace_property(
        self, node: _Node, target: Uri, value: object, server_id: str | None
    ) -> None:
        prop = target.prop
        if prop not in _CHANGEABLE_PROPERTIES:
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"{prop} cannot be replaced")
        if value is None:
            value = ""  # no Data: an empty value (an empty ACL inherits)
        try:
            text = value.decode("utf-8") if isinstance(value, bytes) else value
        except UnicodeDecodeError:
            raise TreeError(INVALID_VALUE, f"{prop}: not UTF-8") from None
        if not isinstance(text, str):
            raise TypeError(f"a property value is a str, not {type(value).__name__}")
        if prop == "Name":
            self._rename(node, target, text, server_id)
        elif prop == "ACL":
            self._replace_acl(node, target, text, server_id)
        else:
            self._check_acl(node.effective_acl(), "Replace", server_id, target)
            if len(text.encode("utf-8")) > _MAX_TITLE:
                raise TreeError(INVALID_VALUE, f"a Title is at most {_MAX_TITLE} bytes")
            self._set(node, "title", text)

    def _replace_acl(self, node: _Node, target: Uri, text: str, server_id: str | None) -> None:
        """An interior node's ACL is changed under its own Replace right, a leaf's under its
        parent's; the root keeps ``Add=*``."""
        guard = node if node.children is not None or node.parent is None else node.parent
        self._check_acl(guard.effective_acl(), "Replace", server_id, target)
        acl = Acl.parse(text)
        if node.parent is None and "*" not in acl.entries.get("Add", ()):
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, "the root's ACL keeps Add=*")
        self._set(node, "acl", acl)

    def _rename(self, node: _Node, target: Uri, name: str, server_id: str | None) -> None:
        parent = node.parent
        if parent is None or parent.children is None:
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, "the root cannot be renamed")
        self._check_acl(node.effective_acl(), "Replace", server_id, target)
        described = node.described
        if server_id is not None and described is not None:
            if described.permanent:
                raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"{target.node} is permanent")
            if described.name is not None:
                raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"{target.node} has a fixed name")
        new = self._parse(str(Uri((*target.segments[:-1], _valid_name(name))))).segments
        if name == node.name:
            return  # its own name: nothing changes
        if name in parent.children or _case_insensitive(parent, name) is not None:
            raise TreeError(StatusCode.ALREADY_EXISTS, f"{Uri(new)} exists")
        renamed = {
            (name if key == node.name else key): child for key, child in parent.children.items()
        }
        self._set(parent, "children", renamed)
        self._set(node, "name", name)
        self._touch(parent)
        self._changed(target.segments)  # the new name has the same parent: one call for both

    def _copy_below(self, copied: _Node, segments: tuple[str, ...], source: _Node) -> None:
        parent = copied
        for name in segments[:-1]:
            parent = parent.children[name]  # type: ignore[index]
        node = self._attach(parent, segments[-1], source.format, source.type)
        node.value = source.value
        node.title = source.title
        node.described = parent.described.child(segments[-1]) if parent.described else None

    def _create_described(
        self,
        segments: tuple[str, ...],
        description: DdfNode,
        skipped: list[tuple[str, TreeError]],
    ) -> None:
        """Add the node ``description`` names, as a skeleton has it: interior nodes, and leaves
        with their DefaultValue (or empty, where their format allows no value)."""
        uri = str(Uri(segments))
        value = description.default_value or None
        format = description.format or "chr"
        try:
            if description.is_interior:
                self.add(uri, format="node", type=description.type)
            elif value is None and format not in _EMPTY_FORMATS:
                raise TreeError(INVALID_VALUE, f"{uri}: a {format} leaf without a DefaultValue")
            else:
                self.add(uri, value, format=format, type=description.type)
        except TreeError as error:
            skipped.append((uri, error))

    def _match(
        self,
        node: _Node,
        description: DdfNode,
        skipped: list[tuple[str, TreeError]] | None,
    ) -> None:
        """Attach ``description`` to ``node`` and its descendants; with ``skipped`` (a list of
        what could not be made), add the required named nodes it describes that are missing."""
        node.described = description
        if node.children is None:
            return
        if skipped is not None:
            here = node.segments()
            for child in description.children:
                required = child.occurrence.minimum > 0
                if required and child.name is not None and child.name not in node.children:
                    self._create_described((*here, child.name), child, skipped)
        for name, child_node in node.children.items():
            child_description = description.child(name)
            if child_description is not None:
                self._match(child_node, child_description, skipped)

    # -- internals: TNDS ---------------------------------------------------------------------

    def _tnds_nodes(
        self, top: _Node, writer: TndsWriter, nested: bool, server_id: str | None
    ) -> list[Any]:
        """The ``Node`` elements of ``top``'s subtree: nested (each built once its children
        are) or flat (parents first, each with its Path)."""
        flat: list[Any] = []
        # Each entry: a node, its path in the document, and, on its second visit, where its
        # children's elements start in ``done``.
        stack: list[tuple[_Node, tuple[str, ...], int]] = [(top, (), -1)]
        done: list[Any] = []
        while stack:
            node, relative, mark = stack.pop()
            if mark < 0:
                if server_id is not None and not node.effective_acl().allows("Get", server_id):
                    continue
                here = (*relative, node.name) if node.parent is not None else ()
                if nested:
                    stack.append((node, relative, len(done)))
                else:
                    path = str(Uri(relative))[2:] if relative else None  # "./A/B" -> "A/B"
                    flat.append(self._tnds_node(writer, node, path, []))
                for child in reversed(node.children.values()) if node.children else ():
                    stack.append((child, here, -1))
                continue
            children = done[mark:]
            del done[mark:]
            done.append(self._tnds_node(writer, node, None, children))
        return done if nested else flat

    def _tnds_node(
        self, writer: TndsWriter, node: _Node, path: str | None, children: list[Any]
    ) -> Any:
        properties = {"Format": node.format, "Type": node.type}
        for name in writer.wanted:
            if name in ("Format", "Type", "Value") or (name == "Title" and node.title is None):
                continue
            if name == "Size" and node.children is not None:
                continue
            properties[name] = self._property(node, name)
        return writer.node(node.name, path, properties, node.value, children)

    def _load(self, parent: _Node, element: Any, depth: int) -> None:
        """Build a TNDS ``Node`` element's subtree below ``parent`` (a top node named ``.`` is
        the root itself) as loading a saved tree does: every property as the document has it,
        the structure and the values checked. Equal ACLs share one object."""
        name, path, acl, format, title, tstamp, type, verno, value, below = node_fields(
            element, depth
        )
        if name == "." and parent is self._root and not path:
            node = parent
        else:
            if path:
                parent = self._load_path(parent, path)
            children = parent.children
            if children is None or name in children:
                raise TreeError(StatusCode.ALREADY_EXISTS, f"TNDS: {name!r} twice or under a leaf")
            if not name or "/" in name or name == "." or name == "..":
                _valid_name(name)  # raises
            format = format or "chr"
            node = children[name] = _Node(name, parent, format, type or "", tstamp or self._now())
            if format != "node":
                fast = format == "chr" and value.__class__ is str
                node.value = value if fast else check_value(value, format)
        if acl:
            shared = self._acls.get(acl)
            if shared is None:
                shared = self._acls[acl] = Acl.parse(acl)
            node.acl = shared
        if title is not None:
            node.title = title
        if verno is not None:
            node.verno = verno
        if node is self._root:
            if tstamp is not None:
                node.tstamp = tstamp
            if type is not None:
                node.type = type
        for child in below:
            self._load(node, child, depth + 1)

    def _load_path(self, parent: _Node, path: str) -> _Node:
        node = self._find((*parent.segments(), *Uri.parse(path).segments))
        if node is None or node.children is None:
            raise TreeError(StatusCode.NOT_FOUND, f"TNDS: no interior node {path}")
        return node

    def _tnds_add(self, segments: tuple[str, ...], spec: TndsNode, server_id: str | None) -> None:
        interior = spec.format == "node"
        self.add(
            str(Uri(segments)),
            None if interior else spec.value,
            format=spec.format,
            type=spec.type,
            server_id=server_id,
        )
        for child in spec.children:
            self._tnds_add((*segments, *child.segments()), child, server_id)
        self._tnds_properties(self._existing(Uri(segments)), spec, server_id)

    def _tnds_replace(
        self, segments: tuple[str, ...], spec: TndsNode, server_id: str | None
    ) -> None:
        node = self._existing(Uri(segments))
        interior = spec.format == "node"
        if interior != (node.children is not None):
            self.delete(str(Uri(segments)), server_id=server_id)
            self._tnds_add(segments, spec, server_id)
            return
        if not interior:
            self.replace(
                str(Uri(segments)), spec.value, format=spec.format, type=spec.type,
                server_id=server_id,
            )  # fmt: skip
        self._tnds_children(segments, spec, True, server_id)
        self._tnds_properties(node, spec, server_id)

    def _tnds_children(
        self,
        segments: tuple[str, ...],
        spec: TndsNode,
        replace: bool,
        server_id: str | None,
    ) -> None:
        node = self._existing(Uri(segments))
        if replace and node.children is not None:
            named = {child.name for child in spec.children if not child.path}
            for name in [name for name in node.children if name not in named]:
                self.delete(str(Uri((*segments, name))), server_id=server_id)
        for child in spec.children:
            below = (*segments, *child.segments())
            if replace and self._find(below) is not None:
                self._tnds_replace(below, child, server_id)
            else:
                self._tnds_add(below, child, server_id)

    def _tnds_properties(self, node: _Node, spec: TndsNode, server_id: str | None) -> None:
        """The ACL and Title a TNDS node gives."""
        target = Uri(node.segments())
        if spec.acl is not None and spec.acl != str(node.acl):
            self._replace_acl(node, target, spec.acl, server_id)
        if spec.title is not None:
            self._replace_property(node, Uri(target.segments, prop="Title"), spec.title, server_id)

    def _property(self, node: _Node, name: str) -> str:
        if name == "ACL":
            return str(node.acl)
        if name == "Format":
            return node.format
        if name == "Name":
            return node.name
        if name == "Size":
            if node.children is not None:
                raise TreeError(
                    StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, "an interior node has no Size"
                )
            return str(value_size(node.value))
        if name == "Title":
            return node.title or ""
        if name == "TStamp":
            return node.tstamp
        if name == "Type":
            return node.type
        return str(node.verno)


def _walk(top: _Node, segments: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], _Node]]:
    """``top`` and its descendants with their segments, depth first, children in order."""
    stack = [(segments, top)]
    while stack:
        here, node = stack.pop()
        yield here, node
        if node.children:
            stack.extend(((*here, name), child) for name, child in reversed(node.children.items()))


def _case_insensitive(parent: _Node, name: str) -> _Node | None:
    """The child of ``parent`` whose description makes its name case-insensitive (CaseSense
    CIS) and whose name matches ``name`` but for case."""
    if parent.described is None or not parent.described.folds or parent.children is None:
        return None
    folded = name.casefold()
    for key, child in parent.children.items():
        described = child.described
        if described is not None and not described.case_sensitive and key.casefold() == folded:
            return child
    return None


def _valid_name(name: str) -> str:
    if not name or "/" in name or name in (".", ".."):
        raise TreeError(StatusCode.BAD_REQUEST, f"{name!r} is not a node name")
    return name
