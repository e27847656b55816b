"""The pure-Python element tree node, the twin of the compiled ``Element``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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

    def find(self, tag: str) -> Any:
        """The first child named ``tag``, or None."""
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findtext(self, tag: str, default: Any = None) -> Any:
        """The text of the first child named ``tag``, or ``default``."""
        child = self.find(tag)
        return default if child is None or child.text is None else child.text
