"""The command line's own errors, by exit status."""

from __future__ import annotations

__all__ = ["CheckFailed", "FileError", "UsageError"]


class UsageError(Exception):
    """A command-line value that makes no sense (exit status 2)."""


class FileError(Exception):
    """A file that cannot be read or written (exit status 1), named in the message."""

    def __init__(self, path: str, error: OSError) -> None:
        super().__init__(f"{path}: {error.strerror or error}")


class CheckFailed(Exception):
    """A check the user asked for did not pass (exit status 1)."""
