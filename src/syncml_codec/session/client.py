"""The device side of a DM session, without I/O: :class:`ClientSession` takes the server's
messages as bytes (``receive``) and gives its own (``data_to_send``).

A session starts from a notification (package 0), or on the device's initiative (Alert 1201),
for instance to report a Generic Alert. Package 1 carries the Alert, the DevInfo read from the
tree and the account's credentials; a challenge (401/407) is answered by sending package 1
again with the new nonce, a bounded number of times. The server's packages go through the DPU
(:class:`~syncml_codec.dm.Processor`), the answers through the outbox within the server's
MaxMsgSize; the session ends when the server's package leaves nothing to answer, or on 1223.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..dm.errors import TreeError
from ..dm.processor import Policy, Processor, UserInteraction
from ..dm.tree import ManagementTree
from ..limits import Limits
from ..model.codes import AlertCode, StatusCode
from ..model.commands import Alert, Command, Exec, Replace, Status, command_elements, wrap_command
from ..model.items import Item, Source
from ..model.message import Message
from ..model.responses import respond, status_for_header
from ..security.auth import (
    AUTH_BASIC,
    AUTH_MAC,
    AUTH_MD5,
    AuthError,
    basic_credential,
    chal_for,
    hmac_header,
    md5_credential,
    new_nonce,
    verify_credential,
)
from ..security.notification import Initiator, Notification, UIMode, session_id_text
from .base import (
    CHALLENGES,
    Conversation,
    Format,
    SessionError,
    asks_next_message,
    brings_news,
    chal_nonce,
    header_text,
    hmac_proves,
)
from .events import (
    Authenticated,
    Challenged,
    CredentialsRefused,
    EndReason,
    Event,
    ExecRequested,
)
from .events import (
    UserInteraction as UserInteractionEvent,
)
from .outbox import OutboxError
from .serial import checked_count

__all__ = ["Account", "ClientSession", "AAUTH_TYPES"]

#: DMAcc AAuthType names and the SyncML authentication types they stand for.
AAUTH_TYPES = {"BASIC": AUTH_BASIC, "DIGEST": AUTH_MD5, "HMAC": AUTH_MAC}
#: The authentication types a session answers challenges with.
_ANSWERABLE = frozenset(AAUTH_TYPES.values())
_UI_ALERTS = frozenset(range(1100, 1105))


@dataclass
class Account:
    """A DM server account as the device keeps it (DMAcc). The session updates the nonces in
    place as the server gives new ones: save them (``save_nonces``) once the session is over.

    ``auth_type`` is how the device proves itself: basic or MD5 credentials in the SyncHdr, or
    an HMAC of each message (``syncml:auth-MAC``, in the ``x-syncml-hmac`` header);
    ``server_auth_type`` how the server must prove itself when ``require_server_auth`` (MD5
    credentials, or HMAC). ``client_nonce`` goes into the device's credentials or HMACs;
    ``server_nonce`` into the server's and into the digest of its notifications.
    """

    server_id: str
    server_uri: str
    username: str
    password: str = field(repr=False)
    auth_type: str = AUTH_MD5
    client_nonce: bytes = field(default=b"", repr=False)
    server_password: str | None = field(default=None, repr=False)
    server_nonce: bytes = field(default=b"", repr=False)
    require_server_auth: bool = False
    server_auth_type: str = AUTH_MD5

    @classmethod
    def from_tree(cls, tree: ManagementTree, server_id: str) -> Account:
        """The account of ``server_id`` in the tree's ``./DMAcc`` (DM 1.2 DMAcc: ServerID,
        AppAddr/<x>/Addr, AppAuth/<x> with AAuthLevel CLCRED for the device's credentials and
        SRVCRED for the server's). TreeError when there is none."""
        for name in tree.children("./DMAcc"):
            root = f"./DMAcc/{name}"
            if _value(tree, f"{root}/ServerID") != server_id:
                continue
            addresses = tree.children(f"{root}/AppAddr") if f"{root}/AppAddr" in tree else []
            account = cls(
                server_id=server_id,
                server_uri=_value(tree, f"{root}/AppAddr/{addresses[0]}/Addr") if addresses else "",
                username="",
                password="",
            )
            for level, auth in _app_auths(tree, root):
                secret = _value(tree, f"{auth}/AAuthSecret")
                nonce = _bytes(tree, f"{auth}/AAuthData")
                if level == "CLCRED":
                    account.username = _value(tree, f"{auth}/AAuthName")
                    account.password = secret
                    account.auth_type = AAUTH_TYPES.get(_value(tree, f"{auth}/AAuthType"), AUTH_MD5)
                    account.client_nonce = nonce
                elif level == "SRVCRED":
                    account.server_password = secret
                    account.server_nonce = nonce
                    account.require_server_auth = True
                    server_type = _value(tree, f"{auth}/AAuthType")
                    account.server_auth_type = AUTH_MAC if server_type == "HMAC" else AUTH_MD5
            return account
        raise TreeError(StatusCode.NOT_FOUND, f"no DMAcc account for {server_id!r}")

    def save_nonces(self, tree: ManagementTree) -> None:
        """Write the nonces back to the account's AAuthData nodes."""
        for name in tree.children("./DMAcc"):
            root = f"./DMAcc/{name}"
            if _value(tree, f"{root}/ServerID") != self.server_id:
                continue
            for level, auth in _app_auths(tree, root):
                nonce = {"CLCRED": self.client_nonce, "SRVCRED": self.server_nonce}.get(level)
                if nonce is not None:
                    if f"{auth}/AAuthData" in tree:  # bin, whatever a server made it
                        tree.replace(f"{auth}/AAuthData", nonce, format="bin")
                    else:
                        tree.add(f"{auth}/AAuthData", nonce, format="bin")


def _value(tree: ManagementTree, uri: str) -> str:
    """A leaf's value as text ("" for none, bytes read as UTF-8)."""
    value = tree.get(uri).value if uri in tree else None
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _bytes(tree: ManagementTree, uri: str) -> bytes:
    """A leaf's value as bytes (b"" for none, text as UTF-8)."""
    value = tree.get(uri).value if uri in tree else None
    if value is None:
        return b""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _app_auths(tree: ManagementTree, root: str) -> list[tuple[str, str]]:
    if f"{root}/AppAuth" not in tree:
        return []
    auths = [f"{root}/AppAuth/{name}" for name in tree.children(f"{root}/AppAuth")]
    return [(_value(tree, f"{auth}/AAuthLevel"), auth) for auth in auths]


class ClientSession(Conversation):
    """One DM session of a device with the server of ``account``, applying its commands to
    ``tree`` (which holds ``./DevInfo``: :func:`~syncml_codec.dm.device_tree` makes one).

    Start it (:meth:`start`, or :meth:`start_from_notification`), then loop: send
    :meth:`data_to_send` to the server (to :attr:`url`), hand the answer to :meth:`receive`,
    until :meth:`data_to_send` gives None; :attr:`ended` says why the session ended.

    ``processor`` is the DPU (with its plug-ins mounted), built from ``policy`` and
    ``user_interaction`` when not given. ``max_msg_size`` and ``max_obj_size`` are this
    device's (declared in every SyncHdr; larger messages are refused). ``nonces`` makes the
    nonces given to the server and the session ids chosen here; ``clock`` dates activity.
    """

    def __init__(
        self,
        tree: ManagementTree,
        account: Account,
        *,
        processor: Processor | None = None,
        policy: Policy | None = None,
        user_interaction: UserInteraction | None = None,
        format: Format = "wbxml",
        max_msg_size: int | None = 16384,
        max_obj_size: int | None = None,
        max_auth_attempts: int = 3,
        clock: Callable[[], float] = time.time,
        nonces: Callable[[], bytes] = new_nonce,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(
            format=format,
            max_msg_size=max_msg_size,
            max_obj_size=max_obj_size,
            clock=clock,
            nonces=nonces,
            limits=limits,
        )
        self.tree = tree
        self.account = account
        policy = policy or Policy()
        if policy.max_obj_size is None:  # the DPU refuses what this device declares too large
            policy = dataclasses.replace(policy, max_obj_size=max_obj_size)
        self.processor = processor or Processor(
            tree, account.server_id, policy=policy, user_interaction=user_interaction
        )
        self.max_auth_attempts = checked_count(max_auth_attempts, "max_auth_attempts")
        #: Where the next message goes: the account's address, or the server's RespURI.
        self.url = account.server_uri
        #: The notification that started the session, if one did.
        self.notification: Notification | None = None
        self.authenticated = False  # the server answered 212: no more credentials
        self.server_authenticated = False
        self._package1: list[Command] = []
        self._attempts = 0  # challenges answered
        self._server_attempts = 0  # challenges given to the server
        self._lead: list[Command] | None = None  # set while a message is due
        self._peer_closed = False  # whether the server's last package ended (Final)
        self._closed = False  # whether our last message ended our package (Final)
        self._refusal: Status | None = None  # in our last message: our refusal of the server's
        self._abort_answered = False  # whether the server's answer to our 1223 may come
        self._taken_once = False  # whether the server has taken a message of ours

    # -- starting ------------------------------------------------------------------------------

    def start(self, *, generic_alerts: Iterable[Alert] = ()) -> None:
        """Start a client-initiated session (Alert 1201), carrying ``generic_alerts`` (1226,
        e.g. FUMO's result left from an earlier session)."""
        session_id = f"{int.from_bytes(self.nonces()[:2], 'big') or 1:X}"
        self._begin(session_id, AlertCode.CLIENT_INITIATED_MGMT, generic_alerts)

    def start_from_notification(
        self,
        data: bytes,
        *,
        generic_alerts: Iterable[Alert] = (),
        consent: Callable[[Notification], bool] | None = None,
    ) -> Notification:
        """Start the session a notification (package 0) asks for, once its digest proves it
        comes from the account's server (the special resynchronisation nonce is accepted too);
        SessionError otherwise, DecodeError for bytes that are no notification. The session
        takes the notification's id; the Alert is 1200 when the server initiated it, 1201 when
        the user did. With UI mode "user interaction", ``consent(notification)`` asks the user:
        declined, the session ends (``DECLINED``) and sends nothing. The notification is
        returned (and kept in :attr:`notification`) for the application to show an
        informative one."""
        notification = Notification.decode(data)
        account = self.account
        if notification.server_id != account.server_id:
            raise SessionError(
                f"a notification from {notification.server_id!r}, not {account.server_id!r}"
            )
        if account.server_password is None or not notification.verify(
            account.server_password, account.server_nonce, allow_resync=True
        ):
            raise SessionError("the notification's digest does not prove the server")
        self.notification = notification
        if (
            notification.ui_mode == UIMode.USER_INTERACTION
            and consent is not None
            and not consent(notification)
        ):
            self.session_id = session_id_text(notification.session_id)
            self._end(EndReason.DECLINED)
            return notification
        alert = (
            AlertCode.SERVER_INITIATED_MGMT
            if notification.initiator == Initiator.SERVER
            else AlertCode.CLIENT_INITIATED_MGMT
        )
        self._begin(session_id_text(notification.session_id), alert, generic_alerts)
        return notification

    def _begin(self, session_id: str, alert: int, generic_alerts: Iterable[Alert]) -> None:
        if self.session_id is not None:
            raise SessionError("the session has already started")
        self.session_id = session_id
        dev_info = [
            Item(source=Source(f"./DevInfo/{name}"), data=self.tree.get(f"./DevInfo/{name}").value)
            for name in self.tree.children("./DevInfo")
        ]
        self._package1 = [Alert(code=alert), Replace(items=dev_info), *generic_alerts]
        self._send_package1(lead=[])

    def _send_package1(self, lead: list[Command]) -> None:
        self.outbox = self._new_outbox()
        self._waiting.clear()
        self.outbox.queue(*(wrap_command(copy.deepcopy(c.element)) for c in self._package1))
        self._lead = lead
        self._peer_closed = True

    # -- sending -------------------------------------------------------------------------------

    def data_to_send(self) -> bytes | None:
        """The next message for the server, or None when none is due (the session waits for
        the server's answer, or is over)."""
        if self._lead is None:
            return None
        header = self._header(self.account.server_uri, self._device_id(), meta=self._limits_meta())
        header.source.loc_name = self.account.username  # type: ignore[union-attr]
        if not self.authenticated:
            header.cred = self._credential()
        # The Statuses for the server's SyncHdrs open the message; the others wait their turn.
        opening: list[Command] = [c for c in self._lead if _answers_header(c)]
        self.outbox.queue(*(c for c in self._lead if not _answers_header(c)))
        message = self._next_message(header, opening, final=self._peer_closed)
        self._closed = message.final
        self._refusal = next(
            (c for c in opening if isinstance(c, Status) and c.code in CHALLENGES), None
        )
        self._lead = None
        self._abort_answered = self.ended is not None  # a LIMITS abort: the server answers it
        return self._signed(self._encode(message))

    def abort(self) -> bytes:
        """Alert 1223 with Final: the message ending the session now (send it; the server's
        answer may be given to :meth:`receive`, which takes it without a word)."""
        if self.session_id is None or self.ended is not None:
            raise SessionError("no session to abort")
        header = self._header(self.account.server_uri, self._device_id())
        message = self._abort(header, [], EndReason.ABORTED)
        self._lead = None
        self._abort_answered = True
        return self._signed(self._encode(message))

    def _device_id(self) -> str:
        return str(self.tree.get("./DevInfo/DevId").value)

    def _credential(self) -> Any:
        account = self.account
        if account.auth_type == AUTH_MAC:
            return None  # the HMAC goes in the transport header
        if account.auth_type == AUTH_BASIC:
            return basic_credential(account.username, account.password)
        return md5_credential(account.username, account.password, account.client_nonce)

    def _signed(self, data: bytes) -> bytes:
        """``data``, its HMAC noted for :attr:`headers` when the account uses HMAC (every
        message of the session carries one)."""
        account = self.account
        self._mac = None
        if account.auth_type == AUTH_MAC:
            self._mac = hmac_header(account.username, account.password, account.client_nonce, data)
        return data

    # -- receiving -----------------------------------------------------------------------------

    def receive(self, data: bytes, *, hmac: str | bytes | None = None) -> list[Event]:
        """Take the server's message (``hmac``: the ``x-syncml-hmac`` header it came with);
        the events it brings. SessionError (the session unchanged) for a message that is not
        due or not this session's; DecodeError for bytes that are no message."""
        mac = header_text(hmac)
        if self._abort_answered:  # the server's answer to our 1223: the session is over
            self._abort_answered = False
            Message.from_bytes(bytes(data))
            return []
        if self.ended is None and (self.session_id is None or self._lead is not None):
            raise SessionError("no message from the server is expected now")
        message, format = self._decode(data)
        header_status = self._header_status(message)
        code = header_status.code if header_status is not None else None
        if code is not None and code not in CHALLENGES and not 200 <= code < 300:
            self._took(message, format)
            return [self._end(EndReason.REFUSED, f"the server answered {code}")]
        self._took(message, format)
        if message.header.resp_uri:
            self.url = message.header.resp_uri
        if code in CHALLENGES:
            assert header_status is not None
            return self._challenged(message, header_status)
        events: list[Event] = []
        self._taken_once = True
        if header_status is not None:
            events += self._accepted(header_status)
        header_answer = self._check_server(message, bytes(data), mac)
        if isinstance(header_answer, list):
            return events + header_answer
        answered, _ = self._answered(message)
        events += answered
        answers = self.processor.process(message)
        events += _device_events(message, answers)
        if self.processor.aborted:
            events.append(self._end(EndReason.ABORTED_BY_PEER))
            return events
        asks_next = asks_next_message(message)
        if message.final:
            self._peer_closed = True
        elif not asks_next:
            self._peer_closed = False
            answers.append(Alert(code=AlertCode.NEXT_MESSAGE))
        if message.final and not answers and not self.outbox.pending:
            events.append(self._end(EndReason.COMPLETED))
            return events
        self._queue_answers(answers)
        self._lead = [header_answer]
        given = chal_nonce(header_answer)  # for the server's next HMAC, now that it goes
        if given is not None:
            self.account.server_nonce = given
        return events

    def _queue_answers(self, answers: list[Command]) -> None:
        """Queue the answers; Results above the server's MaxObjSize are not sent, their Get
        answered 413 instead."""
        try:
            self.outbox.queue(*answers)  # all of them, or none when one is refused
            return
        except OutboxError:
            pass
        previous: Command | None = None
        for answer in answers:
            try:
                self.outbox.queue(answer)
            except OutboxError:
                if isinstance(previous, Status):  # queued, not measured yet: still open
                    previous.data = str(int(StatusCode.REQUEST_ENTITY_TOO_LARGE))
            previous = answer

    def _accepted(self, header_status: Status) -> list[Event]:
        """The server's Status for our SyncHdr (a success): 212 ends our credentials; a Chal
        gives the nonce for the next ones."""
        events: list[Event] = []
        try:
            nonce = chal_nonce(header_status)
        except AuthError:
            nonce = None  # a NextNonce that is no Base64: the last one stays
        if nonce is not None:
            self.account.client_nonce = nonce
        accepted = header_status.code == StatusCode.AUTHENTICATION_ACCEPTED or (
            self.account.auth_type == AUTH_MAC and header_status.code == StatusCode.OK
        )  # an HMAC is answered 200, and goes with every message
        if accepted and not self.authenticated:
            self.authenticated = True
            events.append(Authenticated(self.account.username, self.account.client_nonce))
        return events

    def _challenged(self, message: Message, header_status: Status) -> list[Event]:
        """Credentials missing or refused (the server applied nothing of our message): that
        message again (package 1, or once the server has taken a message of ours, the
        commands of the refused one) with the nonce of the Chal, or the end of the session."""
        code = header_status.code or StatusCode.INVALID_CREDENTIALS
        chal = header_status.chal
        auth_type = chal.meta.type if chal is not None and chal.meta is not None else None
        try:
            nonce = chal_nonce(header_status)
        except AuthError:
            auth_type = None  # a nonce that cannot be read: a challenge that cannot be answered
            nonce = None
        if chal is None or auth_type not in _ANSWERABLE or self._attempts >= self.max_auth_attempts:
            return [
                Challenged(code, auth_type, retrying=False),
                self._end(EndReason.AUTHENTICATION_FAILED, f"the server answered {code}"),
            ]
        self._attempts += 1
        self.account.auth_type = auth_type
        if nonce is not None:
            self.account.client_nonce = nonce
        if self._taken_once and self._take_back(self._last_sent_id()):
            self._send_again(message)
        else:
            self._send_package1(lead=[status_for_header(message, StatusCode.OK)])
        return [Challenged(code, auth_type, retrying=True)]

    def _send_again(self, message: Message) -> None:
        """The refused message's commands are back in the outbox: they go next, after the
        Status for the server's challenge, and, when the refused message refused a message
        of the server's, that refusal again (with a new nonce for the server's HMAC, when the
        account checks it: the refused message's never reached the server)."""
        account = self.account
        chal = None
        if account.require_server_auth and account.server_auth_type == AUTH_MAC:
            account.server_nonce = self.nonces()
            chal = chal_for(AUTH_MAC, account.server_nonce)
        refusal = self._refusal
        if refusal is None:
            self._lead = [status_for_header(message, StatusCode.OK, chal=chal)]
            return
        again = Status.wrap(copy.deepcopy(refusal.element))
        if chal is not None:
            again.chal = chal
        self._lead = [status_for_header(message, StatusCode.OK), again]

    def _check_server(self, message: Message, data: bytes, mac: str | None) -> list[Event] | Status:
        """The Status for the server's SyncHdr, once its credentials are checked when the
        account requires them (MD5 until accepted once, 212; an HMAC on every message, 200 and
        the nonce for the next one); or, when they are missing or wrong, the events of the
        refusal, which answers every command with 407 or 401 and a Chal, and applies none."""
        account = self.account
        checking = account.require_server_auth and (
            account.server_auth_type == AUTH_MAC or not self.server_authenticated
        )
        if not checking:
            return status_for_header(message, StatusCode.OK)
        proof = mac if account.server_auth_type == AUTH_MAC else message.header.cred
        if account.server_password is not None and self._server_proved(message, data, mac):
            self.server_authenticated = True
            if account.server_auth_type != AUTH_MAC:
                return status_for_header(message, StatusCode.AUTHENTICATION_ACCEPTED)
            chal = chal_for(AUTH_MAC, self.nonces())  # the nonce is ours once the Status goes
            return status_for_header(message, StatusCode.OK, chal=chal)
        code = int(
            StatusCode.MISSING_CREDENTIALS if proof is None else StatusCode.INVALID_CREDENTIALS
        )
        self._server_attempts += 1
        # A Final message of Statuses after our whole package ended the session on the server:
        # a refusal would reach no one.
        last = message.final and self._closed and not brings_news(message)
        if last or self._server_attempts > self.max_auth_attempts:
            failed = "last message" if last else "credentials"
            return [
                CredentialsRefused(code, account.server_auth_type, retrying=False),
                self._end(EndReason.AUTHENTICATION_FAILED, f"the server's {failed} failed"),
            ]
        account.server_nonce = self.nonces()
        chal = chal_for(account.server_auth_type, account.server_nonce)
        refusal = respond(
            message,
            msg_id=0,
            header_status=status_for_header(message, code, chal=chal),
            status=lambda command: code,
        )
        self._lead = [c for c in refusal.commands if isinstance(c, Status)]
        for command in self._lead:
            command.cmd_id = None
        # The server's package goes on from the refused message, sent again: Final when that
        # message was, otherwise 1222 asks for it (unless it asked for our next message: then
        # ours goes on as it was).
        if message.final:
            self._peer_closed = True
        elif not asks_next_message(message):
            self._peer_closed = False
            self._lead.append(Alert(code=AlertCode.NEXT_MESSAGE))
        return [CredentialsRefused(code, account.server_auth_type, retrying=True)]

    def _server_proved(self, message: Message, data: bytes, mac: str | None) -> bool:
        """Whether the server's message carries its credentials (or, with HMAC, its mac)."""
        account = self.account
        assert account.server_password is not None
        if account.server_auth_type != AUTH_MAC:
            return verify_credential(
                message.header.cred, account.server_id, account.server_password,
                account.server_nonce,
            )  # fmt: skip
        return hmac_proves(
            mac, account.server_id, account.server_password, account.server_nonce, data
        )


def _answers_header(command: Command) -> bool:
    """Whether a command is our Status for a SyncHdr of the server's."""
    return isinstance(command, Status) and command.cmd_ref == "0"


def _device_events(message: Message, answers: list[Command]) -> list[Event]:
    """What the device application hears of: the UI alerts answered, the Execs run."""
    heard = [
        wrap_command(element)
        for element in command_elements(message.body.element.children)
        if element.tag in ("Exec", "Alert")
    ]
    heard = [c for c in heard if isinstance(c, Exec) or c.code in _UI_ALERTS]  # type: ignore[attr-defined]
    if not heard:
        return []
    statuses = {
        status.cmd_ref: status
        for status in answers
        if isinstance(status, Status) and status.msg_ref == message.msg_id
    }
    events: list[Event] = []
    for command in heard:
        status = statuses.get(command.cmd_id)
        if status is None or status.code is None:
            continue
        if isinstance(command, Exec):
            for item in command.items or [Item()]:
                events.append(
                    ExecRequested(item.target_uri, command.correlator, status.code, item.data)
                )
        else:
            events.append(
                UserInteractionEvent(
                    command.code,  # type: ignore[attr-defined]
                    tuple(item.data for item in command.items if item.data is not None),
                    status.code,
                    tuple(item.data for item in status.items if item.data is not None),
                )
            )
    return events
