"""Management-tree URIs (OMA DM TND 1.2 section 6): ``./A/B``, properties (``?prop=ACL``) and
subtree listings (``?list=TNDS+ACL``), parsed strictly, with the status each fault gets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote

from ..model.codes import StatusCode
from .errors import TreeError

__all__ = ["PROPERTIES", "LIST_FORMS", "Uri", "UriLimits"]

#: The node properties a URI may name with ``?prop=`` (TND 8.3).
PROPERTIES = ("ACL", "Format", "Name", "Size", "Title", "TStamp", "Type", "VerNo")
#: The subtree listings a URI may ask for with ``?list=``.
LIST_FORMS = ("Struct", "StructData", "TNDS")
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class UriLimits:
    """The device's URI limits (``./DevDetail/URI/MaxDepth``, ``MaxTotLen``, ``MaxSegLen``); 0
    means unlimited. A URI past one is refused with 414."""

    max_depth: int = 0
    max_total_length: int = 0
    max_segment_length: int = 0

    @property
    def checks(self) -> bool:
        """Whether any limit is set."""
        return bool(self.max_depth or self.max_total_length or self.max_segment_length)


class Uri(NamedTuple):
    """A node's address: its decoded segments (``()`` for the root ``.``), and what the query
    asks for: a property (``prop``), or a listing (``list_form`` with ``list_properties``, added
    with ``+`` or, with ``list_excludes``, taken away with ``-``)."""

    segments: tuple[str, ...] = ()
    prop: str | None = None
    list_form: str | None = None
    list_properties: tuple[str, ...] = ()
    list_excludes: bool = False

    @classmethod
    def parse(cls, text: str, limits: UriLimits | None = None) -> Uri:
        """Read a URI as a command's LocURI carries it: relative to the root, ``A/B`` and
        ``./A/B`` alike; names percent-decoded per byte as UTF-8. TreeError 400 for a malformed
        URI, 406 for a property or listing the spec does not define, 414 past ``limits``."""
        if not isinstance(text, str):
            raise TypeError(f"a URI is a str, not {type(text).__name__}")
        path, question, query = text.partition("?")
        segments = cls._segments(path)
        if limits is not None and limits.checks:
            cls._check_limits(text, segments, limits)
        uri: Uri = _new_uri(cls, (segments, None, None, (), False))
        return uri._with_query(query) if question else uri

    @staticmethod
    def _segments(path: str) -> tuple[str, ...]:
        if path.startswith("./") and "%" not in path:  # the usual form: no escapes to decode
            names = path[2:].split("/")
            if "" not in names and "." not in names and ".." not in names:
                return tuple(names)
        if path in (".", "./"):
            if path == "./":
                raise TreeError(StatusCode.BAD_REQUEST, "a URI ends with '/'")
            return ()
        if path.startswith("./"):
            path = path[2:]
        if not path:
            raise TreeError(StatusCode.BAD_REQUEST, "an empty URI")
        if path.startswith("/"):
            raise TreeError(StatusCode.BAD_REQUEST, f"URI {path!r} starts with '/'")
        if path.endswith("/"):
            raise TreeError(StatusCode.BAD_REQUEST, f"URI {path!r} ends with '/'")
        names = []
        for raw in path.split("/"):
            if raw == "":
                raise TreeError(StatusCode.BAD_REQUEST, f"URI {path!r} has an empty segment")
            if raw in (".", ".."):
                raise TreeError(
                    StatusCode.BAD_REQUEST, f"URI {path!r}: {raw!r} is allowed only as './' first"
                )
            names.append(_decode_segment(raw))
        return tuple(names)

    @staticmethod
    def _check_limits(text: str, segments: tuple[str, ...], limits: UriLimits) -> None:
        too_long = StatusCode.URI_TOO_LONG
        if limits.max_depth and len(segments) > limits.max_depth:
            raise TreeError(too_long, f"{len(segments)} segments, MaxDepth {limits.max_depth}")
        if limits.max_total_length and len(text.encode("utf-8")) > limits.max_total_length:
            raise TreeError(too_long, f"URI longer than MaxTotLen {limits.max_total_length}")
        for name in segments:
            if limits.max_segment_length and len(name.encode("utf-8")) > limits.max_segment_length:
                raise TreeError(
                    too_long, f"segment {name!r} longer than MaxSegLen {limits.max_segment_length}"
                )

    def _with_query(self, query: str) -> Uri:
        key, equals, value = query.partition("=")
        if not equals or not value:
            raise TreeError(StatusCode.BAD_REQUEST, f"query {query!r} is not name=value")
        if key == "prop":
            if value not in PROPERTIES:
                raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"no property {value!r}")
            return Uri(self.segments, prop=value)
        if key != "list":
            raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"no query {key!r}")
        form, *rest = re.split(r"(?=[+-])", value)
        if form not in LIST_FORMS:
            raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"no listing {form!r}")
        signs = {part[0] for part in rest}
        if len(signs) > 1:
            raise TreeError(StatusCode.BAD_REQUEST, f"?list={value}: '+' and '-' are not mixed")
        names = tuple(part[1:] for part in rest)
        if rest and form != "TNDS":
            raise TreeError(StatusCode.BAD_REQUEST, f"?list={form} takes no property list")
        for name in names:
            if name not in (*PROPERTIES, "Value"):
                raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"no property {name!r}")
        return Uri(self.segments, list_form=form, list_properties=names, list_excludes="-" in signs)

    @property
    def is_root(self) -> bool:
        return not self.segments

    @property
    def name(self) -> str:
        """The node's own name (``.`` for the root)."""
        return self.segments[-1] if self.segments else "."

    @property
    def parent(self) -> Uri:
        """The parent node's URI (the root's is the root)."""
        return Uri(self.segments[:-1])

    @property
    def node(self) -> Uri:
        """This URI without its query."""
        return Uri(self.segments)

    def child(self, name: str) -> Uri:
        """The URI of the child named ``name``."""
        return Uri((*self.segments, name))

    def is_ancestor_of(self, other: Uri) -> bool:
        """Whether ``other`` lies strictly below this node."""
        return len(other.segments) > len(self.segments) and (
            other.segments[: len(self.segments)] == self.segments
        )

    def __str__(self) -> str:
        """The canonical form: ``.`` or ``./A/B``, names percent-encoded where they must be,
        then the query."""
        path = (
            "./" + "/".join(quote(name, safe="") for name in self.segments)
            if self.segments
            else "."
        )
        if self.prop is not None:
            return f"{path}?prop={self.prop}"
        if self.list_form is not None:
            sign = "-" if self.list_excludes else "+"
            extra = "".join(sign + name for name in self.list_properties)
            return f"{path}?list={self.list_form}{extra}"
        return path


_new_uri = tuple.__new__  # a Uri from its fields' tuple, without NamedTuple's defaults


def _decode_segment(raw: str) -> str:
    """A segment's name: percent-escapes decoded per byte, the bytes read as UTF-8."""
    if _ESCAPE.search(raw):
        raise TreeError(StatusCode.BAD_REQUEST, f"segment {raw!r} has a bad percent-escape")
    if "%" not in raw:
        return raw
    data = bytearray()
    position = 0
    while position < len(raw):
        if raw[position] == "%":
            data.append(int(raw[position + 1 : position + 3], 16))
            position += 3
        else:
            data += raw[position].encode("utf-8")
            position += 1
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise TreeError(StatusCode.BAD_REQUEST, f"segment {raw!r} is not UTF-8") from None
