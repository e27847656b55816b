"""A device and a server for session tests, and the loop that makes them talk through bytes."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from syncml_codec import SyncMLError, decode
from syncml_codec.dm import FumoHandler, ManagementTree, device_tree
from syncml_codec.model import Message
from syncml_codec.security.auth import AUTH_MAC, AUTH_MD5, HMAC_HEADER
from syncml_codec.session import (
    Account,
    ClientSession,
    DeviceCredentials,
    Event,
    ServerSession,
    SessionStarted,
)

SERVER_ID = "srv"
SERVER_URI = "https://dm.example.com/dm"
#: Setup options for a session whose two sides prove every message with an HMAC.
HMAC_BOTH_WAYS: dict[str, Any] = {
    "auth_type": AUTH_MAC,
    "server_auth_type": AUTH_MAC,
    "server_password": "server-secret",
}


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
    #: How the device proves itself (the server demands the same), and how the server does.
    auth_type: str = AUTH_MD5
    server_auth_type: str = AUTH_MD5
    client_max_msg_size: int | None = 16384
    server_max_msg_size: int | None = 16384
    installed: list[bytes] = field(default_factory=list)
    #: The device's tree when a test gives none.
    tree_factory: Callable[[], ManagementTree] = lambda: device()
    #: The server's nonces, one sequence across the restores of its session.
    server_nonces: Callable[[], bytes] = field(default_factory=lambda: counting_nonces("s"))

    def account(self) -> Account:
        return Account(
            server_id=SERVER_ID,
            server_uri=SERVER_URI,
            username="dev1",
            password=self.password,
            auth_type=self.auth_type,
            client_nonce=self.client_nonce,
            server_password=self.server_password or "notify-secret",
            server_nonce=b"srv-nonce",
            require_server_auth=self.server_password is not None,
            server_auth_type=self.server_auth_type,
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
            server_auth_type=self.server_auth_type,
        )

    def client(self, tree: ManagementTree | None = None, **options: Any) -> ClientSession:
        tree = tree or self.tree_factory()
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
            **{"auth_type": self.auth_type, **options},
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
    mac: str | None = None  # its x-syncml-hmac header

    @property
    def message(self) -> Message:
        return Message.from_element(decode(self.data))


def talk(
    client: ClientSession,
    server: ServerSession,
    on_server_event: Callable[[ServerSession, Event], None] = lambda session, event: None,
    *,
    restore: Callable[[dict[str, Any]], ServerSession] | None = None,
    broken: Collection[tuple[str, int]] = (),
    lost: Collection[int] = (),
    limit: int = 400,
) -> list[Exchange]:
    """Run the session to its end through bytes; ``restore`` rebuilds the server from its JSON
    state before every message it handles. ``broken`` names messages (sender, then how many
    that sender sent before) whose x-syncml-hmac header arrives wrong; ``lost``, the server's
    answers (how many it gave before) lost on the way: the device sends its request again,
    and the server must give the same answer, byte for byte, with the same header."""
    exchanges: list[Exchange] = []
    sent = {"client": 0, "server": 0}

    def header(sender: str, session: ClientSession | ServerSession) -> str | None:
        mac = session.headers.get(HMAC_HEADER)
        sent[sender] += 1
        return "x" if (sender, sent[sender] - 1) in broken else mac

    for _ in range(limit):
        data = client.data_to_send()
        if data is None:
            return exchanges
        if restore is not None:
            server = restore(json.loads(json.dumps(server.to_state())))
        mac = header("client", client)
        events = server.receive(data, hmac=mac)
        exchanges.append(Exchange("client", data, events, mac))
        for event in events:
            on_server_event(server, event)
        reply = server.data_to_send()
        if reply is None:
            return exchanges
        if sent["server"] in lost:
            headers = server.headers
            if restore is not None:
                server = restore(json.loads(json.dumps(server.to_state())))
            assert server.receive(data, hmac=mac) == []
            assert server.data_to_send() == reply and server.headers == headers
        mac = header("server", server)
        exchanges.append(Exchange("server", reply, client.receive(reply, hmac=mac), mac))
    raise AssertionError("the session did not end")


def queue_on_start(*commands: Any) -> Callable[[ServerSession, Event], None]:
    """A server event handler queueing ``commands`` once the session starts."""

    def on_event(server: ServerSession, event: Event) -> None:
        if isinstance(event, SessionStarted):
            server.queue(*commands)

    return on_event


def events_of(exchanges: list[Exchange], sender: str, kind: type) -> list[Any]:
    """The events of type ``kind`` the messages of ``sender`` brought."""
    return [e for x in exchanges if x.sender == sender for e in x.events if isinstance(e, kind)]


@dataclass
class Recording:
    """A whole session through bytes, to start either side again at any of its steps: the
    server's JSON state before each device message, and the messages both ways."""

    setup: Setup
    server_states: list[dict[str, Any]]
    from_client: list[bytes]
    from_server: list[bytes]
    #: Each message's x-syncml-hmac header (None without HMAC).
    client_macs: list[str | None] = field(default_factory=list)
    server_macs: list[str | None] = field(default_factory=list)

    def server_at(self, step: int) -> ServerSession:
        """The server about to read device message ``step``."""
        return self.setup.restore(json.loads(json.dumps(self.server_states[step])))

    def client_at(self, step: int) -> ClientSession:
        """The device about to read server message ``step`` (its messages until then sent)."""
        client = self.setup.client()
        client.start()
        for data, mac in zip(self.from_server[:step], self.server_macs, strict=False):
            client.data_to_send()
            client.receive(data, hmac=mac)
        client.data_to_send()
        return client


def record_session(**setup_options: Any) -> Recording:
    """A session with every state worth reaching: a challenge (MD5, or with
    ``auth_type=AUTH_MAC`` HMAC), a package of several messages (1222), a large object each
    way, a Get answered."""
    from syncml_codec.model import Get, Item, Replace

    setup = Setup(
        client_max_msg_size=1400,
        server_max_msg_size=1400,
        tree_factory=_tree_with_log,
        **setup_options,
    )
    client = setup.client()
    server = setup.server()
    client.start()
    commands = [
        Get(items=[Item(target="./DevDetail/FwV")]),
        *[Replace(items=[Item(target=f"./Vendor/N{n}", data="v" * 40)]) for n in range(30)],
        Replace(items=[Item(target="./Vendor/Blob", data="b" * 5000)]),
        Get(items=[Item(target="./Vendor/Log")]),
    ]
    recording = Recording(setup, [], [], [])
    while (data := client.data_to_send()) is not None:
        recording.server_states.append(server.to_state())
        recording.from_client.append(data)
        recording.client_macs.append(client.headers.get(HMAC_HEADER))
        for event in server.receive(data, hmac=recording.client_macs[-1]):
            if isinstance(event, SessionStarted):
                server.queue(*commands)
        reply = server.data_to_send()
        if reply is None:
            break
        recording.from_server.append(reply)
        recording.server_macs.append(server.headers.get(HMAC_HEADER))
        client.receive(reply, hmac=recording.server_macs[-1])
    return recording


def fuzz_recordings() -> tuple[Recording, Recording]:
    """The sessions the session fuzz target plays: MD5 credentials, and HMACs both ways."""
    return record_session(), record_session(**HMAC_BOTH_WAYS)


def play_one_of(recordings: tuple[Recording, ...], data: bytes) -> None:
    """:func:`play` on the recording ``data[0] // 2`` picks."""
    if data:
        play(recordings[data[0] // 2 % len(recordings)], data)


def _tree_with_log() -> ManagementTree:
    tree = device()
    tree.add("./Vendor/Log", "log line\n" * 300)
    return tree


def play(recording: Recording, data: bytes) -> None:
    """The session fuzz target's check: ``data[2:]`` given to the server (``data[0]`` even) or
    the client at step ``data[1]`` of ``recording``, with the HMAC header of the genuine
    message of that step. Only SyncMLError may be raised; a refused message leaves the
    server's state as it was, and the genuine message still goes through; an accepted one
    leaves a state that saves and restores."""
    if len(data) < 3:
        return
    side, step, payload = data[0] % 2, data[1], data[2:]
    if side == 0:
        step %= len(recording.from_client)
        server = recording.server_at(step)
        before = server.to_state()
        mac = recording.client_macs[step]
        try:
            server.receive(payload, hmac=mac)
        except SyncMLError:
            if server.to_state() != before:
                raise AssertionError("a refused message changed the server's state") from None
            server.receive(recording.from_client[step], hmac=mac)
        server.data_to_send()
        recording.setup.restore(json.loads(json.dumps(server.to_state())))
    else:
        step %= len(recording.from_server)
        client = recording.client_at(step)
        mac = recording.server_macs[step]
        try:
            client.receive(payload, hmac=mac)
        except SyncMLError:
            client.receive(recording.from_server[step], hmac=mac)
        client.data_to_send()
