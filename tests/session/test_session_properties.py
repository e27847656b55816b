"""Property tests: random management work (Gets, Replaces and Adds of values up to a few KB,
some in Atomic) sent by a ServerSession, restored from JSON before every message, to a
ClientSession, with random MaxMsgSize on both sides and either encoding: the session completes,
no message exceeds its receiver's bound, every command is answered once with the status and
value the tree's state at that point gives, and the tree ends as the work says."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syncml_codec.model import Add, Atomic, Command, Get, Item, Replace
from syncml_codec.session import Answered, EndReason

from helpers.sessions import Setup, device, events_of, talk

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


def leaf(index: int) -> str:
    return f"./Vendor/L{index}"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
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
    tree = device()
    values = {leaf(index): f"start {index}" for index in range(LEAVES)}
    for uri, value in values.items():
        tree.add(uri, value)
    commands: list[Command] = []
    expected: list[tuple[str, str, int, str | None]] = []  # command, target, code, value
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
    answers = [
        (a.command, a.target, a.code, a.value)
        for a in events_of(exchanges, "client", Answered)
        if a.target is None or not a.target.startswith("./DevInfo")
    ]
    assert sorted(answers, key=repr) == sorted(expected, key=repr)
    assert {uri: tree.get(uri).value for uri in values} == values
