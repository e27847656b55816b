"""Node formats (OMA DM TND 1.2 section 7.7.4) and the values each accepts.

A leaf's value is kept in its unencoded form: ``bytes`` for ``bin`` and ``b64`` (a ``str`` given
for them is read as base64 text, the form XML carries binary data in), ``None`` for ``null``, and
a ``str`` for every other format, checked against the format's grammar.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, time

from lxml import etree

from ..model.codes import StatusCode
from .errors import INVALID_VALUE, TreeError

__all__ = ["BINARY_FORMATS", "FORMATS", "LEAF_FORMATS", "NodeValue", "check_value", "value_size"]

#: Every format a node may have; ``node`` is the interior nodes' own.
FORMATS = ("b64", "bin", "bool", "chr", "int", "node", "null", "xml", "date", "time", "float")
LEAF_FORMATS = tuple(name for name in FORMATS if name != "node")
_LEAF = frozenset(LEAF_FORMATS)
#: The formats whose values are bytes.
BINARY_FORMATS = frozenset({"b64", "bin"})

NodeValue = str | bytes | None

_INT = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?\Z|[+-]?INF\Z|NaN\Z")
_DATE = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})\Z")
_TIME = re.compile(
    r"([0-9]{2}):?([0-9]{2}):?([0-9]{2})([.,][0-9]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\Z"
)
_INT_RANGE = range(-(2**31), 2**31)


def check_value(value: object, format: str) -> NodeValue:
    """``value`` as a leaf of ``format`` stores it; TreeError 415 for a format that is not one
    of :data:`LEAF_FORMATS`, :data:`~syncml_codec.dm.errors.INVALID_VALUE` for a value its
    format refuses. Python ``bool`` and ``int`` are accepted for ``bool`` and ``int``."""
    if format == "chr" and value.__class__ is str:
        return value  # the usual case: any text is a chr value
    if format not in _LEAF:
        raise TreeError(StatusCode.UNSUPPORTED_MEDIA_TYPE, f"no leaf format {format!r}")
    if format in BINARY_FORMATS:
        return _binary(value, format)
    if format == "null":
        if value not in (None, "", b""):
            raise TreeError(INVALID_VALUE, "a null node holds no value")
        return None
    if format == "bool" and isinstance(value, bool):
        return "true" if value else "false"
    if format == "int" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text(value, format)
    if not _VALID[format](text):
        raise TreeError(INVALID_VALUE, f"{text[:40]!r} is not a valid {format} value")
    return text


def value_size(value: NodeValue) -> int:
    """The Size property of a leaf: the bytes of its unencoded value."""
    if value is None:
        return 0
    return len(value) if isinstance(value, bytes) else len(value.encode("utf-8"))


def _binary(value: object, format: str) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise TreeError(INVALID_VALUE, f"a {format} value given as text is base64") from None
    if value is None:
        return b""
    raise TypeError(f"a {format} value is bytes or base64 text, not {type(value).__name__}")


def _text(value: object, format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise TreeError(INVALID_VALUE, f"a {format} value is UTF-8 text") from None
    if not isinstance(value, str):
        raise TypeError(f"a {format} value is a str, not {type(value).__name__}")
    return value


def _is_int(text: str) -> bool:
    if not _INT.match(text):
        return False
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > len(str(_INT_RANGE.stop)):  # not converted: far out of range
        return False
    return (-int(digits) if text.startswith("-") else int(digits)) in _INT_RANGE


def _is_date(text: str) -> bool:
    match = _DATE.match(text)
    if not match:
        return False
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError:
        return False
    return True


def _is_time(text: str) -> bool:
    match = _TIME.match(text)
    if not match:
        return False
    hours, minutes, seconds = (int(part) for part in match.groups()[:3])
    try:
        time(hours, minutes, min(seconds, 59))  # ISO 8601 allows a leap second
    except ValueError:
        return False
    return seconds <= 60


def _is_xml(text: str) -> bool:
    """Well-formed XML content (a fragment: several elements and text are allowed)."""
    document = text.lstrip().startswith("<?xml")
    # A parser per call: lxml's parsers are not to be shared between threads.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        etree.fromstring(text.encode("utf-8") if document else f"<x>{text}</x>", parser)
    except etree.XMLSyntaxError:
        return False
    return True


_VALID = {
    "bool": lambda text: text in ("true", "false"),
    "chr": lambda text: True,
    "int": _is_int,
    "float": lambda text: bool(_FLOAT.match(text)),
    "date": _is_date,
    "time": _is_time,
    "xml": _is_xml,
}
