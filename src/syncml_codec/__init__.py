"""syncml_codec: SyncML (OMA DM and DS) as WBXML and XML, correct to the byte, fast, and safe."""

from . import api as _api
from . import model
from .api import (
    decode,
    encode,
    from_lxml,
    is_wbxml,
    set_element_reserve,
    to_lxml,
    wbxml_to_xml,
    xml_to_wbxml,
)
from .codepages import (
    AttributePage,
    CodePage,
    Language,
    language_for_namespace,
    language_for_public_id,
    languages,
    register_language,
)
from .errors import DecodeError, EncodeError, SyncMLError
from .limits import DEFAULT_LIMITS, Limits
from .model import Message, Package

__version__ = "0.1.0"

#: "cython" or "python": the implementation this process uses (see SYNCML_CODEC_PUREPYTHON).
IMPLEMENTATION: str = _api.IMPLEMENTATION
#: The element tree node of the active implementation.
Element = _api._codec.Element

__all__ = [
    "IMPLEMENTATION", "Element", "decode", "encode", "wbxml_to_xml", "xml_to_wbxml",
    "from_lxml", "to_lxml", "is_wbxml", "SyncMLError", "DecodeError", "EncodeError",
    "Language", "CodePage", "AttributePage", "register_language", "languages",
    "language_for_public_id", "language_for_namespace", "__version__", "model", "Message",
    "Package", "Limits", "DEFAULT_LIMITS", "set_element_reserve",
]
