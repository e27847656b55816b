"""The object model: lossless round trips, building messages, answering them, validating them."""

from __future__ import annotations

import warnings

import pytest

import syncml_codec
from syncml_codec.model import (
    Add,
    Alert,
    AlertCode,
    Atomic,
    Cred,
    Exec,
    Get,
    Item,
    Message,
    Meta,
    ModelError,
    ModelWarning,
    Package,
    Replace,
    Results,
    Sequence,
    Status,
    StatusCode,
    fumo_alert,
    generic_alert,
    respond,
    validate,
)

from helpers import VECTORS, nested_containers, public_vectors, require_libwbxml
from helpers.libwbxml import as_xml, wbxml2xml

pytestmark = pytest.mark.usefixtures("codec")

SERVER = "https://dm.example.com/dm"
DEVICE = "IMEI:493005100592800"
MESSAGE_VECTORS = sorted(p for p in (VECTORS / "xml").glob("*.xml") if p.stem != "ddf-devinfo")


def tree(xml: str):
    return syncml_codec.decode(xml.encode())


@pytest.mark.parametrize("path", MESSAGE_VECTORS, ids=lambda p: p.stem)
def test_every_vector_round_trips_through_the_model(path):
    for data in (path.read_bytes(), (VECTORS / "libwbxml-n" / f"{path.stem}.wbxml").read_bytes()):
        original = syncml_codec.decode(data)
        message = Message.from_bytes(data)
        assert syncml_codec.decode(message.to_wbxml()) == original
        assert syncml_codec.decode(message.to_xml(pretty=True)) == original


@pytest.mark.parametrize("path", public_vectors(), ids=lambda p: p.name)
def test_device_messages_round_trip_through_the_model(path):
    original = syncml_codec.decode(path.read_bytes())
    assert syncml_codec.decode(Message.from_bytes(path.read_bytes()).to_wbxml()) == original


def test_reading_a_message():
    message = Message.from_bytes((VECTORS / "xml" / "dm12-pkg2-server.xml").read_bytes())
    header = message.header
    assert (header.session_id, header.msg_id, message.version) == ("1A2B", "1", "1.2")
    assert header.target.loc_uri == DEVICE and header.meta.max_msg_size == 20000
    assert [c.TAG for c in message.commands] == [
        "Status",
        "Status",
        "Status",
        "Get",
        "Replace",
        "Add",
        "Delete",
        "Exec",
    ]
    status = message.commands[0]
    assert status.code == StatusCode.AUTHENTICATION_ACCEPTED and status.cmd == "SyncHdr"
    assert status.chal.meta.next_nonce == "Tm9uY2UtMg=="
    add = message.commands[5]
    assert add.items[0].meta.format == "node" and add.items[0].data is None
    assert add.items[1].target_uri == "./Vendor/Example/Settings/Proxy"
    assert add.items[1].data == "123.123.123.123"
    assert message.commands[7].correlator == "corr-0815"
    assert message.final


def test_embedded_documents_and_binary_data_are_data():
    message = Message.from_bytes((VECTORS / "xml" / "ds12-slow-sync-devinf.xml").read_bytes())
    put = message.commands[1]
    devinf = put.items[0].data
    assert devinf.tag == "DevInf" and devinf.findtext("Man") == "Example"
    item = Item(data=b"\x00\xff")
    assert item.data == b"\x00\xff"


def test_unknown_elements_and_declarations_survive_edits():
    xml = (
        f'<SyncML xmlns="SYNCML:SYNCML1.2" xmlns:msft="urn:msft"><SyncHdr><VerDTD>1.2</VerDTD>'
        f"<VerProto>DM/1.2</VerProto><SessionID>0</SessionID><MsgID>1</MsgID>"
        f"<Target><LocURI>{SERVER}</LocURI></Target><Source><LocURI>{DEVICE}</LocURI></Source>"
        f"<msft:Hint>x</msft:Hint></SyncHdr><SyncBody><Get><CmdID>1</CmdID><Item><Data> a\n"
        f"</Data><Vendor/></Item></Get></SyncBody></SyncML>"
    )
    message = Message.from_bytes(xml)
    message.header.msg_id = "2"
    message.final = True
    out = syncml_codec.decode(message.to_xml())
    assert out.attributes == {"xmlns:msft": "urn:msft"}
    assert [c.tag for c in out.find("SyncHdr")][-1] == "Hint"
    item = out.find("SyncBody").find("Get").find("Item")
    assert [c.tag for c in item] == ["Data", "Vendor"] and item.findtext("Data") == " a\n"
    assert out.find("SyncBody").children[-1].tag == "Final"


def test_peer_oddities_warn_and_non_messages_raise():
    with pytest.warns(ModelWarning):
        Message.from_bytes("<SyncML><SyncHdr/><SyncBody><Bogus/></SyncBody></SyncML>")
    with pytest.warns(ModelWarning):
        Message.from_bytes("<SyncML><SyncBody/><SyncHdr/></SyncML>")
    with pytest.raises(ModelError):
        Message.from_bytes("<SyncML><SyncHdr/></SyncML>")
    with pytest.raises(ModelError):
        Message.from_bytes('<DevInf xmlns="syncml:devinf"/>')


def test_fields_are_inserted_in_dtd_order():
    status = Status(data="200")
    status.cmd = "Get"
    status.cmd_id = "5"
    status.target_refs = ["./a", "./b"]
    status.msg_ref = "1"
    status.cmd_ref = "3"
    assert [c.tag for c in status.element] == [
        "CmdID",
        "MsgRef",
        "CmdRef",
        "Cmd",
        "TargetRef",
        "TargetRef",
        "Data",
    ]
    status.cmd_ref = None
    assert status.cmd_ref is None and "CmdRef" not in [c.tag for c in status.element]
    item = Item(data="1")
    item.more_data = True
    item.meta = Meta(size=3000)
    item.target = "./x"
    assert [c.tag for c in item.element] == ["Target", "Meta", "Data", "MoreData"]
    assert item.meta.element.children[0].namespace == "syncml:metinf"
    with pytest.raises(TypeError):
        Item(nonsense=1)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("8192", 8192),
        (" 0042 ", 42),
        ("0" * 5_000 + "7", 7),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),  # past any count or size (and a C long long)
        ("9" * 5_000, None),  # more digits than Python converts
        ("²", None),  # digits of other scripts, superscripts: no SyncML number
        ("1²", None),
        ("٣", None),
        ("-1", None),
        ("", None),
    ],
)
def test_number_fields_read_ascii_decimal_numbers_up_to_64_bits(text, number):
    meta = Meta()
    meta.element.children.append(type(meta.element)("MaxMsgSize", "syncml:metinf", None, text))
    assert meta.max_msg_size == number
    status = Status(cmd_id=text, data=text)
    assert status.code == number
    message = Message(session_id="1", msg_id=1, target=SERVER, source=DEVICE)
    message.add(status, Get())
    expected = 1 if number is None else number + 1
    assert message.commands[1].cmd_id == str(expected)  # numbered after the highest


def test_building_in_code_numbers_commands_and_libwbxml_reads_it(tmp_path):
    message = Message(session_id="1A2B", msg_id=1, target=SERVER, source=DEVICE, final=True)
    message.header.meta = Meta(max_msg_size=10000, max_obj_size=524288)
    message.add(
        Alert(code=AlertCode.CLIENT_INITIATED_MGMT),
        Replace(
            items=[
                Item(source="./DevInfo/Man", data="Example"),
                Item(source="./DevInfo/DmV", data="1.2"),
            ]
        ),
        Atomic(
            commands=[
                Add(items=[Item(target="./A", data="1")]),
                Add(cmd_id="custom-id", items=[Item(target="./B", data="2")]),
            ]
        ),
        Sequence(commands=[Get(items=[Item(target="./DevInfo/Lang")])]),
    )
    expected = tree(f"""<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>
      <VerProto>DM/1.2</VerProto><SessionID>1A2B</SessionID><MsgID>1</MsgID>
      <Target><LocURI>{SERVER}</LocURI></Target><Source><LocURI>{DEVICE}</LocURI></Source>
      <Meta><MaxMsgSize xmlns="syncml:metinf">10000</MaxMsgSize>
            <MaxObjSize xmlns="syncml:metinf">524288</MaxObjSize></Meta></SyncHdr>
    <SyncBody>
      <Alert><CmdID>1</CmdID><Data>1201</Data></Alert>
      <Replace><CmdID>2</CmdID>
        <Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Example</Data></Item>
        <Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.2</Data></Item></Replace>
      <Atomic><CmdID>3</CmdID>
        <Add><CmdID>4</CmdID><Item><Target><LocURI>./A</LocURI></Target><Data>1</Data></Item></Add>
        <Add><CmdID>custom-id</CmdID><Item><Target><LocURI>./B</LocURI></Target><Data>2</Data></Item></Add>
      </Atomic>
      <Sequence><CmdID>5</CmdID>
        <Get><CmdID>6</CmdID><Item><Target><LocURI>./DevInfo/Lang</LocURI></Target></Item></Get>
      </Sequence>
      <Final/></SyncBody></SyncML>""")
    assert as_xml(message.element) == as_xml(expected)
    assert validate(message) == []
    require_libwbxml()
    assert as_xml(syncml_codec.decode(wbxml2xml(message.to_wbxml(), tmp_path))) == as_xml(expected)


def test_dm_112_messages_keep_their_namespace():
    message = Message(session_id="1", msg_id=1, target=SERVER, source=DEVICE, version="1.1")
    message.add(Alert(code=1201))
    assert message.header.ver_proto == "DM/1.1"
    namespaces = {e.namespace for e in _elements(message.element)}
    assert namespaces == {"SYNCML:SYNCML1.1"}
    assert syncml_codec.encode(message.element)[1:3] == b"\x9f\x53"


def _elements(element):
    yield element
    for child in element.children:
        yield from _elements(child)


# -- a full server-initiated DM session with a firmware update -----------------------------------


def _package_1():
    message = Message(session_id="4D2", msg_id=1, target=SERVER, source=DEVICE, final=True)
    message.header.cred = Cred(meta=Meta(format="b64", type="syncml:auth-md5"), data="bWQ1")
    message.header.meta = Meta(max_msg_size=8000)
    message.add(
        Alert(code=AlertCode.SERVER_INITIATED_MGMT),
        Replace(
            items=[
                Item(source="./DevInfo/DevId", data=DEVICE),
                Item(source="./DevInfo/DmV", data="1.2"),
            ]
        ),
    )
    return message


def _package_2():
    package_1 = Message.from_bytes(_package_1().to_wbxml())
    package_2 = respond(package_1, msg_id=1, header_status=StatusCode.AUTHENTICATION_ACCEPTED)
    package_2.add(
        Get(items=[Item(target="./DevDetail/FwV")]),
        Replace(
            items=[
                Item(
                    target="./FwUpdate/x1/DownloadAndUpdate/PkgURL",
                    data="https://fw.example.com/pkg/42",
                )
            ]
        ),
        Exec(correlator="corr-42", items=[Item(target="./FwUpdate/x1/DownloadAndUpdate")]),
    )
    expected = tree(f"""<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>
      <VerProto>DM/1.2</VerProto><SessionID>4D2</SessionID><MsgID>1</MsgID>
      <Target><LocURI>{DEVICE}</LocURI></Target><Source><LocURI>{SERVER}</LocURI></Source>
    </SyncHdr><SyncBody>
      <Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>
        <TargetRef>{SERVER}</TargetRef><SourceRef>{DEVICE}</SourceRef><Data>212</Data></Status>
      <Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Alert</Cmd>
        <Data>200</Data></Status>
      <Status><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Replace</Cmd>
        <SourceRef>./DevInfo/DevId</SourceRef><SourceRef>./DevInfo/DmV</SourceRef>
        <Data>200</Data></Status>
      <Get><CmdID>4</CmdID><Item><Target><LocURI>./DevDetail/FwV</LocURI></Target></Item></Get>
      <Replace><CmdID>5</CmdID><Item><Target><LocURI>./FwUpdate/x1/DownloadAndUpdate/PkgURL</LocURI>
        </Target><Data>https://fw.example.com/pkg/42</Data></Item></Replace>
      <Exec><CmdID>6</CmdID><Correlator>corr-42</Correlator><Item><Target>
        <LocURI>./FwUpdate/x1/DownloadAndUpdate</LocURI></Target></Item></Exec>
      <Final/></SyncBody></SyncML>""")
    return package_2, expected


def test_session_package_2_answers_package_1_and_adds_commands():
    package_2, expected = _package_2()
    assert as_xml(package_2.element) == as_xml(expected)
    assert validate(package_2) == []


def _package_3():
    package_2 = Message.from_bytes(_package_2()[0].to_wbxml())

    def status(command):
        return StatusCode.ACCEPTED if command.TAG == "Exec" else StatusCode.OK

    def results(command):
        if command.TAG == "Get":
            return [
                Item(
                    source=command.items[0].target_uri,
                    meta=Meta(format="chr", type="text/plain"),
                    data="1.0.7",
                )
            ]
        return None

    package_3 = respond(package_2, msg_id=2, status=status, results=results)
    expected = tree(f"""<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>
      <VerProto>DM/1.2</VerProto><SessionID>4D2</SessionID><MsgID>2</MsgID>
      <Target><LocURI>{SERVER}</LocURI></Target><Source><LocURI>{DEVICE}</LocURI></Source>
    </SyncHdr><SyncBody>
      <Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>
        <TargetRef>{DEVICE}</TargetRef><SourceRef>{SERVER}</SourceRef><Data>200</Data></Status>
      <Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Get</Cmd>
        <TargetRef>./DevDetail/FwV</TargetRef><Data>200</Data></Status>
      <Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Item><Source>
        <LocURI>./DevDetail/FwV</LocURI></Source><Meta><Format xmlns="syncml:metinf">chr</Format>
        <Type xmlns="syncml:metinf">text/plain</Type></Meta><Data>1.0.7</Data></Item></Results>
      <Status><CmdID>4</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Cmd>Replace</Cmd>
        <TargetRef>./FwUpdate/x1/DownloadAndUpdate/PkgURL</TargetRef><Data>200</Data></Status>
      <Status><CmdID>5</CmdID><MsgRef>1</MsgRef><CmdRef>6</CmdRef><Cmd>Exec</Cmd>
        <TargetRef>./FwUpdate/x1/DownloadAndUpdate</TargetRef><Data>202</Data></Status>
      <Final/></SyncBody></SyncML>""")
    return package_3, expected


def test_session_package_3_has_results_after_their_status():
    package_3, expected = _package_3()
    assert as_xml(package_3.element) == as_xml(expected)
    assert validate(package_3) == []


def test_session_package_4_only_answers_the_header():
    package_3 = Message.from_bytes(_package_3()[0].to_wbxml())
    package_4 = respond(package_3, msg_id=2)
    assert [(c.TAG, c.cmd_ref, c.code) for c in package_4.commands] == [("Status", "0", 200)]
    assert package_4.final and validate(package_4) == []


def test_fumo_report_in_a_new_session():
    report = Message(session_id="4D3", msg_id=1, target=SERVER, source=DEVICE, final=True)
    report.add(
        Alert(code=AlertCode.CLIENT_INITIATED_MGMT),
        fumo_alert("./FwUpdate/x1", 200, correlator="corr-42"),
    )
    alert = report.commands[1]
    assert alert.code == AlertCode.GENERIC_ALERT and alert.correlator == "corr-42"
    item = alert.items[0]
    assert item.source_uri == "./FwUpdate/x1"
    assert (item.meta.type, item.meta.format, item.meta.mark) == (
        "org.openmobilealliance.dm.firmwareupdate.downloadandupdate",
        "int",
        None,
    )
    assert item.data == "200"
    assert [c.tag for c in alert.element] == ["CmdID", "Data", "Correlator", "Item"]
    answer = respond(Message.from_bytes(report.to_xml()), msg_id=1)
    assert [(c.cmd_ref, c.cmd, c.code) for c in answer.commands] == [
        ("0", "SyncHdr", 200),
        ("1", "Alert", 200),
        ("2", "Alert", 200),
    ]
    assert answer.commands[2].source_refs == ["./FwUpdate/x1"]
    failed = fumo_alert("./FwUpdate/x1", 410, operation="update")
    assert failed.items[0].meta.mark == "critical" and failed.correlator is None
    with pytest.raises(ValueError):
        fumo_alert("./FwUpdate/x1", 200, operation="reboot")


def test_generic_alert_builder():
    alert = generic_alert(
        type="Reversed-Domain-Name: org.example.alert",
        format="xml",
        data="<x/>",
        mark="warning",
        source="./Example",
    )
    item = alert.items[0]
    assert alert.code == 1226 and alert.correlator is None
    assert (item.meta.type, item.meta.format, item.meta.mark, item.data) == (
        "Reversed-Domain-Name: org.example.alert",
        "xml",
        "warning",
        "<x/>",
    )
    binary = generic_alert(type="org.example.blob", format="bin", data=b"\xff\x00")
    assert binary.items[0].data == b"\xff\x00"  # was its repr, "b'\\xff\\x00'"
    assert generic_alert(type="org.example.code", format="int", data=7).items[0].data == "7"


def test_multi_message_package_asks_for_the_next_message():
    first = Message(session_id="9", msg_id=3, target=SERVER, source=DEVICE, final=False)
    first.add(Results(msg_ref="2", cmd_ref="4", items=[Item(source="./A", data="x" * 10)]))
    answer = respond(first, msg_id=3)
    assert [(c.TAG, c.code) for c in answer.commands] == [("Status", 200), ("Alert", 1222)]
    assert not answer.final
    chunk = Message(session_id="9", msg_id=4, target=SERVER, source=DEVICE, final=False)
    chunk.add(
        Replace(items=[Item(target="./Big", meta=Meta(size=3000), data="AAAA", more_data=True)])
    )
    answer = respond(chunk, msg_id=4)
    assert [(c.TAG, c.code) for c in answer.commands] == [
        ("Status", 200),
        ("Status", 213),
        ("Alert", 1222),
    ]


def test_results_answered_only_when_not_200_and_status_never():
    message = Message(session_id="9", msg_id=3, target=SERVER, source=DEVICE, final=True)
    message.add(
        Status(msg_ref="1", cmd_ref="1", cmd="Alert", data="200"),
        Results(msg_ref="1", cmd_ref="2", items=[Item(source="./A", data="1")]),
    )
    assert [c.cmd_ref for c in respond(message, msg_id=1).commands] == ["0"]
    bad = respond(message, msg_id=1, status=lambda c: 500)
    assert [(c.cmd, c.code) for c in bad.commands] == [("SyncHdr", 200), ("Results", 500)]


def test_package_tracks_final_and_order():
    package = Package(3, "client")
    first = Message(session_id="1", msg_id=2, target=SERVER, source=DEVICE)
    first.add(Alert(code=1222))
    package.add(first)
    assert not package.complete and package.expected_sender == "client"
    last = Message(session_id="1", msg_id=3, target=SERVER, source=DEVICE, final=True)
    package.add(last)
    assert package.complete and [c.TAG for c in package.commands()] == ["Alert"]
    with pytest.raises(ModelError):
        package.add(Message(session_id="1", msg_id=4, target=SERVER, source=DEVICE))
    with pytest.raises(ValueError):
        Package(0, "server")


def test_codes_carry_their_meaning():
    assert StatusCode(424).description == "Size mismatch"
    assert AlertCode(1222) is AlertCode.NEXT_MESSAGE
    assert AlertCode.GENERIC_ALERT.description == "Generic alert"


# -- validation --------------------------------------------------------------------------------

GOOD = [
    (
        p,
        "dm1.1.2"
        if p.stem.startswith("dm112")
        else "ds1.2"
        if p.stem.startswith("ds12")
        else "dm1.2",
    )
    for p in MESSAGE_VECTORS
    if p.stem.startswith(("dm12", "dm112", "ds12", "windows"))
]


@pytest.mark.parametrize("path,profile", GOOD, ids=[p.stem for p, _ in GOOD])
def test_good_vectors_validate_silently(path, profile):
    assert validate(Message.from_bytes(path.read_bytes()), profile) == []


def _minimal(body: str, header_extra: str = "", ver="1.2", proto="DM/1.2") -> Message:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return Message.from_bytes(
            f'<SyncML xmlns="SYNCML:SYNCML{ver}"><SyncHdr><VerDTD>{ver}</VerDTD>'
            f"<VerProto>{proto}</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>"
            f"<Target><LocURI>{SERVER}</LocURI></Target><Source><LocURI>{DEVICE}</LocURI></Source>"
            f"{header_extra}</SyncHdr><SyncBody>{body}<Final/></SyncBody></SyncML>"
        )


GET = "<Item><Target><LocURI>./A</LocURI></Target></Item>"
BAD = [
    ("missing-cmdid", f"<Get>{GET}</Get>", "SyncML/SyncBody[1]/Get[1]"),
    (
        "duplicate-cmdid",
        f"<Get><CmdID>1</CmdID>{GET}</Get><Get><CmdID>1</CmdID>{GET}</Get>",
        "SyncML/SyncBody[1]/Get[2]",
    ),
    (
        "cred-in-command",
        f"<Get><CmdID>1</CmdID><Cred><Data>x</Data></Cred>{GET}</Get>",
        "SyncML/SyncBody[1]/Get[1]/Cred",
    ),
    (
        "results-without-status",
        "<Results><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Item><Data>1</Data></Item>"
        "</Results>",
        "SyncML/SyncBody[1]/Results[1]",
    ),
    (
        "atomic-nesting",
        "<Atomic><CmdID>1</CmdID><Atomic><CmdID>2</CmdID></Atomic></Atomic>",
        "SyncML/SyncBody[1]/Atomic[1]",
    ),
    (
        "atomic-nesting",
        f"<Atomic><CmdID>1</CmdID><Get><CmdID>2</CmdID>{GET}</Get></Atomic>",
        "SyncML/SyncBody[1]/Atomic[1]",
    ),
    (
        "sequence-content",
        "<Sequence><CmdID>1</CmdID><Atomic><CmdID>2</CmdID></Atomic></Sequence>",
        "SyncML/SyncBody[1]/Sequence[1]",
    ),
    ("not-in-dm", "<Sync><CmdID>1</CmdID></Sync>", "SyncML/SyncBody[1]/Sync[1]"),
    (
        "not-in-dm",
        f"<Get><CmdID>1</CmdID><Lang>en</Lang>{GET}</Get>",
        "SyncML/SyncBody[1]/Get[1]/Lang[1]",
    ),
    ("item-required", "<Replace><CmdID>1</CmdID></Replace>", "SyncML/SyncBody[1]/Replace[1]"),
    (
        "status-missing",
        "<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><Cmd>Get</Cmd><Data>200</Data></Status>",
        "SyncML/SyncBody[1]/Status[1]",
    ),
    (
        "status-code",
        "<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Get</Cmd>"
        "<Data>OK</Data></Status>",
        "SyncML/SyncBody[1]/Status[1]/Data",
    ),
    (
        "status-code",
        "<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Get</Cmd>"
        "<Data>²⁰⁰</Data></Status>",
        "SyncML/SyncBody[1]/Status[1]/Data",
    ),
    (
        "alert-code",
        "<Alert><CmdID>1</CmdID><Data>201</Data></Alert>",
        "SyncML/SyncBody[1]/Alert[1]/Data",
    ),
    (
        "unknown-element",
        f"<Get><CmdID>1</CmdID><Bogus/>{GET}</Get>",
        "SyncML/SyncBody[1]/Get[1]/Bogus[1]",
    ),
]


@pytest.mark.parametrize("rule,body,path", BAD, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(BAD)])
def test_each_rule_is_flagged(rule, body, path):
    findings = validate(_minimal(body))
    assert [(f.rule, f.path) for f in findings] == [(rule, path)], findings


def test_header_rules():
    findings = validate(_minimal("", ver="1.1", proto="DM/1.1"))
    assert {f.rule for f in findings} == {"version"}
    assert validate(_minimal("", ver="1.1", proto="DM/1.1"), "dm1.1.2") == []
    no_session = Message.from_bytes(
        '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2'
        "</VerProto><MsgID>1</MsgID><Target><LocURI>a</LocURI></Target><Source><LocURI>b"
        "</LocURI></Source></SyncHdr><SyncBody/></SyncML>"
    )
    assert [(f.rule, f.message) for f in validate(no_session)] == [
        ("header-missing", "SyncHdr has no <SessionID>")
    ]
    assert (
        validate(_minimal("<Sync><CmdID>1</CmdID></Sync>", ver="1.2", proto="SyncML/1.2"), "ds1.2")
        == []
    )
    with pytest.raises(ValueError):
        validate(_minimal(""), "dm2.0")


def test_readme_example_runs():
    readme = (VECTORS.parent / "README.md").read_text()
    example = readme.split("## Build and answer a DM message")[1].split("```python")[1]
    namespace: dict = {}
    exec(example.split("```")[0], namespace)
    assert namespace["report"].code == AlertCode.GENERIC_ALERT
    assert [c.TAG for c in namespace["package_3"].commands] == ["Status", "Status", "Results"]


def test_model_objects_encode_wherever_a_tree_does_and_anything_else_is_a_type_error():
    message = Message(session_id="1", msg_id=1, target="https://dm.example.com", source="IMEI:1")
    message.add(Get(items=[Item(target="./DevInfo/Mod")]))
    assert syncml_codec.encode(message) == syncml_codec.encode(message.element)
    assert syncml_codec.encode(message, format="xml") == message.to_xml()
    assert syncml_codec.encode(message.commands[0]) == syncml_codec.encode(
        message.commands[0].element
    )
    assert syncml_codec.to_lxml(message).tag == "{SYNCML:SYNCML1.2}SyncML"
    for bad in ("hello", 3, None):
        with pytest.raises(TypeError, match=type(bad).__name__):
            syncml_codec.encode(bad)
        with pytest.raises(TypeError, match=type(bad).__name__):
            syncml_codec.to_lxml(bad)


def test_reprs_show_what_the_view_holds_and_never_a_secret():
    from syncml_codec.security.auth import basic_credential, md5_credential

    assert repr(Item(target="./x", data="y")) == "Item(target='./x', data='y')"
    message = Message(session_id="1", msg_id=1, target="https://x", source="IMEI:1", final=True)
    message.add(Get(items=[Item(target="./DevInfo/Mod")]))
    shown = repr(message)
    assert shown.startswith("Message(header=Header(ver_dtd='1.2'")
    assert "Get(cmd_id='1', items=[Item(target='./DevInfo/Mod')])" in shown
    for cred in (basic_credential("user", "secret"), md5_credential("user", "secret", b"n")):
        assert "data=<hidden>" in repr(cred) and cred.data not in repr(cred)
        message.header.cred = cred
        assert cred.data not in repr(message)


def test_reprs_of_deeply_nested_commands_stop_at_a_depth():
    from syncml_codec.model.base import MAX_REPR_DEPTH

    innermost = Sequence(commands=[Get(items=[Item(target="./x")])])
    for _ in range(300):  # deeper than the interpreter's recursion lets a repr go otherwise
        innermost = Sequence(commands=[innermost])
    message = Message(session_id="1", msg_id=1, target="https://x", source="IMEI:1")
    message.add(innermost)
    shown = repr(message)
    assert shown.count("Sequence(cmd_id=") == MAX_REPR_DEPTH - 2  # Message and Body above
    assert "Sequence(...)" in shown and len(shown) < 2_000
    assert repr(Item(target="./x", data="y")) == "Item(target='./x', data='y')"  # reset


def test_deeply_nested_commands_are_walked_and_validated():
    """3,000 nested Sequences (under a raised max_depth): every command walked, every one
    checked (DM forbids a Sequence in a Sequence; the CmdIDs repeat)."""
    message = Message.from_bytes(
        nested_containers("Sequence", 3000), limits=syncml_codec.Limits(max_depth=10_000)
    )
    assert sum(1 for _ in message.all_commands()) == 3000
    codes = [finding.rule for finding in validate(message)]
    assert codes.count("sequence-content") == codes.count("duplicate-cmdid") == 2999


def test_the_models_functions_do_not_hide_their_modules():
    import importlib

    import syncml_codec.model as model

    assert callable(model.respond) and callable(model.validate)
    assert importlib.import_module("syncml_codec.model.responses").respond is model.respond
    assert importlib.import_module("syncml_codec.model.validation").validate is model.validate
    assert (
        model.status_for.__module__
        == model.default_status.__module__
        == ("syncml_codec.model.responses")
    )


def test_a_server_finds_the_answers_to_what_it_sent():
    """The Status and Results that answer a command are found by MsgRef and CmdRef."""
    package_2 = Message.from_bytes(_package_2()[0].to_wbxml())
    package_3 = _package_3()[0]
    get = next(c for c in package_2.commands if c.TAG == "Get")
    status = package_3.status_of(package_2.msg_id, get.cmd_id)
    assert status is not None and status.cmd == "Get" and status.code == 200
    results = package_3.results_of(package_2.msg_id, get.cmd_id)
    assert len(results) == 1 and results[0].items
    assert package_3.status_of(package_2.msg_id, "999") is None
    assert package_3.results_of("999", get.cmd_id) == []


def test_results_are_acknowledged_with_200_when_asked():
    """Some servers answer each Results with a Status 200 (the project's dm12-pkg4-server
    vector does); respond does when asked, and only then."""
    package_3 = Message.from_bytes(_package_3()[0].to_wbxml())
    plain = respond(package_3, msg_id=3)
    assert "Results" not in [c.cmd for c in plain.commands if c.TAG == "Status"]
    acknowledged = respond(package_3, msg_id=3, answer_results=True)
    answers = [c for c in acknowledged.commands if c.TAG == "Status" and c.cmd == "Results"]
    assert len(answers) == 1 and answers[0].code == 200


def test_a_message_without_a_header_is_read_with_a_warning_and_validated():
    xml = (
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Get><CmdID>1</CmdID><Item><Target>'
        b"<LocURI>./DevInfo/Mod</LocURI></Target></Item></Get><Final/></SyncBody></SyncML>"
    )
    with pytest.warns(ModelWarning, match="not SyncHdr then SyncBody"):
        message = Message.from_bytes(xml)
    assert [c.TAG for c in message.commands] == ["Get"] and message.final
    assert any(finding.rule == "structure" for finding in validate(message))
    with pytest.raises(ModelError, match="no <SyncHdr>"):
        _ = message.header
    with pytest.raises(ModelError):
        Message.from_bytes(b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr/></SyncML>')
