"""The DPU's element work: each implementation builds the tree the Element constructor makes
for the same answer, of its own Element class, and reads a received command the same way."""

from __future__ import annotations

from types import ModuleType, SimpleNamespace

import pytest

from syncml_codec.wbxml.languages import METINF_NAMESPACE

from helpers import NS

pytestmark = pytest.mark.usefixtures("codec")


def requests(*pairs: tuple[str | None, str | None]) -> list[SimpleNamespace]:
    return [SimpleNamespace(target=target, source=source) for target, source in pairs]


@pytest.mark.parametrize(
    "asked,refs",
    [
        ([], []),
        ([("./a", None)], [("TargetRef", "./a")]),
        ([("./a", "./s"), (None, "./t"), ("./b", "")],
         [("TargetRef", "./a"), ("TargetRef", "./b"), ("SourceRef", "./s"), ("SourceRef", "./t")]),
    ],
    ids=["no-items", "one-target", "targets-then-sources"],
)  # fmt: skip
def test_a_status_holds_its_refs_then_its_code_then_the_answered_items(
    codec: ModuleType, asked: list, refs: list
) -> None:
    Element = codec.Element
    answered = SimpleNamespace(element=Element("Item", NS, None, None, [Element("Data", NS)]))
    built = codec.status_element(NS, "2", "7", "Get", requests(*asked), "200", [answered])
    expected = Element("Status", NS, None, None, [
        Element("MsgRef", NS, None, "2"), Element("CmdRef", NS, None, "7"),
        Element("Cmd", NS, None, "Get"), *(Element(tag, NS, None, uri) for tag, uri in refs),
        Element("Data", NS, None, "200"), answered.element,
    ])  # fmt: skip
    assert type(built) is Element and built == expected
    assert built.children[-1] is answered.element


def test_a_status_without_a_msg_ref_keeps_the_element_empty(codec: ModuleType) -> None:
    built = codec.status_element(NS, None, None, "Alert", [], "406", [])
    assert [(child.tag, child.text) for child in built.children] == [
        ("MsgRef", None),
        ("CmdRef", None),
        ("Cmd", "Alert"),
        ("Data", "406"),
    ]


def test_results_hold_their_refs_then_the_items(codec: ModuleType) -> None:
    Element = codec.Element
    items = [SimpleNamespace(element=Element("Item", NS)) for _ in range(2)]
    built = codec.results_element(NS, "2", "9", items)
    assert built == Element("Results", NS, None, None, [
        Element("MsgRef", NS, None, "2"), Element("CmdRef", NS, None, "9"),
        *(item.element for item in items),
    ])  # fmt: skip


@pytest.mark.parametrize("value", ["text", b"\x00\x01", None, "document"], ids=repr)
@pytest.mark.parametrize("meta_type", ["text/plain", None, ""])
def test_a_result_item_holds_source_meta_and_data(codec: ModuleType, value, meta_type) -> None:
    Element = codec.Element
    if value == "document":
        value = Element("MgmtTree", "syncml:dmddf1.2")
    built = codec.result_item(NS, "./x", "chr", meta_type, value)
    meta = [Element("Format", METINF_NAMESPACE, None, "chr")]
    if meta_type:
        meta.append(Element("Type", METINF_NAMESPACE, None, meta_type))
    parts = [
        Element("Source", NS, None, None, [Element("LocURI", NS, None, "./x")]),
        Element("Meta", NS, None, None, meta),
    ]
    if isinstance(value, str | bytes):
        parts.append(Element("Data", NS, None, value))
    elif value is not None:
        parts.append(Element("Data", NS, None, None, [value]))
    assert type(built) is Element and built == Element("Item", NS, None, None, parts)


def test_a_command_is_read_with_its_items(codec: ModuleType) -> None:
    Element = codec.Element

    def leaf(tag: str, text: str | None = None, namespace: str = NS) -> object:
        return Element(tag, namespace, None, text)

    def meta(format: str | None, type: str | None = None) -> object:
        parts = [leaf("Format", format, METINF_NAMESPACE)] if format is not None else []
        if type is not None:
            parts.append(leaf("Type", type, METINF_NAMESPACE))
        return Element("Meta", NS, None, None, parts)

    def uri(tag: str, text: str) -> object:
        return Element(tag, NS, None, None, [leaf("LocURI", text)])

    document = Element("MgmtTree", "syncml:dmddf1.2")
    command = Element("Replace", NS, None, None, [
        leaf("CmdID", "4"), leaf("CmdID", "5"), leaf("NoResp"),
        meta(None), meta("chr", "text/plain"), meta("bin"),
        Element("Item", NS, None, None, [
            uri("Target", "./a"), uri("Source", "./s"), leaf("Data", "v"), leaf("MoreData"),
        ]),
        Element("Item", NS, None, None, [
            uri("Target", "./b"), uri("Target", "./c"), meta(None, "x/y"), meta("int"),
            Element("Data", NS, None, None, [document]),
        ]),
    ])  # fmt: skip
    read = codec.read_command(command)
    assert (read.tag, read.cmd_id, read.no_resp, read.more_data) == ("Replace", "4", True, False)
    first, second = read.requests
    fields = ("target", "source", "format", "type", "more_data")
    assert [getattr(first, name) for name in fields] == ["./a", "./s", "chr", "text/plain", True]
    assert first.data == "v"  # the command's first Meta naming something gave Format and Type
    assert [getattr(second, name) for name in fields] == ["./c", None, "int", "text/plain", False]
    # an Item's last Target and Meta count; the Type its Meta lacks comes from the command's
    assert second.data is document


def test_a_command_whose_last_item_has_more_data_has_more_data(codec: ModuleType) -> None:
    Element = codec.Element
    item = Element("Item", NS, None, None, [Element("MoreData", NS)])
    read = codec.read_command(Element("Add", NS, None, None, [item]))
    assert read.more_data and read.cmd_id is None and not read.no_resp
    assert not codec.read_command(Element("Add", NS)).more_data
