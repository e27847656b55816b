"""The codecs syncml_codec is compared with, in the same process: libwbxml through ctypes,
lxml, and msgpack over the same tree as nested lists. A peer that is not installed is None."""

from __future__ import annotations

from typing import Any

from syncml_codec.cli import libwbxml as _libwbxml

try:
    import msgpack
except ImportError:  # reported as a skipped peer
    msgpack = None

#: libwbxml2.so through ctypes, or None (its binding lives in the package: the bench command
#: uses it too).
libwbxml = _libwbxml.LIBRARY
libwbxml_wbxml2xml = _libwbxml.wbxml2xml
libwbxml_xml2wbxml = _libwbxml.xml2wbxml


def as_lists(element: Any) -> list:
    """The tree as nested lists ``[tag, namespace, attributes, text, children, tail]``."""
    return [
        element.tag,
        element.namespace,
        dict(element.attributes),
        element.text,
        [as_lists(child) for child in element.children],
        element.tail,
    ]
