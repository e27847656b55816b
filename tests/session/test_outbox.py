"""The outbox: messages within MaxMsgSize to the byte and full, commands whole, large objects in
chunks, CmdIDs per message, Final on the last; checked by encoding every message."""

from __future__ import annotations

import base64
import copy
import itertools
import json

import pytest

from syncml_codec import api, decode, encode
from syncml_codec.model import (
    Alert,
    AlertCode,
    Atomic,
    Delete,
    Get,
    Item,
    Message,
    Meta,
    Replace,
    Results,
    Status,
    StatusCode,
    respond,
)
from syncml_codec.session import Assembler, StateError
from syncml_codec.session.outbox import Outbox, OutboxError, pack
from syncml_codec.wbxml.header import mb_u_int32

from helpers import require_libwbxml
from helpers.libwbxml import as_xml, wbxml2xml

pytestmark = pytest.mark.usefixtures("codec")


def header(msg_id: int = 1):
    return Message(
        session_id="4D2", msg_id=msg_id, target="https://dm.example.com/dm", source="IMEI:1"
    ).header


def encoded(message: Message, format: str = "wbxml", **options) -> bytes:
    return encode(message.element, format=format, **options)


def replaces(count: int, size: int = 30) -> list[Replace]:
    return [
        Replace(
            items=[Item(target=f"./Vendor/N{n}", data="v" * (n % size), meta=Meta(format="chr"))]
        )
        for n in range(count)
    ]


def drain(outbox: Outbox, lead=()) -> list[tuple[Message, int]]:
    messages = []
    msg_id = 1
    while outbox.pending:
        message = outbox.next_message(header(msg_id), lead=copy.deepcopy(list(lead)))
        messages.append((message, outbox.last_size))
        msg_id += 1
    return messages


@pytest.mark.parametrize("format", ["wbxml", "xml"])
@pytest.mark.parametrize("bound", [700, 2_000, 65_536])
def test_every_message_is_within_its_bound_and_its_size_known_exactly(format, bound):
    outbox = Outbox(bound, format=format)
    outbox.queue(*replaces(400))
    messages = drain(outbox)
    for message, predicted in messages:
        assert len(encoded(message, format)) == predicted <= bound
    assert [message.final for message, _ in messages] == [False] * (len(messages) - 1) + [True]


def test_messages_are_full_the_next_command_would_not_have_fitted():
    outbox = Outbox(1_500)
    outbox.queue(*replaces(300))
    messages = drain(outbox)
    for (message, _), (following, _) in itertools.pairwise(messages):
        grown = copy.deepcopy(message)
        grown.final = False
        grown.add(copy.deepcopy(following.commands[0]))
        grown.commands[-1].cmd_id = str(len(grown.commands))
        grown.final = not outbox.pending and following is messages[-1][0]
        assert len(encoded(grown)) > 1_500


def test_cmd_ids_are_numbered_per_message_after_the_lead():
    outbox = Outbox(1_000)
    outbox.queue(*replaces(40))
    lead = Status(msg_ref="1", cmd_ref="0", cmd="SyncHdr", target_refs=["t"], source_refs=["s"])
    lead.code = 200
    for message, _ in drain(outbox, lead=[lead]):
        assert [command.cmd_id for command in message.commands] == [
            str(n) for n in range(1, len(message.commands) + 1)
        ]
        assert message.commands[0].TAG == "Status"


def test_a_change_of_encoding_or_version_measures_the_waiting_commands_again():
    """A session follows the encoding the peer chose, message by message: the commands measured
    for one message but left for the next are sized again in the new encoding."""
    outbox = Outbox(1_000)
    outbox.queue(*replaces(60))
    steps = [("wbxml", "1.2"), ("xml", "1.2"), ("wbxml", "1.1"), ("xml", "1.1"), ("wbxml", "1.2")]
    for msg_id, (format, version) in enumerate(itertools.cycle(steps), 1):
        outbox.format = format
        message = outbox.next_message(
            Message(session_id="1", msg_id=msg_id, target="t", source="s", version=version).header
        )
        assert len(encoded(message, format)) == outbox.last_size <= 1_000
        if not outbox.pending:
            break
    assert msg_id > len(steps)


def test_final_can_be_left_to_the_caller():
    outbox = Outbox(5_000, final=False)
    outbox.queue(*replaces(3))
    ((message, size),) = drain(outbox)
    assert not message.final and len(message.to_wbxml()) == size


def test_results_stay_right_after_the_status_they_follow():
    commands = []
    for n in range(60):
        status = Status(msg_ref="1", cmd_ref=str(n + 2), cmd="Get", target_refs=[f"./x{n}"])
        status.code = 200
        results = Results(
            msg_ref="1", cmd_ref=str(n + 2), items=[Item(source=f"./x{n}", data="d" * 40)]
        )
        commands += [status, results]
    outbox = Outbox(900)
    outbox.queue(*commands)
    for message, _ in drain(outbox):
        tags = [command.TAG for command in message.commands]
        assert tags == ["Status", "Results"] * (len(tags) // 2)


def test_a_command_no_message_can_hold_is_refused_naming_it_and_the_sizes():
    atomic = Atomic(commands=replaces(30))
    outbox = Outbox(600)
    outbox.queue(atomic)
    with pytest.raises(OutboxError, match=r"Atomic .* at most 600 bytes"):
        outbox.next_message(header())
    outbox = Outbox(200)
    outbox.queue(Delete(items=[Item(target="./" + "x" * 300)]))
    with pytest.raises(OutboxError, match="Delete"):
        outbox.next_message(header())
    outbox = Outbox(600)
    outbox.queue(Alert(code=1226, correlator="c" * 1_000))  # no Items to split
    with pytest.raises(OutboxError, match="Alert"):
        outbox.next_message(header())


def test_a_command_no_message_can_hold_is_refused_behind_others_too():
    """Behind commands that fit, such a command is refused when it comes up, not left for a
    message of its own: a peer that keeps the message busy (a Status for its 1222 before the
    waiting commands, every time) would otherwise never let it come first."""
    outbox = Outbox(600)
    outbox.queue(*replaces(2), Atomic(commands=replaces(30)))
    with pytest.raises(OutboxError, match=r"Atomic .* at most 600 bytes whose SyncHdr"):
        outbox.next_message(header())
    fitting = Outbox(600)
    fitting.queue(*replaces(2), Atomic(commands=replaces(3)), *replaces(30))
    assert len(drain(fitting)) > 1  # one that fits a message of its own waits for it


def test_an_object_of_max_obj_size_goes_and_base64_counts_as_the_peer_reads_it():
    outbox = Outbox(1_000, max_obj_size=100)
    outbox.queue(Replace(items=[Item(target="./exact", data="x" * 100)]))
    encoded_object = base64.b64encode(b"z" * 90).decode()  # 120 characters for 90 bytes
    as_decoded = Outbox(1_000, max_obj_size=100, size_counts="decoded")
    as_decoded.queue(
        Replace(meta=Meta(format="b64"), items=[Item(target="./b", data=encoded_object)])
    )
    with pytest.raises(OutboxError, match="an object of 120 bytes"):
        outbox.queue(
            Replace(meta=Meta(format="b64"), items=[Item(target="./b", data=encoded_object)])
        )


def test_an_object_above_max_obj_size_is_refused_before_anything_is_sent():
    outbox = Outbox(1_000, max_obj_size=100)
    with pytest.raises(OutboxError, match="MaxObjSize 100"):
        outbox.queue(Replace(items=[Item(target="./big", data="x" * 101)]))
    assert not outbox.pending


def test_objects_that_fit_a_message_are_never_chunked():
    outbox = Outbox(1_000)
    outbox.queue(*replaces(5), Replace(items=[Item(target="./medium", data="m" * 700)]))
    for message, _ in drain(outbox):
        assert not any(item.more_data for command in message.commands for item in command.items)


@pytest.mark.parametrize("format", ["wbxml", "xml"])
@pytest.mark.parametrize(
    "data",
    ["text é ü " * 2_000, bytes(range(256)) * 40],
    ids=["text", "bytes"],
)
def test_a_large_object_goes_in_chunks_and_comes_back_whole(format, data):
    if format == "xml" and isinstance(data, bytes):
        data = base64.b64encode(data).decode()  # XML carries binary data as base64
    meta = Meta(
        type="application/octet-stream",
        format="b64" if format == "xml" and not isinstance(data, str) else "bin",
    )
    big = Replace(
        items=[Item(target="./FUMO/Update/PkgData", source="./src", data=data, meta=meta)]
    )
    original = copy.deepcopy(big)
    outbox = Outbox(1_200, format=format)
    outbox.queue(*replaces(3), big, *replaces(2))
    messages = drain(outbox)
    chunks = [
        (message, command)
        for message, _ in messages
        for command in message.commands
        if command.items and command.items[0].target_uri == "./FUMO/Update/PkgData"
    ]
    assert len(chunks) > 3
    for index, (message, command) in enumerate(chunks):
        (item,) = command.items
        more = index < len(chunks) - 1
        assert item.more_data == more
        assert command.TAG == "Replace" and item.source_uri == "./src"
        assert (item.meta.type, item.meta.format) == (meta.type, meta.format)
        assert item.meta.size == (
            len(data.encode() if isinstance(data, str) else data) if index == 0 else None
        )
        if more:
            assert (
                message.commands[-1] is command or message.commands[-1].element == command.element
            )
            assert not message.final
        if 0 < index < len(chunks) - 1:
            assert len(message.commands) == 1  # nothing else between the chunks
    assembler = Assembler()
    whole = [
        outcome.command
        for message, size in messages
        for command in Message.from_bytes(encoded(message, format)).commands
        if (outcome := assembler.feed(command)).command is not None
    ]
    assert len(whole) == 6
    original.cmd_id = whole[3].cmd_id
    assert whole[3].items[0].data == data
    for message, size in messages:
        assert len(encoded(message, format)) == size <= 1_200


def test_base64_is_cut_on_four_character_boundaries():
    text = base64.b64encode(bytes(range(256)) * 20).decode()
    outbox = Outbox(800)
    outbox.queue(Replace(items=[Item(target="./x", data=text, meta=Meta(format="b64"))]))
    pieces = [message.commands[0].items[0].data for message, _ in drain(outbox)]
    assert all(len(piece) % 4 == 0 for piece in pieces)
    assert b"".join(base64.b64decode(piece) for piece in pieces) == bytes(range(256)) * 20


def test_a_command_of_several_items_too_large_is_split_per_item():
    items = [Item(target=f"./i{n}", data="z" * 300) for n in range(5)]
    outbox = Outbox(900)
    outbox.queue(Replace(items=items))
    messages = drain(outbox)
    sent = [
        item.target_uri for message, _ in messages for c in message.commands for item in c.items
    ]
    assert sent == [f"./i{n}" for n in range(5)]
    assert all(len(encoded(message)) <= 900 for message, _ in messages)


def test_the_string_table_keeps_messages_within_the_bound_and_tops_them_up():
    commands = [
        Replace(
            items=[
                Item(
                    target=f"./Vendor/Acme/Settings/Network/Item{n}",
                    source="./Vendor/Acme/Settings/Network/Common",
                    data="same-value-here",
                )
            ]
        )
        for n in range(200)
    ]
    plain = Outbox(1_000)
    plain.queue(*copy.deepcopy(commands))
    tabled = Outbox(1_000, string_table=True)
    tabled.queue(*commands)
    with_table = drain(tabled)
    for message, size in with_table:
        assert len(encoded(message, string_table=True)) == size <= 1_000
    assert len(with_table) < len(drain(plain))


VENDOR = "urn:example:vendor"  # a namespace no code page has: its names go in the table


def vendor_replaces(count: int) -> list[Replace]:
    """Replaces holding a vendor element, every third with an attribute too."""
    commands = replaces(count)
    for n, command in enumerate(commands):
        attributes = {"level": str(n)} if n % 3 == 0 else {}
        command.element.children.append(
            api.element_class()(f"Ext{n % 5}", VENDOR, attributes, "on")
        )
    return commands


@pytest.mark.parametrize("format", ["wbxml", "xml"])
@pytest.mark.parametrize("bound", [700, 2_000, 20_000])
def test_commands_with_names_in_the_string_table_keep_messages_within_the_bound(format, bound):
    """Their names are counted in full in each command's size (the string table holds them
    once): every message stays within the bound, its size known exactly, and is topped up
    while the encoded message leaves room: the next command would not have fitted with its
    names and offsets counted in full."""
    outbox = Outbox(bound, format=format)
    outbox.queue(*vendor_replaces(300))
    messages = drain(outbox)
    for message, predicted in messages:
        assert len(encoded(message, format)) == predicted <= bound
    sent = [c.items[0].target_uri for m, _ in messages for c in m.commands]
    assert sent == [f"./Vendor/N{n}" for n in range(300)]
    width = len(mb_u_int32(bound))  # of the widest string table offset the message may hold
    for (message, _), (following, _) in itertools.pairwise(messages):
        grown = copy.deepcopy(message)
        grown.final = False
        grown.add(copy.deepcopy(following.commands[0]))
        grown.commands[-1].cmd_id = str(len(grown.commands))
        grown.final = following is messages[-1][0] and len(following.commands) == 1
        extension = following.commands[0].element.children[-1]
        names = [extension.tag, "xmlns", *extension.attributes]
        counted_in_full = sum(len(name) + 1 + width - 1 for name in names) + width - 1
        slack = counted_in_full if format == "wbxml" else 0
        assert len(encoded(grown, format)) + slack > bound


@pytest.mark.parametrize("bound", [2**32 - 1, 2**40, 2**64])  # past an offset, a long long
def test_any_bound_takes_commands_with_and_without_vendor_names(bound):
    outbox = Outbox(bound)
    outbox.queue(*replaces(20), *vendor_replaces(20))
    ((message, size),) = drain(outbox)
    assert len(encoded(message)) == size and len(message.commands) == 40


def test_pack_gives_a_package_with_counting_msg_ids():
    messages = pack(replaces(100), header(7), 1_000)
    assert [m.msg_id for m in messages] == [str(7 + n) for n in range(len(messages))]
    assert [m.final for m in messages].count(True) == 1 and messages[-1].final


def test_libwbxml_reads_every_message_as_we_do(tmp_path):
    require_libwbxml()
    big = Replace(items=[Item(target="./big", data="b" * 3_000, meta=Meta(format="chr"))])
    for message in pack([*replaces(20), big], header(), 1_000):
        data = encoded(message)
        assert as_xml(decode(wbxml2xml(data, tmp_path))) == as_xml(decode(data))


def test_client_package_3_over_several_messages_with_1222_between():
    """Client: Status + Results (no Final); server: Status(SyncHdr) + Alert 1222; client:
    Status(SyncHdr, Alert) + the rest, Final on the last (reference 5.2)."""
    server_package_2 = Message(
        session_id="4D2", msg_id=2, target="IMEI:1", source="srv", final=True
    )
    server_package_2.add(*[Get(items=[Item(target=f"./DevDetail/N{n}")]) for n in range(30)])
    received = Message.from_bytes(server_package_2.to_wbxml())
    answers = respond(
        received,
        msg_id=2,
        results=lambda cmd: [Item(source=cmd.items[0].target_uri, data="r" * 60)],
    )
    outbox = Outbox(2_500)
    outbox.queue(*answers.commands)
    message, lead, sent = outbox.next_message(answers.header), [], []
    while True:
        assert len(message.to_wbxml()) <= 2_500
        assert [c.TAG for c in message.commands[: len(lead)]] == ["Status"] * len(lead)
        sent += list(message.commands[len(lead) :])
        if not outbox.pending:
            assert message.final
            break
        assert not message.final
        server_reply = respond(Message.from_bytes(message.to_wbxml()), msg_id=3)
        alert = server_reply.commands[-1]
        assert alert.TAG == "Alert" and alert.code == AlertCode.NEXT_MESSAGE
        assert not server_reply.final
        reply = Message.from_bytes(server_reply.to_wbxml())
        lead = [c for c in respond(reply, msg_id=3).commands if c.TAG == "Status"]
        assert [c.cmd for c in lead] == ["SyncHdr", "Alert"]
        message = outbox.next_message(reply.header, lead=lead)
    assert [c.TAG for c in sent] == [c.TAG for c in answers.commands]
    assert len({c.element.children[0].text for c in sent}) > 1  # several messages


def test_server_large_object_with_213_and_1222():
    """Server: Status(SyncHdr) + chunk 1 (no Final); client: Status 213 + Alert 1222; server:
    Status(SyncHdr, Alert) + the rest + Final (reference 5.2)."""
    data = "firmware" * 150
    outbox = Outbox(1_000)
    outbox.queue(
        Replace(
            items=[Item(target="./FwUpdate/x/Update/PkgData", data=data, meta=Meta(format="chr"))]
        )
    )
    assembler = Assembler()
    message = outbox.next_message(header())
    applied = None
    while True:
        received = Message.from_bytes(message.to_wbxml())
        outcomes = {c.cmd_id: assembler.feed(c) for c in received.commands}
        for outcome in outcomes.values():
            if outcome.command is not None and outcome.command.TAG == "Replace":
                applied = outcome.command
        codes = {cmd_id: outcome.status or StatusCode.OK for cmd_id, outcome in outcomes.items()}
        answer = respond(received, msg_id=int(received.msg_id), status=_lookup(codes))
        if not outbox.pending:
            assert received.final and answer.final
            break
        codes = [c.code for c in answer.commands if c.TAG == "Status" and c.cmd_ref != "0"]
        assert codes == [StatusCode.CHUNKED_ITEM_ACCEPTED]
        assert isinstance(answer.commands[-1], Alert) and answer.commands[-1].code == 1222
        reply = Message.from_bytes(answer.to_wbxml())
        lead = [c for c in respond(reply, msg_id=0).commands if c.TAG == "Status"]
        message = outbox.next_message(header(int(received.msg_id) + 1), lead=lead)
        assert len(message.to_wbxml()) <= 1_000
    assert applied is not None and applied.items[0].data == data


def _lookup(codes: dict) -> object:
    return lambda command: codes[command.cmd_id]


@pytest.mark.parametrize("format", ["wbxml", "xml"])
@pytest.mark.parametrize("sent_first", [False, True], ids=["before-any-message", "after-one"])
def test_commands_queued_first_go_before_those_waiting(format, sent_first):
    """Commands queued first (the answers to the peer's last message) go before the others (a
    Status and its Results stay together), measured like them: sizes still exact."""
    outbox = Outbox(900, format=format)
    waiting = replaces(60)
    outbox.queue(*waiting)
    messages = drain_one(outbox) if sent_first else []
    status = Status(msg_ref="3", cmd_ref="7", cmd="Get", code=200)
    results = Results(msg_ref="3", cmd_ref="7", items=[Item(source="./x", data="y")])
    again = [*replaces(3, size=5), status, results]
    targets = [c.items[0].target_uri for c in again[:3]]
    outbox.queue_first(*again)
    following = drain(outbox)
    for message, predicted in following:
        assert len(encoded(message, format)) == predicted <= 900
    sent = [c for message, _ in messages + following for c in message.commands]
    tags = [c.TAG for c in sent]
    position = len(messages[0][0].commands) if sent_first else 0
    assert [c.items[0].target_uri for c in sent[position : position + 3]] == targets
    assert tags[position + 3 : position + 5] == ["Status", "Results"]
    assert len(sent) == len(waiting) + len(again)
    (holding,) = [m for m, _ in following if any(c.TAG == "Status" for c in m.commands)]
    kinds = [c.TAG for c in holding.commands]
    assert kinds[kinds.index("Status") + 1] == "Results"  # in the same message


def drain_one(outbox: Outbox) -> list[tuple[Message, int]]:
    """One message, as a list like :func:`drain`'s."""
    message = outbox.next_message(header(99))
    return [(message, outbox.last_size)]


def test_a_long_queue_keeps_its_order_and_sizes_as_sent_commands_are_let_go():
    """Past 4,096 commands sent, the queue drops them from its lists: what waits is unchanged."""
    outbox = Outbox(4_000)
    commands = replaces(5_000, size=8)
    outbox.queue(*commands[:4_500])
    messages = drain_one(outbox)
    while len([c for m, _ in messages for c in m.commands]) < 4_200:
        messages += drain_one(outbox)
    outbox.queue(*commands[4_500:])  # queued after the lists were cut short
    messages += drain(outbox)
    for message, predicted in messages:
        assert len(encoded(message)) == predicted <= 4_000
    sent = [c.items[0].target_uri for m, _ in messages for c in m.commands]
    assert sent == [f"./Vendor/N{n}" for n in range(5_000)]


def test_an_outbox_restored_from_json_before_each_message_sends_the_same_messages():
    """The session's state holds the outbox: restored before every message, mid-object too,
    it gives the messages it would have given."""

    def commands():
        return [*replaces(5), Replace(items=[Item(target="./big", data="y" * 3000)]), *replaces(3)]

    whole = Outbox(700)
    whole.queue(*commands())
    expected = [encoded(message) for message, _ in drain(whole)]
    outbox = Outbox(700)
    outbox.queue(*commands())
    restored, msg_id = [], 1
    while outbox.pending:
        outbox = Outbox.from_state(json.loads(json.dumps(outbox.to_state())))
        restored.append(encoded(outbox.next_message(header(msg_id))))
        msg_id += 1
    assert restored == expected and len(expected) > 4


@pytest.mark.parametrize("position", [0, -1, 3000, 5000, "x"])
def test_an_outbox_state_with_a_chunk_position_outside_its_object_is_refused(position):
    outbox = Outbox(700)
    outbox.queue(Replace(items=[Item(target="./big", data="y" * 3000)]))
    outbox.next_message(header())
    state = json.loads(json.dumps(outbox.to_state()))
    assert 0 < state["chunking"]["position"] < 3000
    state["chunking"]["position"] = position
    with pytest.raises(StateError):
        Outbox.from_state(state)


def rewinding_commands() -> list:
    """Whole commands, an object finished in a message that goes on with whole commands, a
    binary object started after them, a command of several Items split per Item."""
    return [
        *replaces(5),
        Replace(items=[Item(target="./big", data="y" * 3000)]),
        *replaces(3),
        Replace(items=[Item(target="./bin", data=bytes(range(256)) * 8, meta=Meta(format="bin"))]),
        Replace(items=[Item(target=f"./m{n}", data="z" * 300) for n in range(4)]),
        *replaces(2),
    ]


@pytest.mark.parametrize("format", ["wbxml", "xml"])
@pytest.mark.parametrize("through_json", [False, True], ids=["in-memory", "through-json"])
def test_a_refused_message_rewound_comes_again_byte_for_byte(format, through_json):
    """At every message: the peer refuses it, the outbox rewinds it, and gives it again byte
    for byte (an object's chunk cut again from where it started), then the rest as if
    nothing had happened; from its JSON state too."""
    whole = Outbox(700, format=format)
    whole.queue(*rewinding_commands())
    expected = [encoded(message, format) for message, _ in drain(whole)]
    outbox = Outbox(700, format=format)
    outbox.queue(*rewinding_commands())
    given, msg_id = [], 1
    while outbox.pending:
        first = encoded(outbox.next_message(header(msg_id)), format)
        if through_json:
            outbox = Outbox.from_state(json.loads(json.dumps(outbox.to_state())))
        assert not outbox.rewind(str(msg_id + 1))  # another message's MsgID: nothing to do
        assert outbox.rewind(str(msg_id)) and not outbox.rewind(str(msg_id))
        again = outbox.next_message(header(msg_id))
        assert encoded(again, format) == first and outbox.last_size == len(first)
        given.append(first)
        msg_id += 1
    assert given == expected and len(given) > 10


@pytest.mark.parametrize("through_json", [False, True], ids=["in-memory", "through-json"])
def test_answers_sent_aside_and_refused_go_first_and_the_object_goes_on(through_json):
    """Answers sent in a message of their own (the commands waiting may not go along):
    refused, they go in the next message, first after the object going out in chunks, which
    goes on from where it stood."""
    outbox = Outbox(700)
    outbox.queue(Replace(items=[Item(target="./big", data="y" * 3000)]), *replaces(3))
    messages = [outbox.next_message(header(1))]  # the object's first chunk
    answers = [Status(msg_ref="1", cmd_ref=str(n), cmd="Alert", data="200") for n in (2, 3)]
    outbox.sent_aside("2", answers)
    if through_json:
        outbox = Outbox.from_state(json.loads(json.dumps(outbox.to_state())))
    assert not outbox.rewind("1") and outbox.rewind("2") and not outbox.rewind("2")
    msg_id = 3
    while outbox.pending:
        messages.append(outbox.next_message(header(msg_id)))
        msg_id += 1
    order = [
        command.cmd_ref if isinstance(command, Status) else command.items[0].target_uri
        for message in messages
        for command in message.commands
    ]
    chunks = order.count("./big")
    assert chunks > 2 and order[chunks:] == ["2", "3", "./Vendor/N0", "./Vendor/N1", "./Vendor/N2"]
    data = [c.items[0].data for m in messages for c in m.commands if isinstance(c, Replace)]
    assert "".join(data[:chunks]) == "y" * 3000


@pytest.mark.parametrize(
    "broken",
    [{"position": 0}, {"position": 5000}, {"msg_id": 5}, {"taken": "not base64!"}],
)
def test_an_outbox_state_with_a_last_message_that_is_not_one_is_refused(broken):
    outbox = Outbox(700)
    outbox.queue(*replaces(2), Replace(items=[Item(target="./big", data="y" * 3000)]))
    outbox.next_message(header(1))
    outbox.next_message(header(2))  # goes on with the object
    state = json.loads(json.dumps(outbox.to_state()))
    last = state["last"]
    assert last["chunking"] == {"position": last["chunking"]["position"]}
    if "position" in broken:
        last["chunking"]["position"] = broken["position"]
    else:
        last.update(broken)
    with pytest.raises(StateError):
        Outbox.from_state(state)
