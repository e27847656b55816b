"""The DPU: a server's commands applied to the management tree and answered as OMA DM 1.2
wants (RepPro 6, TND 7), with plug-ins owning subtrees (Windows calls them configuration service
providers).

:class:`Processor` takes a received message and returns the answers to its commands: a Status
for each (none for Status, nor for Results with 200, nor under NoResp), Results right after the
Status of each Get, an Alert 1225 where a large object was interrupted. The checks run in the
order a configuration manager runs them (the tree's: URI, existence, ACL, AccessType, format),
then the plug-in's. What the spec leaves open is a field of :class:`Policy`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .. import _impl, api
from ..errors import DecodeError
from ..model.codes import AlertCode, StatusCode
from ..model.commands import COMMANDS, Alert, Command, Results, Status, _Container, wrap_command
from ..model.items import Item
from ..model.message import Message, ModelError
from ..model.meta import Meta
from ..model.responses import respond
from ..wbxml.answers import CommandRead, ItemRead
from .errors import TreeError
from .formats import BINARY_FORMATS
from .tnds import TNDS_TYPE_WBXML, TNDS_TYPE_XML
from .tree import ManagementTree, NodeData
from .uri import Uri

if TYPE_CHECKING:
    from ..session.largeobject import SizeCounts

__all__ = ["BaseHandler", "Handler", "Policy", "Processor"]

_TNDS_TYPES = frozenset({TNDS_TYPE_XML, TNDS_TYPE_WBXML})
#: Commands an Atomic may not hold: they get 500 and fail it.
_NOT_IN_ATOMIC = frozenset({"Get", "Exec", "Atomic"})
_UI_ALERTS = frozenset(range(1100, 1105))
#: Commands answered per Item when they hold several.
_PER_ITEM = frozenset({"Add", "Copy", "Delete", "Exec", "Get", "Replace"})
_NONE: list[Item] = []  # no Items (never changed)
_UNANSWERED = frozenset({"Status", "Results"})
#: A container inside more containers than this gets 500 and is not run: DM nests a Sequence
#: or an Atomic at most in one of the other kind, and the processing's depth stays bounded.
MAX_CONTAINER_NESTING = 16
_CODES = {int(code): str(int(code)) for code in StatusCode}  # a status's Data text
_UNPARSED = Uri()  # what _handler gives with no plug-in mounted (the tree parses the URI)
_NO_HANDLER: tuple[Handler | None, Uri] = (None, _UNPARSED)


@dataclass(frozen=True)
class Policy:
    """The choices the spec leaves open, spec-faithful by default.

    ``continue_sequence``: whether a Sequence goes on after a failed command (the spec: no,
    the rest get 215). ``size_counts``: what a received Meta Size counts (``either`` accepts
    both readings). ``max_obj_size``: the MaxObjSize this device declared (413 above it).
    ``binary``: how Get returns binary values: ``bin`` (raw bytes, for WBXML) or ``b64``
    (base64 text with Meta Format b64, as XML must carry them; TND 8.3.7.2).
    ``creator_acl``: whether an interior node a server adds without Replace on its parent gets
    Add, Delete and Replace for it (TND), or an empty ACL. ``windows_aliases``: whether
    ``./Device/X`` is read as ``./X`` (Windows names the device scope both ways).
    """

    continue_sequence: bool = False
    size_counts: SizeCounts = "either"
    max_obj_size: int | None = None
    binary: Literal["bin", "b64"] = "bin"
    creator_acl: bool = True
    windows_aliases: bool = False


class Handler(Protocol):
    """A plug-in owning a subtree (mounted with :meth:`Processor.mount`). Each method gets the
    node's URI (relative to nothing: the whole URI) and either does the work, returns a
    status, or raises :class:`TreeError` with the status. ``begin``/``commit``/``rollback``
    bracket an Atomic, so that it is all or nothing across plug-ins too."""

    def get(self, uri: Uri) -> NodeData: ...
    def add(self, uri: Uri, value: Any, format: str | None, type: str | None) -> None: ...
    def replace(self, uri: Uri, value: Any, format: str | None, type: str | None) -> None: ...
    def delete(self, uri: Uri) -> None: ...
    def copy(self, target: Uri, source: Uri) -> None: ...
    def exec(self, uri: Uri, data: Any, correlator: str | None) -> int: ...
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class BaseHandler:
    """A :class:`Handler` that supports nothing (406) until a subclass says otherwise, and
    has nothing to roll back."""

    def get(self, uri: Uri) -> NodeData:
        raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"Get of {uri}")

    def add(self, uri: Uri, value: Any, format: str | None, type: str | None) -> None:
        raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"Add of {uri}")

    def replace(self, uri: Uri, value: Any, format: str | None, type: str | None) -> None:
        raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"Replace of {uri}")

    def delete(self, uri: Uri) -> None:
        raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"Delete of {uri}")

    def copy(self, target: Uri, source: Uri) -> None:
        raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"Copy to {target}")

    def exec(self, uri: Uri, data: Any, correlator: str | None) -> int:
        raise TreeError(StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"Exec of {uri}")

    def begin(self) -> None:
        return None

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        return None


#: What a user-interaction callback gets (the Alert) and returns: the status code, and the
#: Items of the answer (a text typed, the choices made).
UserInteraction = Callable[[Alert], tuple[int, list[Item]]]


class _Failed(Exception):
    """A command of an Atomic failed: the Atomic rolls back."""


class Processor:
    """Applies one server's commands (``server_id``, its ACL identity) to ``tree``.

    ``user_interaction`` answers the UI alerts (1100-1104); without it Display gets 200 and the
    others 406. After an Alert 1223 (session abort) ``aborted`` is true and the commands after
    it are left unanswered. Exec answered 202 is remembered in ``pending_execs`` (its URI and
    Correlator) until the plug-in reports the result.
    """

    def __init__(
        self,
        tree: ManagementTree,
        server_id: str,
        *,
        policy: Policy = Policy(),
        user_interaction: UserInteraction | None = None,
    ) -> None:
        self.tree = tree
        self.server_id = server_id
        self.policy = policy
        self.user_interaction = user_interaction
        self.aborted = False
        self.pending_execs: list[tuple[str, str | None]] = []
        self._mounts: dict[tuple[str, ...], Handler] = {}
        self._namespace: str = "SYNCML:SYNCML1.2"  # the message being answered
        self._msg_id: str | None = None
        self._codec: Any = _impl.codec  # the implementation in use: it reads and answers
        self._answered: list[Item] = []  # Items a UI alert's Status carries
        self._nesting = 0  # the Sequences the command being answered is in
        self._runs: dict[str, Callable[[Command, list[ItemRead]], tuple[int, Any]]] = {
            "Add": self._add,
            "Alert": self._alert,
            "Copy": self._copy,
            "Delete": self._delete,
            "Exec": self._exec,
            "Get": self._get,
            "Replace": self._replace,
        }
        # Imported here: the session package, which holds the Assembler, builds on this module.
        from ..session.largeobject import Assembler

        self._assembler = Assembler(
            max_obj_size=policy.max_obj_size, size_counts=policy.size_counts
        )

    def mount(self, uri: str, handler: Handler) -> None:
        """Let ``handler`` own the subtree at ``uri``: commands on it and below go to it once
        the tree's checks on the way (the URI, the ACL of the nearest node the tree holds)
        pass."""
        self._mounts[Uri.parse(uri).segments] = handler

    # -- answering -----------------------------------------------------------------------------

    def process(self, message: Message) -> list[Command]:
        """The answers to ``message``'s commands, in order (CmdIDs left for the message)."""
        answers: list[Command] = []
        self._namespace = message.element.namespace
        try:
            self._msg_id = message.msg_id
        except ModelError:  # a body sent alone (read with a ModelWarning): no MsgRef to give
            self._msg_id = None
        self._codec = _impl.codec
        for element in message.body.element:
            if element.tag not in COMMANDS:  # Final
                continue
            if self.aborted:
                break
            answers += self._answer(message, wrap_command(element))
        return answers

    def answer(
        self, message: Message, *, msg_id: Any, header_status: int | Status = StatusCode.OK
    ) -> Message:
        """The whole answer message, laid out by the model's ``respond``: the SyncHdr's
        Status, then :meth:`process`'s answers, then the Alert 1222 ``respond`` adds when
        ``message`` did not end its package (left out when Results answer it); Final as
        ``respond`` sets it."""
        answers = self.process(message)
        # respond() lays out the header's Status, the 1222 and Final; the commands' own answers
        # are the DPU's, so it is given the message's header alone.
        element = api.element_class()
        namespace = message.element.namespace
        header_only = Message.from_element(
            element("SyncML", namespace, None, None, [
                message.header.element, element("SyncBody", namespace)
            ])
        )  # fmt: skip
        header_only.final = message.final
        reply = respond(header_only, msg_id=msg_id, header_status=header_status)
        header_answer, *laid_out = reply.commands
        next_message = [c for c in laid_out if isinstance(c, Alert)]
        if any(isinstance(answer, Results) for answer in answers):
            next_message = []
        commands = [header_answer, *answers, *next_message]
        for command in commands:
            command.cmd_id = None
        reply.body.commands = commands
        reply.number_commands()
        return reply

    def _answer(self, message: Message, command: Command) -> list[Command]:
        if command.TAG in _UNANSWERED:
            return []  # Results get a Status only when refused: nothing refuses them here
        answers: list[Command] = []
        read = self._read(command)
        if read.more_data or (self._assembler.receiving and command.TAG != "Alert"):
            outcome = self._assembler.feed(command)
            if outcome.alert is not None:
                answers.append(outcome.alert)
            if command.TAG in ("Add", "Replace"):
                if outcome.command is None:
                    return answers + self._status(message, read, outcome.status or StatusCode.OK)
                if outcome.command is not command:
                    command, read = outcome.command, self._read(outcome.command)
        if isinstance(command, _Container):
            return answers + self._container(message, command, read)
        requests = read.requests
        # A command of several Items gets a Status (and Results) per Item, with its refs.
        if len(requests) > 1 and command.TAG in _PER_ITEM:
            groups = [[request] for request in requests]
        else:
            groups = [requests]
        for group in groups:
            code, results = self._run(command, group)
            if not read.no_resp:
                answers += self._status(message, read, code, group, self._answered)
                if self._answered:
                    self._answered = []
                if results is not None:
                    answers.append(self._results(message, read, results))
        return answers

    def _read(self, command: Command) -> CommandRead:
        """``command`` read once: CmdID, NoResp, its Items' parts (``wbxml.answers``)."""
        return self._codec.read_command(command.element)  # type: ignore[no-any-return]

    def _status(
        self,
        message: Message,
        read: CommandRead,
        code: int,
        requests: list[ItemRead] | None = None,
        answered: list[Item] = _NONE,
    ) -> list[Command]:
        """The Status answering a command (none under NoResp) with the refs of ``requests``
        (all of its Items by default) and the ``answered`` Items (a UI alert's response),
        built as elements directly: a message of thousands of commands is answered in
        thousands of Status."""
        if requests is None:
            if read.no_resp:
                return []
            requests = read.requests
        code_text = _CODES.get(code) or str(int(code))
        status = self._codec.status_element(
            self._namespace, self._msg_id, read.cmd_id, read.tag, requests, code_text, answered
        )
        return [Status.wrap(status)]

    def _results(self, message: Message, read: CommandRead, items: list[Item]) -> Results:
        return Results.wrap(
            self._codec.results_element(self._namespace, self._msg_id, read.cmd_id, items)
        )

    # -- running commands ----------------------------------------------------------------------

    def _run(self, command: Command, requests: list[ItemRead]) -> tuple[int, list[Item] | None]:
        """A command's status code for ``requests`` (its Items, read) and, for Get, its
        Results' Items."""
        try:
            run = self._runs.get(command.TAG)
            if run is None:
                return StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, None
            return run(command, requests)
        except TreeError as error:
            return int(error.status), None

    def _add(self, command: Command, requests: list[ItemRead]) -> tuple[int, None]:
        for request in requests:
            self._put(request, replace=False)
        return StatusCode.OK, None

    def _replace(self, command: Command, requests: list[ItemRead]) -> tuple[int, None]:
        for request in requests:
            self._put(request, replace=True)
        return StatusCode.OK, None

    def _target(self, request: ItemRead) -> str:
        uri = request.target
        if uri is None:
            raise TreeError(StatusCode.BAD_REQUEST, "an Item without a Target")
        return _unaliased(uri) if self.policy.windows_aliases else uri

    def _put(self, request: ItemRead, *, replace: bool) -> None:
        uri = self._target(request)
        format, type, value = request.format, request.type, request.data
        if type in _TNDS_TYPES:
            if value is None:
                raise TreeError(StatusCode.BAD_REQUEST, f"{uri}: TNDS without a document")
            try:
                self.tree.apply_tnds(uri, value, replace=replace, server_id=self.server_id)
            except DecodeError as error:
                raise TreeError(StatusCode.BAD_REQUEST, f"TNDS: {error}") from None
            return
        if value is not None and not isinstance(value, str | bytes):
            raise TreeError(
                StatusCode.UNSUPPORTED_MEDIA_TYPE, f"{uri}: a document where a value goes"
            )
        handler, parsed = (
            self._handler(uri, "Replace" if replace else "Add") if self._mounts else _NO_HANDLER
        )
        if handler is not None:
            (handler.replace if replace else handler.add)(parsed, value, format, type)
        elif replace:
            self.tree.replace(uri, value, format=format, type=type, server_id=self.server_id)
        else:
            if format == "node":
                value = None
            self.tree.add(
                uri,
                value,
                format=format,
                type=type,
                server_id=self.server_id,
                creator_acl=self.policy.creator_acl,
            )

    def _delete(self, command: Command, requests: list[ItemRead]) -> tuple[int, None]:
        for request in requests:
            uri = self._target(request)
            handler, parsed = self._handler(uri, "Delete")
            if handler is not None:
                handler.delete(parsed)
            else:
                self.tree.delete(uri, server_id=self.server_id)
        return StatusCode.OK, None

    def _copy(self, command: Command, requests: list[ItemRead]) -> tuple[int, None]:
        for request in requests:
            source = request.source
            if source is None:
                raise TreeError(StatusCode.BAD_REQUEST, "Copy without a Source")
            if self.policy.windows_aliases:
                source = _unaliased(source)
            target = self._target(request)
            handler, parsed = self._handler(target, "Add")
            source_handler, source_parsed = self._handler(source, "Get")
            if handler is None and source_handler is None:
                self.tree.copy(target, source, server_id=self.server_id)
            elif handler is source_handler and handler is not None:
                handler.copy(parsed, source_parsed)
            else:
                raise TreeError(StatusCode.FORBIDDEN, f"Copy between {source} and {target}")
        return StatusCode.OK, None

    def _exec(self, command: Command, requests: list[ItemRead]) -> tuple[int, None]:
        code: int = StatusCode.OK
        for request in requests:
            uri = self._target(request)
            handler, parsed = self._handler(uri, "Exec")
            if handler is None:
                self.tree.get(uri + "?prop=Format", server_id=None)  # 404 for a missing node
                raise TreeError(
                    StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, f"nothing executes {uri}"
                )
            correlator = getattr(command, "correlator", None)
            code = handler.exec(parsed, request.data, correlator)
            if code == StatusCode.ACCEPTED:
                self.pending_execs.append((str(parsed), correlator))
        return code, None

    def _get(self, command: Command, requests: list[ItemRead]) -> tuple[int, list[Item]]:
        results: list[Item] = []
        for request in requests:
            uri = self._target(request)
            if "?list=" in uri:
                results += self._listing(uri, self.tree._parse(uri))
                continue
            handler, handled = self._handler(uri, "Get")
            data = (
                handler.get(handled)
                if handler is not None
                else self.tree.get(uri, server_id=self.server_id)
            )
            results.append(self._result(request.target or uri, data))  # the URI as asked
        return StatusCode.OK, results

    def _listing(self, uri: str, parsed: Uri) -> list[Item]:
        if parsed.list_form == "TNDS":
            document = self.tree.to_tnds(uri, server_id=self.server_id)
            meta = Meta(format="xml", type=TNDS_TYPE_XML)
            return [Item(source=str(parsed.node), meta=meta, data=document)]
        listed = self.tree.struct(
            str(parsed.node), data=parsed.list_form == "StructData", server_id=self.server_id
        )
        return [self._result(node, data) for node, data in listed]

    def _result(self, uri: str, data: NodeData) -> Item:
        """A Results Item: Source, Meta Format and Type, Data (built as elements directly)."""
        value, format = data.value, data.format
        if isinstance(value, bytes) and self.policy.binary == "b64":
            value, format = base64.b64encode(value).decode("ascii"), "b64"
        elif format in BINARY_FORMATS and isinstance(value, bytes):
            format = "bin"
        return Item.wrap(self._codec.result_item(self._namespace, uri, format, data.type, value))

    def _alert(self, command: Command, requests: list[ItemRead]) -> tuple[int, list[Item] | None]:
        code = command.code  # type: ignore[attr-defined]
        if code == AlertCode.SESSION_ABORT:
            self.aborted = True
            return StatusCode.OK, None
        if code in _UI_ALERTS:
            if self.user_interaction is not None:
                status, answered = self.user_interaction(command)  # type: ignore[arg-type]
                self._answered = answered  # the Status carries them (text typed, choices)
                return status, None
            if code != AlertCode.DISPLAY:
                return StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED, None
        return StatusCode.OK, None

    # -- Atomic and Sequence -------------------------------------------------------------------

    def _container(self, message: Message, container: Command, read: CommandRead) -> list[Command]:
        if container.TAG == "Atomic":
            return self._atomic(message, container, read)
        if container.TAG != "Sequence":
            return self._status(message, read, StatusCode.OPTIONAL_FEATURE_NOT_SUPPORTED)
        if self._nesting >= MAX_CONTAINER_NESTING:
            return self._status(message, read, StatusCode.COMMAND_FAILED)
        answers = self._status(message, read, StatusCode.OK)
        failed = False
        self._nesting += 1
        try:
            for child in container.commands:  # type: ignore[attr-defined]
                if failed and not self.policy.continue_sequence:
                    answers += self._status(message, self._read(child), StatusCode.NOT_EXECUTED)
                    continue
                child_answers = self._answer(message, child)
                answers += child_answers
                failed = failed or _failure(child_answers)
        finally:
            self._nesting -= 1
        return answers

    def _atomic(self, message: Message, atomic: Command, read: CommandRead) -> list[Command]:
        """All or nothing, across the tree and the plug-ins."""
        children = list(atomic.commands)  # type: ignore[attr-defined]
        reads = [self._read(child) for child in children]
        codes: dict[int, int] = {}
        results: dict[int, list[Item] | None] = {}
        handlers = list(self._mounts.values())
        for handler in handlers:
            handler.begin()
        failed_at = None
        try:
            with self.tree.transaction():
                for index, child in enumerate(children):
                    if child.TAG in _NOT_IN_ATOMIC:
                        codes[index] = StatusCode.COMMAND_FAILED
                    else:
                        codes[index], results[index] = self._run(child, reads[index].requests)
                    if codes[index] >= 300:
                        failed_at = index
                        raise _Failed
        except _Failed:
            rolled_back = _rollback(handlers)
            for index in range(failed_at or 0):
                codes[index] = (
                    StatusCode.ATOMIC_ROLLBACK_OK
                    if rolled_back
                    else StatusCode.ATOMIC_ROLLBACK_FAILED
                )
            for index in range((failed_at or 0) + 1, len(children)):
                codes[index] = StatusCode.NOT_EXECUTED
            answers = self._status(message, read, StatusCode.ATOMIC_FAILED)
        else:
            for handler in handlers:
                handler.commit()
            answers = self._status(message, read, StatusCode.OK)
        for index, child_read in enumerate(reads):
            answers += self._status(message, child_read, codes[index])
        return answers

    # -- plug-ins ------------------------------------------------------------------------------

    def _handler(self, uri: str, command: str) -> tuple[Handler | None, Uri]:
        """The plug-in owning ``uri`` (its ACL checked on the nearest node the tree holds),
        or None for the tree's own nodes."""
        if not self._mounts:
            return _NO_HANDLER
        parsed = self.tree._parse(uri)
        segments = parsed.segments
        for depth in range(len(segments), -1, -1):
            handler = self._mounts.get(segments[:depth])
            if handler is not None:
                self.tree.check_access(parsed, command, self.server_id)
                return handler, parsed
        return None, parsed


def _unaliased(uri: str) -> str:
    """``./Device/X`` as ``./X`` (Windows' device scope); other URIs as they are."""
    for prefix in ("./Device/", "Device/"):
        if uri.startswith(prefix):
            return "./" + uri[len(prefix) :]
    return uri


def _failure(answers: Iterable[Command]) -> bool:
    return any(
        isinstance(answer, Status) and answer.code is not None and answer.code >= 300
        for answer in answers
    )


def _rollback(handlers: list[Handler]) -> bool:
    """Roll back every plug-in; whether all of them could."""
    rolled_back = True
    for handler in handlers:
        try:
            handler.rollback()
        except Exception:  # a plug-in that cannot undo: its commands get 516
            rolled_back = False
    return rolled_back
