"""A device and a server for session tests, and the loop that makes them talk through bytes."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from syncml_codec import decode
from syncml_codec.dm import FumoHandler, ManagementTree, device_tree
from syncml_codec.model import Message
from syncml_codec.session import (
    Account,
    ClientSession,
    DeviceCredentials,
    Event,
    ServerSession,
)

SERVER_ID = "srv"
SERVER_URI = "https://dm.example.com/dm"


def counting_nonces(prefix: str) -> Callable[[], bytes]:
    """Deterministic nonces: ``<prefix>-1``, ``<prefix>-2``, ..."""
    counter = itertools.count(1)
    return lambda: f"{prefix}-{next(counter)}".encode()


def device(**options: Any) -> ManagementTree:
    """A device whose root lets the server do anything, with a FUMO node."""
    tree = device_tree(
        dev_id="IMEI:1", man="Acme", mod="X1", fw_version="1.0.7", clock=lambda: 1e9, **options
    )
    tree.replace(
        ".?prop=ACL", f"Add=*&Get=*&Replace={SERVER_ID}&Delete={SERVER_ID}&Exec={SERVER_ID}"
    )
    tree.add("./FwUpdate/x1", format="node", type="urn:oma:mo:oma-fumo:1.0")
    return tree


@dataclass
class Setup:
    """Both sides' settings and secrets."""

    format: str = "wbxml"
    password: str = "pw"
    client_nonce: bytes = b"stale"  # what the device holds for its credentials
    server_nonce: bytes = b"server-old"  # what the server's look-up holds for the device
    server_password: str | None = None
    client_max_msg_size: int | None = 16384
    server_max_msg_size: int | None = 16384
    installed: list[bytes] = field(default_factory=list)
    #: The server's nonces, one sequence across the restores of its session.
    server_nonces: Callable[[], bytes] = field(default_factory=lambda: counting_nonces("s"))

    def account(self) -> Account:
        return Account(
            server_id=SERVER_ID,
            server_uri=SERVER_URI,
            username="dev1",
            password=self.password,
            client_nonce=self.client_nonce,
            server_password=self.server_password or "notify-secret",
            server_nonce=b"srv-nonce",
            require_server_auth=self.server_password is not None,
        )

    def lookup(self, username: str) -> DeviceCredentials | None:
        if username != "dev1":
            return None
        return DeviceCredentials(
            "dev1",
            "pw",
            nonce=self.server_nonce,
            server_password=self.server_password,
            server_nonce=b"srv-nonce",
        )

    def client(self, tree: ManagementTree | None = None, **options: Any) -> ClientSession:
        tree = tree or device()
        session = ClientSession(
            tree,
            self.account(),
            format=self.format,  # type: ignore[arg-type]
            max_msg_size=self.client_max_msg_size,
            nonces=counting_nonces("c"),
            clock=lambda: 1e9,
            **options,
        )
        fumo = FumoHandler(
            "./FwUpdate/x1",
            download=lambda url: 404,
            install=lambda package: self.installed.append(package) or 200,
        )
        session.processor.mount("./FwUpdate/x1", fumo)
        session.fumo = fumo  # type: ignore[attr-defined]
        return session

    def server(self, **options: Any) -> ServerSession:
        return ServerSession(
            SERVER_URI,
            credentials=self.lookup,
            server_id=SERVER_ID,
            max_msg_size=self.server_max_msg_size,
            nonces=self.server_nonces,
            clock=lambda: 1e9,
            **options,
        )

    def restore(self, state: dict[str, Any]) -> ServerSession:
        return ServerSession.from_state(
            state, credentials=self.lookup, nonces=self.server_nonces, clock=lambda: 1e9
        )


@dataclass
class Exchange:
    """One message on the wire."""

    sender: str
    data: bytes
    events: list[Event]

    @property
    def message(self) -> Message:
        return Message.from_element(decode(self.data))


def talk(
    client: ClientSession,
    server: ServerSession,
    on_server_event: Callable[[ServerSession, Event], None] = lambda session, event: None,
    *,
    restore: Callable[[dict[str, Any]], ServerSession] | None = None,
    limit: int = 400,
) -> list[Exchange]:
    """Run the session to its end through bytes; ``restore`` rebuilds the server from its JSON
    state before every message it handles."""
    exchanges: list[Exchange] = []
    for _ in range(limit):
        data = client.data_to_send()
        if data is None:
            return exchanges
        if restore is not None:
            server = restore(json.loads(json.dumps(server.to_state())))
        events = server.receive(data)
        exchanges.append(Exchange("client", data, events))
        for event in events:
            on_server_event(server, event)
        reply = server.data_to_send()
        if reply is None:
            return exchanges
        exchanges.append(Exchange("server", reply, client.receive(reply)))
    raise AssertionError("the session did not end")


def events_of(exchanges: list[Exchange], sender: str, kind: type) -> list[Any]:
    """The events of type ``kind`` the messages of ``sender`` brought."""
    return [e for x in exchanges if x.sender == sender for e in x.events if isinstance(e, kind)]
