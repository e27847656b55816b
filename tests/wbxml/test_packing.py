"""The outbox's per-command work (``wbxml.packing`` and its compiled twin) and what
``measure_wbxml`` tells of each child: checked against encodings and definitions, in each
implementation, and the two implementations against each other on random figures."""

from __future__ import annotations

import copy
from array import array
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncml_codec import _impl, encode
from syncml_codec.model import Get, Item, Message, Meta, Replace, Results, Sequence, Status
from syncml_codec.model.commands import _CONTAINERS, AFTER_CMD_ID, Command, wrap_command
from syncml_codec.wbxml.packing import FIGURES


def message(*commands: object) -> Message:
    built = Message(session_id="1", msg_id=1, target="IMEI:1", source="srv")
    built.add(*commands)  # type: ignore[arg-type]
    return built


def cmd_ids(element: object) -> list[str | None]:
    """The CmdID texts in document order."""
    return [e.text for e in element.iter("CmdID")]  # type: ignore[attr-defined]


def test_commands_and_those_inside_containers_are_numbered_in_document_order(
    codec: ModuleType,
) -> None:
    inner = Sequence(commands=[Get(items=[Item(target="./a")]), Sequence(commands=[Get()])])
    built = message(Get(), inner, Replace())
    elements = list(built.body.element)
    counts = codec.number_commands(elements, 8, AFTER_CMD_ID, _CONTAINERS)
    assert list(counts) == [1, 4, 1]
    assert cmd_ids(built.body.element) == ["8", "9", "10", "11", "12", "13"]


def test_a_command_without_a_cmd_id_gets_one_where_the_model_puts_it(codec: ModuleType) -> None:
    Element = codec.Element
    ns = "SYNCML:SYNCML1.2"

    def children(*tags: str) -> list[object]:
        return [Element(tag, ns) for tag in tags]

    first = Element("Get", ns, None, None, [Element("CmdID", ns, None, "x"), Element("CmdID", ns)])
    cases = [children(), children("Meta", "Item"), children("X-Own", "Item"), children("X-Own")]
    bare = [Element("Get", ns, None, None, case) for case in cases]
    modelled = [copy.deepcopy(element) for element in bare]
    counts = codec.number_commands(
        [first, Element("Final", ns), *bare], 1500, AFTER_CMD_ID, _CONTAINERS
    )
    assert list(counts) == [1, 0, 1, 1, 1, 1]
    assert [child.text for child in first] == ["1500", None]  # the first CmdID only
    for number, element in enumerate(modelled, 1501):
        wrap_command(element).cmd_id = str(number)  # where the model puts it
    assert bare == modelled
    assert all(type(child) is Element for element in bare for child in element)


def test_a_results_joins_the_status_of_the_same_command(codec: ModuleType) -> None:
    status = Status(msg_ref="1", cmd_ref="4", cmd="Get", code=200)
    answered = Results(msg_ref="1", cmd_ref="4")
    other = Results(msg_ref="1", cmd_ref="5")
    elements = [c.element for c in (status, answered, other, status, other, Get(), answered)]
    assert list(codec.joined_answers(elements, None)) == [0, 1, 0, 0, 0, 0, 0]
    # the command queued before counts
    assert list(codec.joined_answers([answered.element], status.element)) == [1]


def test_measured_figures_add_up_to_the_encoding(codec: ModuleType) -> None:
    """A command ending in the MetInf page makes the next start with a switch back: its size
    leaves the switch out, its first page says where it starts."""
    metinf_ending = Replace(meta=Meta(format="chr"))  # its Meta last: MetInf's Format last
    built = message(Get(items=[Item(target="./a")]), metinf_ending, Get())
    built.final = True
    size, figures, table_users = codec.measure_wbxml(built.element, built.body.element)
    assert size == len(encode(built.element)) and table_users == 0
    rows = [tuple(figures[i : i + FIGURES]) for i in range(0, len(figures), FIGURES)]
    assert len(rows) == 4  # three commands and Final
    assert rows[1][3] == 1 and rows[2][1:3] == (1, 0)  # a page switch before the third
    for row in rows:
        assert row[0] > 0
    assert rows[3] == (1, 0, 0, 0)  # Final: one byte, no switch needed after the third


def test_a_child_with_names_in_the_string_table_counts_them_wherever_it_goes(
    codec: ModuleType,
) -> None:
    """A vendor element (no code page has its namespace) and an attribute are written as
    LITERAL names in the string table (three references a command): each command's size
    counts the strings it refers to, though an earlier one put them there, and its references
    as ``offset_width`` bytes; the document's size stays what it encodes to."""
    Element = codec.Element

    def vendor(n: int) -> Replace:
        command = Replace(items=[Item(target=f"./v{n}", data="x")])
        extension = Element("Extension", "urn:example:vendor", {"level": "2"}, "on")
        command.element.children.append(extension)
        return command

    # the string table holds them once: the tag, the xmlns it is written with, the attribute
    names = len(b"Extension\0xmlns\0level\0")
    built, alone = message(Get(), vendor(2), vendor(3)), message(Get())
    built.final = alone.final = True
    size, figures, table_users = codec.measure_wbxml(built.element, built.body.element)
    assert size == len(encode(built.element)) and table_users == 2
    _, plain, _ = codec.measure_wbxml(alone.element, alone.body.element)
    sizes = list(figures[::FIGURES])
    assert sizes[0] == plain[0]  # the Get refers to nothing
    assert sizes[1] == sizes[2]  # alike, though the first put the names in the table
    assert sizes[1] + sizes[2] == len(encode(built.element)) - len(encode(alone.element)) + names
    _, wide, _ = codec.measure_wbxml(built.element, built.body.element, offset_width=3)
    assert list(wide[::FIGURES]) == [sizes[0], sizes[1] + 6, sizes[2] + 6, sizes[3]]


FIGURE_ROWS = st.lists(  # size, page before, first page, page after; CmdIDs
    st.tuples(st.integers(1, 300), st.integers(0, 1), st.integers(0, 1), st.integers(0, 1),
              st.integers(1, 3)),
    max_size=40,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    rows=FIGURE_ROWS,
    joined=st.lists(st.booleans(), max_size=40),
    start=st.integers(0, 5),
    size=st.integers(0, 400),
    page=st.integers(0, 1),
    cmd_id=st.integers(1, 1200),
    room=st.integers(0, 3000),
    final=st.sampled_from([None, (1, 3), (8, 8)]),
)
def test_both_implementations_fit_alike(rows, joined, start, size, page, cmd_id, room, final):
    figures = array("q", [value for row in rows for value in row[:FIGURES]])
    ids = array("q", [row[FIGURES] for row in rows])
    flags = bytes([0] + [int(flag) for flag in joined])[: len(rows)].ljust(len(rows), b"\0")
    start = min(start, len(rows))
    results = [
        _impl.IMPLEMENTATIONS[name].fit(
            figures, ids, flags, start, len(rows), size, page, cmd_id, room, final
        )
        for name in sorted(_impl.IMPLEMENTATIONS)
    ]
    assert len(set(results)) == 1
    end, after, _, next_id = results[0]
    assert start <= end <= len(rows) and after <= max(room, size)
    assert next_id == cmd_id + sum(ids[start:end])


@pytest.mark.parametrize(
    "start,stop", [(-1, 1), (0, 3)], ids=["negative-start", "past-the-figures"]
)
def test_fit_refuses_positions_outside_the_figures(codec: ModuleType, start, stop) -> None:
    figures, ids, joined = array("q", [5, 0, 0, 0, 5, 0, 0, 0]), array("q", [1, 1]), bytes(2)
    with pytest.raises(ValueError):
        codec.fit(figures, ids, joined, start, stop, 0, 0, 1, 100, None)


def test_fit_counts_the_digits_of_cmd_ids_of_any_length(codec: ModuleType) -> None:
    figures, joined = array("q", [5, 0, 0, 0]), bytes(1)
    for first in (1, 9, 10, 99_999, 10**17, 10**18 - 1, 4 * 10**18):
        ids = array("q", [3])
        _, size, _, next_id = codec.fit(figures, ids, joined, 0, 1, 0, 0, first, 1 << 62, None)
        assert next_id == first + 3
        assert size == 5 + sum(len(str(n)) - 1 for n in range(first, first + 3))


def test_one_digit_sizes_take_out_the_digits_the_cmd_ids_had(codec: ModuleType) -> None:
    """Commands measured as numbered (encoded), then sized as if every CmdID had one digit:
    what the same commands numbered 1, 1, ... encode to."""
    commands = [Get(items=[Item(target="./a")]), Sequence(commands=[Get(), Get()]), Replace()]
    built = message(*commands)
    elements = list(built.body.element)
    for first in (1, 8, 99, 12_345):
        ids = codec.number_commands(elements, first, AFTER_CMD_ID, _CONTAINERS)
        _, figures, _ = codec.measure_wbxml(built.element, built.body.element)
        codec.one_digit_sizes(figures, ids, first)
        for element in built.body.element.iter("CmdID"):
            element.text = "1"
        _, single_digits, _ = codec.measure_wbxml(built.element, built.body.element)
        assert figures == single_digits
    with pytest.raises(ValueError):
        codec.one_digit_sizes(array("q", [5, 0, 0, 0]), array("q", [1, 1]), 1)


def test_elements_of_takes_commands_only(codec: ModuleType) -> None:
    commands = [Get(), Replace(), Get()]
    assert codec.elements_of(commands, Command) == [c.element for c in commands]
    assert codec.elements_of(iter(commands), Command) == [c.element for c in commands]
    for stranger in (Item(target="./a"), "Get", None):
        with pytest.raises(TypeError, match=type(stranger).__name__):
            codec.elements_of([Get(), stranger, Get()], Command)


def test_to_namespace_moves_commands_of_another_syncml_version(codec: ModuleType) -> None:
    """Every SyncML element of a command made for 1.2 goes to 1.1; MetInf elements, commands
    already in 1.1 and elements of no SyncML namespace stay as they are."""
    made = Replace(meta=Meta(format="chr"), items=[Item(target="./a", data="x")])
    inner = Sequence(commands=[Get(items=[Item(target="./b")])])
    other = codec.Element("Own", "urn:own", None, None, [codec.Element("Get", "urn:own")])
    older = codec.Element("Get", "SYNCML:SYNCML1.1")
    elements = [made.element, inner.element, other, older]
    codec.to_namespace(elements, "SYNCML:SYNCML1.1")
    for element in (made.element, inner.element):
        spaces = {node.namespace for node in element.iter()}
        assert spaces == ({"SYNCML:SYNCML1.1", "syncml:metinf"} if element is made.element
                          else {"SYNCML:SYNCML1.1"})  # fmt: skip
    assert [node.namespace for node in other.iter()] == ["urn:own", "urn:own"]
    assert older.namespace == "SYNCML:SYNCML1.1"
    for elsewhere in ("urn:own", None):  # into no SyncML namespace: nothing moves
        codec.to_namespace([made.element], elsewhere)
        assert made.element.namespace == "SYNCML:SYNCML1.1"
    older_message = Message(session_id="1", msg_id=1, target="t", source="s", version="1.1")
    older_message.body.element.children.append(made.element)  # as the outbox places it
    assert encode(older_message.element)[4] == 0  # tokens: no string table of literal tags
