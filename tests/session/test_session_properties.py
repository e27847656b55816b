"""Property tests: random management work (Gets, Replaces and Adds of values up to a few KB,
some in Atomic) sent by a ServerSession, restored from JSON before every message, to a
ClientSession, with random MaxMsgSize on both sides and either encoding: the session completes,
no message exceeds its receiver's bound, every command is answered once with the status and
value the tree's state at that point gives, and the tree ends as the work says."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syncml_codec.dm import ManagementTree
from syncml_codec.model import (
    Add,
    Alert,
    Atomic,
    Command,
    Get,
    Item,
    Replace,
    Status,
    generic_alert,
)
from syncml_codec.security.auth import decode_nonce
from syncml_codec.session import (
    Answered,
    CredentialsRefused,
    EndReason,
    GenericAlert,
    SessionEnded,
)

from helpers.sessions import HMAC_BOTH_WAYS, Setup, device, events_of, queue_on_start, talk

pytestmark = pytest.mark.usefixtures("codec")

LEAVES = 6
VALUES = st.text("ab<&>é\n ", max_size=3000)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("get"), st.integers(0, LEAVES - 1)),
        st.tuples(st.just("replace"), st.integers(0, LEAVES - 1), VALUES),
        st.tuples(st.just("add"), VALUES),
        # An Atomic is never split: small enough for the smallest bound.
        st.tuples(st.just("atomic"), st.integers(0, LEAVES - 1), st.text("ab<", max_size=300)),
    ),
    min_size=1,
    max_size=25,
)


#: Each example is a whole session through bytes.
WHOLE_SESSIONS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def leaf(index: int) -> str:
    return f"./Vendor/L{index}"


def device_with_leaves() -> tuple[ManagementTree, dict[str, str]]:
    """The device's tree with ``LEAVES`` values, and those values by URI."""
    tree = device()
    values = {leaf(index): f"start {index}" for index in range(LEAVES)}
    for uri, value in values.items():
        tree.add(uri, value)
    return tree, values


def answers_heard(exchanges: list) -> list[tuple[str, str | None, int, str | None]]:
    """The device's commands answered, as the server heard them (less package 1's DevInfo)."""
    return [
        (a.command, a.target, a.code, a.value)
        for a in events_of(exchanges, "client", Answered)
        if a.target is None or not a.target.startswith("./DevInfo")
    ]


def work(
    operations: list[tuple], values: dict[str, str]
) -> tuple[list[Command], list[tuple[str, str | None, int, str | None]]]:
    """The commands ``operations`` stand for, and the answers expected (command, target,
    code, value), ``values`` (the tree's leaves) updated as the commands leave them."""
    commands: list[Command] = []
    expected: list[tuple[str, str | None, int, str | None]] = []
    for number, operation in enumerate(operations):
        if operation[0] == "get":
            uri = leaf(operation[1])
            commands.append(Get(items=[Item(target=uri)]))
            expected.append(("Get", uri, 200, values[uri]))
        elif operation[0] == "replace":
            uri, values[leaf(operation[1])] = leaf(operation[1]), operation[2]
            commands.append(Replace(items=[Item(target=uri, data=operation[2])]))
            expected.append(("Replace", uri, 200, None))
        elif operation[0] == "add":
            uri = f"./Vendor/New{number}"
            values[uri] = operation[1]
            commands.append(Add(items=[Item(target=uri, data=operation[1])]))
            expected.append(("Add", uri, 200, None))
        else:  # an Atomic whose second command fails: nothing of it stays
            uri = leaf(operation[1])
            commands.append(
                Atomic(
                    commands=[
                        Replace(items=[Item(target=uri, data=operation[2])]),
                        Replace(items=[Item(target="./Vendor/Missing", data="x")]),
                    ]
                )
            )
            expected += [
                ("Atomic", None, 507, None),
                ("Replace", uri, 216, None),
                ("Replace", "./Vendor/Missing", 404, None),
            ]
    return commands, expected


@WHOLE_SESSIONS
@given(
    operations=OPERATIONS,
    client_bound=st.integers(1600, 6000),
    # The device's package 1 goes before it knows the server's bound: the server takes it.
    server_bound=st.integers(1200, 6000),
    format=st.sampled_from(["wbxml", "xml"]),
)
# Both packages open at once: the server's last Status waits while the device's Results go out
# one per message; the server may end the session only once the device's package has ended.
@example(operations=[("get", 0)] * 6, client_bound=1600, server_bound=1200, format="xml")
def test_random_work_through_a_whole_session(operations, client_bound, server_bound, format):
    tree, values = device_with_leaves()
    commands, expected = work(operations, values)
    setup = Setup(
        format=format,
        client_nonce=b"server-old",
        client_max_msg_size=client_bound,
        server_max_msg_size=server_bound,
    )
    client, server = setup.client(tree), setup.server()
    client.start()

    def on_event(session, event):
        if type(event).__name__ == "SessionStarted":
            session.queue(*commands)

    exchanges = talk(client, server, on_event, restore=setup.restore)
    assert client.ended.reason is EndReason.COMPLETED
    for exchange in exchanges:
        bound = server_bound if exchange.sender == "client" else client_bound
        assert len(exchange.data) <= bound
    assert sorted(answers_heard(exchanges), key=repr) == sorted(expected, key=repr)
    assert {uri: tree.get(uri).value for uri in values} == values


@WHOLE_SESSIONS
@given(
    operations=OPERATIONS,
    bound=st.integers(1600, 6000),
    alerts=st.integers(0, 2),
    stale=st.booleans(),  # the device's nonce: package 1 challenged
    # At most three failures each way, the challenge to a stale nonce included: within the
    # attempts both sides allow.
    device_broken=st.sets(st.integers(0, 12), max_size=2),
    server_broken=st.sets(st.integers(0, 12), max_size=2),
    lost=st.sets(st.integers(0, 12), max_size=3),
    format=st.sampled_from(["wbxml", "xml"]),
)
# The device refuses the server's message, and the server its refusal: the refusal goes again.
@example(
    operations=[("get", 0)], bound=1600, alerts=0, stale=False, device_broken={1},
    server_broken={0}, lost=set(), format="wbxml",
)  # fmt: skip
# The first message of a server package of several refused: the device asks for it again.
@example(
    operations=[("replace", n % LEAVES, "v" * 200) for n in range(12)], bound=1600, alerts=0,
    stale=False, device_broken=set(), server_broken={0}, lost=set(), format="wbxml",
)  # fmt: skip
def test_random_work_with_hmacs_failing_on_the_way(
    operations, bound, alerts, stale, device_broken, server_broken, lost, format
):
    """HMACs both ways, some failing on the way (a random few of each side's messages), some
    of the server's answers lost (the device sends its request again): the session still
    ends; every command is applied once, every generic alert heard once, and every command
    answered once, but for the Statuses of the server's last message when the device refuses
    it (that message ended the session on the server: the device ends too)."""
    tree, values = device_with_leaves()
    commands, expected = work(operations, values)
    setup = Setup(
        format=format,
        client_nonce=b"stale" if stale else b"server-old",
        client_max_msg_size=bound,
        server_max_msg_size=bound,
        **HMAC_BOTH_WAYS,
    )
    client, server = setup.client(tree), setup.server()
    reports = [generic_alert(type="org.example.report", data="r" * 150, correlator=str(n))
               for n in range(alerts)]  # fmt: skip
    client.start(generic_alerts=reports)
    broken = {("client", n) for n in device_broken} | {("server", n) for n in server_broken}
    exchanges = talk(
        client,
        server,
        queue_on_start(*commands),
        restore=setup.restore,
        broken=broken,
        lost=lost,
    )
    heard = [alert.correlator for alert in events_of(exchanges, "client", GenericAlert)]
    assert heard == [str(n) for n in range(alerts)]
    assert {uri: tree.get(uri).value for uri in values} == values
    nonces_given = [setup.account().server_nonce]  # the one the server starts from
    for number, exchange in enumerate(exchanges):
        message = exchange.message
        opening = [c for c in message.commands if isinstance(c, Status) and c.cmd_ref == "0"]
        refused = any(isinstance(event, CredentialsRefused) for event in exchange.events)
        if exchange.sender == "client":
            # The server refuses exactly the messages whose HMAC failed (and a stale nonce's).
            assert refused == (exchange.mac == "x" or (stale and number == 0))
            nonces_given += [decode_nonce(s.chal.meta.next_nonce) for s in opening if s.chal]
        else:
            # The device too, but for a message that only challenges it: it checks none.
            challenge = any(status.code in (401, 407) for status in opening)
            assert refused == (exchange.mac == "x" and not challenge)
        # A message asking for the next one does not end its sender's package.
        next_message = [c for c in message.commands if isinstance(c, Alert) and c.code == 1222]
        assert not (message.final and next_message)
    assert len(set(nonces_given)) == len(nonces_given)  # each the device gives is new
    answers = sorted(answers_heard(exchanges), key=repr)
    if client.ended.reason is EndReason.COMPLETED:
        assert answers == sorted(expected, key=repr)
    else:
        assert client.ended == SessionEnded(
            EndReason.AUTHENTICATION_FAILED, "the server's last message failed"
        )
        assert exchanges[-1].sender == "server" and exchanges[-1].mac == "x"
        missing = sorted(expected, key=repr)
        for answer in answers:
            missing.remove(answer)  # each heard once at most
