"""Large objects: chunks cut as the spec wants them, and joined back with the statuses a
recipient answers (213, 424, 413, 412, 400, Alert 1225)."""

from __future__ import annotations

import base64
import io
import itertools
import json

import pytest

from syncml_codec.model import Add, Delete, Item, Message, Meta, Replace, StatusCode
from syncml_codec.session import Assembler, StateError, chunk_item, data_size

pytestmark = pytest.mark.usefixtures("codec")


def item(data, format=None, target="./FUMO/Update/PkgData") -> Item:
    meta = Meta(type="application/octet-stream", format=format) if format else None
    return Item(target=target, source="./src", data=data, meta=meta)


def chunks(data, size, format=None) -> list[Item]:
    return list(chunk_item(item(data, format), itertools.repeat(size)))


def test_chunks_repeat_addresses_and_meta_and_mark_all_but_the_last():
    pieces = chunks("abcdefghij", 4, format="chr")
    assert [piece.data for piece in pieces] == ["abcd", "efgh", "ij"]
    assert [piece.more_data for piece in pieces] == [True, True, False]
    assert [piece.meta.size for piece in pieces] == [10, None, None]
    for piece in pieces:
        assert (piece.target_uri, piece.source_uri) == ("./FUMO/Update/PkgData", "./src")
        assert (piece.meta.type, piece.meta.format) == ("application/octet-stream", "chr")


def test_data_that_fits_is_one_item_without_more_data_or_size():
    (only,) = chunks(b"\x00\x01", 10)
    assert only.data == b"\x00\x01" and not only.more_data and only.meta is None


def test_base64_is_cut_on_four_character_boundaries():
    text = base64.b64encode(bytes(range(40))).decode()
    pieces = chunks(text, 10, format="b64")
    assert all(len(piece.data) % 4 == 0 for piece in pieces[:-1])
    assert b"".join(base64.b64decode(piece.data) for piece in pieces) == bytes(range(40))
    assert pieces[0].meta.size == len(text)  # Size: the data as sent


def test_the_smallest_chunk_holds_one_character_or_one_base64_quantum():
    assert [piece.data for piece in chunks("abc", 1)] == ["a", "b", "c"]
    assert [piece.data for piece in chunks("QUJDREVG", 4, format="b64")] == ["QUJD", "REVG"]
    with pytest.raises(ValueError):
        chunks("QUJDREVG", 3, format="b64")
    with pytest.raises(TypeError):
        chunks(None, 4)


def test_the_original_item_is_not_changed():
    original = item("abcdef")
    list(chunk_item(original, itertools.repeat(2)))
    assert original.data == "abcdef" and not original.more_data


def as_commands(pieces, kind=Replace) -> list:
    return [kind(cmd_id=str(n), items=[piece]) for n, piece in enumerate(pieces, 1)]


@pytest.mark.parametrize("data", ["héllo wörld, a text in chunks", bytes(range(200)) * 3])
def test_an_object_comes_back_whole_from_its_chunks(data):
    assembler = Assembler()
    commands = as_commands(chunks(data, 7))
    outcomes = [assembler.feed(command) for command in commands]
    assert [o.status for o in outcomes[:-1]] == [StatusCode.CHUNKED_ITEM_ACCEPTED] * (
        len(commands) - 1
    )
    last = outcomes[-1]
    assert last.status is None and last.alert is None
    (whole,) = last.command.items
    assert whole.data == data and not whole.more_data
    assert whole.meta is None or whole.meta.size is None
    assert last.command.TAG == "Replace" and not assembler.pending


def test_a_command_that_is_not_chunked_passes_through():
    command = Delete(cmd_id="1", items=[Item(target="./x")])
    outcome = Assembler().feed(command)
    assert outcome.command is command and outcome.status is None


def test_a_total_that_differs_from_size_is_424_and_nothing_is_committed():
    pieces = chunks("abcdefgh", 3)
    pieces[0].meta.size = 9
    assembler = Assembler()
    outcomes = [assembler.feed(c) for c in as_commands(pieces)]
    assert outcomes[-1].status == StatusCode.SIZE_MISMATCH and outcomes[-1].command is None


def test_a_running_total_past_size_is_424_at_once():
    pieces = chunks("abcdefgh", 3)
    pieces[0].meta.size = 4
    assembler = Assembler()
    first, second, last = (assembler.feed(c) for c in as_commands(pieces))
    assert first.status == StatusCode.CHUNKED_ITEM_ACCEPTED
    assert second.status == StatusCode.SIZE_MISMATCH and not assembler.pending
    assert last.status == StatusCode.SIZE_MISMATCH and last.command is None  # never applied


def test_an_object_above_max_obj_size_is_413_and_so_are_its_other_chunks():
    assembler = Assembler(max_obj_size=5)
    statuses = [assembler.feed(c).status for c in as_commands(chunks("abcdefgh", 3))]
    assert statuses == [StatusCode.REQUEST_ENTITY_TOO_LARGE] * 3
    after = Delete(cmd_id="9", items=[Item(target="./x")])
    assert assembler.feed(after).command is after


def test_an_object_of_exactly_max_obj_size_is_taken():
    assembler = Assembler(max_obj_size=8)
    outcomes = [assembler.feed(c) for c in as_commands(chunks("abcdefgh", 3))]
    assert outcomes[-1].command.items[0].data == "abcdefgh"


def test_a_chunk_without_data_adds_nothing_and_one_holding_a_document_is_400():
    assembler = Assembler()
    commands = as_commands(chunks("abcdefgh", 4))
    assembler.feed(commands[0])
    no_data = Replace(cmd_id="5", items=[Item(target="./FUMO/Update/PkgData", source="./src")])
    no_data.items[0].more_data = True
    assert assembler.feed(no_data).status == StatusCode.CHUNKED_ITEM_ACCEPTED
    assert assembler.feed(commands[1]).command.items[0].data == "abcdefgh"
    assembler.feed(commands[0])
    document = Replace(cmd_id="6", items=[Item(target="./FUMO/Update/PkgData", source="./src")])
    document.items[0].data = Message().element
    document.items[0].more_data = True
    assert assembler.feed(document).status == StatusCode.BAD_REQUEST
    assert assembler.feed(commands[1]).status == StatusCode.BAD_REQUEST  # its last chunk too


def test_a_chunk_of_another_command_type_interrupts_the_object():
    assembler = Assembler()
    commands = as_commands(chunks("abcdefgh", 3))
    assembler.feed(commands[0])
    as_add = Add(cmd_id="2", items=[commands[1].items[0]])
    outcome = assembler.feed(as_add)
    assert outcome.alert is not None and outcome.alert.code == 1225


@pytest.mark.parametrize(
    "data, format, counts",
    [
        ("héllo wörld, a text in chunks", None, "either"),
        (bytes(range(200)) * 3, "bin", "either"),
        (base64.b64encode(bytes(range(100))).decode(), "b64", "decoded"),
    ],
    ids=["text", "bytes", "base64-decoded"],
)
def test_an_assembler_restored_from_json_after_every_chunk_joins_the_object(data, format, counts):
    """The session's state holds the object being received: restored after each chunk, the
    Assembler joins the same object (text, bytes, Base64 counted decoded across chunks cut
    inside its 4-character groups)."""
    pieces = chunks(data, 7, format=format)
    if counts == "decoded":
        pieces[0].meta.size = len(base64.b64decode(data))
    assembler = Assembler(size_counts=counts)
    for command in as_commands(pieces):
        outcome = assembler.feed(command)
        assembler = Assembler.from_state(json.loads(json.dumps(assembler.to_state())))
    assert outcome.command is not None and outcome.command.items[0].data == data


@pytest.mark.parametrize(
    "change",
    [
        lambda state: state.pop("pending"),
        lambda state: state.update(max_obj_size="big"),
        lambda state: state.update(size_counts="bits"),
        lambda state: state["pending"].update(declared=None),
        lambda state: state["pending"].update(data={"b64": "!!"}),
        lambda state: state["pending"].update(command="<not a command"),
    ],
)
def test_a_state_that_is_no_assemblers_is_refused(change):
    assembler = Assembler()
    assembler.feed(as_commands(chunks("abcdefgh", 3))[0])
    state = json.loads(json.dumps(assembler.to_state()))
    change(state)
    with pytest.raises(StateError):
        Assembler.from_state(state)


def test_base64_with_a_stray_character_has_no_decoded_reading():
    """A received Base64 chunk that is no Base64 leaves only the sent reading: counted decoded
    the object is refused (424), read either way its text's size still matches."""
    text = "QUJDREVG!!!!"
    for counts, accepted in (("decoded", False), ("either", True)):
        pieces = chunks(text, 4, format="b64")
        pieces[0].meta.size = 6 if counts == "decoded" else len(text)
        assembler = Assembler(size_counts=counts)
        outcomes = [assembler.feed(command) for command in as_commands(pieces)]
        assert (outcomes[-1].command is not None) == accepted, counts


def test_size_missing_on_the_first_chunk_is_412_and_on_a_later_one_400():
    pieces = chunks("abcdefgh", 3)
    pieces[0].meta.size = None
    assert Assembler().feed(as_commands(pieces)[0]).status == StatusCode.INCOMPLETE_COMMAND
    pieces = chunks("abcdefgh", 3)
    pieces[1].meta = Meta(size=8)
    assembler = Assembler()
    commands = as_commands(pieces)
    assembler.feed(commands[0])
    assert assembler.feed(commands[1]).status == StatusCode.BAD_REQUEST


def test_a_new_command_before_the_last_chunk_gets_alert_1225_and_drops_the_object():
    assembler = Assembler()
    commands = as_commands(chunks("abcdefgh", 3))
    assembler.feed(commands[0])
    other = Add(cmd_id="9", items=[Item(target="./other", data="x")])
    outcome = assembler.feed(other)
    assert outcome.alert.code == 1225
    (named,) = outcome.alert.items
    assert (named.target_uri, named.source_uri) == ("./FUMO/Update/PkgData", "./src")
    assert outcome.command is other and not assembler.pending


def test_chunks_of_two_objects_interleaved_interrupt_the_first():
    assembler = Assembler()
    first = as_commands(chunks("abcdefgh", 3))
    second = as_commands([*chunk_item(item("12345678", target="./other"), itertools.repeat(3))])
    assembler.feed(first[0])
    outcome = assembler.feed(second[0])
    assert outcome.alert is not None and outcome.status == StatusCode.CHUNKED_ITEM_ACCEPTED
    for command in second[1:-1]:
        assembler.feed(command)
    assert assembler.feed(second[-1]).command.items[0].data == "12345678"


@pytest.mark.parametrize(
    ("counts", "declared", "accepted"),
    [
        ("sent", "text", True),
        ("sent", "decoded", False),
        ("decoded", "decoded", True),
        ("decoded", "text", False),
        ("either", "text", True),
        ("either", "decoded", True),
    ],
)
def test_what_size_counts_for_base64(counts, declared, accepted):
    raw = bytes(range(100))
    text = base64.b64encode(raw).decode()
    pieces = chunks(text, 16, format="b64")
    pieces[0].meta.size = len(text) if declared == "text" else len(raw)
    assembler = Assembler(size_counts=counts)
    outcomes = [assembler.feed(c) for c in as_commands(pieces)]
    assert (outcomes[-1].command is not None) == accepted
    assert data_size(text, "b64", "decoded") == len(raw)


def test_base64_with_characters_outside_its_alphabet_counts_what_it_decodes_to():
    """Base64 Data with line breaks or stray characters is measured, not refused: decoding
    skips them."""
    assert data_size("QUJD\r\nREVG", "b64", "decoded") == 6
    assert data_size("QU!JD*", "b64", "decoded") == 3
    assert data_size("QU!JD*", "b64", "sent") == 6


def test_a_sink_receives_the_object_instead_of_memory():
    files: list[io.BytesIO] = []

    def sink(command):
        files.append(io.BytesIO())
        return files[-1]

    data = bytes(range(256)) * 10
    assembler = Assembler(sink=sink)
    outcomes = [assembler.feed(c) for c in as_commands(chunks(data, 100))]
    assert outcomes[-1].sink is files[0] and files[0].getvalue() == data
    assert outcomes[-1].command.items[0].data is None


def test_chunks_survive_the_wire():
    assembler = Assembler()
    data = "x" * 50 + "é" * 50
    for command in as_commands(chunks(data, 30)):
        message = Message(session_id="1", msg_id=1, target="t", source="s")
        message.add(command)
        for encoded in (message.to_wbxml(), message.to_xml()):
            received = Message.from_bytes(encoded).commands[0]
            assert received.items[0].more_data == command.items[0].more_data
        outcome = assembler.feed(Message.from_bytes(message.to_wbxml()).commands[0])
    assert outcome.command.items[0].data == data


@pytest.mark.parametrize(
    "data",
    [b"\x00" * 8 + b"plain text" * 2, b"plain text" * 2 + b"\x00" * 8, b"ab\x00" + b"cdef" * 5],
    ids=["text-last", "text-first", "text-between"],
)
def test_a_binary_object_whose_chunks_read_as_text_joins_as_bytes(data):
    """Through WBXML, an OPAQUE chunk that is UTF-8 text reads as text (as libwbxml reads it):
    the object joins back as the bytes sent, whichever chunks read as text."""
    commands = as_commands(chunks(data, 6, format="bin"))
    message = Message(session_id="1", msg_id=1, target="t", source="s")
    message.add(*commands)
    received = Message.from_bytes(message.to_wbxml()).commands
    kinds = {type(command.items[0].data) for command in received}
    assert kinds == {str, bytes}  # the case at hand: both kinds arrive
    assembler = Assembler()
    outcomes = [assembler.feed(command) for command in received]
    assert [o.status for o in outcomes[:-1]] == [StatusCode.CHUNKED_ITEM_ACCEPTED] * (
        len(outcomes) - 1
    )
    assert outcomes[-1].command.items[0].data == data
