"""ElementTree's path language, the part SyncML trees need, for both Element classes:
``tag``, ``a/b``, ``*``, ``.``, and ``//`` for any depth (``.//LocURI``). Steps match an
element's tag (its local name: namespaces are left to ``element.namespace``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["iter_elements", "iterfind"]


def iter_elements(element: Any, tag: str | None = None) -> Iterator[Any]:
    """``element`` and its descendants in document order, those named ``tag`` if given (``*``
    or None: all)."""
    stack = [element]
    while stack:
        node = stack.pop()
        if tag is None or tag == "*" or node.tag == tag:
            yield node
        stack.extend(reversed(list(node)))


def iterfind(element: Any, path: str) -> Iterator[Any]:
    """The elements ``path`` selects from ``element``, in document order."""
    if not isinstance(path, str):
        raise TypeError(f"a path is a str, not {type(path).__name__}")
    if path.startswith("/"):
        raise SyntaxError("cannot use an absolute path on an element")
    if path.endswith("//"):
        raise SyntaxError(f"path {path!r} ends with '//'")
    nodes = [element]
    any_depth = False
    for step in path.split("/"):
        if step == "":
            any_depth = True
            continue
        if step == ".":
            if any_depth:
                nodes = [node for parent in nodes for node in iter_elements(parent)]
                any_depth = False
            continue
        found: list[Any] = []
        seen: set[int] = set()
        for parent in nodes:
            candidates = _descendants(parent) if any_depth else iter(parent)
            for node in candidates:
                if (step == "*" or node.tag == step) and id(node) not in seen:
                    seen.add(id(node))
                    found.append(node)
        nodes, any_depth = found, False
    return iter(nodes)


def _descendants(element: Any) -> Iterator[Any]:
    nodes = iter_elements(element)
    next(nodes)  # not the element itself
    return nodes
