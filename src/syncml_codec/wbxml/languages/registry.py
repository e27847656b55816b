"""The registry of WBXML languages, looked up by numeric public id, by FPI or by XML namespace.

The built-in languages are registered at import; users add their own with
:func:`register_language`.
"""

from __future__ import annotations

import threading

from .base import BoundedCache, Language
from .ddf import DMDDF_12
from .devinf import DEVINF_10, DEVINF_11, DEVINF_12
from .syncml import METINF_12, SYNCML_10, SYNCML_11, SYNCML_12

__all__ = ["register_language", "languages", "language_for_public_id", "language_for_namespace"]

# Readers take these as they are at the moment (one attribute read each); a registration builds
# new ones and replaces them whole, under the lock, so no reader sees a half-made registry.
_languages: tuple[Language, ...] = ()
_by_public_id: dict[int, Language] = {}
_by_fpi: dict[str, Language] = {}
_by_namespace = BoundedCache()  # (namespace, root, version) -> Language | None
_lock = threading.Lock()


def _same_language(a: Language, b: Language) -> bool:
    """Whether ``b`` stands for ``a``: the same public id, FPI, or namespace, root and version."""
    if a.public_id is not None and a.public_id == b.public_id:
        return True
    if a.fpi is not None and b.fpi is not None and a.fpi.upper() == b.fpi.upper():
        return True
    return (
        a.namespace is not None
        and b.namespace is not None
        and a.namespace.lower() == b.namespace.lower()
        and (a.root, a.version) == (b.root, b.version)
    )


def register_language(language: Language) -> None:
    """Make a language known to the decoder (by public id and FPI) and the encoder (by namespace).

    Registering is idempotent, and a language replaces any registered one it stands for: the
    same public id, the same FPI, or the same namespace, root element and version (DevInf 1.0,
    1.1 and 1.2 share a namespace and stay apart by version). Safe from any thread.
    """
    global _languages, _by_public_id, _by_fpi
    if not isinstance(language, Language):
        raise TypeError("register_language() takes a Language")
    with _lock:
        kept = [old for old in _languages if not _same_language(old, language)]
        registry = (language, *kept)
        _by_public_id = {
            lang.public_id: lang for lang in reversed(registry) if lang.public_id is not None
        }
        _by_fpi = {lang.fpi.upper(): lang for lang in reversed(registry) if lang.fpi is not None}
        _languages = registry
        for cache in list(BoundedCache._all):
            cache.clear()


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
        known: Language | None = _by_namespace[cache_key]
        return known
    registry = _languages
    found = _find_by_namespace(registry, namespace, root, version)
    if registry is _languages:  # no registration since: the answer still holds
        _by_namespace.remember(cache_key, found)
    return found


def _find_by_namespace(
    registry: tuple[Language, ...], namespace: str | None, root: str | None, version: str | None
) -> Language | None:
    key = namespace.lower() if namespace else None
    matches = [
        lang
        for lang in registry
        if (lang.namespace.lower() if lang.namespace else None) == key
        and (root is None or lang.root == root)
    ]
    if not matches and key is None and root is not None:
        matches = [lang for lang in registry if lang.root == root]
    for lang in matches:
        if lang.version == version:
            return lang
    return matches[0] if matches else None


for _language in (
    SYNCML_10, SYNCML_11, METINF_12, DEVINF_10, DEVINF_11, DMDDF_12, DEVINF_12, SYNCML_12,
):  # fmt: skip
    register_language(_language)
