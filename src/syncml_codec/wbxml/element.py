"""The pure-Python element tree node, the twin of the compiled ``Element``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .path import iter_elements, iterfind

__all__ = ["Element"]


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

    def __eq__(self, other: object) -> bool:
        try:
            return (
                self.tag == other.tag  # type: ignore[attr-defined]
                and self.namespace == other.namespace  # type: ignore[attr-defined]
                and self.text == other.text  # type: ignore[attr-defined]
                and self.tail == other.tail  # type: ignore[attr-defined]
                and self.attributes == other.attributes  # type: ignore[attr-defined]
                and list(self.children) == list(other.children)  # type: ignore[attr-defined]
            )
        except AttributeError:
            return NotImplemented

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
