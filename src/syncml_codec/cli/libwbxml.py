"""libwbxml (``libwbxml2.so``) in process through ctypes: the reference WBXML implementation the
``bench`` command (and ``benchmarks/``) time syncml_codec against. ``LIBRARY`` is None where
the library is not installed (Debian: ``libwbxml2-1``)."""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from typing import Any

__all__ = ["LIBRARY", "wbxml2xml", "xml2wbxml"]

_WB_ULONG = ctypes.c_uint
_GEN_COMPACT = 0


def _load() -> Any:
    for name in (ctypes.util.find_library("wbxml2"), "libwbxml2.so.1", "libwbxml2.so"):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        pointer = ctypes.POINTER
        out = (pointer(ctypes.c_void_p),)
        for prefix in ("wbxml_conv_wbxml2xml", "wbxml_conv_xml2wbxml"):
            getattr(lib, f"{prefix}_create").argtypes = out
            getattr(lib, f"{prefix}_run").argtypes = (
                ctypes.c_void_p,
                ctypes.c_char_p,
                _WB_ULONG,
                pointer(ctypes.c_void_p),
                pointer(_WB_ULONG),
            )
            getattr(lib, f"{prefix}_destroy").argtypes = (ctypes.c_void_p,)
        lib.wbxml_conv_wbxml2xml_set_gen_type.argtypes = (ctypes.c_void_p, ctypes.c_int)
        lib.wbxml_conv_xml2wbxml_disable_string_table.argtypes = (ctypes.c_void_p,)
        lib.wbxml_free.argtypes = (ctypes.c_void_p,)
        lib.wbxml_errors_string.restype = ctypes.c_char_p
        return lib
    return None


LIBRARY = _load()


def _run(prefix: str, data: bytes, configure: Callable[[Any], None]) -> bytes:
    if LIBRARY is None:
        raise RuntimeError("libwbxml2.so is not installed")
    conv = ctypes.c_void_p()
    if getattr(LIBRARY, f"{prefix}_create")(ctypes.byref(conv)) != 0:
        raise MemoryError(f"{prefix}_create failed")
    try:
        configure(conv)
        output = ctypes.c_void_p()
        length = _WB_ULONG()
        error = getattr(LIBRARY, f"{prefix}_run")(
            conv, data, len(data), ctypes.byref(output), ctypes.byref(length)
        )
        if error != 0:
            raise ValueError(LIBRARY.wbxml_errors_string(error).decode())
        try:
            return ctypes.string_at(output, length.value)
        finally:
            LIBRARY.wbxml_free(output)
    finally:
        getattr(LIBRARY, f"{prefix}_destroy")(conv)


def wbxml2xml(data: bytes) -> bytes:
    """libwbxml's WBXML -> XML (compact output)."""
    return _run(
        "wbxml_conv_wbxml2xml",
        data,
        lambda conv: LIBRARY.wbxml_conv_wbxml2xml_set_gen_type(conv, _GEN_COMPACT),
    )


def xml2wbxml(data: bytes, string_table: bool = False) -> bytes:
    """libwbxml's XML -> WBXML (``xml2wbxml -n`` unless ``string_table``)."""

    def configure(conv: Any) -> None:
        if not string_table:
            LIBRARY.wbxml_conv_xml2wbxml_disable_string_table(conv)

    return _run("wbxml_conv_xml2wbxml", data, configure)
