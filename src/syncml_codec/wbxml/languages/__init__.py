"""The WBXML languages as data: the SyncML, MetInf, DevInf and DM DDF code pages, and the registry.

Sources: WAP-192 (WBXML 1.3), OMA SyncML RepPro/MetaInfo 1.2, OMA DS DevInf 1.2, OMA DM TND 1.2.
"""

from .base import AttributePage, BoundedCache, CodePage, Language
from .ddf import DMDDF_12, DMDDF_NAMESPACE
from .devinf import DEVINF_10, DEVINF_11, DEVINF_12, DEVINF_NAMESPACE
from .registry import (
    language_for_namespace,
    language_for_public_id,
    languages,
    register_language,
)
from .syncml import METINF_12, METINF_NAMESPACE, SYNCML_10, SYNCML_11, SYNCML_12

__all__ = [
    "AttributePage",
    "BoundedCache",
    "CodePage",
    "Language",
    "register_language",
    "languages",
    "language_for_public_id",
    "language_for_namespace",
    "SYNCML_10",
    "SYNCML_11",
    "SYNCML_12",
    "METINF_12",
    "DEVINF_10",
    "DEVINF_11",
    "DEVINF_12",
    "DMDDF_12",
    "METINF_NAMESPACE",
    "DEVINF_NAMESPACE",
    "DMDDF_NAMESPACE",
]
