"""syncml_codec: SyncML (OMA DM and DS) as WBXML and XML, correct to the byte, fast, and safe."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _impl, model, security
from .api import (
    decode,
    element_class,
    encode,
    from_lxml,
    implementation,
    is_wbxml,
    set_element_reserve,
    to_lxml,
    wbxml_to_xml,
    xml_to_wbxml,
)
from .errors import DecodeError, EncodeError, LimitError, SyncMLError
from .limits import DEFAULT_LIMITS, Limits
from .model import Message, Package
from .wbxml.languages import (
    AttributePage,
    CodePage,
    Language,
    language_for_namespace,
    language_for_public_id,
    languages,
    register_language,
)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ._wbxml import Element

    #: "cython" or "python": the implementation in use (see SYNCML_CODEC_PUREPYTHON).
    IMPLEMENTATION: str


def __getattr__(name: str) -> Any:
    # Read on each access, so neither name goes stale when the implementation is switched.
    if name == "IMPLEMENTATION":
        return _impl.name
    if name == "Element":
        return _impl.codec.Element
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "IMPLEMENTATION",
    "Element",
    "element_class",
    "implementation",
    "decode",
    "encode",
    "wbxml_to_xml",
    "xml_to_wbxml",
    "from_lxml",
    "to_lxml",
    "is_wbxml",
    "SyncMLError",
    "DecodeError",
    "LimitError",
    "EncodeError",
    "Language",
    "CodePage",
    "AttributePage",
    "register_language",
    "languages",
    "language_for_public_id",
    "language_for_namespace",
    "__version__",
    "model",
    "security",
    "Message",
    "Package",
    "Limits",
    "DEFAULT_LIMITS",
    "set_element_reserve",
]
