"""Property tests: random command lists (large items of text and bytes, Atomic, Sequence,
Results after their Status, non-ASCII text, MetInf page switches) and bounds from 600 bytes to
1 MB, in WBXML and XML, with and without the string table: every message within its bound,
its size as the outbox says, Final on the last only, the commands back exactly as queued once
an Assembler has joined the chunks, and every message but the last full; with vendor elements
(names in the string table), every message still within its bound."""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncml_codec import api, encode
from syncml_codec.model import (
    Add,
    Atomic,
    Delete,
    Item,
    Message,
    Meta,
    Replace,
    Results,
    Sequence,
    Status,
)
from syncml_codec.session import Assembler
from syncml_codec.session.outbox import Outbox, OutboxError

SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
pytestmark = pytest.mark.usefixtures("codec")

URIS = st.text("abcdeé/", min_size=1, max_size=12).map(
    lambda s: "./" + s.strip("/").replace("//", "/") or "./x"
)


@st.composite
def items(draw, large: bool = False) -> Item:
    """An Item; bytes Data always with Meta Format bin (text Data may come back as bytes only
    where a Meta says so)."""
    size = st.integers(500, 6_000) if large else st.integers(0, 40)
    length = draw(size)
    if draw(st.booleans()):
        data: str | bytes | None = draw(st.binary(min_size=length, max_size=length))
        meta = Meta(format="bin", type=draw(st.sampled_from(["application/x", None])))
    else:
        data = draw(
            st.text(
                st.characters(blacklist_categories=("Cs", "Cc")), min_size=length, max_size=length
            )
        )
        meta = draw(
            st.one_of(st.none(), st.builds(Meta, format=st.just("chr"), type=st.just("text/plain")))
        )
    if not large and draw(st.booleans()):
        data = None
    return Item(target=draw(URIS), source=draw(st.one_of(st.none(), URIS)), meta=meta, data=data)


@st.composite
def command_lists(draw) -> list:
    commands = []
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(
            st.sampled_from(
                ["replace", "add", "large", "delete", "atomic", "sequence", "status+results"]
            )
        )
        if kind == "replace":
            commands.append(Replace(items=draw(st.lists(items(), min_size=1, max_size=3))))
        elif kind == "add":
            commands.append(Add(meta=Meta(format="chr"), items=[draw(items())]))
        elif kind == "large":
            commands.append(Replace(items=[draw(items(large=True))]))
        elif kind == "delete":
            commands.append(Delete(items=[Item(target=draw(URIS))]))
        elif kind in ("atomic", "sequence"):
            inner = [Replace(items=[draw(items())]) for _ in range(draw(st.integers(1, 3)))]
            commands.append(
                Atomic(commands=inner) if kind == "atomic" else Sequence(commands=inner)
            )
        else:
            ref = str(draw(st.integers(1, 99)))
            status = Status(msg_ref="1", cmd_ref=ref, cmd="Get", target_refs=[draw(URIS)])
            status.code = 200
            commands += [status, Results(msg_ref="1", cmd_ref=ref, items=[draw(items())])]
    return commands


def flatten(commands) -> list:
    """What the commands carry, CmdIDs aside: (tag, element) per Item of item commands (the
    outbox may give each Item its own command), the others whole."""
    found = []
    for command in commands:
        element = copy.deepcopy(command.element)
        for node in element.iter():
            node.children = [child for child in node.children if child.tag != "CmdID"]
            if node.text in ("", b""):
                node.text = None  # an empty text is written as an empty element
            elif isinstance(node.text, bytes) and _utf8(node.text):
                node.text = node.text.decode()  # OPAQUE that reads as text decodes as text
        if command.TAG in ("Replace", "Add") and command.items:
            meta = [c for c in element.children if c.tag == "Meta"]
            found += [(command.TAG, meta, item) for item in element.children if item.tag == "Item"]
        else:
            found.append((command.TAG, element))
    return found


@SETTINGS
@given(
    commands=command_lists(),
    bound=st.one_of(st.integers(600, 5_000), st.integers(5_000, 1_000_000)),
    format=st.sampled_from(["wbxml", "xml"]),
    string_table=st.booleans(),
)
def test_random_command_lists_are_cut_within_bounds_and_come_back_whole(
    commands, bound, format, string_table
):
    options = {"string_table": True} if string_table and format == "wbxml" else {}
    queued = flatten(commands)
    outbox = Outbox(bound, format=format, **options)
    outbox.queue(*commands)
    messages = []
    try:
        msg_id = 1
        while outbox.pending:
            header = Message(session_id="1", msg_id=msg_id, target="t", source="s").header
            message = outbox.next_message(header)
            data = encode(message.element, format=format, **options)
            assert len(data) == outbox.last_size <= bound
            numbers = [element.text for element in message.element.iter("CmdID")]
            assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
            messages.append(data)
            msg_id += 1
    except OutboxError:
        return  # a command no message of this bound can hold (the tests name these cases)
    finals = [Message.from_bytes(data).final for data in messages]
    assert finals == [False] * (len(messages) - 1) + [True]
    assembler = Assembler()
    received = []
    for data in messages:
        for command in Message.from_bytes(data).commands:
            outcome = assembler.feed(command)
            assert outcome.alert is None and outcome.status in (None, 213)
            if outcome.command is not None:
                received.append(outcome.command)
    assert flatten(received) == queued


def _utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


@SETTINGS
@given(
    commands=command_lists(),
    bound=st.integers(600, 20_000),
    format=st.sampled_from(["wbxml", "xml"]),
)
def test_every_message_but_the_last_is_full(commands, bound, format):
    """The first command of the next message (with the Results that travel with it) would have
    taken a message past the bound: a message is left short only of what does not fit (chunks
    of large objects, which fill their message by their own rule, aside)."""
    outbox = Outbox(bound, format=format)
    outbox.queue(*commands)
    messages = []
    try:
        while outbox.pending:
            msg_id = len(messages) + 1
            header = Message(session_id="1", msg_id=msg_id, target="t", source="s").header
            messages.append(outbox.next_message(header))
    except OutboxError:
        return  # a command no message of this bound can hold
    for message, following in itertools.pairwise(messages):
        unit = following.commands[: _unit_length(following.commands)]
        if _chunked(message.commands[-1:]) or _chunked(unit):
            continue
        grown = copy.deepcopy(message)
        grown.add(*copy.deepcopy(unit))
        for number, command in enumerate(grown.all_commands(), 1):  # as the outbox numbers
            command.cmd_id = str(number)
        grown.final = following is messages[-1] and len(unit) == len(following.commands)
        assert len(encode(grown.element, format=format)) > bound


VENDOR_NAMES = st.from_regex(r"[A-Za-z][A-Za-zé0-9]{0,30}", fullmatch=True)


@st.composite
def with_vendor_elements(draw, commands: list) -> list:
    """``commands``, some holding a vendor's element (a namespace no code page has) with
    attributes: names the string table holds once per message."""
    for command in commands:
        if draw(st.booleans()):
            names = st.dictionaries(VENDOR_NAMES, st.text("abc", max_size=5), max_size=3)
            vendor = api.element_class()(
                draw(VENDOR_NAMES), "urn:example:vendor", draw(names), draw(st.text("xyz"))
            )
            command.element.children.append(vendor)
    return commands


@SETTINGS
@given(
    commands=command_lists().flatmap(with_vendor_elements),
    bound=st.integers(600, 20_000),
    format=st.sampled_from(["wbxml", "xml"]),
    string_table=st.booleans(),
)
def test_commands_with_vendor_elements_are_cut_within_bounds(commands, bound, format, string_table):
    """Their names go in the string table once per message, whichever commands share it: every
    message still within its bound, its size as the outbox says, the commands in order."""
    options = {"string_table": True} if string_table and format == "wbxml" else {}
    targets = [[i.target_uri for i in getattr(c, "items", ())] for c in commands]
    outbox = Outbox(bound, format=format, **options)
    outbox.queue(*commands)
    sent = []
    try:
        while outbox.pending:
            header = Message(session_id="1", msg_id=len(sent) + 1, target="t", source="s").header
            message = outbox.next_message(header)
            data = encode(message.element, format=format, **options)
            assert len(data) == outbox.last_size <= bound
            sent.append(message)
    except OutboxError:
        return  # a command no message of this bound can hold
    received = [i.target_uri for m in sent for c in m.commands for i in getattr(c, "items", ())]
    # a large object's chunks repeat its Target: runs of one Target count once
    assert _runs(received) == _runs(uri for uris in targets for uri in uris)


def _runs(values) -> list:
    return [value for value, _ in itertools.groupby(values)]


def _unit_length(commands) -> int:
    """1, or 2 for a Status and the Results of the same command after it."""
    if len(commands) > 1 and isinstance(commands[0], Status) and isinstance(commands[1], Results):
        first, second = commands[0], commands[1]
        if (first.msg_ref, first.cmd_ref) == (second.msg_ref, second.cmd_ref):
            return 2
    return 1


def _chunked(commands) -> bool:
    """Whether one of ``commands`` carries a chunk of a large object that is not its last."""
    return any(item.more_data for command in commands for item in getattr(command, "items", ()))
