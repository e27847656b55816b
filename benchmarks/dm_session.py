"""A whole DM session in one process: a ServerSession sends 500 Get and Replace commands to a
ClientSession (its tree of 10,000 leaves, its DPU) with a MaxMsgSize of 8 KB both ways, against
decoding and encoding the messages the session exchanges (each message is encoded once by its
sender and decoded once by its receiver: the codec work of the exchange).

The session's time includes the server's MD5 check, both outboxes, the DPU and the events;
the 500 commands are prepared before (copies of prepared commands, timed on their own). The
device's DPU notes how long its processing took in each session: over the codec work, that is
a floor under the session's ratio (``dpu_share``: the session costs at least 1 + that).
"""

from __future__ import annotations

import copy
import random
import statistics
import time
from collections.abc import Callable

from tree import FANOUT, sample_tree

import syncml_codec
from syncml_codec.dm import ManagementTree, Processor
from syncml_codec.model import Command, Get, Item, Message, Meta, Replace
from syncml_codec.model.commands import wrap_command
from syncml_codec.session import (
    Account,
    ClientSession,
    DeviceCredentials,
    ServerSession,
    SessionStarted,
)

COMMANDS = 500
NODES = 10_000
MAX_MSG_SIZE = 8192
_CREDENTIALS = DeviceCredentials("device", "secret", nonce=b"nonce")
#: How the report names the DPU's part of the session (the median of ``dpu_times``).
DPU_IN_SESSION = "the DPU within the session"


class _TimedProcessor(Processor):
    """The device's DPU, adding up the time its processing takes (``spent``)."""

    spent = 0.0

    def process(self, message: Message) -> list[Command]:
        start = time.perf_counter()
        answers = super().process(message)
        self.spent += time.perf_counter() - start
        return answers


def device() -> ManagementTree:
    """A tree of ``NODES`` leaves the server may Get and Replace, with DevInfo."""
    tree = sample_tree(NODES)
    tree.replace(".?prop=ACL", "Add=*&Get=*&Replace=*")
    for folder in range((NODES + FANOUT - 1) // FANOUT):
        tree.replace(f"./N{folder}?prop=ACL", "Get=*&Replace=*")
    for name, value in (("DevId", "IMEI:1"), ("Man", "Acme"), ("Mod", "X1"), ("DmV", "1.2"),
                        ("Lang", "en-US")):  # fmt: skip
        tree.add(f"./DevInfo/{name}", value)
    return tree


def management_commands() -> list[Command]:
    """Gets and Replaces of random leaves, alternating."""
    picker = random.Random(5)
    commands: list[Command] = []
    for number in range(COMMANDS):
        index = picker.randrange(NODES)
        uri = f"./N{index // FANOUT}/L{index % FANOUT}"
        if number % 2:
            commands.append(Get(items=[Item(target=uri)]))
        else:
            item = Item(target=uri, data=f"v{number}", meta=Meta(format="chr"))
            commands.append(Replace(items=[item]))
    return commands


def run_session(
    tree: ManagementTree,
    commands: list[Command],
    messages: list[bytes],
    dpu_times: list[float] | None = None,
) -> None:
    """The session from the device's package 1 to its end; ``messages`` gets every message,
    ``dpu_times`` the time the device's DPU took."""
    account = Account(
        server_id="server", server_uri="https://dm.example.com/dm", username="device",
        password="secret", client_nonce=b"nonce",
    )  # fmt: skip
    dpu = _TimedProcessor(tree, account.server_id)
    client = ClientSession(
        tree, account, processor=dpu, max_msg_size=MAX_MSG_SIZE, nonces=lambda: b"n"
    )
    server = ServerSession(
        "https://dm.example.com/dm", credentials=lambda username: _CREDENTIALS,
        server_id="server", max_msg_size=MAX_MSG_SIZE, nonces=lambda: b"nonce",
    )  # fmt: skip
    client.start()
    while (data := client.data_to_send()) is not None:
        messages.append(data)
        for event in server.receive(data):
            if isinstance(event, SessionStarted):
                server.queue(*commands)
        reply = server.data_to_send()
        if reply is None:
            break
        messages.append(reply)
        client.receive(reply)
    if client.ended is None or client.ended.reason.value != "completed":
        raise AssertionError(f"the session did not complete: {client.ended}")
    if dpu_times is not None:
        dpu_times.append(dpu.spent)


def dm_session_operations(
    dpu_times: list[float] | None = None,
) -> dict[tuple[str, str], Callable[[], object]]:
    """The session's operations; each timed session adds its DPU's time to ``dpu_times``."""
    tree = device()
    prepared = [command.element for command in management_commands()]

    def fresh() -> list[Command]:
        return [wrap_command(copy.deepcopy(element)) for element in prepared]

    messages: list[bytes] = []
    run_session(tree, fresh(), messages)
    trees = [syncml_codec.decode(data) for data in messages]
    return {
        ("copy the 500 prepared commands", "cython"): fresh,
        ("the session, with the copy", "cython"): lambda: run_session(tree, fresh(), [], dpu_times),
        ("decode its messages", "cython"): lambda: [syncml_codec.decode(m) for m in messages],
        ("encode its messages", "cython"): lambda: [syncml_codec.encode(t) for t in trees],
    }


def session_ratio(times: dict[tuple[str, str], float]) -> float:
    """The session (less the copy) over decoding and encoding its messages."""
    session = times[("the session, with the copy", "cython")]
    session -= times[("copy the 500 prepared commands", "cython")]
    codec = times[("decode its messages", "cython")] + times[("encode its messages", "cython")]
    return session / codec


def dpu_share(times: dict[tuple[str, str], float], dpu_times: list[float]) -> float:
    """The DPU's time within the session (the median of ``dpu_times``) over decoding and
    encoding the session's messages."""
    codec = times[("decode its messages", "cython")] + times[("encode its messages", "cython")]
    return statistics.median(dpu_times) / codec
