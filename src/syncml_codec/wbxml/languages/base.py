"""What a WBXML language is: its identity and its tag and attribute code pages, as plain data.

Both codec implementations read their token tables from these objects (WAP-192 section 5.8).
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

_Value = TypeVar("_Value")

__all__ = ["AttributePage", "BoundedCache", "CodePage", "Language", "page"]


class BoundedCache(dict[Any, Any]):
    """A memo that empties itself when it reaches ``limit`` entries (keys taken from hostile input
    must not grow it without end) and whenever a language registers (answers may change).

    Threads share the memos. Every use is a single dict operation (atomic with the GIL, locked
    per dict in a free-threaded build) and every value is complete before it is stored, so a
    race can lose an entry or compute one twice, never hand out a wrong or half-made one.
    """

    _all: ClassVar[weakref.WeakSet[BoundedCache]] = weakref.WeakSet()

    def __init__(self, limit: int = 4096) -> None:
        super().__init__()
        self.limit = limit
        BoundedCache._all.add(self)

    def remember(self, key: Any, value: _Value) -> _Value:
        """Store ``value`` under ``key`` and return it."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

    __hash__ = object.__hash__  # type: ignore[assignment]  # kept in a WeakSet by identity


@dataclass(frozen=True)
class CodePage:
    """One tag code page: tokens 0x05-0x3F mapped to element names, in one XML namespace."""

    namespace: str | None
    tags: Mapping[int, str]
    #: Extra element names the encoder accepts for a token (DevInf 1.2 ``Size`` for ``MaxSize``).
    aliases: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Interned names: decoded tags are these very objects, so the encoders' and the model's
        # comparisons and look-ups of names succeed on identity.
        object.__setattr__(
            self, "tags", {token: sys.intern(name) for token, name in self.tags.items()}
        )


@dataclass(frozen=True)
class AttributePage:
    """One attribute code page: ATTRSTART tokens (< 0x80) and ATTRVALUE tokens (>= 0x80)."""

    starts: Mapping[int, tuple[str, str]]  # token -> (attribute name, value prefix)
    values: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Language:
    """A WBXML document type: its identity and code pages.

    ``public_id`` is the registered numeric id, or ``None`` when the language only has a textual
    one (written as ``00 <index>`` with the FPI in the string table, as DM DDF is).
    ``family`` and ``version`` let the SyncML rules pick, say, the DevInf matching a SyncML version.
    """

    name: str
    family: str
    version: str
    fpi: str | None
    public_id: int | None
    root: str
    pages: Mapping[int, CodePage]
    attribute_pages: Mapping[int, AttributePage] = field(default_factory=dict)
    dtd_url: str | None = None

    def __post_init__(self) -> None:
        names: dict[int, tuple[str | None, ...]] = {}
        tokens: dict[str, list[tuple[int, int]]] = {}
        ns_pages: dict[str, int] = {}
        for page_index in sorted(self.pages):
            page = self.pages[page_index]
            if not 0 <= page_index <= 255:
                raise ValueError(f"{self.name}: code page {page_index} is not a byte")
            row: list[str | None] = [None] * 64
            for token, name in page.tags.items():
                if not 0x05 <= token <= 0x3F:
                    raise ValueError(f"{self.name}: tag token {token:#x} outside 0x05-0x3F")
                row[token] = name
                tokens.setdefault(name, []).append((page_index, token))
            for name, token in page.aliases.items():
                tokens.setdefault(name, []).append((page_index, token))
            names[page_index] = tuple(row)
            if page.namespace is not None:
                ns_pages.setdefault(page.namespace.lower(), page_index)
        object.__setattr__(self, "tag_names", MappingProxyType(names))
        object.__setattr__(self, "tag_tokens", MappingProxyType(tokens))
        object.__setattr__(self, "namespace_pages", MappingProxyType(ns_pages))
        object.__setattr__(self, "_tags_by_namespace", BoundedCache(limit=256))

    # Filled in by __post_init__ (declared for readers and type checkers).
    tag_names: Mapping[int, tuple[str | None, ...]] = field(init=False, repr=False)
    tag_tokens: Mapping[str, list[tuple[int, int]]] = field(init=False, repr=False)
    namespace_pages: Mapping[str, int] = field(init=False, repr=False)

    @property
    def namespace(self) -> str | None:
        """The namespace of the root element's page."""
        found = self.find_tag(self.root, None)
        return self.pages[found[0]].namespace if found else None

    def page_namespace(self, page: int) -> str | None:
        """The XML namespace of a code page; for a page the language does not define, the
        namespace of its root (where LITERAL elements on such a page belong)."""
        code_page = self.pages.get(page)
        return code_page.namespace if code_page else self.namespace

    def find_tag(self, name: str, namespace: str | None) -> tuple[int, int] | None:
        """(page, token) for an element name, preferring the page of its namespace.

        Like libwbxml, a name missing from its namespace's page is looked up on every other page
        of the language, so ``<MaxMsgSize>`` without ``xmlns="syncml:metinf"`` still encodes.
        """
        candidates = self.tag_tokens.get(name)
        if not candidates:
            return None
        if namespace is not None and len(candidates) > 1:
            preferred = self.namespace_pages.get(namespace.lower())
            for candidate in candidates:
                if candidate[0] == preferred:
                    return candidate
        return candidates[0]

    def tags_for_namespace(self, namespace: str | None) -> dict[str, tuple[int, int]] | None:
        """Every element name -> (page, token) as :meth:`find_tag` resolves it in ``namespace``.

        None when ``namespace`` belongs to none of this language's pages (a foreign element).
        Computed once per namespace and shared (do not modify it): the encoders' per-element
        lookup is one dict access.
        """
        cache: BoundedCache = self._tags_by_namespace  # type: ignore[attr-defined]
        if namespace in cache:
            known: dict[str, tuple[int, int]] | None = cache[namespace]
            return known
        tags: dict[str, tuple[int, int]] | None = None
        if namespace is None or namespace.lower() in self.namespace_pages:
            # every name of tag_tokens has a token, so find_tag finds each
            tags = {name: self.tag_token(name, namespace) for name in self.tag_tokens}
        return cache.remember(namespace, tags)

    def tag_token(self, name: str, namespace: str | None) -> tuple[int, int]:
        """(page, token) of a name the language knows (:meth:`find_tag`, which cannot miss)."""
        found = self.find_tag(name, namespace)
        assert found is not None, name
        return found

    def __repr__(self) -> str:
        return f"<Language {self.name}>"


def page(namespace: str | None, names: str, first: int = 0x05, **extra: int) -> CodePage:
    """A code page from space-separated names numbered from ``first``; ``-`` skips a token."""
    tags = {first + i: name for i, name in enumerate(names.split()) if name != "-"}
    tags.update({token: name for name, token in extra.items()})
    return CodePage(namespace, tags)
