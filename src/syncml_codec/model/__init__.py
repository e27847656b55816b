"""The object model: messages, commands, items, meta and codes as views over the element tree.

Sans-I/O: build and read messages here; move the bytes yourself.
"""

from .codes import DM_ALERT_CODES, AlertCode, StatusCode
from .commands import (
    COMMANDS,
    Add,
    Alert,
    Atomic,
    Command,
    Copy,
    Delete,
    Exec,
    Get,
    Map,
    Move,
    Put,
    Replace,
    Results,
    Search,
    Sequence,
    Status,
    Sync,
)
from .items import Item, MapItem, Source, SourceParent, Target, TargetParent
from .message import Body, Header, Message, ModelError, ModelWarning, Package
from .meta import Anchor, Chal, Cred, Mem, Meta
from .responses import default_status, fumo_alert, generic_alert, reply, respond, status_for
from .validation import PROFILES, Finding, validate

__all__ = [
    "AlertCode",
    "StatusCode",
    "DM_ALERT_CODES",
    "COMMANDS",
    "Command",
    "Add",
    "Alert",
    "Atomic",
    "Copy",
    "Delete",
    "Exec",
    "Get",
    "Map",
    "Move",
    "Put",
    "Replace",
    "Results",
    "Search",
    "Sequence",
    "Status",
    "Sync",
    "Item",
    "MapItem",
    "Source",
    "SourceParent",
    "Target",
    "TargetParent",
    "Body",
    "Header",
    "Message",
    "ModelError",
    "ModelWarning",
    "Package",
    "Anchor",
    "Chal",
    "Cred",
    "Mem",
    "Meta",
    "reply",
    "respond",
    "status_for",
    "default_status",
    "generic_alert",
    "fumo_alert",
    "Finding",
    "PROFILES",
    "validate",
]
