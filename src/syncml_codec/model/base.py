"""Model objects are typed views over the element tree.

A view reads and writes its element's children; the element stays the single source of truth, so
whatever the model does not name (unknown elements, namespace declarations, odd order, whitespace
inside Data) is still in the tree and survives ``decode -> model -> encode`` unchanged. New
children are inserted where the DTD's order puts them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, MutableSequence
from typing import Any, ClassVar, Generic, TypeVar, overload

from .. import _impl
from ..api import element_class

__all__ = [
    "Node",
    "TextField",
    "IntField",
    "FlagField",
    "TextList",
    "NodeField",
    "NodeList",
    "ChildList",
    "ContentField",
    "adopt",
    "new_element",
    "number_in",
    "LARGEST_NUMBER",
]

#: Views nested deeper than this show as ``Name(...)`` in a repr (commands nest as deep as the
#: decoding limits let them; a repr stays short and never runs out of recursion).
MAX_REPR_DEPTH = 12
_repr_state = threading.local()  # how deep the repr being made is, per thread

SYNCML_NAMESPACE = "SYNCML:SYNCML1.2"
N = TypeVar("N", bound="Node")


def new_element(tag: str, namespace: str | None, text: Any = None) -> Any:
    """An element of the active codec implementation."""
    return element_class()(tag, namespace, None, text)


def adopt(parent: Any, child: Any) -> Any:
    """Give a subtree made for one SyncML version the SyncML namespace of its new parent."""
    _impl.codec.to_namespace((child,), parent.namespace)
    return child


class Node:
    """A view over one element. Subclasses name the element's tag and its children's DTD order.

    ``ORDER`` lists child tags in DTD order; a tuple entry groups tags of the same rank (the
    commands of a body, which keep the order they are added in).
    """

    TAG: ClassVar[str]
    ORDER: ClassVar[tuple[str | tuple[str, ...], ...]] = ()
    #: Namespace of this element, and of the children it creates.
    NAMESPACE: ClassVar[str] = SYNCML_NAMESPACE
    CHILD_NAMESPACE: ClassVar[str | None] = None  # None: the element's own namespace
    _ranks: ClassVar[dict[str, int]]

    __slots__ = ("element",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ranks: dict[str, int] = {}
        for rank, entry in enumerate(cls.ORDER):
            for tag in (entry,) if isinstance(entry, str) else entry:
                ranks[tag] = rank
        cls._ranks = ranks

    def __init__(self, **fields: Any) -> None:
        self.element = new_element(self.TAG, self.NAMESPACE)
        for name, value in fields.items():
            if not isinstance(getattr(type(self), name, None), _Field):
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
            setattr(self, name, value)

    @classmethod
    def wrap(cls: type[N], element: Any) -> N:
        """A view over an existing element (nothing is copied or checked)."""
        view = cls.__new__(cls)
        view.element = element
        return view

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Node) and type(other) is type(self) and other.element == self.element
        )

    __hash__ = None  # type: ignore[assignment]

    #: Fields whose values a repr never shows (credentials' secrets).
    SECRET_FIELDS: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        """The view's class and the fields it holds, in the DTD's order: ``Item(target='./x',
        data='y')``; a nested view holding only its URI shows as the URI, one nested deeper
        than ``MAX_REPR_DEPTH`` views as ``Sequence(...)``."""
        depth = getattr(_repr_state, "depth", 0)
        if depth >= MAX_REPR_DEPTH:
            return f"{type(self).__name__}(...)"
        _repr_state.depth = depth + 1
        try:
            return self._fields_repr()
        finally:
            _repr_state.depth = depth

    def _fields_repr(self) -> str:
        fields = []
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if (
                value is None
                or value is False
                or (isinstance(value, (list, ChildList)) and not value)
            ):
                continue
            if name in self.SECRET_FIELDS:
                fields.append(f"{name}=<hidden>")
                continue
            uri = getattr(value, "loc_uri", None)
            if (
                isinstance(value, Node)
                and uri is not None
                and repr(value) == (f"{type(value).__name__}(loc_uri={uri!r})")
            ):
                value = uri
            fields.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(fields)})"

    # -- child access used by the fields ---------------------------------------------------------

    def _namespace_for(self, tag: str) -> str | None:
        return self.CHILD_NAMESPACE or self.element.namespace

    def _first(self, tag: str) -> Any:
        for child in self.element.children:
            if child.tag == tag:
                return child
        return None

    def _insert(self, child: Any) -> None:
        """Insert a new child where the DTD order puts it (after its kind's existing ones)."""
        children = self.element.children
        ranks = self._ranks
        rank = ranks.get(child.tag, len(ranks))
        position = len(children)
        for index, existing in enumerate(children):
            if ranks.get(existing.tag, -1) > rank:
                position = index
                break
        children.insert(position, adopt(self.element, child))

    def _remove(self, tag: str) -> None:
        self.element.children[:] = [c for c in self.element.children if c.tag != tag]


F = TypeVar("F", bound="_Field")


def _field_names(cls: type) -> list[str]:
    """The names of the fields a view class has (its own and inherited), in the order of the
    elements they read (the DTD's), then the others."""
    names = [
        name
        for klass in reversed(cls.__mro__)
        for name, value in vars(klass).items()
        if isinstance(value, _Field) and not name.startswith("_")
    ]
    unique = list(dict.fromkeys(names))
    ranks = getattr(cls, "_ranks", {})
    return sorted(unique, key=lambda name: ranks.get(getattr(cls, name).tag, len(ranks)))


class _Field:
    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name


class TextField(_Field):
    """The text of a child element (``None`` when the child is absent)."""

    @overload
    def __get__(self: F, node: None, owner: type) -> F: ...
    @overload
    def __get__(self, node: Node, owner: type) -> str | None: ...
    def __get__(self, node: Node | None, owner: type) -> Any:
        if node is None:
            return self
        child = node._first(self.tag)
        return None if child is None else child.text

    def __set__(self, node: Node, value: Any) -> None:
        child = node._first(self.tag)
        if value is None:
            if child is not None:
                node._remove(self.tag)
            return
        if not isinstance(value, (str, bytes)):
            value = str(value)
        if child is None:
            node._insert(new_element(self.tag, node._namespace_for(self.tag), value))
        else:
            child.text = value


#: The largest number :func:`number_in` reads: more than any count or size of SyncML, and what
#: a signed 64-bit integer holds.
LARGEST_NUMBER = 2**63 - 1
_LARGEST_DIGITS = len(str(LARGEST_NUMBER))


def number_in(text: Any) -> int | None:
    """The decimal number (ASCII digits, spaces around allowed) a child's text holds, or None;
    None too above :data:`LARGEST_NUMBER`."""
    if not isinstance(text, str):
        return None
    digits = text.strip()
    if not (digits.isdigit() and digits.isascii()):
        return None
    if len(digits) > _LARGEST_DIGITS:  # leading zeros, or past any number read
        digits = digits.lstrip("0") or "0"
        if len(digits) > _LARGEST_DIGITS:
            return None
    number = int(digits)
    return number if number <= LARGEST_NUMBER else None


class ContentField(TextField):
    """The content of a ``<Data>`` child: text, or ``bytes`` for binary OPAQUE data."""

    @overload  # type: ignore[override]
    def __get__(self: F, node: None, owner: type) -> F: ...
    @overload
    def __get__(self, node: Node, owner: type) -> str | bytes | None: ...
    def __get__(self, node: Node | None, owner: type) -> Any:
        return super().__get__(node, owner)


class IntField(TextField):
    """A child element holding a decimal number; reads None when absent or not a number."""

    @overload  # type: ignore[override]
    def __get__(self: F, node: None, owner: type) -> F: ...
    @overload
    def __get__(self, node: Node, owner: type) -> int | None: ...
    def __get__(self, node: Node | None, owner: type) -> Any:
        if node is None:
            return self
        return number_in(TextField.__get__(self, node, owner))

    def __set__(self, node: Node, value: Any) -> None:
        super().__set__(node, None if value is None else str(int(value)))


class FlagField(_Field):
    """An empty child element whose presence is the value (``<Final/>``, ``<MoreData/>``)."""

    @overload
    def __get__(self: F, node: None, owner: type) -> F: ...
    @overload
    def __get__(self, node: Node, owner: type) -> bool: ...
    def __get__(self, node: Node | None, owner: type) -> Any:
        if node is None:
            return self
        return node._first(self.tag) is not None

    def __set__(self, node: Node, value: bool) -> None:
        present = node._first(self.tag) is not None
        if value and not present:
            node._insert(new_element(self.tag, node._namespace_for(self.tag)))
        elif not value and present:
            node._remove(self.tag)


class TextList(_Field):
    """The texts of all children named ``tag`` (``<EMI>``, ``<TargetRef>``), as a new list."""

    @overload
    def __get__(self: F, node: None, owner: type) -> F: ...
    @overload
    def __get__(self, node: Node, owner: type) -> list[str]: ...
    def __get__(self, node: Node | None, owner: type) -> Any:
        if node is None:
            return self
        return [child.text for child in node.element.children if child.tag == self.tag]

    def __set__(self, node: Node, values: Iterable[Any]) -> None:
        node._remove(self.tag)
        for value in values:
            node._insert(new_element(self.tag, node._namespace_for(self.tag), str(value)))


class NodeField(_Field, Generic[N]):
    """One child element as a view of ``kind`` (``None`` when absent).

    ``coerce`` turns a plain value into a view on assignment (a URI string into a Target).
    """

    def __init__(
        self, tag: str, kind: Callable[[], type[N]], coerce: Callable[[Any], N] | None = None
    ) -> None:
        super().__init__(tag)
        self.kind = kind
        self.coerce = coerce

    @overload
    def __get__(self: F, node: None, owner: type) -> F: ...
    @overload
    def __get__(self, node: Node, owner: type) -> N | None: ...
    def __get__(self, node: Node | None, owner: type) -> Any:
        if node is None:
            return self
        child = node._first(self.tag)
        return None if child is None else self.kind().wrap(child)

    def __set__(self, node: Node, value: Any) -> None:
        if value is not None and not isinstance(value, Node):
            if self.coerce is None:
                raise TypeError(f"{self.name} takes a {self.kind().__name__}, not {value!r}")
            value = self.coerce(value)
        children = node.element.children
        for index, child in enumerate(children):
            if child.tag == self.tag:
                if value is None:
                    del children[index]
                else:
                    children[index] = adopt(node.element, value.element)
                return
        if value is not None:
            node._insert(value.element)


class ChildList(MutableSequence[N], Generic[N]):
    """The children of an element that match ``tags``, as views; edits change the element."""

    def __init__(self, owner: Node, tags: Iterable[str], wrap: Callable[[Any], N]) -> None:
        self._owner = owner
        self._tags = frozenset(tags)
        self._wrap = wrap

    def _positions(self) -> list[int]:
        return [
            i for i, child in enumerate(self._owner.element.children) if child.tag in self._tags
        ]

    def __len__(self) -> int:
        return len(self._positions())

    def __iter__(self) -> Iterator[N]:
        for child in list(self._owner.element.children):
            if child.tag in self._tags:
                yield self._wrap(child)

    @overload
    def __getitem__(self, index: int) -> N: ...
    @overload
    def __getitem__(self, index: slice) -> list[N]: ...

    def __getitem__(self, index: Any) -> Any:
        children = self._owner.element.children
        positions = self._positions()
        if isinstance(index, slice):
            return [self._wrap(children[i]) for i in positions[index]]
        return self._wrap(children[positions[index]])

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            raise TypeError("slice assignment is not supported")
        self._check(value)
        self._owner.element.children[self._positions()[index]] = adopt(
            self._owner.element, value.element
        )

    def __delitem__(self, index: Any) -> None:
        positions = self._positions()
        targets = positions[index] if isinstance(index, slice) else [positions[index]]
        for position in sorted(targets, reverse=True):
            del self._owner.element.children[position]

    def insert(self, index: int, value: Any) -> None:
        self._check(value)
        positions = self._positions()
        if not positions:
            self._owner._insert(value.element)  # the first one goes where the DTD puts it
            return
        if index < 0:
            index = max(index + len(positions), 0)
        at = positions[index] if index < len(positions) else positions[-1] + 1
        self._owner.element.children.insert(at, adopt(self._owner.element, value.element))

    def _check(self, value: Any) -> None:
        if not isinstance(value, Node) or value.element.tag not in self._tags:
            raise TypeError(f"expected one of {sorted(self._tags)}, not {value!r}")

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (list, ChildList)) else NotImplemented

    def __repr__(self) -> str:
        return repr(list(self))


class NodeList(_Field):
    """All children named ``tag`` as a :class:`ChildList` of ``kind`` views."""

    def __init__(self, tag: str, kind: Callable[[], type[Node]]) -> None:
        super().__init__(tag)
        self.kind = kind

    def __get__(self, node: Node | None, owner: type) -> Any:
        if node is None:
            return self
        return ChildList(node, (self.tag,), self.kind().wrap)

    def __set__(self, node: Node, values: Iterable[Node]) -> None:
        node._remove(self.tag)
        view = self.__get__(node, type(node))
        for value in values:
            view.append(value)
