"""The DPU: a conformance table (a tree, a server, commands; the statuses and results the spec
gives), each row run through WBXML bytes in both implementations; plug-ins, Atomic across
plug-ins, large objects, UI alerts and the whole answer message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from syncml_codec import Limits, decode
from syncml_codec.dm import (
    BaseHandler,
    Ddf,
    ManagementTree,
    NodeData,
    Policy,
    Processor,
    TreeError,
    device_tree,
)
from syncml_codec.dm.processor import MAX_CONTAINER_NESTING
from syncml_codec.model import (
    Add,
    Alert,
    Atomic,
    Copy,
    Delete,
    Exec,
    Get,
    Item,
    Message,
    Meta,
    Replace,
    Sequence,
    Status,
    StatusCode,
)

from helpers import PUBLIC_VECTORS, nested_containers

pytestmark = pytest.mark.usefixtures("codec")

SERVER = "srv1"


def tree() -> ManagementTree:
    """A device tree whose root lets srv1 do anything; ./Locked only Get for anyone."""
    built = device_tree(dev_id="IMEI:1", man="Acme", mod="X1", clock=lambda: 1e9)
    built.replace(".?prop=ACL", "Add=*&Get=*&Replace=srv1&Delete=srv1&Exec=srv1")
    built.add("./Vendor/Acme/Volume", "5", format="int")
    built.add("./Vendor/Acme/Name", "classic")
    built.add("./Locked/Secret", "s")
    built.replace("./Locked?prop=ACL", "Get=*")
    return built


def run(commands: list, *, processor_tree: ManagementTree | None = None, **options: Any) -> list:
    """The answers to ``commands`` sent through WBXML, as (tag, code or items) pairs."""
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER, final=True)
    message.add(*commands)
    received = Message.from_bytes(message.to_wbxml())
    processor = Processor(processor_tree or tree(), SERVER, **options)
    return [_summary(answer) for answer in processor.process(received)]


def _summary(answer: Any) -> tuple:
    if isinstance(answer, Status):
        return ("Status", answer.cmd, answer.code)
    if answer.TAG == "Results":
        return ("Results", [(item.source_uri, item.data) for item in answer.items])
    return (answer.TAG, answer.code)


def item(target: str, data: Any = None, format: str | None = None, **more: Any) -> Item:
    meta = Meta(format=format) if format else None
    return Item(target=target, data=data, meta=meta, **more)


CONFORMANCE = [
    # (name, commands, expected answers)
    ("get a leaf", [Get(items=[item("./Vendor/Acme/Name")])],
     [("Status", "Get", 200), ("Results", [("./Vendor/Acme/Name", "classic")])]),
    ("get an interior node lists its children", [Get(items=[item("./Vendor/Acme")])],
     [("Status", "Get", 200), ("Results", [("./Vendor/Acme", "Volume/Name")])]),
    ("get a property", [Get(items=[item("./Vendor/Acme/Volume?prop=Format")])],
     [("Status", "Get", 200), ("Results", [("./Vendor/Acme/Volume?prop=Format", "int")])]),
    ("get a missing node: 404", [Get(items=[item("./Nope")])], [("Status", "Get", 404)]),
    ("the own ACL of a node that inherits, and a Replace the ACL refuses: 425",
     [Get(items=[item("./DevInfo?prop=ACL")]),
                                     Replace(items=[item("./Locked/Secret", "x")])],
     [("Status", "Get", 200), ("Results", [("./DevInfo?prop=ACL", "")]),
      ("Status", "Replace", 425)]),
    ("an unknown property: 406", [Get(items=[item("./Vendor?prop=Colour")])],
     [("Status", "Get", 406)]),
    ("a malformed URI: 400", [Get(items=[item("./Vendor//Acme")])], [("Status", "Get", 400)]),
    ("add a leaf, implicit parents", [Add(items=[item("./Vendor/New/Leaf", "v")])],
     [("Status", "Add", 200)]),
    ("add an existing node: 418", [Add(items=[item("./Vendor/Acme/Name", "v")])],
     [("Status", "Add", 418)]),
    ("add with an unknown format: 415", [Add(items=[item("./Vendor/x", "v", format="jpeg")])],
     [("Status", "Add", 415)]),
    ("a value its format refuses: 400", [Replace(items=[item("./Vendor/Acme/Volume", "loud")])],
     [("Status", "Replace", 400)]),
    ("replace never creates: 404", [Replace(items=[item("./Vendor/Nope", "v")])],
     [("Status", "Replace", 404)]),
    ("replace what DevInfo does not allow: 405",
     [Replace(items=[item("./DevInfo/Mod", "X2")])], [("Status", "Replace", 405)]),
    ("delete the root: 405", [Delete(items=[item(".")])], [("Status", "Delete", 405)]),
    ("delete a permanent node: 405", [Delete(items=[item("./DevInfo")])],
     [("Status", "Delete", 405)]),
    ("copy inside the tree", [Copy(items=[item("./Vendor/Copied", source="./Vendor/Acme")])],
     [("Status", "Copy", 200)]),
    ("exec where nothing executes: 406", [Exec(items=[item("./Vendor/Acme/Name")])],
     [("Status", "Exec", 406)]),
    ("a display alert: 200", [Alert(code=1100, items=[Item(data="Hello")])],
     [("Status", "Alert", 200)]),
    ("a confirm alert without a UI: 406", [Alert(code=1101, items=[Item(data="Sure?")])],
     [("Status", "Alert", 406)]),
    ("atomic, all applied",
     [Atomic(commands=[Add(items=[item("./Vendor/a", "1")]),
                       Add(items=[item("./Vendor/b", "2")])])],
     [("Status", "Atomic", 200), ("Status", "Add", 200), ("Status", "Add", 200)]),
    ("atomic, one fails: 507, 216 for the executed, 215 after",
     [Atomic(commands=[Add(items=[item("./Vendor/a", "1")]),
                       Replace(items=[item("./Vendor/Nope", "x")]),
                       Add(items=[item("./Vendor/c", "3")])])],
     [("Status", "Atomic", 507), ("Status", "Add", 216), ("Status", "Replace", 404),
      ("Status", "Add", 215)]),
    ("atomic holding a Get: 500",
     [Atomic(commands=[Add(items=[item("./Vendor/a", "1")]), Get(items=[item("./Vendor")])])],
     [("Status", "Atomic", 507), ("Status", "Add", 216), ("Status", "Get", 500)]),
    ("sequence stops at a failure: 215 after",
     [Sequence(commands=[Add(items=[item("./Vendor/a", "1")]),
                         Delete(items=[item("./Nope")]),
                         Add(items=[item("./Vendor/c", "3")])])],
     [("Status", "Sequence", 200), ("Status", "Add", 200), ("Status", "Delete", 404),
      ("Status", "Add", 215)]),
    ("a server alert 1223 ends the processing",
     [Alert(code=1223), Get(items=[item("./Vendor")])], [("Status", "Alert", 200)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("commands", "expected"),
    [(commands, expected) for _, commands, expected in CONFORMANCE],
    ids=[name for name, _, _ in CONFORMANCE],
)
def test_conformance(commands, expected):
    assert run(commands) == expected


def test_a_failed_atomic_leaves_the_tree_as_it_was():
    device = tree()
    before = list(device.walk())
    run(
        [Atomic(commands=[Add(items=[item("./Vendor/a", "1")]), Delete(items=[item("./Nope")])])],
        processor_tree=device,
    )
    assert list(device.walk()) == before


def test_a_sequence_may_go_on_after_a_failure_by_policy():
    answers = run(
        [Sequence(commands=[Delete(items=[item("./Nope")]), Add(items=[item("./Vendor/c", "3")])])],
        policy=Policy(continue_sequence=True),
    )
    assert answers[-1] == ("Status", "Add", 200)


def test_no_resp_commands_get_no_status():
    command = Replace(items=[item("./Vendor/Acme/Name", "quiet")])
    command.no_resp = True
    assert run([command]) == []


def test_get_of_struct_and_struct_data():
    (_, (_, listing)) = run([Get(items=[item("./Vendor/Acme?list=StructData")])])
    assert listing == [("./Vendor/Acme", "Volume/Name"), ("./Vendor/Acme/Volume", "5"),
                       ("./Vendor/Acme/Name", "classic")]  # fmt: skip


def test_get_of_tnds_and_add_of_tnds():
    device = tree()
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER, final=True)
    message.add(Get(items=[item("./Vendor?list=TNDS+Value")]))
    processor = Processor(device, SERVER)
    (_, results) = processor.process(Message.from_bytes(message.to_wbxml()))
    document = results.items[0].data
    assert document.tag == "MgmtTree" and results.items[0].meta.type.startswith(
        "application/vnd.syncml.dmtnds"
    )
    other = ManagementTree()
    other.replace(".?prop=ACL", "Add=*&Get=*&Replace=srv1")
    adding = Message(session_id="1", msg_id=3, target="IMEI:1", source=SERVER, final=True)
    adding.add(Add(items=[Item(target=".", data=document,
                               meta=Meta(format="xml", type="application/vnd.syncml.dmtnds+xml"))])
               )  # fmt: skip
    answers = Processor(other, SERVER).process(Message.from_bytes(adding.to_wbxml()))
    assert [a.code for a in answers] == [200]
    assert other.get("./Vendor/Acme/Volume").value == "5"


def test_binary_values_come_back_raw_or_as_base64_by_policy():
    device = tree()
    device.add("./Vendor/Acme/Key", b"\x00\xff")
    get = [Get(items=[item("./Vendor/Acme/Key")])]
    (_, raw) = run(get, processor_tree=device)
    assert raw == ("Results", [("./Vendor/Acme/Key", b"\x00\xff")])
    (_, text) = run(get, processor_tree=device, policy=Policy(binary="b64"))
    assert text == ("Results", [("./Vendor/Acme/Key", "AP8=")])


@dataclass
class Settings(BaseHandler):
    """A plug-in keeping its values in a dict; it can undo them, or fail to."""

    values: dict = field(default_factory=dict)
    saved: dict | None = None
    broken_rollback: bool = False
    executed: list = field(default_factory=list)

    def get(self, uri):
        if str(uri) not in self.values:
            raise TreeError(StatusCode.NOT_FOUND, str(uri))
        return NodeData(self.values[str(uri)], "chr", "text/plain")

    def add(self, uri, value, format, type):
        self.values[str(uri)] = value

    replace = add

    def exec(self, uri, data, correlator):
        self.executed.append((str(uri), data, correlator))
        return StatusCode.ACCEPTED

    def begin(self):
        self.saved = dict(self.values)

    def rollback(self):
        if self.broken_rollback:
            raise RuntimeError("cannot undo")
        self.values = dict(self.saved or {})


def test_a_plug_in_owns_its_subtree_under_the_trees_acl():
    device = tree()
    device.add("./Vendor/Plug", format="node")
    plug = Settings()
    processor = Processor(device, SERVER)
    processor.mount("./Vendor/Plug", plug)
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER, final=True)
    message.add(
        Replace(items=[item("./Vendor/Plug/Mode", "eco")]),
        Get(items=[item("./Vendor/Plug/Mode")]),
        Exec(correlator="c-1", items=[item("./Vendor/Plug/Apply", "now")]),
    )
    answers = [_summary(a) for a in processor.process(Message.from_bytes(message.to_wbxml()))]
    assert answers == [
        ("Status", "Replace", 200),
        ("Status", "Get", 200),
        ("Results", [("./Vendor/Plug/Mode", "eco")]),
        ("Status", "Exec", 202),
    ]
    assert processor.pending_execs == [("./Vendor/Plug/Apply", "c-1")]
    device.replace("./Vendor/Plug?prop=ACL", "Get=*")
    refused = Processor(device, SERVER)
    refused.mount("./Vendor/Plug", plug)
    message = Message(session_id="1", msg_id=3, target="IMEI:1", source=SERVER, final=True)
    message.add(Replace(items=[item("./Vendor/Plug/Mode", "off")]))
    (status,) = refused.process(Message.from_bytes(message.to_wbxml()))
    assert status.code == 425 and plug.values["./Vendor/Plug/Mode"] == "eco"


@pytest.mark.parametrize(("broken", "code"), [(False, 216), (True, 516)])
def test_an_atomic_rolls_back_across_plug_ins(broken, code):
    device = tree()
    device.add("./Vendor/Plug", format="node")
    plug = Settings(values={"./Vendor/Plug/Mode": "eco"}, broken_rollback=broken)
    processor = Processor(device, SERVER)
    processor.mount("./Vendor/Plug", plug)
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER, final=True)
    message.add(
        Atomic(commands=[Replace(items=[item("./Vendor/Plug/Mode", "max")]),
                         Add(items=[item("./Vendor/Acme/Name", "clash")])])
    )  # fmt: skip
    answers = [a.code for a in processor.process(Message.from_bytes(message.to_wbxml()))]
    assert answers == [507, code, 418]
    assert (plug.values["./Vendor/Plug/Mode"] == "eco") is not broken


def test_large_objects_are_joined_before_they_are_applied():
    from syncml_codec.session import Outbox

    data = "chunk" * 400
    outbox = Outbox(700)
    outbox.queue(Replace(items=[item("./Vendor/Acme/Name", data, format="chr")]))
    device = tree()
    processor = Processor(device, SERVER)
    codes = []
    while outbox.pending:
        header = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER).header
        message = Message.from_bytes(outbox.next_message(header).to_wbxml())
        codes += [answer.code for answer in processor.process(message)]
    assert codes[:-1] == [213] * (len(codes) - 1) and codes[-1] == 200
    assert device.get("./Vendor/Acme/Name").value == data


def test_an_interrupted_object_gets_alert_1225():
    first = Replace(items=[item("./Vendor/Acme/Name", "abc", format="chr")])
    first.items[0].more_data = True
    first.items[0].meta.size = 10
    answers = run([first, Get(items=[item("./Vendor")])])
    assert answers[0] == ("Status", "Replace", 213)
    assert answers[1] == ("Alert", 1225)
    assert answers[2] == ("Status", "Get", 200)


def chunks(data: str, size: int, pieces: int) -> list[Replace]:
    """``data`` as ``pieces`` Replace chunks of ./Vendor/Acme/Name, Size ``size`` on the first."""
    step = -(-len(data) // pieces)
    commands = []
    for start in range(0, len(data), step):
        chunk = item("./Vendor/Acme/Name", data[start : start + step], format="chr")
        chunk.more_data = start + step < len(data)
        if start == 0:
            chunk.meta.size = size
        commands.append(Replace(items=[chunk]))
    return commands


def test_a_large_object_whose_total_differs_from_its_size_is_424_and_not_applied():
    device = tree()
    answers = run(chunks("abcdefgh", 10, 2), processor_tree=device)
    assert answers == [("Status", "Replace", 213), ("Status", "Replace", 424)]
    assert device.get("./Vendor/Acme/Name").value == "classic"


def test_chunks_after_a_refused_one_get_its_status_and_the_last_is_not_applied():
    device = tree()
    answers = run(chunks("abcdefgh", 4, 3), processor_tree=device)  # past Size at the second
    assert answers == [("Status", "Replace", 213)] + [("Status", "Replace", 424)] * 2
    assert device.get("./Vendor/Acme/Name").value == "classic"


def test_a_large_object_above_the_devices_max_obj_size_is_413_and_not_applied():
    device = tree()
    policy = Policy(max_obj_size=6)
    answers = run(chunks("abcdefgh", 8, 2), processor_tree=device, policy=policy)
    assert answers == [("Status", "Replace", 413), ("Status", "Replace", 413)]
    assert device.get("./Vendor/Acme/Name").value == "classic"


def test_ui_alerts_go_to_the_user_interaction_callback():
    asked = []

    def user(alert):
        asked.append(alert.code)
        return (StatusCode.NOT_MODIFIED, [])  # "no" to a confirmation

    answers = run([Alert(code=1101, items=[Item(data="Reboot?")])], user_interaction=user)
    assert answers == [("Status", "Alert", 304)] and asked == [1101]


def test_the_whole_answer_message():
    processor = Processor(tree(), SERVER)
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER, final=True)
    message.add(Replace(items=[item("./Vendor/Acme/Name", "new")]))
    answer = processor.answer(Message.from_bytes(message.to_wbxml()), msg_id=2)
    assert [(c.TAG, c.cmd_id) for c in answer.commands] == [("Status", "1"), ("Status", "2")]
    assert answer.commands[0].cmd == "SyncHdr" and answer.final
    message.final = False
    answer = processor.answer(Message.from_bytes(message.to_wbxml()), msg_id=3)
    assert [c.TAG for c in answer.commands] == ["Status", "Status", "Alert"]
    assert answer.commands[-1].code == 1222 and not answer.final


def test_fumo_update_from_a_package_sent_in_chunks():
    from syncml_codec.dm import FumoHandler, FumoState
    from syncml_codec.session import Outbox

    installed = []
    device = tree()
    device.add("./FwUpdate/x1", format="node", type="urn:oma:mo:oma-fumo:1.0")
    fumo = FumoHandler(
        "./FwUpdate/x1", download=lambda url: 411, install=lambda pkg: installed.append(pkg) or 200
    )
    processor = Processor(device, SERVER)
    processor.mount("./FwUpdate/x1", fumo)
    firmware = bytes(range(256)) * 12
    outbox = Outbox(900)
    outbox.queue(
        Replace(items=[Item(target="./FwUpdate/x1/Update/PkgData", data=firmware,
                            meta=Meta(format="bin", type="application/octet-stream"))]),
        Exec(correlator="fw-42", items=[item("./FwUpdate/x1/Update")]),
        Get(items=[item("./FwUpdate/x1/State")]),
    )  # fmt: skip
    answers = []
    while outbox.pending:
        header = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER).header
        message = Message.from_bytes(outbox.next_message(header).to_wbxml())
        answers += [_summary(a) for a in processor.process(message)]
    assert ("Status", "Exec", 202) in answers
    assert answers[-1] == ("Results", [("./FwUpdate/x1/State", "50")])
    assert fumo.state == FumoState.READY_TO_UPDATE and processor.pending_execs == [
        ("./FwUpdate/x1/Update", "fw-42")
    ]
    (alert,) = fumo.run_pending()
    assert installed == [firmware] and fumo.state == FumoState.UPDATE_SUCCESSFUL_NO_DATA
    assert alert.code == 1226 and alert.correlator == "fw-42"
    assert alert.items[0].data == "200" and alert.items[0].source_uri == "./FwUpdate/x1"
    assert alert.items[0].meta.type == "org.openmobilealliance.dm.firmwareupdate.update"


def test_fumo_leaves_take_utf8_text_only():
    """PkgName, PkgVersion and PkgURL are chr: binary Data that is not UTF-8 is 400, another
    Format 415, a Replace without Data empties them. PkgData in base64 that is not (a
    character outside ASCII) is 400."""
    from syncml_codec.dm import FumoHandler

    device = tree()
    device.add("./FwUpdate/x1", format="node")
    fumo = FumoHandler("./FwUpdate/x1", download=lambda url: 411, install=lambda pkg: 200)
    fumo.values[("PkgName",)] = "old"
    processor = Processor(device, SERVER)
    processor.mount("./FwUpdate/x1", fumo)
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER)
    message.add(
        Replace(items=[item("./FwUpdate/x1/PkgName", b"\xff\xfe")]),
        Replace(items=[item("./FwUpdate/x1/PkgName", "AP8=", "b64")]),
        Replace(items=[item("./FwUpdate/x1/PkgVersion", "2.0 é", "chr")]),
        Replace(items=[item("./FwUpdate/x1/PkgName")]),
        Replace(items=[item("./FwUpdate/x1/Update/PkgData", "AP8²", "b64")]),
    )
    answers = processor.process(Message.from_bytes(message.to_wbxml()))
    assert [answer.code for answer in answers] == [400, 415, 200, 200, 400]
    assert fumo.values[("PkgVersion",)] == "2.0 é" and fumo.values[("PkgName",)] == ""


def test_fumo_download_failure_is_reported_critical():
    from syncml_codec.dm import FumoHandler, FumoState

    device = tree()
    device.add("./FwUpdate/x1", format="node")
    fumo = FumoHandler("./FwUpdate/x1", download=lambda url: 412, install=lambda pkg: 200)
    processor = Processor(device, SERVER)
    processor.mount("./FwUpdate/x1", fumo)
    answers = run_with(processor, [
        Replace(items=[item("./FwUpdate/x1/DownloadAndUpdate/PkgURL", "http://fw.example/dd")]),
        Exec(items=[item("./FwUpdate/x1/DownloadAndUpdate")]),
        Exec(items=[item("./FwUpdate/x1/State")]),
    ])  # fmt: skip
    assert answers == [("Status", "Replace", 200), ("Status", "Exec", 202), ("Status", "Exec", 405)]
    (alert,) = fumo.run_pending()
    assert fumo.state == FumoState.DOWNLOAD_FAILED
    assert (alert.items[0].data, alert.items[0].meta.mark) == ("412", "critical")


def run_with(processor: Processor, commands: list) -> list:
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER, final=True)
    message.add(*commands)
    return [_summary(a) for a in processor.process(Message.from_bytes(message.to_wbxml()))]


MOTOROLA = PUBLIC_VECTORS / "motorola-dmlib"
MOTOROLA_DDF = PUBLIC_VECTORS / "external" / "omadm-motorola" / "setting_dmt_data_syncmldm.ddf"
MOTOROLA_URI_VALUES = (
    PUBLIC_VECTORS / "external" / "omadm-motorola" / "setting_dmt_data_devdetail_uri.xml"
)


def motorola_tree() -> ManagementTree:
    """A tree built from Motorola's syncmldm.ddf, with the URI limits its device data file
    gives (its own format: a Data element in each Node)."""
    device = ManagementTree(root_acl="Add=*&Delete=*&Exec=*&Get=*&Replace=*")
    device.describe(Ddf.parse(MOTOROLA_DDF.read_bytes()), create=True)
    data = decode(MOTOROLA_URI_VALUES.read_bytes(), unknown_tags="keep")
    for node in data.iter():
        if node.tag == "Node" and node.findtext("Data"):
            uri = f"./DevDetail/URI/{node.findtext('NodeName')}"
            device.add(uri, node.findtext("Data"), format="int")
    return device


@pytest.mark.parametrize("version", ["dm11", "dm12"])
def test_motorolas_server_packages_get_the_statuses_the_spec_gives(version):
    if not (MOTOROLA / version).exists() or not MOTOROLA_DDF.exists():
        pytest.skip(f"{MOTOROLA} or {MOTOROLA_DDF} is not present")
    processor = Processor(motorola_tree(), "motorola")

    def answers(name: str) -> list:
        message = Message.from_bytes((MOTOROLA / version / f"{name}.wbxml").read_bytes())
        return [_summary(answer) for answer in processor.process(message)]

    assert answers("testget") == [
        ("Status", "Get", 200),
        ("Results", [("./DevDetail/URI/MaxDepth", "20")]),
    ]
    # ./TestLeafNode: the DDF describes no such child of the root (405, docs/management-tree.md)
    assert answers("testadd") == [("Status", "Add", 405)]
    assert answers("testdelete") == [("Status", "Delete", 404), ("Status", "Delete", 404)]


def test_a_command_of_several_items_is_answered_per_item():
    answers = run(
        [
            Get(items=[item("./Vendor/Acme/Name"), item("./Nope")]),
            Delete(items=[item("./Vendor/Acme/Volume"), item("./Vendor/Acme/Volume")]),
        ]
    )
    assert answers == [
        ("Status", "Get", 200),
        ("Results", [("./Vendor/Acme/Name", "classic")]),
        ("Status", "Get", 404),
        ("Status", "Delete", 200),
        ("Status", "Delete", 404),
    ]
    message = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER, final=True)
    message.add(Get(items=[item("./Vendor/Acme/Name"), item("./Vendor/Acme/Volume")]))
    statuses = [
        a for a in Processor(tree(), SERVER).process(Message.from_bytes(message.to_wbxml()))
        if a.TAG == "Status"
    ]  # fmt: skip
    assert [s.target_refs for s in statuses] == [["./Vendor/Acme/Name"], ["./Vendor/Acme/Volume"]]


def test_the_policy_decides_the_creators_acl_and_windows_aliases():
    device = tree()
    device.replace(".?prop=ACL", "Add=*&Get=*")
    answers = run_with(Processor(device, SERVER), [Add(items=[item("./Acc1")])])
    assert answers == [("Status", "Add", 200)]
    assert device.get("./Acc1?prop=ACL").value == "Add=srv1&Delete=srv1&Replace=srv1"
    plain = Processor(device, SERVER, policy=Policy(creator_acl=False))
    run_with(plain, [Add(items=[item("./Acc2")])])
    assert device.get("./Acc2?prop=ACL").value == ""
    windows = Processor(device, SERVER, policy=Policy(windows_aliases=True))
    answers = run_with(windows, [Get(items=[item("./Device/Vendor/Acme/Name")])])
    assert answers[1] == ("Results", [("./Device/Vendor/Acme/Name", "classic")])
    answers = run_with(plain, [Get(items=[item("./Device/Vendor/Acme/Name")])])
    assert answers == [("Status", "Get", 404)]  # no aliases by default


def test_a_text_input_alert_answers_with_what_the_user_typed():
    def user(alert):
        return (StatusCode.OK, [Item(data="my answer")])

    message = Message(session_id="1", msg_id=2, target="IMEI:1", source=SERVER, final=True)
    message.add(Alert(code=1102, items=[Item(data="Your name?")]))
    processor = Processor(tree(), SERVER, user_interaction=user)
    (status,) = processor.process(Message.from_bytes(message.to_wbxml()))
    assert status.code == 200 and [item.data for item in status.items] == ["my answer"]
    again = Message.from_bytes(
        processor.answer(Message.from_bytes(message.to_wbxml()), msg_id=2).to_wbxml()
    )
    assert [item.data for item in again.commands[1].items] == ["my answer"]


def test_copy_inside_a_plug_in_and_across_its_border():
    device = tree()
    device.add("./Vendor/Plug", format="node")

    class Copying(Settings):
        def copy(self, target, source):
            self.values[str(target)] = self.values[str(source)]

    plug = Copying(values={"./Vendor/Plug/A": "a"})
    processor = Processor(device, SERVER)
    processor.mount("./Vendor/Plug", plug)
    answers = run_with(processor, [
        Copy(items=[item("./Vendor/Plug/B", source="./Vendor/Plug/A")]),
        Copy(items=[item("./Vendor/Out", source="./Vendor/Plug/A")]),
        Copy(items=[item("./Vendor/Plug/C", source="./Vendor/Acme")]),
    ])  # fmt: skip
    assert answers == [("Status", "Copy", 200), ("Status", "Copy", 403), ("Status", "Copy", 403)]
    assert plug.values["./Vendor/Plug/B"] == "a" and "./Vendor/Plug/C" not in plug.values


@pytest.mark.parametrize(
    ("commands", "expected"),
    [
        (
            [Copy(items=[item("./Vendor/Acme/In", source="./Vendor/Acme")])],
            [("Status", "Copy", 403)],
        ),
        (
            [Replace(items=[item("./Vendor/Acme/Name?prop=Name", "Volume")])],
            [("Status", "Replace", 418)],
        ),
        (
            [Replace(items=[item("./Vendor/Acme/Name?prop=Format", "int")])],
            [("Status", "Replace", 405)],
        ),
        ([Get(items=[item("./Vendor?list=Everything")])], [("Status", "Get", 406)]),
        ([Add(items=[item("./Vendor/Acme/Name/Below", "x")])], [("Status", "Add", 405)]),
    ],
    ids=[
        "copy into itself 403",
        "rename clash 418",
        "property replace 405",
        "unknown listing 406",
        "add under a leaf 405",
    ],
)
def test_more_statuses_of_the_reference(commands, expected):
    assert run(commands) == expected


def test_uri_limits_give_414():
    device = tree()
    device.replace("./DevDetail/URI/MaxDepth", "2")
    assert run([Add(items=[item("./Vendor/A/B", "x")])], processor_tree=device) == [
        ("Status", "Add", 414)
    ]


def test_fumo_nodes_and_their_refusals():
    from syncml_codec.dm import FumoHandler, FumoState

    device = tree()
    device.add("./FwUpdate/x1", format="node")
    fumo = FumoHandler(
        "./FwUpdate/x1", download=lambda url: b"pkg", install=lambda pkg: 410, pkg_name="fw"
    )
    processor = Processor(device, SERVER)
    processor.mount("./FwUpdate/x1", fumo)
    answers = run_with(processor, [
        Get(items=[item("./FwUpdate/x1"), item("./FwUpdate/x1/PkgName")]),
        Get(items=[item("./FwUpdate/x1/Update/PkgData"), item("./FwUpdate/x1/Nope")]),
        Replace(items=[item("./FwUpdate/x1/State", "20")]),
        Exec(items=[item("./FwUpdate/x1/Update")]),
        Replace(items=[item("./FwUpdate/x1/Update/PkgData", "cGtn", format="b64")]),
        Exec(correlator="u1", items=[item("./FwUpdate/x1/Update")]),
        Replace(items=[item("./FwUpdate/x1/Download/PkgURL", "http://fw.example/p")]),
        Exec(items=[item("./FwUpdate/x1/Download")]),
    ])  # fmt: skip
    assert answers == [
        ("Status", "Get", 200),
        (
            "Results",
            [("./FwUpdate/x1", "PkgName/PkgVersion/Download/Update/DownloadAndUpdate/State")],
        ),
        ("Status", "Get", 200),
        ("Results", [("./FwUpdate/x1/PkgName", "fw")]),
        ("Status", "Get", 405),
        ("Status", "Get", 404),
        ("Status", "Replace", 405),
        ("Status", "Exec", 500),  # no package yet
        ("Status", "Replace", 200),
        ("Status", "Exec", 202),
        ("Status", "Replace", 200),
        ("Status", "Exec", 202),
    ]
    update, download = fumo.run_pending()
    assert fumo.package == b"pkg" and fumo.state == FumoState.DOWNLOAD_COMPLETE
    assert (update.items[0].data, update.items[0].meta.mark, update.correlator) == (
        "410",
        "critical",
        "u1",
    )
    assert download.items[0].meta.type.endswith(".download") and download.items[0].data == "200"
    assert fumo.alerts == [update, download]


def test_sequences_nested_past_the_bound_get_500_and_are_not_run():
    device = tree()
    innermost: Any = Add(items=[item("./Vendor/deep", "1")])
    for _ in range(MAX_CONTAINER_NESTING + 4):
        innermost = Sequence(commands=[innermost])
    answers = run([innermost], processor_tree=device)
    assert answers == [("Status", "Sequence", 200)] * MAX_CONTAINER_NESTING + [
        ("Status", "Sequence", 500)
    ]
    assert "./Vendor/deep" not in list(device.walk())


@pytest.mark.parametrize("container", ["Sequence", "Atomic"])
def test_containers_nested_as_deep_as_raised_limits_allow_are_answered(container):
    """3,000 nested containers (decoded under a raised max_depth) are walked and answered
    without recursion running out."""
    data = nested_containers(container, 3000)
    received = Message.from_bytes(data, limits=Limits(max_depth=10_000))
    assert sum(1 for _ in received.all_commands()) == 3000
    answers = Processor(tree(), SERVER).process(received)
    assert answers[0].cmd == container and all(answer.TAG == "Status" for answer in answers)
    assert [answer.code for answer in answers[-2:]] == (
        [200, 500] if container == "Sequence" else [507, 500]  # an Atomic in an Atomic: 500
    )
