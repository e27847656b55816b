"""A device's management tree with the standard objects in place: DevInfo, DevDetail, DMAcc."""

from __future__ import annotations

from typing import Any

from .ddf import standard_ddf
from .tree import ManagementTree
from .uri import UriLimits

__all__ = ["device_tree"]


def device_tree(
    *,
    dev_id: str,
    man: str,
    mod: str,
    dm_version: str = "1.2",
    lang: str = "en-US",
    dev_type: str = "",
    oem: str = "",
    fw_version: str = "",
    sw_version: str = "",
    hw_version: str = "",
    large_objects: bool = True,
    uri_limits: UriLimits | None = None,
    **options: Any,
) -> ManagementTree:
    """A tree holding ``./DevInfo`` (DevId, Man, Mod, DmV, Lang), ``./DevDetail`` (URI limits,
    DevTyp, OEM, FwV, SwV, HwV, LrgObj) and an empty ``./DMAcc``, each enforcing its standard
    description (so a server may Get them, and change none). ``options`` as
    :class:`ManagementTree` takes."""
    limits = uri_limits or UriLimits()
    tree = ManagementTree(**options)
    for name in ("devinfo", "devdetail", "dmacc"):
        tree.describe(standard_ddf(name), create=True)
    values = {
        "./DevInfo/DevId": dev_id,
        "./DevInfo/Man": man,
        "./DevInfo/Mod": mod,
        "./DevInfo/DmV": dm_version,
        "./DevInfo/Lang": lang,
        "./DevDetail/DevTyp": dev_type,
        "./DevDetail/OEM": oem,
        "./DevDetail/FwV": fw_version,
        "./DevDetail/SwV": sw_version,
        "./DevDetail/HwV": hw_version,
        "./DevDetail/LrgObj": large_objects,
        # Last: from here on, the tree enforces them.
        "./DevDetail/URI/MaxDepth": str(limits.max_depth),
        "./DevDetail/URI/MaxTotLen": str(limits.max_total_length),
        "./DevDetail/URI/MaxSegLen": str(limits.max_segment_length),
    }
    for uri, value in values.items():
        if uri in tree:
            tree.replace(uri, value)
        else:
            tree.add(uri, value)
    return tree
