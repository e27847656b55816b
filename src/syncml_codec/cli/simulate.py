"""``simulate``: a firmware update played between a ServerSession and a ClientSession in one
process, every message printed in XML with what it is (direction, package, MsgID, size, each
command in a line, the events it brought): how to learn the protocol, or to see what a server
should send.

The scenario: the server notifies the device (package 0); the device opens the session with a
credential over a nonce the server no longer holds, is challenged, and answers the challenge;
the server reads the firmware version, sends the package to ``./FwUpdate/x1/Update/PkgData``
in chunks, and Execs the update (202); the device installs it and reports the result in a
session of its own (Generic Alert 1226). With ``--hmac`` both sides prove every message with
an HMAC (``x-syncml-hmac``, printed with the message) instead of MD5 credentials.
"""

from __future__ import annotations

import base64
import itertools
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from .. import api
from ..dm.device import device_tree
from ..dm.fumo import FumoHandler
from ..model.codes import AlertCode
from ..model.commands import Alert, Command, Exec, Get, Replace, Results, Status
from ..model.items import Item
from ..model.message import Message
from ..model.meta import Meta
from ..security.auth import AUTH_MAC, AUTH_MD5, HMAC_HEADER
from ..security.notification import Initiator, Notification, UIMode
from ..session.client import Account, ClientSession
from ..session.events import Event, SessionStarted
from ..session.server import DeviceCredentials, ServerSession
from .errors import UsageError

SERVER_ID = "com.example.dm"
SERVER_URI = "https://dm.example.com/dm"
_SESSION_ALERTS = (AlertCode.SERVER_INITIATED_MGMT, AlertCode.CLIENT_INITIATED_MGMT)


def add_parser(commands: Any) -> None:
    """Register ``simulate`` with the command line's subcommands."""
    parser = commands.add_parser(
        "simulate",
        help="play a DM firmware update session and print every message",
        description="Play a firmware update between a DM server and a device in one process "
        "(notification, MD5 challenge, Get, the package in chunks, Exec answered 202, the "
        "1226 report in a second session) and print each message in XML, annotated.",
    )
    parser.add_argument(
        "--format",
        choices=("wbxml", "xml"),
        default="wbxml",
        help="the encoding the session runs in (printed as XML either way; default wbxml)",
    )
    parser.add_argument(
        "--max-msg-size",
        type=int,
        default=2048,
        metavar="BYTES",
        help="the device's MaxMsgSize (default 2048)",
    )
    parser.add_argument(
        "--firmware-size",
        type=int,
        default=6000,
        metavar="BYTES",
        help="the size of the firmware package (default 6000)",
    )
    parser.add_argument(
        "--wrong-password", action="store_true", help="let the device hold a wrong password"
    )
    parser.add_argument(
        "--hmac", action="store_true", help="HMACs of every message in place of MD5 credentials"
    )
    parser.add_argument("--brief", action="store_true", help="the annotations only, no XML")
    parser.set_defaults(run=run)


def run(args: Any) -> None:
    if args.max_msg_size < 512:
        raise UsageError("--max-msg-size: at least 512 bytes")
    if args.firmware_size < 1:
        raise UsageError("--firmware-size: at least 1 byte")
    simulation = Simulation(args.format, args.max_msg_size, args.firmware_size, args.wrong_password)
    simulation.auth_type = AUTH_MAC if args.hmac else AUTH_MD5
    simulation.play(sys.stdout, brief=args.brief)


def _nonces(prefix: str) -> Callable[[], bytes]:
    """Readable, repeatable nonces (a simulation, not a deployment)."""
    counter = itertools.count(1)
    return lambda: f"{prefix}-nonce-{next(counter)}".encode()


class Simulation:
    """The device, the server and their bookkeeping for one run."""

    def __init__(self, format: str, max_msg_size: int, firmware_size: int, wrong: bool) -> None:
        self.format = format
        self.max_msg_size = max_msg_size
        self.firmware = bytes(index % 251 for index in range(firmware_size))
        self.password = "wrong" if wrong else "device-secret"
        self.auth_type = AUTH_MD5  # both sides', the device's and the server's
        self.notification_nonce = b"notification-nonce"  # the server's nonce, the device's too
        self.installed: list[bytes] = []
        self.server_nonce = b"server-kept-nonce"  # the server's record for the device
        self.device_nonce = b"stale-nonce"  # what the device kept: the first try fails
        self.tree = device_tree(dev_id="IMEI:350000000000001", man="Acme", mod="Rocket",
                                fw_version="1.0.7")  # fmt: skip
        self.tree.replace(".?prop=ACL", f"Add=*&Get=*&Replace={SERVER_ID}&Exec={SERVER_ID}")
        self.tree.add("./FwUpdate/x1", format="node", type="urn:oma:mo:oma-fumo:1.0")
        self.fumo = FumoHandler(
            "./FwUpdate/x1",
            download=lambda url: 404,
            install=self._install,
        )
        self.server_nonces = _nonces("server")
        self.packages: dict[str, tuple[int, bool]] = {}  # sender: (package, ended)
        self.last_package = 0

    def _install(self, package: bytes) -> int:
        self.installed.append(package)
        return 200

    def lookup(self, username: str) -> DeviceCredentials | None:
        if username != "device-1":
            return None
        if self.auth_type != AUTH_MAC:
            return DeviceCredentials("device-1", "device-secret", nonce=self.server_nonce)
        return DeviceCredentials(
            "device-1",
            "device-secret",
            nonce=self.server_nonce,
            server_password="server-secret",
            server_nonce=self.notification_nonce,
            server_auth_type=AUTH_MAC,
        )

    def client(self) -> ClientSession:
        account = Account(
            server_id=SERVER_ID,
            server_uri=SERVER_URI,
            username="device-1",
            password=self.password,
            auth_type=self.auth_type,
            client_nonce=self.device_nonce,
            server_password="server-secret",
            server_nonce=self.notification_nonce,
            require_server_auth=self.auth_type == AUTH_MAC,  # the server's HMACs too
            server_auth_type=self.auth_type,
        )
        session = ClientSession(
            self.tree,
            account,
            format=self.format,  # type: ignore[arg-type]
            max_msg_size=self.max_msg_size,
            nonces=_nonces("device"),
        )
        session.processor.mount("./FwUpdate/x1", self.fumo)
        return session

    def server(self) -> ServerSession:
        return ServerSession(
            SERVER_URI,
            credentials=self.lookup,
            server_id=SERVER_ID,
            auth_type=self.auth_type,
            max_msg_size=65536,
            nonces=self.server_nonces,
        )

    def update_commands(self) -> list[Command]:
        binary = self.format == "wbxml"
        package = self.firmware if binary else base64.b64encode(self.firmware).decode("ascii")
        return [
            Get(items=[Item(target="./DevDetail/FwV")]),
            Replace(items=[Item(target="./FwUpdate/x1/PkgName", data="rocket-2.0.0")]),
            Replace(items=[Item(
                target="./FwUpdate/x1/Update/PkgData", data=package,
                meta=Meta(format="bin" if binary else "b64", type="application/octet-stream"),
            )]),
            Exec(correlator="update-42", items=[Item(target="./FwUpdate/x1/Update")]),
        ]  # fmt: skip

    # -- the run -------------------------------------------------------------------------------

    def play(self, out: TextIO, *, brief: bool) -> None:
        notification = Notification(
            server_id=SERVER_ID, session_id=0x1234, ui_mode=UIMode.BACKGROUND,
            initiator=Initiator.SERVER,
        )  # fmt: skip
        data = notification.encode("server-secret", self.notification_nonce)
        out.write(
            f"== package 0: notification, server -> device, {len(data)} bytes: session "
            f"{notification.session_id_text}, UI mode {UIMode(notification.ui_mode).name}, "
            f"initiator {Initiator(notification.initiator).name}\n\n"
        )
        client = self.client()
        client.start_from_notification(data)
        server = self._talk(client, self.server(), out, brief, self.update_commands())
        ended = client.ended
        out.write(f"== session over: {ended.reason.value if ended else 'still open'}\n\n")
        if server.authenticated:
            alerts = self.fumo.run_pending()
            out.write(
                f"== the device installs {len(self.installed[0]) if self.installed else 0} "
                f"bytes of firmware and reports in a new session\n\n"
            )
            self.device_nonce = client.account.client_nonce
            self.notification_nonce = client.account.server_nonce
            reporting = self.client()
            reporting.start(generic_alerts=alerts)
            self._talk(reporting, self.server(), out, brief, [])
            ended = reporting.ended
            out.write(f"== session over: {ended.reason.value if ended else 'still open'}\n")

    def _talk(
        self,
        client: ClientSession,
        server: ServerSession,
        out: TextIO,
        brief: bool,
        commands: list[Command],
    ) -> ServerSession:
        self.packages.clear()
        while (data := client.data_to_send()) is not None:
            sent = client.headers
            events = server.receive(data, hmac=sent.get(HMAC_HEADER))
            for event in events:
                if isinstance(event, SessionStarted):
                    server.queue(*commands)
            self.server_nonce = server.client_nonce or self.server_nonce
            self._show("device -> server", data, sent, events, "server", out, brief)
            reply = server.data_to_send()
            if reply is None:
                break
            sent = server.headers
            events = client.receive(reply, hmac=sent.get(HMAC_HEADER))
            self._show("server -> device", reply, sent, events, "device", out, brief)
        return server

    def _show(
        self, direction: str, data: bytes, headers: dict[str, str], events: list[Event],
        hearer: str, out: TextIO, brief: bool,
    ) -> None:  # fmt: skip
        message = Message.from_bytes(data)
        sender = direction.split()[0]
        package = self._package(sender, message)
        out.write(
            f"-- {direction} · package {package} · MsgID {message.msg_id} · "
            f"{len(data)} bytes {self.format.upper()}{' · Final' if message.final else ''}\n"
        )
        if HMAC_HEADER in headers:
            out.write(f"   {HMAC_HEADER}: {headers[HMAC_HEADER]}\n")
        for line in _describe(message):
            out.write(f"   {line}\n")
        for event in events:
            out.write(f"   => {hearer}: {event}\n")
        if not brief:
            out.write(api.encode(message.element, format="xml", pretty=True).decode("utf-8"))
            out.write("\n")
        out.write("\n")

    def _package(self, sender: str, message: Message) -> int:
        """Client packages are odd, server packages even; a sender's package stays open until
        its Final; a session Alert (1200/1201) is package 1, sent again after a challenge."""
        if any(isinstance(c, Alert) and c.code in _SESSION_ALERTS for c in message.commands):
            package = 1
        else:
            current, ended = self.packages.get(sender, (0, True))
            if not ended:
                package = current
            else:
                parity = 1 if sender == "device" else 0
                package = self.last_package + 1
                if package % 2 != parity:
                    package += 1
        self.packages[sender] = (package, message.final)
        self.last_package = package
        return package


def _describe(message: Message) -> Iterator[str]:
    """One line per command: what it is and what it addresses."""
    for command in message.all_commands():
        if isinstance(command, Status):
            refs = ", ".join(command.target_refs or command.source_refs)
            yield f"Status {command.code} for {command.cmd} {command.cmd_ref}" + (
                f" ({refs})" if refs and command.cmd != "SyncHdr" else ""
            )
            continue
        items = list(getattr(command, "items", []))
        uris = [item.target_uri or item.source_uri or "" for item in items]
        text = command.TAG
        if isinstance(command, Alert):
            text += f" {command.code}"
        if isinstance(command, Results):
            text += f" for {command.cmd_ref}"
        if uris and any(uris):
            shown = ", ".join(uris[:3]) + (f" and {len(uris) - 3} more" if len(uris) > 3 else "")
            text += f" {shown}"
        chunk = items[-1] if items else None
        if chunk is not None and isinstance(chunk.data, str | bytes) and len(chunk.data) > 64:
            text += f" ({len(chunk.data)} bytes of data{', MoreData' if chunk.more_data else ''})"
        yield text
