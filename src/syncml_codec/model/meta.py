"""Meta information (MetInf), credentials and challenges."""

from __future__ import annotations

from ..wbxml.languages import METINF_NAMESPACE
from .base import FlagField, IntField, Node, NodeField, TextField, TextList

__all__ = ["Anchor", "Mem", "Meta", "Cred", "Chal"]


class Anchor(Node):
    """Sync anchors (DS): the last and next anchors of a data store."""

    TAG = "Anchor"
    NAMESPACE = METINF_NAMESPACE
    ORDER = ("Last", "Next")
    last = TextField("Last")
    next = TextField("Next")


class Mem(Node):
    """Memory of a data store (DS)."""

    TAG = "Mem"
    NAMESPACE = METINF_NAMESPACE
    ORDER = ("SharedMem", "FreeMem", "FreeID")
    shared_mem = FlagField("SharedMem")
    free_mem = IntField("FreeMem")
    free_id = IntField("FreeID")


class Meta(Node):
    """``<Meta>``: its children are MetInf elements (namespace ``syncml:metinf``)."""

    TAG = "Meta"
    CHILD_NAMESPACE = METINF_NAMESPACE
    ORDER = (
        "Format",
        "Type",
        "Mark",
        "Size",
        "Anchor",
        "Version",
        "NextNonce",
        "MaxMsgSize",
        "MaxObjSize",
        "EMI",
        "Mem",
        "FieldLevel",
    )
    format = TextField("Format")
    type = TextField("Type")
    mark = TextField("Mark")
    size = IntField("Size")
    anchor = NodeField("Anchor", lambda: Anchor)
    version = TextField("Version")
    next_nonce = TextField("NextNonce")
    max_msg_size = IntField("MaxMsgSize")
    max_obj_size = IntField("MaxObjSize")
    emi = TextList("EMI")
    mem = NodeField("Mem", lambda: Mem)
    field_level = FlagField("FieldLevel")


class Cred(Node):
    """Credentials: ``Meta`` (Type such as ``syncml:auth-md5``, Format ``b64``) and ``Data``."""

    TAG = "Cred"
    ORDER = ("Meta", "Data")
    SECRET_FIELDS = frozenset({"data"})
    meta = NodeField("Meta", lambda: Meta)
    data = TextField("Data")


class Chal(Node):
    """A challenge: its ``Meta`` names the auth type, format and next nonce."""

    TAG = "Chal"
    ORDER = ("Meta",)
    meta = NodeField("Meta", lambda: Meta)
