"""Answering messages: the reply header, Status for the header and every command, Results after
their Status, the 1222 next-message request; and builders for generic (1226) and FUMO alerts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .codes import AlertCode, StatusCode
from .commands import Alert, Command, Results, Status
from .items import Item, Source
from .message import Message
from .meta import Chal, Meta

__all__ = [
    "reply",
    "respond",
    "default_status",
    "status_for_header",
    "status_for",
    "generic_alert",
    "fumo_alert",
]

FUMO_TYPE_PREFIX = "org.openmobilealliance.dm.firmwareupdate."
FUMO_OPERATIONS = ("download", "update", "downloadandupdate")


def reply(received: Message, *, msg_id: Any, source: str | Source | None = None) -> Message:
    """An empty answer to ``received``: same session and version, Target and Source swapped.

    ``source`` defaults to the received Target (the address the peer used for us).
    """
    header = received.header
    if source is None and header.target is not None:
        source = header.target.loc_uri
    return Message(
        session_id=header.session_id,
        msg_id=msg_id,
        version=received.version,
        protocol=header.ver_proto,
        target=header.source.loc_uri if header.source is not None else None,
        source=source,
    )


def default_status(command: Command) -> int:
    """213 for a chunk of a large object (an Item with MoreData), 200 otherwise."""
    if any(item.more_data for item in command.items):
        return StatusCode.CHUNKED_ITEM_ACCEPTED
    return StatusCode.OK


def status_for_header(received: Message, code: int, *, chal: Chal | None = None) -> Status:
    """The Status answering the SyncHdr of ``received`` (CmdRef 0), with ``chal`` if given."""
    header = received.header
    return Status(
        msg_ref=received.msg_id,
        cmd_ref="0",
        cmd="SyncHdr",
        target_refs=[header.target.loc_uri] if header.target is not None else [],
        source_refs=[header.source.loc_uri] if header.source is not None else [],
        chal=chal,
        data=str(int(code)),
    )


def status_for(received: Message, command: Command, code: int) -> Status:
    """The Status answering ``command`` of ``received``: MsgRef, CmdRef, Cmd and the item refs."""
    status = Status(msg_ref=received.msg_id, cmd_ref=command.cmd_id, cmd=command.TAG)
    status.target_refs = [item.target_uri for item in command.items if item.target_uri]
    status.source_refs = [item.source_uri for item in command.items if item.source_uri]
    status.data = str(int(code))
    return status


def respond(
    received: Message,
    *,
    msg_id: Any,
    header_status: int | Status = StatusCode.OK,
    chal: Chal | None = None,
    status: Callable[[Command], int] = default_status,
    results: Callable[[Command], Iterable[Item] | None] | None = None,
    final: bool | None = None,
    answer_results: bool = False,
) -> Message:
    """The answer to ``received``: a Status for its SyncHdr and for every command.

    ``header_status`` is the SyncHdr's code, or the whole Status for it (what
    ``security.auth.challenge`` returns, with its Chal).

    ``status(command)`` gives each code (default: :func:`default_status`); Status commands get no
    Status, and Results only when their code is not 200, unless ``answer_results`` (some
    servers acknowledge every Results with 200). ``results(command)`` may return Items
    for a Results placed right after that command's Status. When ``received`` did not end its
    package and nothing but Status is sent, the answer asks for the next message (Alert 1222)
    and carries no Final; otherwise Final is set unless ``final=False``.
    """
    answer = reply(received, msg_id=msg_id)
    if isinstance(header_status, Status):
        header_answer = header_status
    else:
        header_answer = status_for_header(received, header_status, chal=chal)
    commands: list[Command] = [header_answer]
    sent_results = False
    for command in received.all_commands():
        if isinstance(command, Status):
            continue
        code = status(command)
        if isinstance(command, Results) and code == StatusCode.OK and not answer_results:
            continue
        commands.append(status_for(received, command, code))
        items = list(results(command) or ()) if results is not None else []
        if items:
            commands.append(Results(msg_ref=received.msg_id, cmd_ref=command.cmd_id, items=items))
            sent_results = True
    if not received.final and not sent_results:
        commands.append(Alert(code=AlertCode.NEXT_MESSAGE))
    answer.add(*commands)
    # While the peer's package is open ours may not end (RepPro: Final only after the peer's).
    answer.final = received.final and final is not False
    return answer


def generic_alert(
    *,
    type: str,
    format: str = "chr",
    data: Any = "",
    source: str | None = None,
    mark: str | None = None,
    correlator: str | None = None,
) -> Alert:
    """A Generic Alert (1226): one Item with Meta Type/Format (and Mark), Source and Data
    (text, bytes for binary data as with Format ``bin``, or a number written in decimal)."""
    item = Item(meta=Meta(type=type, format=format, mark=mark), data=data)
    if source is not None:
        item.source = source
    return Alert(code=AlertCode.GENERIC_ALERT, correlator=correlator, items=[item])


def fumo_alert(
    node_uri: str,
    result_code: int,
    *,
    operation: str = "downloadandupdate",
    correlator: str | None = None,
    mark: str | None = None,
) -> Alert:
    """The Generic Alert a FUMO client sends when an Exec on ``node_uri/<Operation>`` completes.

    Type ``org.openmobilealliance.dm.firmwareupdate.<operation>``, Format ``int``, Data = the
    FUMO ResultCode. A failure (any code outside 200-299) is marked ``critical`` unless ``mark``
    says otherwise. Pass the Exec's Correlator when it had one (and only then).
    """
    if operation not in FUMO_OPERATIONS:
        raise ValueError(f"operation must be one of {FUMO_OPERATIONS}, not {operation!r}")
    if mark is None and not 200 <= int(result_code) <= 299:
        mark = "critical"
    return generic_alert(
        type=FUMO_TYPE_PREFIX + operation,
        format="int",
        data=int(result_code),
        source=node_uri,
        mark=mark,
        correlator=correlator,
    )
