"""The error the management tree raises: a failure with the status code the spec gives it."""

from __future__ import annotations

from ..errors import SyncMLError
from ..model.codes import StatusCode

__all__ = ["TreeError"]


class TreeError(SyncMLError):
    """A management-tree operation that fails; ``status`` is the code its Status carries
    (404 no such node, 414 URI too long, 425 not allowed by the ACL, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{int(status)}: {message}")
        self.status = StatusCode(int(status))
        self.message = message

    def __reduce__(self) -> tuple[type[TreeError], tuple[int, str]]:
        return (type(self), (int(self.status), self.message))
