"""The management tree side of OMA DM.

``ManagementTree`` holds a device's nodes with their properties, checks servers' rights (ACLs)
and DDF descriptions, and reads and writes TNDS; ``Processor`` (the DPU) applies a server's
commands to it, with plug-ins owning subtrees (``FumoHandler`` for firmware updates), and
answers them; ``Uri`` and ``Acl`` are its addresses and access lists; ``Ddf`` reads description
documents (the standard objects ship with the package: :func:`standard_ddf`,
:func:`device_tree`). Failures raise ``TreeError`` with the status the command's Status carries.
"""

from .acl import ACL_COMMANDS, DEFAULT_ROOT_ACL, Acl
from .ddf import ACCESS_TYPES, STANDARD_OBJECTS, Ddf, DdfNode, Occurrence, standard_ddf
from .device import device_tree
from .errors import TreeError
from .formats import FORMATS, check_value
from .fumo import FumoHandler, FumoState
from .processor import BaseHandler, Handler, Policy, Processor
from .tnds import (
    ALL_TNDS_PROPERTIES,
    DEFAULT_TNDS_PROPERTIES,
    TNDS_TYPE_WBXML,
    TNDS_TYPE_XML,
    TndsNode,
    read_tnds,
)
from .tree import ManagementTree, NodeData
from .uri import LIST_FORMS, PROPERTIES, Uri, UriLimits

__all__ = [
    "Processor",
    "Policy",
    "Handler",
    "BaseHandler",
    "FumoHandler",
    "FumoState",
    "ManagementTree",
    "NodeData",
    "TreeError",
    "Uri",
    "UriLimits",
    "PROPERTIES",
    "LIST_FORMS",
    "Acl",
    "ACL_COMMANDS",
    "DEFAULT_ROOT_ACL",
    "FORMATS",
    "check_value",
    "Ddf",
    "DdfNode",
    "Occurrence",
    "ACCESS_TYPES",
    "STANDARD_OBJECTS",
    "standard_ddf",
    "device_tree",
    "ALL_TNDS_PROPERTIES",
    "DEFAULT_TNDS_PROPERTIES",
    "TNDS_TYPE_XML",
    "TNDS_TYPE_WBXML",
    "TndsNode",
    "read_tnds",
]
