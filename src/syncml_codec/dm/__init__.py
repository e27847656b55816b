"""The management tree side of OMA DM: node addresses and access control.

``Uri`` reads and writes node URIs (properties, listings, the device's URI limits); ``Acl``
holds and checks access control lists; ``TreeError`` carries the status a failure gets.
"""

from .acl import ACL_COMMANDS, DEFAULT_ROOT_ACL, Acl
from .errors import TreeError
from .uri import LIST_FORMS, PROPERTIES, Uri, UriLimits

__all__ = [
    "Acl",
    "ACL_COMMANDS",
    "DEFAULT_ROOT_ACL",
    "TreeError",
    "Uri",
    "UriLimits",
    "PROPERTIES",
    "LIST_FORMS",
]
