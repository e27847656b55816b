"""DM DDF 1.2: device description framework and TNDS documents (code page 2, textual public id).

Source: OMA DM TND 1.2, appendix on the WBXML code page of the DDF DTD.
"""

from __future__ import annotations

from .base import Language, page
from .syncml import OMA_DTD

__all__ = ["DMDDF_NAMESPACE", "DMDDF_12"]

DMDDF_NAMESPACE = "syncml:dmddf1.2"

_DMDDF_12_NAMES = """
    AccessType ACL Add b64 bin bool chr CaseSense CIS Copy CS date DDFName DefaultValue Delete
    Description DFFormat DFProperties DFTitle DFType Dynamic Exec float Format Get int Man
    MgmtTree MIME Mod Name Node node NodeName null Occurrence One OneOrMore OneOrN Path
    Permanent Replace RTProperties Scope Size time Title TStamp Type Value VerDTD VerNo xml
    ZeroOrMore ZeroOrN ZeroOrOne
"""

DMDDF_12 = Language(
    name="DM DDF 1.2",
    family="dmddf",
    version="1.2",
    fpi="-//OMA//DTD-DM-DDF 1.2//EN",
    public_id=None,
    root="MgmtTree",
    pages={2: page(DMDDF_NAMESPACE, _DMDDF_12_NAMES)},
    dtd_url=OMA_DTD + "dm_ddf-v1_2.dtd",
)
