"""The pure-Python element tree node, the twin of the compiled ``Element``."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from .path import iter_elements, iterfind

__all__ = ["Element", "copy_tree"]


class Element:
    """One node of the neutral element tree.

    ``text`` is the content before the first child and ``tail`` the content after this element
    inside its parent; each is ``str``, ``bytes`` (binary OPAQUE data) or ``None``.
    ``attributes`` maps names to ``str`` values; ``xmlns:prefix`` keys keep namespace declarations.
    """

    __slots__ = ("tag", "namespace", "attributes", "text", "children", "tail")

    def __init__(
        self,
        tag: str,
        namespace: str | None = None,
        attributes: dict[str, str] | None = None,
        text: str | bytes | None = None,
        children: list[Any] | None = None,
        tail: str | bytes | None = None,
    ) -> None:
        self.tag = tag
        self.namespace = namespace
        self.attributes = {} if attributes is None else attributes
        self.text = text
        self.children = [] if children is None else children
        self.tail = tail

    def __repr__(self) -> str:
        return f"<Element {self.tag!r} ns={self.namespace!r} children={len(self.children)}>"

    def __deepcopy__(self, memo: dict[int, Any]) -> Element:
        copied: Element = copy_tree(self, memo, _shallow)
        return copied

    def __eq__(self, other: object) -> bool:
        """Equal fields and equal children, compared without recursion (a tree may be as deep
        as the decoding limits let it be); NotImplemented for what is no element."""
        firsts: list[Any] = [self]  # with seconds: the pairs to compare, at equal places
        seconds: list[Any] = [other]
        top = True
        while firsts:
            first, second = firsts.pop(), seconds.pop()
            if type(first) is not Element:  # an element of the other implementation, or else
                if first != second:
                    return False
                continue
            try:
                if not (
                    first.tag == second.tag
                    and first.namespace == second.namespace
                    and first.text == second.text
                    and first.tail == second.tail
                    and (first.attributes or {}) == (second.attributes or {})
                ):
                    return False
                others = list(second.children)
            except AttributeError:
                if top:
                    return NotImplemented
                return False
            top = False
            if len(first.children) != len(others):
                return False
            firsts.extend(first.children)
            seconds.extend(others)
        return True

    __hash__ = None  # type: ignore[assignment]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)

    def __getitem__(self, index: Any) -> Any:
        return self.children[index]

    def find(self, path: str) -> Any:
        """The first element ``path`` selects (``SyncHdr/SessionID``, ``.//LocURI``), or None."""
        if "/" not in path and path not in ("*", "."):
            for child in self.children:
                if child.tag == path:
                    return child
            return None
        return next(iterfind(self, path), None)

    def findall(self, path: str) -> list[Any]:
        """Every element ``path`` selects, in document order."""
        return list(iterfind(self, path))

    def iterfind(self, path: str) -> Iterator[Any]:
        """The elements ``path`` selects, in document order."""
        return iterfind(self, path)

    def findtext(self, path: str, default: Any = None) -> Any:
        """The text of the first element ``path`` selects, or ``default`` (also when it has no
        text)."""
        found = self.find(path)
        return default if found is None or found.text is None else found.text

    def iter(self, tag: str | None = None) -> Iterator[Any]:
        """This element and its descendants in document order, those named ``tag`` if given."""
        return iter_elements(self, tag)


def copy_tree(root: Any, memo: dict[int, Any], shallow: Callable[[Any], Any]) -> Any:
    """A deep copy of the element ``root`` and its subtree, as ``copy.deepcopy`` makes it
    (``memo`` keeps shared elements shared), each element copied by ``shallow`` (without its
    children), without recursion: a tree may be as deep as the decoding limits let it be.
    Children that are not elements are copied by ``copy.deepcopy``."""
    found = memo.get(id(root))
    if found is not None:
        return found
    top = shallow(root)
    memo[id(root)] = top
    pending = [(root, top)]
    while pending:
        source, target = pending.pop()
        children = target.children
        for child in source.children:
            copied = memo.get(id(child))
            if copied is None:
                if not isinstance(child, type(source)):
                    copied = copy.deepcopy(child, memo)
                else:
                    copied = memo[id(child)] = shallow(child)
                    pending.append((child, copied))
            children.append(copied)
    return top


def _shallow(element: Element) -> Element:
    """A copy of ``element`` without its children."""
    attributes = element.attributes
    return Element(
        element.tag,
        element.namespace,
        dict(attributes) if attributes else None,
        element.text,
        [],
        element.tail,
    )
