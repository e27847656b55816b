"""SyncML 1.0, 1.1 and 1.2 (code page 0) with MetInf (code page 1), and MetInf 1.2 on its own.

Source: OMA SyncML RepPro 1.2 and MetaInfo 1.2, WBXML code page tables; SyncML 1.0/1.1 from
syncml.org's representation protocol 1.0.1/1.1.
"""

from __future__ import annotations

from .base import Language, page

__all__ = ["METINF_NAMESPACE", "SYNCML_10", "SYNCML_11", "SYNCML_12", "METINF_12"]

METINF_NAMESPACE = "syncml:metinf"
OMA_DTD = "http://www.openmobilealliance.org/tech/DTD/"
SYNCML_DTD = "http://www.syncml.org/docs/"

_SYNCML_11_NAMES = """
    Add Alert Archive Atomic Chal Cmd CmdID CmdRef Copy Cred Data Delete Exec Final Get Item
    Lang LocName LocURI Map MapItem Meta MsgID MsgRef NoResp NoResults Put Replace RespURI
    Results Search Sequence SessionID SftDel Source SourceRef Status Sync SyncBody SyncHdr
    SyncML Target TargetRef - VerDTD VerProto NumberOfChanges MoreData
"""
_SYNCML_12_NAMES = _SYNCML_11_NAMES + (
    " Field Filter Record FilterType SourceParent TargetParent Move Correlator"
)
_METINF_11_NAMES = """
    Anchor EMI Format FreeID FreeMem Last Mark MaxMsgSize Mem MetInf Next NextNonce SharedMem
    Size Type Version MaxObjSize
"""
_METINF_12_NAMES = _METINF_11_NAMES + " FieldLevel"


def _syncml(version: str, public_id: int, names: str, metinf: str, dtd: str) -> Language:
    pages = {
        0: page(f"SYNCML:SYNCML{version}", names),
        1: page(METINF_NAMESPACE, metinf),
    }
    if version != "1.2":
        # libwbxml's SyncML 1.0/1.1 table also knows SourceParent (a Nokia extension for SMS).
        pages[0] = page(f"SYNCML:SYNCML{version}", names, SourceParent=0x39)
    return Language(
        name=f"SyncML {version}",
        family="syncml",
        version=version,
        fpi=f"-//SYNCML//DTD SyncML {version}//EN",
        public_id=public_id,
        root="SyncML",
        pages=pages,
        dtd_url=dtd,
    )


SYNCML_10 = _syncml(
    "1.0",
    0x0FD1,
    _SYNCML_11_NAMES,
    _METINF_11_NAMES,
    SYNCML_DTD + "syncml_represent_v10_20001207.dtd",
)
SYNCML_11 = _syncml(
    "1.1",
    0x0FD3,
    _SYNCML_11_NAMES,
    _METINF_11_NAMES,
    SYNCML_DTD + "syncml_represent_v11_20020213.dtd",
)
SYNCML_12 = _syncml(
    "1.2",
    0x1201,
    _SYNCML_12_NAMES,
    _METINF_12_NAMES,
    OMA_DTD + "OMA-TS-SyncML_RepPro_DTD-V1_2.dtd",
)
METINF_12 = Language(
    name="MetInf 1.2",
    family="metinf",
    version="1.2",
    fpi="-//SYNCML//DTD MetInf 1.2//EN",
    public_id=0x1202,
    root="MetInf",
    pages={1: page(METINF_NAMESPACE, _METINF_12_NAMES)},
    dtd_url=OMA_DTD + "OMA-TS-SyncML_MetaInfo_DTD-V1_2.dtd",
)
