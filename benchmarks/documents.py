"""Synthetic SyncML documents of a chosen size, for the benchmarks.

DM: a client package 3, n ``<Results>`` siblings each with CmdID, MsgRef, CmdRef, an Item with a
unique Source LocURI, Meta Format and Type, and unique Data (the shape libwbxml's performance notes
use). DS: a ``<Sync>`` of n ``<Add>`` commands carrying vCards.
"""

from __future__ import annotations

from functools import cache

import syncml_codec

_DM_HEAD = (
    '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>'
    "<VerProto>DM/1.2</VerProto><SessionID>1A2B</SessionID><MsgID>2</MsgID>"
    "<Target><LocURI>https://dm.example.com/dm</LocURI></Target>"
    "<Source><LocURI>IMEI:493005100592800</LocURI></Source></SyncHdr><SyncBody>"
    "<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>"
    "<Data>200</Data></Status>"
)
_DM_RESULT = (
    "<Results><CmdID>{i}</CmdID><MsgRef>1</MsgRef><CmdRef>{i}</CmdRef><Item>"
    "<Source><LocURI>./Vendor/Example/Node{i}/Value</LocURI></Source>"
    '<Meta><Format xmlns="syncml:metinf">chr</Format>'
    '<Type xmlns="syncml:metinf">text/plain</Type></Meta>'
    "<Data>value {i} of the example management object</Data></Item></Results>"
)
_DS_HEAD = (
    '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>'
    "<VerProto>SyncML/1.2</VerProto><SessionID>7</SessionID><MsgID>3</MsgID>"
    "<Target><LocURI>http://sync.example.com/sync</LocURI></Target>"
    "<Source><LocURI>IMEI:353918050012345</LocURI></Source></SyncHdr><SyncBody>"
    "<Sync><CmdID>1</CmdID><Target><LocURI>contacts</LocURI></Target>"
    "<Source><LocURI>./contacts</LocURI></Source>"
)
_DS_ADD = (
    '<Add><CmdID>{j}</CmdID><Meta><Type xmlns="syncml:metinf">text/x-vcard</Type></Meta>'
    "<Item><Source><LocURI>{i}</LocURI></Source><Data>BEGIN:VCARD&#13;\nVERSION:2.1&#13;\n"
    "N:Person{i};Example&#13;\nTEL;CELL:+49 151 {i:07d}&#13;\nEMAIL:p{i}@example.com&#13;\n"
    "END:VCARD</Data></Item></Add>"
)
_TAIL = "<Final/></SyncBody></SyncML>"
_DS_TAIL = "</Sync>" + _TAIL


def dm_xml(count: int) -> bytes:
    """A DM client package 3 with ``count`` Results."""
    body = "".join(_DM_RESULT.format(i=i + 2) for i in range(count))
    return (_DM_HEAD + body + _TAIL).encode()


def ds_xml(count: int) -> bytes:
    """A DS message with a Sync of ``count`` vCard Adds."""
    body = "".join(_DS_ADD.format(i=i, j=i + 2) for i in range(count))
    return (_DS_HEAD + body + _DS_TAIL).encode()


@cache
def sized(kind: str, target_bytes: int) -> bytes:
    """The XML of a ``kind`` ("dm" or "ds") document of about ``target_bytes`` bytes."""
    make = dm_xml if kind == "dm" else ds_xml
    per_item = len(make(11)) - len(make(10))
    count = max(1, (target_bytes - len(make(0))) // per_item)
    document = make(count)
    while count > 1 and len(document) > target_bytes:  # longer numbers, longer items
        count -= 1 + (len(document) - target_bytes) // (2 * per_item)
        document = make(max(count, 1))
    return document


@cache
def wbxml(kind: str, target_bytes: int) -> bytes:
    """The same document as WBXML (libwbxml-compatible options)."""
    return syncml_codec.xml_to_wbxml(sized(kind, target_bytes))


SIZES = {"small": 2_000, "medium": 50_000, "large": 1_000_000, "huge": 10_000_000}
SCALING = [1_000, 4_000, 16_000, 64_000, 256_000, 1_000_000, 4_000_000, 10_000_000]
