"""The error the management tree raises: a failure with the status code the spec gives it."""

from __future__ import annotations

from ..errors import SyncMLError
from ..model.codes import StatusCode

__all__ = ["INVALID_VALUE", "NOT_DESCRIBED", "REQUIRED_NODE", "TOO_MANY_INSTANCES", "TreeError"]


class TreeError(SyncMLError):
    """A management-tree operation that fails; ``status`` is the code its Status carries
    (404 no such node, 414 URI too long, 425 not allowed by the ACL, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{int(status)}: {message}")
        self.status = StatusCode(int(status))
        self.message = message

    def __reduce__(self) -> tuple[type[TreeError], tuple[int, str]]:
        return (type(self), (int(self.status), self.message))


# Statuses for violations the spec gives no code of its own; chosen here, once, and listed in
# docs/management-tree.md.

#: A value its node's format refuses (``abc`` for an ``int``), or a Title over 255 bytes.
INVALID_VALUE = StatusCode.BAD_REQUEST
#: Add under a leaf, or of a node the parent's DDF description does not name.
NOT_DESCRIBED = StatusCode.COMMAND_NOT_ALLOWED
#: Add of one more instance than the description's Occurrence allows.
TOO_MANY_INSTANCES = StatusCode.DEVICE_FULL
#: Delete of a node its description requires (Occurrence One or OneOrMore, the last instance).
REQUIRED_NODE = StatusCode.COMMAND_NOT_ALLOWED
