"""Commands and Data in a JSON-serializable session state: commands as the Base64 of one
WBXML document (so bytes stay bytes and text stays text), Data as text or tagged Base64; and
the check of the sizes and counters a state (or a constructor) is given."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any

from .. import api
from ..errors import SyncMLError
from ..model.commands import Command, wrap_command

__all__ = [
    "StateError",
    "commands_to_text",
    "commands_from_text",
    "checked_count",
    "data_to_json",
    "data_from_json",
]

_NAMESPACE = "SYNCML:SYNCML1.2"


class StateError(SyncMLError, ValueError):
    """A session state that is not one ``to_state`` gave."""


def checked_count(value: Any, name: str, *, optional: bool = False, least: int = 0) -> Any:
    """``value``, once it is an ``int`` of at least ``least`` (or None when ``optional``):
    TypeError or ValueError naming ``name`` otherwise (a size, a limit, a counter: given to
    a constructor, or read from a state, where ``from_state`` makes them a StateError)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} is an int, not {type(value).__name__}")
    if value < least:
        raise ValueError(f"{name} is at least {least}, not {value}")
    return value


def commands_to_text(commands: Iterable[Command]) -> str:
    """``commands`` (not changed) as text for a JSON state."""
    element = api.element_class()
    body = element("SyncBody", _NAMESPACE, None, None, [c.element for c in commands])
    document = element("SyncML", _NAMESPACE, None, None, [body])
    return base64.b64encode(api.encode(document)).decode("ascii")


def commands_from_text(text: str) -> list[Command]:
    """The commands :func:`commands_to_text` wrote."""
    try:
        document = api.decode(base64.b64decode(text, validate=True))
        body = document.children[0]
        return [wrap_command(child) for child in body.children]
    except (binascii.Error, ValueError, SyncMLError, IndexError, KeyError, TypeError) as error:
        raise StateError(f"not commands saved by a session: {error}") from None


def data_to_json(data: str | bytes | None) -> Any:
    """Text as itself, bytes as ``{"b64": ...}``."""
    if isinstance(data, bytes):
        return {"b64": base64.b64encode(data).decode("ascii")}
    return data


def data_from_json(value: Any) -> str | bytes | None:
    """What :func:`data_to_json` wrote."""
    if isinstance(value, dict):
        try:
            return base64.b64decode(value["b64"], validate=True)
        except (binascii.Error, KeyError, TypeError, ValueError):
            raise StateError("bytes in the state are not Base64") from None
    if value is not None and not isinstance(value, str):
        raise StateError(f"Data in the state is a {type(value).__name__}")
    return value
