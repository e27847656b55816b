"""DevInf 1.0, 1.1 and 1.2: the device information document (one code page).

Source: OMA DS DevInf 1.2 section 7 (WBXML code page), syncml.org DevInf 1.0/1.1.
"""

from __future__ import annotations

from .base import CodePage, Language, page
from .syncml import OMA_DTD, SYNCML_DTD

__all__ = ["DEVINF_NAMESPACE", "DEVINF_10", "DEVINF_11", "DEVINF_12"]

DEVINF_NAMESPACE = "syncml:devinf"

_DEVINF_11_NAMES = """
    CTCap CTType DataStore DataType DevID DevInf DevTyp DisplayName DSMem Ext FwV HwV Man
    MaxGUIDSize MaxID MaxMem Mod OEM ParamName PropName Rx Rx-Pref SharedMem Size SourceRef SwV
    SyncCap SyncType Tx Tx-Pref ValEnum VerCT VerDTD XNam XVal UTC SupportNumberOfChanges
    SupportLargeObjs
"""
_DEVINF_12_NAMES = (
    _DEVINF_11_NAMES.replace(" Size ", " MaxSize ")
    + " Property PropParam MaxOccur NoTruncate - Filter-Rx FilterCap FilterKeyword FieldLevel"
    + " SupportHierarchicalSync"
)


def _devinf(version: str, public_id: int, names: str, dtd: str) -> Language:
    code_page = page(DEVINF_NAMESPACE, names)
    if version == "1.2":
        # 0x1C was renamed Size -> MaxSize in DevInf 1.2; peers still send Size.
        code_page = CodePage(DEVINF_NAMESPACE, code_page.tags, {"Size": 0x1C})
    return Language(
        name=f"DevInf {version}",
        family="devinf",
        version=version,
        fpi=f"-//SYNCML//DTD DevInf {version}//EN",
        public_id=public_id,
        root="DevInf",
        pages={0: code_page},
        dtd_url=dtd,
    )


DEVINF_10 = _devinf("1.0", 0x0FD2, _DEVINF_11_NAMES, SYNCML_DTD + "syncml_devinf_v10_20001207.dtd")
DEVINF_11 = _devinf("1.1", 0x0FD4, _DEVINF_11_NAMES, SYNCML_DTD + "devinf_v11_20020215.dtd")
DEVINF_12 = _devinf(
    "1.2", 0x1203, _DEVINF_12_NAMES, OMA_DTD + "OMA-SyncML-Device_Information-DTD-1.2.dtd"
)
