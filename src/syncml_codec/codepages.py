"""The registry of WBXML languages: public ids, namespaces and code pages, as plain data.

Both codec implementations read their token tables from here. A language is looked up by numeric
public id, by public id string (FPI) or by XML namespace; users add their own with
:func:`register_language`.

Sources: WAP-192 (WBXML 1.3), OMA SyncML RepPro/MetaInfo 1.2, OMA DS DevInf 1.2, OMA DM TND 1.2.
"""

from __future__ import annotations

import sys
import weakref
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, TypeVar

_Value = TypeVar("_Value")

__all__ = [
    "AttributePage",
    "BoundedCache",
    "CodePage",
    "Language",
    "language_for_namespace",
    "language_for_public_id",
    "languages",
    "register_language",
]


class BoundedCache(dict):
    """A memo that empties itself when it reaches ``limit`` entries (keys taken from hostile input
    must not grow it without end) and whenever a language registers (answers may change)."""

    _all: "weakref.WeakSet[BoundedCache]" = weakref.WeakSet()

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

    __hash__ = object.__hash__  # kept in a WeakSet by identity


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
        object.__setattr__(self, "tags", {token: sys.intern(name)
                                          for token, name in self.tags.items()})


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
            return cache[namespace]
        tags = None
        if namespace is None or namespace.lower() in self.namespace_pages:
            tags = {name: self.find_tag(name, namespace) for name in self.tag_tokens}
        return cache.remember(namespace, tags)

    def __repr__(self) -> str:
        return f"<Language {self.name}>"


def _page(namespace: str | None, names: str, first: int = 0x05, **extra: int) -> CodePage:
    """A code page from space-separated names numbered from ``first``; ``-`` skips a token."""
    tags = {first + i: name for i, name in enumerate(names.split()) if name != "-"}
    tags.update({token: name for name, token in extra.items()})
    return CodePage(namespace, tags)


_SYNCML_11_NAMES = """
    Add Alert Archive Atomic Chal Cmd CmdID CmdRef Copy Cred Data Delete Exec Final Get Item
    Lang LocName LocURI Map MapItem Meta MsgID MsgRef NoResp NoResults Put Replace RespURI
    Results Search Sequence SessionID SftDel Source SourceRef Status Sync SyncBody SyncHdr
    SyncML Target TargetRef - VerDTD VerProto NumberOfChanges MoreData
"""
_SYNCML_12_NAMES = _SYNCML_11_NAMES + (
    " Field Filter Record FilterType SourceParent TargetParent Move Correlator"
)
_METINF_11_NAMES = """
    Anchor EMI Format FreeID FreeMem Last Mark MaxMsgSize Mem MetInf Next NextNonce SharedMem
    Size Type Version MaxObjSize
"""
_METINF_12_NAMES = _METINF_11_NAMES + " FieldLevel"
_DEVINF_11_NAMES = """
    CTCap CTType DataStore DataType DevID DevInf DevTyp DisplayName DSMem Ext FwV HwV Man
    MaxGUIDSize MaxID MaxMem Mod OEM ParamName PropName Rx Rx-Pref SharedMem Size SourceRef SwV
    SyncCap SyncType Tx Tx-Pref ValEnum VerCT VerDTD XNam XVal UTC SupportNumberOfChanges
    SupportLargeObjs
"""
_DEVINF_12_NAMES = (
    _DEVINF_11_NAMES.replace(" Size ", " MaxSize ")
    + " Property PropParam MaxOccur NoTruncate - Filter-Rx FilterCap FilterKeyword FieldLevel"
    + " SupportHierarchicalSync"
)
_DMDDF_12_NAMES = """
    AccessType ACL Add b64 bin bool chr CaseSense CIS Copy CS date DDFName DefaultValue Delete
    Description DFFormat DFProperties DFTitle DFType Dynamic Exec float Format Get int Man
    MgmtTree MIME Mod Name Node node NodeName null Occurrence One OneOrMore OneOrN Path
    Permanent Replace RTProperties Scope Size time Title TStamp Type Value VerDTD VerNo xml
    ZeroOrMore ZeroOrN ZeroOrOne
"""

METINF_NAMESPACE = "syncml:metinf"
DEVINF_NAMESPACE = "syncml:devinf"
DMDDF_NAMESPACE = "syncml:dmddf1.2"

_OMA_DTD = "http://www.openmobilealliance.org/tech/DTD/"
_SYNCML_DTD = "http://www.syncml.org/docs/"


def _syncml(version: str, public_id: int, names: str, metinf: str, dtd: str) -> Language:
    pages = {
        0: _page(f"SYNCML:SYNCML{version}", names),
        1: _page(METINF_NAMESPACE, metinf),
    }
    if version != "1.2":
        # libwbxml's SyncML 1.0/1.1 table also knows SourceParent (a Nokia extension for SMS).
        pages[0] = _page(f"SYNCML:SYNCML{version}", names, SourceParent=0x39)
    return Language(
        name=f"SyncML {version}", family="syncml", version=version,
        fpi=f"-//SYNCML//DTD SyncML {version}//EN", public_id=public_id, root="SyncML",
        pages=pages, dtd_url=dtd,
    )


def _devinf(version: str, public_id: int, names: str, dtd: str) -> Language:
    page = _page(DEVINF_NAMESPACE, names)
    if version == "1.2":
        # 0x1C was renamed Size -> MaxSize in DevInf 1.2; peers still send Size.
        page = CodePage(DEVINF_NAMESPACE, page.tags, {"Size": 0x1C})
    return Language(
        name=f"DevInf {version}", family="devinf", version=version,
        fpi=f"-//SYNCML//DTD DevInf {version}//EN", public_id=public_id, root="DevInf",
        pages={0: page}, dtd_url=dtd,
    )


SYNCML_10 = _syncml("1.0", 0x0FD1, _SYNCML_11_NAMES, _METINF_11_NAMES,
                    _SYNCML_DTD + "syncml_represent_v10_20001207.dtd")
SYNCML_11 = _syncml("1.1", 0x0FD3, _SYNCML_11_NAMES, _METINF_11_NAMES,
                    _SYNCML_DTD + "syncml_represent_v11_20020213.dtd")
SYNCML_12 = _syncml("1.2", 0x1201, _SYNCML_12_NAMES, _METINF_12_NAMES,
                    _OMA_DTD + "OMA-TS-SyncML_RepPro_DTD-V1_2.dtd")
METINF_12 = Language(
    name="MetInf 1.2", family="metinf", version="1.2", fpi="-//SYNCML//DTD MetInf 1.2//EN",
    public_id=0x1202, root="MetInf", pages={1: _page(METINF_NAMESPACE, _METINF_12_NAMES)},
    dtd_url=_OMA_DTD + "OMA-TS-SyncML_MetaInfo_DTD-V1_2.dtd",
)
DEVINF_10 = _devinf("1.0", 0x0FD2, _DEVINF_11_NAMES,
                    _SYNCML_DTD + "syncml_devinf_v10_20001207.dtd")
DEVINF_11 = _devinf("1.1", 0x0FD4, _DEVINF_11_NAMES, _SYNCML_DTD + "devinf_v11_20020215.dtd")
DEVINF_12 = _devinf("1.2", 0x1203, _DEVINF_12_NAMES,
                    _OMA_DTD + "OMA-SyncML-Device_Information-DTD-1.2.dtd")
DMDDF_12 = Language(
    name="DM DDF 1.2", family="dmddf", version="1.2", fpi="-//OMA//DTD-DM-DDF 1.2//EN",
    public_id=None, root="MgmtTree", pages={2: _page(DMDDF_NAMESPACE, _DMDDF_12_NAMES)},
    dtd_url=_OMA_DTD + "dm_ddf-v1_2.dtd",
)

_languages: list[Language] = []
_by_public_id: dict[int, Language] = {}
_by_fpi: dict[str, Language] = {}
_by_namespace = BoundedCache()  # (namespace, root, version) -> Language | None


def register_language(language: Language) -> None:
    """Make a language known to the decoder (by public id and FPI) and the encoder (by namespace).

    A later registration wins over an earlier one with the same public id or FPI.
    """
    if not isinstance(language, Language):
        raise TypeError("register_language() takes a Language")
    _languages.insert(0, language)
    for cache in list(BoundedCache._all):
        cache.clear()
    if language.public_id is not None:
        _by_public_id[language.public_id] = language
    if language.fpi is not None:
        _by_fpi[language.fpi.upper()] = language


def languages() -> list[Language]:
    """Every registered language, the most recently registered first."""
    return list(_languages)


def language_for_public_id(public_id: int | str) -> Language | None:
    """The language of a numeric WBXML public id or a textual FPI (case-insensitive)."""
    if isinstance(public_id, str):
        return _by_fpi.get(public_id.strip().upper())
    return _by_public_id.get(public_id)


def language_for_namespace(
    namespace: str | None, root: str | None = None, version: str | None = None
) -> Language | None:
    """The language whose root element lives in ``namespace`` (case-insensitive).

    ``root`` narrows the choice to languages with that root element; ``version`` picks among
    versions sharing one namespace (DevInf 1.0-1.2 all use ``syncml:devinf``). Without a match
    on ``version`` the most recently registered (for the built-ins: the newest) wins.
    """
    cache_key = (namespace, root, version)
    if cache_key in _by_namespace:
        return _by_namespace[cache_key]
    return _by_namespace.remember(cache_key, _find_by_namespace(namespace, root, version))


def _find_by_namespace(namespace: str | None, root: str | None,
                       version: str | None) -> Language | None:
    key = namespace.lower() if namespace else None
    matches = [
        lang for lang in _languages
        if (lang.namespace.lower() if lang.namespace else None) == key
        and (root is None or lang.root == root)
    ]
    if not matches and key is None and root is not None:
        matches = [lang for lang in _languages if lang.root == root]
    for lang in matches:
        if lang.version == version:
            return lang
    return matches[0] if matches else None


for _language in (SYNCML_10, SYNCML_11, METINF_12, DEVINF_10, DEVINF_11, DMDDF_12, DEVINF_12,
                  SYNCML_12):
    register_language(_language)
