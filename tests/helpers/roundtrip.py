"""The oracles shared by the regression tests and the fuzz harness: round trips, and agreement
between the implementations.

A tree a decoder produced must survive WBXML (with and without the string table) and XML
unchanged. The one documented exception is a name alias: DevInf 1.2 calls token 0x1C
``MaxSize`` and accepts ``Size`` for it, so a DevInf that a 1.1 table named ``Size`` but whose
VerDTD says 1.2 comes back as ``MaxSize``.
"""

from __future__ import annotations

from typing import Any

import syncml_codec
from syncml_codec import DecodeError, EncodeError, _impl

_ALIASES = {("syncml:devinf", "Size"): "MaxSize"}


def canonical(tree: Any) -> Any:
    """A copy of ``tree`` with aliased names replaced by their canonical ones."""
    tag = _ALIASES.get((tree.namespace, tree.tag), tree.tag)
    return type(tree)(
        tag,
        tree.namespace,
        dict(tree.attributes),
        tree.text,
        [canonical(child) for child in tree.children],
        tree.tail,
    )


def assert_round_trips(tree: Any, from_xml: bool = False) -> None:
    """WBXML and XML encodings of ``tree`` decode back to it.

    XML may refuse (EncodeError) names and values it cannot carry; WBXML may refuse only a tree
    read from XML, which can be any XML document, not one of the registered languages.
    """
    expected = canonical(tree)
    for options in ({}, {"string_table": True}):
        try:
            again = syncml_codec.decode(syncml_codec.encode(tree, **options))
        except EncodeError:
            if not from_xml:
                raise
        else:
            if canonical(again) != expected:
                raise AssertionError(f"WBXML round trip changed the tree ({options})")
    try:
        xml = syncml_codec.encode(tree, format="xml")
    except EncodeError:
        return
    if canonical(syncml_codec.decode(xml)) != expected:
        raise AssertionError("XML round trip changed the tree")


def decode_with_each_implementation(data: bytes) -> dict[str, Any]:
    """``syncml_codec.decode(data)`` under each implementation: name -> tree, or (offset,
    message) of the DecodeError. The implementation in use is left as it was."""
    in_use = _impl.name
    outcomes: dict[str, Any] = {}
    try:
        for name in _impl.IMPLEMENTATIONS:
            _impl.use(name)
            try:
                outcomes[name] = syncml_codec.decode(data)
            except DecodeError as error:
                outcomes[name] = (error.offset, error.message)
    finally:
        _impl.use(in_use)
    return outcomes
