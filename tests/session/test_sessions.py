"""DM sessions end to end through bytes: a ClientSession (the device, its tree and DPU) and a
ServerSession (restored from its JSON state before every message it handles) talking in both
encodings with both implementations."""

from __future__ import annotations

import json

import pytest

from syncml_codec import DecodeError, LimitError, Limits
from syncml_codec.dm import BaseHandler, FumoState, ManagementTree, TreeError
from syncml_codec.model import (
    Add,
    Alert,
    AlertCode,
    Atomic,
    Exec,
    Get,
    Item,
    Message,
    Meta,
    Replace,
    Results,
    Status,
    StatusCode,
    generic_alert,
)
from syncml_codec.security.notification import Initiator, Notification, UIMode
from syncml_codec.session import (
    CONTENT_TYPE_WBXML,
    CONTENT_TYPE_XML,
    Account,
    Answered,
    Authenticated,
    Challenged,
    CredentialsRefused,
    DeviceCredentials,
    EndReason,
    ExecRequested,
    GenericAlert,
    OutboxError,
    ServerSession,
    SessionError,
    SessionStarted,
    StateError,
    UserInteraction,
    content_type,
    format_of,
)

from helpers.sessions import (
    SERVER_ID,
    SERVER_URI,
    Setup,
    device,
    events_of,
    queue_on_start,
    record_session,
    talk,
)

pytestmark = pytest.mark.usefixtures("codec")

FORMATS = ["wbxml", "xml"]


@pytest.mark.parametrize("format", FORMATS)
def test_client_initiated_session_with_an_md5_challenge(format):
    setup = Setup(format=format)
    client, server = setup.client(), setup.server()
    client.start()
    exchanges = talk(
        client,
        server,
        queue_on_start(Get(items=[Item(target="./DevDetail/FwV")])),
        restore=setup.restore,
    )
    # The device's stale nonce fails: 401 with a fresh nonce, package 1 again, 212.
    (challenge,) = events_of(exchanges, "client", CredentialsRefused)
    assert challenge.code == 401 and challenge.retrying
    (accepted,) = events_of(exchanges, "client", Authenticated)
    assert accepted.username == "dev1" and accepted.next_nonce == b"s-2"
    (heard,) = events_of(exchanges, "server", Authenticated)  # the device hears the 212 once
    assert heard.username == "dev1"
    # Credentials go until the 212, not after it.
    client_creds = [x.message.header.cred is not None for x in exchanges if x.sender == "client"]
    assert client_creds == [True, True] + [False] * (len(client_creds) - 2)
    assert client.account.client_nonce == b"s-2"  # kept for the next session
    (started,) = events_of(exchanges, "client", SessionStarted)
    assert started.alert == AlertCode.CLIENT_INITIATED_MGMT and started.device_id == "IMEI:1"
    assert started.dev_info["./DevInfo/Mod"] == "X1"
    (answer,) = events_of(exchanges, "client", Answered)
    assert str(answer) == "Get ./DevDetail/FwV answered 200, value 1.0.7"
    assert client.ended.reason is EndReason.COMPLETED
    assert client.ended == events_of(exchanges, "server", type(client.ended))[0]
    messages = [x.message for x in exchanges]
    assert {m.session_id for m in messages} == {client.session_id}
    client_ids = [
        m.msg_id for m, x in zip(messages, exchanges, strict=True) if x.sender == "client"
    ]
    assert client_ids == [str(n) for n in range(1, len(client_ids) + 1)]
    assert all(x.data.startswith(b"<") == (format == "xml") for x in exchanges)
    # The device declares its MaxMsgSize in every SyncHdr.
    assert all(
        m.header.meta.max_msg_size == 16384 for m, x in zip(messages, exchanges, strict=True)
        if x.sender == "client"
    )  # fmt: skip
    # 401 and 212 on the SyncHdr, each with a NextNonce.
    second = messages[1]
    assert second.commands[0].code == 401 and second.commands[0].chal.meta.next_nonce
    assert messages[3].commands[0].code == 212 and messages[3].commands[0].chal is not None


@pytest.mark.parametrize("format", FORMATS)
def test_a_dm_1_1_device_gets_messages_of_its_version(format):
    """The server answers in the version the device speaks: the commands the application made
    (in SyncML 1.2, the model's default) go out in the SyncML 1.1 namespace, as tokens."""
    setup = Setup(format=format)
    client, server = setup.client(), setup.server()
    client.version = "1.1"
    client.start()
    commands = [
        Get(items=[Item(target="./DevDetail/FwV")]),
        Add(items=[Item(target="./a", data="1")]),
    ]
    exchanges = talk(client, server, queue_on_start(*commands), restore=setup.restore)
    assert client.ended.reason is EndReason.COMPLETED
    answers = events_of(exchanges, "client", Answered)
    assert [answer.code for answer in answers] == [200, 200]
    for exchange in exchanges:
        namespaces = {e.namespace for e in exchange.message.element.iter() if e.namespace}
        assert namespaces <= {"SYNCML:SYNCML1.1", "syncml:metinf"}, exchange.sender
        if format == "wbxml":
            assert exchange.data[4] == 0  # no string table: no literal tags


def test_notification_starts_a_server_initiated_session():
    setup = Setup()
    client, server = setup.client(), setup.server()
    notification = Notification(
        server_id=SERVER_ID, session_id=0x1234, ui_mode=UIMode.INFORMATIVE,
        initiator=Initiator.SERVER,
    ).encode("notify-secret", b"srv-nonce")  # fmt: skip
    read = client.start_from_notification(notification)
    assert read.ui_mode == UIMode.INFORMATIVE and client.session_id == "1234"
    exchanges = talk(client, server, restore=setup.restore)
    (started,) = events_of(exchanges, "client", SessionStarted)
    assert started.alert == AlertCode.SERVER_INITIATED_MGMT and started.session_id == "1234"
    assert client.ended.reason is EndReason.COMPLETED


@pytest.mark.parametrize("nonce", [b"\x00\x00\x00\x00", b"0x00000000"], ids=["bytes", "text"])
def test_a_notification_over_the_resynchronisation_nonce_starts_a_session(nonce):
    """A server that lost the device's nonce signs with the special one (DM 1.2 Notification,
    both spellings): the device takes it; a server with no password for it proves nothing."""
    client = Setup().client()
    package0 = Notification(server_id=SERVER_ID, session_id=9).encode("notify-secret", nonce)
    client.start_from_notification(package0)
    assert client.session_id == "9" and client.data_to_send() is not None
    unknown = Setup().client()
    unknown.account.server_password = None
    with pytest.raises(SessionError, match="digest"):
        unknown.start_from_notification(package0)


def test_a_forged_notification_starts_nothing():
    setup = Setup()
    client = setup.client()
    forged = Notification(server_id=SERVER_ID, session_id=7).encode("guess", b"srv-nonce")
    with pytest.raises(SessionError, match="digest"):
        client.start_from_notification(forged)
    other = Notification(server_id="other", session_id=7).encode("notify-secret", b"srv-nonce")
    with pytest.raises(SessionError, match="other"):
        client.start_from_notification(other)
    assert client.session_id is None and client.data_to_send() is None


@pytest.mark.parametrize("format", FORMATS)
def test_a_wrong_password_ends_the_session_cleanly(format):
    setup = Setup(format=format, password="wrong")
    client, server = setup.client(), setup.server(max_auth_attempts=2)
    client.start()
    exchanges = talk(client, server, restore=setup.restore)
    challenges = events_of(exchanges, "client", CredentialsRefused)
    assert [c.retrying for c in challenges] == [True, True, False]
    assert client.ended.reason is EndReason.AUTHENTICATION_FAILED
    assert events_of(exchanges, "client", SessionStarted) == []
    last = exchanges[-1].message
    assert last.final and last.commands[0].code == 401 and last.commands[0].chal is None
    assert client.data_to_send() is None
    with pytest.raises(SessionError, match="ended"):
        client.receive(exchanges[-1].data)


@pytest.mark.parametrize("format", FORMATS)
def test_package_1_sent_again_after_a_challenge_keeps_within_the_servers_max_msg_size(format):
    """The challenge declares the server's MaxMsgSize: package 1 (generic alerts beyond it)
    comes again in as many messages as that takes, each within it, and all of it arrives."""
    setup = Setup(format=format, server_max_msg_size=None)
    client, server = setup.client(), setup.server()
    alerts = [
        generic_alert(type="org.example.report", data="x" * 400, correlator=str(n))
        for n in range(5)
    ]
    client.start(generic_alerts=alerts)
    (refused,) = server.receive(client.data_to_send())
    assert isinstance(refused, CredentialsRefused)
    server.max_msg_size = 1500  # what its challenge declares
    client.receive(server.data_to_send())
    exchanges = talk(client, server)
    sizes = [len(x.data) for x in exchanges if x.sender == "client"]
    assert len(sizes) > 2 and max(sizes) <= 1500
    heard = events_of(exchanges, "client", GenericAlert)
    assert [alert.correlator for alert in heard] == [str(n) for n in range(5)]
    assert client.ended.reason is EndReason.COMPLETED


@pytest.mark.parametrize("attempts", [0, 1, 3])
def test_the_device_answers_as_many_challenges_as_it_may(attempts):
    setup = Setup(password="wrong")
    client = setup.client(max_auth_attempts=attempts)
    server = setup.server(max_auth_attempts=10)
    client.start()
    exchanges = talk(client, server)
    heard = events_of(exchanges, "server", Challenged)
    assert [event.retrying for event in heard] == [True] * attempts + [False]
    assert sum(x.sender == "client" for x in exchanges) == attempts + 1
    assert client.ended.reason is EndReason.AUTHENTICATION_FAILED


@pytest.mark.parametrize("format", FORMATS)
def test_fumo_update_with_a_200_kb_package_under_a_4_kb_max_msg_size(format):
    setup = Setup(format=format, client_max_msg_size=4096, server_max_msg_size=4096)
    firmware = bytes(range(256)) * 800  # 200 KB
    data = firmware if format == "wbxml" else __import__("base64").b64encode(firmware).decode()
    client, server = setup.client(), setup.server()
    client.start()
    exchanges = talk(
        client,
        server,
        queue_on_start(
            Get(items=[Item(target="./DevDetail/FwV")]),
            Replace(items=[Item(target="./FwUpdate/x1/PkgName", data="fw-2.0")]),
            Replace(
                items=[
                    Item(
                        target="./FwUpdate/x1/Update/PkgData",
                        data=data,
                        meta=Meta(
                            format="bin" if format == "wbxml" else "b64",
                            type="application/octet-stream",
                        ),
                    )
                ]
            ),
            Exec(correlator="job-7", items=[Item(target="./FwUpdate/x1/Update")]),
        ),
        restore=setup.restore,
    )
    assert all(len(x.data) <= 4096 for x in exchanges)
    chunks = [
        c for x in exchanges if x.sender == "server" for c in x.message.commands
        if c.TAG == "Replace" and c.items[0].more_data
    ]  # fmt: skip
    assert len(chunks) > 50
    answers = {(a.command, a.target): a.code for a in events_of(exchanges, "client", Answered)}
    assert answers[("Replace", "./FwUpdate/x1/Update/PkgData")] == 200
    assert answers[("Exec", "./FwUpdate/x1/Update")] == StatusCode.ACCEPTED
    (execution,) = events_of(exchanges, "server", ExecRequested)
    assert execution.target == "./FwUpdate/x1/Update" and execution.correlator == "job-7"
    fumo = client.fumo
    assert fumo.state == FumoState.READY_TO_UPDATE and fumo.package == firmware
    # The device installs, then reports in a session of its own.
    (report,) = fumo.run_pending()
    assert setup.installed == [firmware]
    # Both sides keep the nonce the server gave for the next session.
    (accepted,) = events_of(exchanges, "client", Authenticated)
    setup.server_nonce = accepted.next_nonce
    setup.client_nonce = client.account.client_nonce
    reporting, server = setup.client(), setup.server()
    reporting.start(generic_alerts=[report])
    exchanges = talk(reporting, server, restore=setup.restore)
    (alert,) = events_of(exchanges, "client", GenericAlert)
    assert alert.type == "org.openmobilealliance.dm.firmwareupdate.update"
    assert (alert.data, alert.correlator, alert.source) == ("200", "job-7", "./FwUpdate/x1")
    assert events_of(exchanges, "client", CredentialsRefused) == []  # the nonce of the last session
    delivered = [a for a in events_of(exchanges, "server", Answered) if a.command == "Alert"]
    assert [a.code for a in delivered] == [200, 200]  # the 1201 and the 1226


@pytest.mark.parametrize("format", FORMATS)
def test_an_atomic_rolled_back_and_reported(format):
    setup = Setup(format=format)
    tree = device()
    tree.add("./Vendor/Volume", "5", format="int")
    client, server = setup.client(tree), setup.server()
    client.start()
    exchanges = talk(
        client,
        server,
        queue_on_start(
            Atomic(
                commands=[
                    Replace(
                        items=[Item(target="./Vendor/Volume", data="9", meta=Meta(format="int"))]
                    ),
                    Replace(items=[Item(target="./Nowhere/X", data="1")]),
                ]
            )
        ),
        restore=setup.restore,
    )
    answers = [(a.command, a.target, a.code) for a in events_of(exchanges, "client", Answered)]
    assert answers == [
        ("Atomic", None, 507),
        ("Replace", "./Vendor/Volume", 216),
        ("Replace", "./Nowhere/X", 404),
    ]
    assert tree.get("./Vendor/Volume").value == "5"


@pytest.mark.parametrize("format", FORMATS)
def test_next_message_both_ways_and_large_results(format):
    setup = Setup(format=format, client_max_msg_size=2048, server_max_msg_size=2048)
    tree = device()
    big = "z" * 9000
    tree.add("./Vendor/Big", big)
    for n in range(60):
        tree.add(f"./Vendor/N{n}", f"value {n}")
    client, server = setup.client(tree), setup.server()
    client.start()
    gets = [Get(items=[Item(target=f"./Vendor/N{n}")]) for n in range(60)]
    exchanges = talk(
        client,
        server,
        queue_on_start(*gets, Get(items=[Item(target="./Vendor/Big")])),
        restore=setup.restore,
    )
    answers = {a.target: a for a in events_of(exchanges, "client", Answered)}
    assert answers["./Vendor/Big"].value == big and answers["./Vendor/Big"].code == 200
    assert [answers[f"./Vendor/N{n}"].value for n in range(60)] == [f"value {n}" for n in range(60)]

    def asks_next(exchange):
        return any(c.TAG == "Alert" and c.code == 1222 for c in exchange.message.commands)

    # The server's package 2 spans messages: the device asks for the rest with 1222...
    assert any(asks_next(x) for x in exchanges if x.sender == "client")
    # ...and its package 3 too: the server asks for the rest, with no commands of its own.
    server_asks = [x.message for x in exchanges if x.sender == "server" and asks_next(x)]
    assert server_asks and all(
        not m.final and {c.TAG for c in m.commands} == {"Status", "Alert"} for m in server_asks
    )
    # The device asks once for each server message that neither ends its package nor asks
    # for the device's next (a server's 1222 is no message to continue); a 1222 is never
    # answered with an event of its own (it waits for no Status; the device's 1201 does).
    unfinished = [
        x for x in exchanges if x.sender == "server" and not x.message.final and not asks_next(x)
    ]
    device_asks = [x for x in exchanges if x.sender == "client" and asks_next(x)]
    assert len(device_asks) == len(unfinished) >= 1
    alerts_answered = [
        [a for a in events_of(exchanges, side, Answered) if a.command == "Alert"]
        for side in ("client", "server")
    ]
    assert [len(answered) for answered in alerts_answered] == [0, 1]
    # The server answers the device's commands before it sends commands of its own: its
    # package 2 opens with the Status for each of the device's package 1.
    for x in exchanges:
        if x.sender == "server":
            tags = [c.TAG for c in x.message.commands]
            assert tags == sorted(tags, key=lambda tag: tag != "Status"), tags
    assert all(len(x.data) <= 2048 for x in exchanges)


def header_status_last(client):
    """Make the device put its Status for the server's SyncHdr after its other Statuses (the
    spec puts it first; the server must find it anywhere)."""
    send = client.data_to_send

    def reordered():
        data = send()
        if data is None:
            return None
        message = Message.from_bytes(data)
        commands = list(message.commands)
        header = [c for c in commands if isinstance(c, Status) and c.cmd_ref == "0"]
        message.body.commands = [c for c in commands if c not in header] + header
        return message.to_wbxml()

    client.data_to_send = reordered


@pytest.mark.parametrize("order", ["header-status-first", "header-status-last"])
def test_the_device_checks_the_servers_credentials_and_the_server_sends_again(order):
    setup = Setup(server_password="server-secret", client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.account.server_nonce = b"device-fresh"  # the server's look-up still has srv-nonce
    if order == "header-status-last":
        header_status_last(client)
    client.start()
    exchanges = talk(
        client,
        server,
        queue_on_start(Get(items=[Item(target="./DevDetail/FwV")])),
        restore=setup.restore,
    )
    # The device refuses the server's first credentials (401, a Chal with a new nonce, nothing
    # applied); the server sends its commands again with credentials over that nonce.
    (refused,) = events_of(exchanges, "server", CredentialsRefused)
    assert (refused.code, refused.retrying) == (401, True)
    (heard,) = events_of(exchanges, "client", Challenged)  # the server hears of it
    assert heard.code == 401 and heard.retrying
    # The device hears its own credentials accepted in the message it refuses.
    (accepted,) = events_of(exchanges, "server", Authenticated)
    assert accepted.username == "dev1"
    (answer,) = [a for a in events_of(exchanges, "client", Answered) if a.command == "Get"]
    assert answer.code == 200 and answer.value == "1.0.7"
    assert client.server_authenticated and client.ended.reason is EndReason.COMPLETED
    gets = [
        x.message for x in exchanges if x.sender == "server"
        if any(c.TAG == "Get" for c in x.message.commands)
    ]  # fmt: skip
    assert len(gets) == 2 and all(m.header.cred is not None for m in gets)


@pytest.mark.parametrize("format", FORMATS)
def test_an_object_whose_first_chunk_the_device_refused_arrives_whole(format):
    """The device refuses the server's first message, which holds an object's first chunk:
    the server sends the message's commands again, the chunk cut again, and the object
    arrives whole (it came after the rest of the object before, each chunk answered 412)."""
    setup = Setup(
        format=format, server_password="server-secret", client_nonce=b"server-old",
        client_max_msg_size=2048,
    )  # fmt: skip
    client, server = setup.client(), setup.server()
    client.account.server_nonce = b"device-fresh"  # the server's look-up still has srv-nonce
    client.start()
    blob = bytes(index % 251 for index in range(9000))
    add = Add(items=[Item(target="./Vendor/Blob", data=blob, meta=Meta(format="bin"))])
    exchanges = talk(client, server, queue_on_start(add), restore=setup.restore)
    assert len(events_of(exchanges, "server", CredentialsRefused)) == 1
    adds = [a for a in events_of(exchanges, "client", Answered) if a.command == "Add"]
    assert [a.code for a in adds] == [200] and client.tree.get("./Vendor/Blob").value == blob
    assert client.ended.reason is EndReason.COMPLETED


@pytest.mark.parametrize("attempts", [0, 2])
def test_the_device_refuses_a_server_whose_credentials_keep_failing(attempts):
    """The device challenges the server's wrong credentials ``max_auth_attempts`` times, then
    ends the session; nothing the server sent is applied."""
    setup = Setup(server_password="server-secret", client_nonce=b"server-old")
    client = setup.client(max_auth_attempts=attempts)
    client.account.server_password = "not-the-servers"
    server = setup.server()
    client.start()
    exchanges = talk(
        client, server, queue_on_start(Add(items=[Item(target="./Vendor/X", data="1")]))
    )
    refused = events_of(exchanges, "server", CredentialsRefused)
    assert [event.retrying for event in refused] == [True] * attempts + [False]
    assert client.ended.reason is EndReason.AUTHENTICATION_FAILED
    assert "./Vendor/X" not in client.processor.tree


def test_the_device_accepts_the_servers_credentials_once_with_212():
    """212 answers the server's SyncHdr when its credentials pass; the messages after carry
    no credentials to accept and get 200."""
    setup = Setup(server_password="server-secret", client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    rounds = [Get(items=[Item(target=uri)]) for uri in ("./DevDetail/FwV", "./DevInfo/Mod")]

    def one_command_a_package(session, event):
        if isinstance(event, SessionStarted | Answered) and rounds:
            session.queue(rounds.pop(0))

    exchanges = talk(client, server, one_command_a_package)
    header_codes = [
        status.code for x in exchanges if x.sender == "client"
        for status in x.message.commands if isinstance(status, Status) and status.cmd_ref == "0"
    ]  # fmt: skip
    assert header_codes == [212, 200] and client.server_authenticated


def test_the_device_keeps_its_credentials_until_the_server_answers_212():
    """A server that answers the device's credentials with 200 (not 212) wants them again in
    the next message (DM 1.2 Security): the device keeps sending them."""
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    server.receive(client.data_to_send())
    server.queue(Get(items=[Item(target="./DevDetail/FwV")]))
    reply = Message.from_bytes(server.data_to_send())
    assert reply.commands[0].code == 212
    reply.commands[0].data = "200"
    assert not any(isinstance(e, Authenticated) for e in client.receive(reply.to_wbxml()))
    assert not client.authenticated
    assert Message.from_bytes(client.data_to_send()).header.cred is not None


def test_either_side_aborts_with_1223():
    setup = Setup()
    client, server = setup.client(), setup.server()
    client.start()
    server.receive(client.data_to_send())
    client.receive(server.data_to_send())  # the challenge
    abort = client.abort()
    assert client.ended.reason is EndReason.ABORTED and client.data_to_send() is None
    events = server.receive(abort)
    assert [type(e) for e in events] == [CredentialsRefused]  # still unauthenticated: refused
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    events = server.receive(client.data_to_send())
    assert isinstance(events[0], Authenticated)
    server.queue(Get(items=[Item(target="./DevDetail/FwV")]))
    client.receive(server.data_to_send())
    server.receive(client.abort())
    last = Message.from_bytes(server.data_to_send())
    assert last.final and [c.code for c in last.commands] == [200, 200]
    assert server.ended.reason is EndReason.ABORTED_BY_PEER
    # The server's 1223: the device stops without answering.
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    exchanges = talk(client, server, queue_on_start(Alert(code=AlertCode.SESSION_ABORT)))
    assert client.ended.reason is EndReason.ABORTED_BY_PEER
    assert exchanges[-1].sender == "server"


def test_ui_alert_texts_in_binary_data_reach_the_event_as_sent():
    """Binary Data in a UI alert (WBXML OPAQUE) and in the answer reach the event as bytes
    (were their reprs, "b'...'")."""
    setup = Setup(client_nonce=b"server-old")
    client = setup.client(user_interaction=lambda alert: (StatusCode.OK, [Item(data=b"\x01ok")]))
    server = setup.server()
    client.start()
    alert = Alert(code=1103, items=[Item(data="MINDT=10"), Item(data=b"\xffChoose")])
    exchanges = talk(client, server, queue_on_start(alert))
    (shown,) = events_of(exchanges, "server", UserInteraction)
    assert shown == UserInteraction(1103, ("MINDT=10", b"\xffChoose"), 200, (b"\x01ok",))
    assert str(shown) == "UI alert 1103 answered 200: b'\\x01ok'"


def test_ui_alerts_and_execs_reach_the_device_application():
    setup = Setup(client_nonce=b"server-old")
    asked = []

    def user(alert):
        asked.append(alert.code)
        return StatusCode.OK, [Item(data="yes please")]

    class Reboot(BaseHandler):
        def exec(self, uri, data, correlator):
            asked.append(str(uri))
            return StatusCode.OK

    client, server = setup.client(user_interaction=user), setup.server()
    client.processor.mount("./Vendor/Reboot", Reboot())
    client.start()
    exchanges = talk(
        client,
        server,
        queue_on_start(
            Alert(code=1102, items=[Item(data="MINDT=10"), Item(data="Your name?")]),
            Exec(items=[Item(target="./Vendor/Reboot", data="now")]),
        ),
    )
    (shown,) = events_of(exchanges, "server", UserInteraction)
    assert shown == UserInteraction(1102, ("MINDT=10", "Your name?"), 200, ("yes please",))
    (run,) = events_of(exchanges, "server", ExecRequested)
    assert (run.target, run.code, run.data) == ("./Vendor/Reboot", 200, "now")
    assert asked == [1102, "./Vendor/Reboot"]


def test_package_1_without_credentials_is_challenged_with_407():
    setup = Setup()
    server = setup.server()
    message = Message(session_id="9", msg_id="1", target=SERVER_URI, source="IMEI:1", final=True)
    message.add(Alert(code=1201), Get(items=[Item(target="./x")]))
    (event,) = server.receive(message.to_wbxml())
    assert event == CredentialsRefused(407, "syncml:auth-md5", retrying=True)
    answer = Message.from_bytes(server.data_to_send())
    assert [(c.cmd_ref, c.code) for c in answer.commands] == [("0", 407), ("1", 407), ("2", 407)]
    assert answer.commands[0].chal.meta.next_nonce and answer.final


def test_the_server_refuses_commands_a_device_may_not_send():
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    first = Message.from_bytes(client.data_to_send())
    first.add(Get(items=[Item(target="./x")]))
    server.receive(first.to_wbxml())
    answer = Message.from_bytes(server.data_to_send())
    assert [c.code for c in answer.commands if c.cmd == "Get"] == [405]


def test_messages_the_session_cannot_take_leave_it_unchanged():
    setup = Setup(client_nonce=b"server-old", server_max_msg_size=2000)
    client, server = setup.client(), setup.server()
    client.start()
    first = client.data_to_send()
    server.receive(first)
    server.queue(Get(items=[Item(target="./DevDetail/FwV")]))
    before = server.to_state()
    with pytest.raises(SessionError, match="not taken"):
        server.receive(first)  # the answer to the last one was not taken
    assert server.to_state() == before
    client.receive(server.data_to_send())
    before = server.to_state()
    other = Message.from_bytes(first)
    other.header.session_id = "other"
    with pytest.raises(SessionError, match="SessionID"):
        server.receive(other.to_wbxml())
    with pytest.raises(SessionError, match="MaxMsgSize"):
        server.receive(first + bytes(2000))
    replay = Message.from_bytes(first)
    replay.add(Alert(code=AlertCode.NEXT_MESSAGE))
    with pytest.raises(SessionError, match="received already"):
        server.receive(replay.to_wbxml())  # the same MsgID again, other bytes: a replay
    impostor = Message.from_bytes(first)
    impostor.header.msg_id, impostor.header.source.loc_uri = "7", "IMEI:2"
    with pytest.raises(SessionError, match="not from IMEI:1"):
        server.receive(impostor.to_wbxml())
    with pytest.raises(SessionError, match="xml message in a wbxml"):
        server.receive(other.to_xml())
    with pytest.raises(DecodeError):
        server.receive(first[:40])
    with pytest.raises(TypeError):
        server.receive("text")  # type: ignore[arg-type]
    assert server.to_state() == before
    with pytest.raises(SessionError, match="expected"):
        client.receive(first)  # the device has a message to send first


@pytest.mark.parametrize("source", ["", None], ids=["empty-locuri", "no-source"])
def test_package_1_that_names_no_device_is_refused(source):
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    first = Message.from_bytes(client.data_to_send())
    if source is None:
        first.header.source = None
    else:
        first.header.source.loc_uri = source
    before = server.to_state()
    with pytest.raises(SessionError, match="names no device"):
        server.receive(first.to_wbxml())
    assert server.to_state() == before and server.device_id is None


@pytest.mark.parametrize("format", FORMATS)
def test_a_message_sent_again_gets_the_same_answer_again(format):
    """A device that lost an answer sends its message again, byte for byte: the server gives
    the same answer without handling the message twice (no events, nothing queued twice),
    from a restored state too and after the session's end, and the session goes on."""
    setup = Setup(format=format)
    client, server = setup.client(), setup.server()
    client.start()
    queued = [Get(items=[Item(target="./DevDetail/FwV")])]
    sent_again = 0
    for _ in range(20):
        data = client.data_to_send()
        if data is None:
            break
        events = server.receive(data)
        if any(isinstance(event, SessionStarted) for event in events):
            server.queue(*queued)
        reply = server.data_to_send()
        server = setup.restore(json.loads(json.dumps(server.to_state())))
        assert server.receive(data) == []  # the answer was lost: the device sends it again
        assert server.data_to_send() == reply and server.data_to_send() is None
        sent_again, last = sent_again + 1, data
        client.receive(reply)
    assert client.ended.reason is EndReason.COMPLETED and server.ended is not None
    assert sent_again == 3  # the challenge, the 212 with the Get, the session's last answer
    answered = Message.from_bytes(last)  # the last message again, but not byte for byte
    answered.add(Alert(code=AlertCode.NEXT_MESSAGE))
    with pytest.raises(SessionError, match="ended"):
        server.receive(answered.to_xml() if format == "xml" else answered.to_wbxml())


def test_the_server_waits_for_a_status_to_each_command_it_sent_and_nothing_else():
    """What waits for the device's Status: the commands of the message (nested ones too), not
    its Final, its Status, its 1222 or a command with NoResp."""
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    server.receive(client.data_to_send())
    server.queue(
        Get(items=[Item(target="./DevDetail/FwV")]),
        Atomic(commands=[Replace(items=[Item(target="./Vendor/A", data="1")])]),
        Replace(no_resp=True, items=[Item(target="./Vendor/B", data="2")]),
    )
    sent = Message.from_bytes(server.data_to_send())
    assert sent.final
    get, atomic, _ = [command for command in sent.commands if not isinstance(command, Status)]
    waiting = sorted(tuple(entry) for entry in server.to_state()["waiting"])
    expected = sorted(
        (sent.msg_id, command.cmd_id, command.TAG, target)
        for command, target in [
            (get, "./DevDetail/FwV"),
            (atomic, None),
            (atomic.commands[0], "./Vendor/A"),
        ]
    )
    assert waiting == expected


def test_msg_ids_that_are_no_numbers_must_differ_from_the_last():
    """A device numbering its messages otherwise than 1, 2, 3 (the spec counts; some do not)
    is taken while each MsgID differs from the last one."""
    setup = Setup()
    client, server = setup.client(), setup.server()
    client.start()
    first = Message.from_bytes(client.data_to_send())
    first.header.msg_id = "a"
    server.receive(first.to_wbxml())
    server.data_to_send()
    again = Message.from_bytes(first.to_wbxml())
    again.add(Alert(code=AlertCode.NEXT_MESSAGE))
    with pytest.raises(SessionError, match="received already"):
        server.receive(again.to_wbxml())
    again.header.msg_id = "b"
    server.receive(again.to_wbxml())
    server.data_to_send()
    again.header.msg_id = "3"  # a number after one that is none
    server.receive(again.to_wbxml())


def test_credentials_without_meta_read_as_basic_and_are_challenged():
    """A Cred without Meta is basic authentication (SyncML's default): an MD5 digest sent so
    is refused with a challenge, nothing raised."""
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    first = Message.from_bytes(client.data_to_send())
    first.header.cred.meta = None
    (refused,) = server.receive(first.to_wbxml())
    assert isinstance(refused, CredentialsRefused) and refused.code == 401 and refused.retrying


def test_a_peers_earlier_messages_are_refused_at_every_later_step():
    """MsgIDs count up from 1 (DM 1.2 RepPro): an earlier message of the peer played again
    later in the session (a replay) is refused and changes nothing, on both sides; only the
    last one, byte for byte, is answered again by the server."""
    recording = record_session()
    for step in range(1, len(recording.from_client)):
        for earlier in range(step - 1):
            server = recording.server_at(step)
            before = server.to_state()
            with pytest.raises(SessionError, match="received already"):
                server.receive(recording.from_client[earlier])
            assert server.to_state() == before
    for step in range(1, len(recording.from_server)):
        for earlier in range(step):
            client = recording.client_at(step)
            with pytest.raises(SessionError, match="received already"):
                client.receive(recording.from_server[earlier])
            client.receive(recording.from_server[step])  # and the genuine one still goes in


def test_a_client_initiated_session_takes_its_id_from_the_nonces():
    """The SessionID of a session the device starts: the first two bytes of a fresh nonce, in
    hexadecimal, never 0 (a notification's id 0 is not a session's)."""
    ids = []
    for nonce in (b"\x12\x34rest", b"\xab\xcd", b"\x00\x00zero"):
        client = Setup().client()
        client.nonces = lambda nonce=nonce: nonce
        client.start()
        ids.append(client.session_id)
    assert ids == ["1234", "ABCD", "1"]


def test_content_types_follow_the_peers_encoding():
    assert CONTENT_TYPE_WBXML == "application/vnd.syncml.dm+wbxml"
    assert CONTENT_TYPE_XML == "application/vnd.syncml.dm+xml"
    for format in FORMATS:
        setup = Setup(format=format)
        client, server = setup.client(), setup.server()
        client.start()
        data = client.data_to_send()
        assert format_of(data) == format and server.format is None
        server.receive(data)
        assert server.content_type == content_type(format) == client.content_type


def test_a_state_that_is_not_one_is_refused():
    setup = Setup()
    state = setup.server().to_state()
    for broken in (
        {},
        {**state, "state_version": 99},
        {**state, "lead": "not base64!"},
        {**state, "outbox": {**state["outbox"], "commands": 5}},
        {**state, "client_nonce": "text"},
        {**state, "server_auth_type": "syncml:auth-X509"},
        {**state, "last_mac": 5},
    ):
        with pytest.raises(StateError):
            ServerSession.from_state(broken, credentials=setup.lookup)


@pytest.mark.parametrize("wrong", ["8192", -1, 1.5, True, [], None])
@pytest.mark.parametrize(
    ("path", "may_be_none"),
    [
        (("max_msg_size",), True),
        (("max_obj_size",), True),
        (("max_auth_attempts",), False),
        (("next_msg_id",), False),
        (("peer_max_msg_size",), True),
        (("peer_max_obj_size",), True),
        (("outbox", "max_msg_size"), False),
        (("outbox", "max_obj_size"), True),
        (("results", "max_obj_size"), True),
    ],
)
def test_a_state_with_a_number_that_is_not_one_is_refused(path, may_be_none, wrong):
    """Each count in a saved state is an int of its range (some may be None): anything else
    is a StateError when the state is read, never an error in a later message."""
    setup = Setup(client_max_msg_size=8192)
    server, client = setup.server(max_obj_size=65536), setup.client()
    client.start()
    server.receive(client.data_to_send())
    state = json.loads(json.dumps(server.to_state()))
    holder = state
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = wrong
    if wrong is None and may_be_none:
        ServerSession.from_state(state, credentials=setup.lookup).data_to_send()
    else:
        with pytest.raises(StateError):
            ServerSession.from_state(state, credentials=setup.lookup)


@pytest.mark.parametrize("agrees", [True, False])
def test_a_notification_asking_the_user_waits_for_consent(agrees):
    setup = Setup()
    client = setup.client()
    notification = Notification(
        server_id=SERVER_ID, session_id=0xAB, ui_mode=UIMode.USER_INTERACTION
    ).encode("notify-secret", b"srv-nonce")
    asked = []
    client.start_from_notification(notification, consent=lambda n: asked.append(n) or agrees)
    assert [n.session_id for n in asked] == [0xAB]
    if agrees:
        assert client.data_to_send() is not None and client.ended is None
    else:
        assert client.data_to_send() is None
        assert client.ended.reason is EndReason.DECLINED


def test_a_command_no_message_can_carry_ends_the_session_with_1223():
    setup = Setup(client_nonce=b"server-old", client_max_msg_size=1024)
    client, server = setup.client(), setup.server()
    client.start()
    too_big = Atomic(commands=[Replace(items=[Item(target="./Vendor/A", data="x" * 2000)])])
    exchanges = talk(client, server, queue_on_start(too_big))
    last = exchanges[-1].message
    assert [c.TAG for c in last.commands] == ["Status", "Alert"] and last.commands[1].code == 1223
    assert last.final and len(exchanges[-1].data) <= 1024
    assert server.ended.reason is EndReason.LIMITS and "Atomic" in server.ended.detail
    assert client.ended.reason is EndReason.ABORTED_BY_PEER


def test_a_device_aborts_only_a_session_under_way():
    client = Setup().client()
    with pytest.raises(SessionError, match="no session"):
        client.abort()  # not started
    client.start()
    client.abort()
    with pytest.raises(SessionError, match="no session"):
        client.abort()  # over already


def test_the_device_takes_the_servers_answer_to_its_abort():
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    server.receive(client.data_to_send())
    server.queue(Get(items=[Item(target="./DevDetail/FwV")]))
    client.receive(server.data_to_send())
    server.receive(client.abort())
    assert client.receive(server.data_to_send()) == []
    with pytest.raises(SessionError, match="ended"):
        client.receive(server.data_to_send() or b"")


def test_dev_info_is_kept_as_the_device_sent_it():
    """Binary DevInfo Data stays bytes (was its repr, "b'\\xffAcme'"), an Item without Data is
    None (was "None"), through the server's JSON state too; a Replace holding a document where
    a value goes is refused with 415 and nothing of it is kept."""
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server()
    client.start()
    message = Message.from_bytes(client.data_to_send())
    (dev_info,) = [command for command in message.commands if isinstance(command, Replace)]
    values = {item.source_uri: item for item in dev_info.items}
    values["./DevInfo/Man"].data = b"\xffAcme"
    values["./DevInfo/Lang"].data = None
    document = Item(source="./DevInfo/Ext", data=Message().element)
    sourceless = Replace(cmd_id="10", items=[Item(target="./DevInfo/Odd", data="kept nowhere")])
    message.body.commands = [
        *message.commands, Replace(cmd_id="9", items=[document]), sourceless
    ]  # fmt: skip
    events = server.receive(message.to_wbxml())
    (started,) = [event for event in events if isinstance(event, SessionStarted)]
    assert started.dev_info["./DevInfo/Man"] == b"\xffAcme"
    assert started.dev_info["./DevInfo/Lang"] is None
    assert started.dev_info["./DevInfo/Mod"] == "X1"
    assert "./DevInfo/Ext" not in started.dev_info
    restored = setup.restore(json.loads(json.dumps(server.to_state())))
    assert restored.dev_info == started.dev_info
    answer = Message.from_bytes(server.data_to_send())
    statuses = [command for command in answer.commands if isinstance(command, Status)]
    codes = {status.cmd_ref: status.code for status in statuses}
    assert codes["9"] == StatusCode.UNSUPPORTED_MEDIA_TYPE
    assert codes[dev_info.cmd_id] == codes["10"] == StatusCode.OK
    assert "kept nowhere" not in started.dev_info.values()


def test_secrets_stay_out_of_reprs():
    """Passwords and nonces never show in a repr (logs print them): the device's account, the
    server's credentials for a device, the Authenticated event."""
    secrets = ["pass-one", "pass-two", b"nonce-one", b"nonce-two"]
    shown = [
        Account(server_id=SERVER_ID, server_uri=SERVER_URI, username="dev1", password="pass-one",
                client_nonce=b"nonce-one", server_password="pass-two", server_nonce=b"nonce-two"),
        DeviceCredentials("dev1", "pass-one", nonce=b"nonce-one", server_password="pass-two",
                          server_nonce=b"nonce-two"),
        Authenticated("dev1", b"nonce-one"),
    ]  # fmt: skip
    for value in shown:
        assert "dev1" in repr(value)
        for secret in secrets:
            assert str(secret) not in repr(value) and repr(secret) not in repr(value), value
    with pytest.raises(AttributeError):
        shown[1].password = "changed"  # type: ignore[misc]  # frozen: a look-up's answer


def test_an_account_is_read_from_dmacc_and_its_nonces_written_back():
    tree = device()
    for uri, value in {
        "./DMAcc/a/ServerID": SERVER_ID,
        "./DMAcc/a/AppAddr/main/Addr": SERVER_URI,
        "./DMAcc/a/AppAuth/c/AAuthLevel": "CLCRED",
        "./DMAcc/a/AppAuth/c/AAuthType": "BASIC",
        "./DMAcc/a/AppAuth/c/AAuthName": "dev1",
        "./DMAcc/a/AppAuth/c/AAuthSecret": "pw",
        "./DMAcc/a/AppAuth/s/AAuthLevel": "SRVCRED",
        "./DMAcc/a/AppAuth/s/AAuthSecret": "server-secret",
        "./DMAcc/a/AppAuth/s/AAuthData": b"srv",
        "./DMAcc/b/ServerID": "another",
    }.items():
        tree.add(uri, value, format="bin" if isinstance(value, bytes) else "chr")
    account = Account.from_tree(tree, SERVER_ID)
    assert (account.server_uri, account.username, account.password) == (SERVER_URI, "dev1", "pw")
    assert account.auth_type == "syncml:auth-basic" and account.client_nonce == b""
    assert account.server_password == "server-secret" and account.server_nonce == b"srv"
    assert account.require_server_auth
    assert "pw" not in repr(account) and "server-secret" not in repr(account)
    account.client_nonce, account.server_nonce = b"next", b"srv-next"
    account.save_nonces(tree)
    assert tree.get("./DMAcc/a/AppAuth/c/AAuthData").value == b"next"
    assert tree.get("./DMAcc/a/AppAuth/s/AAuthData").value == b"srv-next"
    with pytest.raises(TreeError):
        Account.from_tree(tree, "nobody")


def test_an_account_with_null_nodes_and_a_chr_nonce_node_is_read_and_saved():
    """In a tree without the DMAcc description (which would refuse both), a null AAuthName
    reads as no name (not "None"), and a nonce goes back into a chr AAuthData, as bin."""
    tree = ManagementTree()
    tree.add("./DMAcc/a/ServerID", SERVER_ID)
    tree.add("./DMAcc/a/AppAuth/c/AAuthLevel", "CLCRED")
    tree.add("./DMAcc/a/AppAuth/c/AAuthName", None, format="null")
    tree.add("./DMAcc/a/AppAuth/c/AAuthData", "text", format="chr")
    account = Account.from_tree(tree, SERVER_ID)
    assert account.username == "" and account.client_nonce == b"text"
    account.client_nonce = b"\xff\x00binary"
    account.save_nonces(tree)
    assert tree.get("./DMAcc/a/AppAuth/c/AAuthData").value == b"\xff\x00binary"


def test_decoding_limits_bound_what_a_peers_message_may_produce():
    setup = Setup()
    server = setup.server(limits=Limits(max_elements=20))
    client = setup.client()
    client.start()
    before = server.to_state()
    with pytest.raises(LimitError):
        server.receive(client.data_to_send())
    assert server.to_state() == before


def test_objects_above_the_declared_max_obj_size_are_refused():
    setup = Setup(client_nonce=b"server-old", client_max_msg_size=1500)
    tree = device()
    client, server = setup.client(tree, max_obj_size=3000), setup.server()
    client.start()
    exchanges = talk(
        client,
        server,
        queue_on_start(Add(items=[Item(target="./Vendor/Big", data="x" * 2900)])),
    )
    assert Message.from_bytes(exchanges[0].data).header.meta.max_obj_size == 3000
    (answer,) = [a for a in events_of(exchanges, "client", Answered) if a.command == "Add"]
    assert answer.code == 200 and tree.get("./Vendor/Big").value == "x" * 2900
    # Beyond it the server refuses to queue, and a DPU told so refuses what comes anyway.
    server = setup.server()
    client = setup.client(tree, max_obj_size=3000)
    client.start()
    server.receive(client.data_to_send())
    with pytest.raises(OutboxError, match="MaxObjSize"):
        server.queue(Replace(items=[Item(target="./Vendor/Big", data="x" * 3100)]))
    assert client.processor.policy.max_obj_size == 3000


def test_results_above_the_servers_max_obj_size_answer_the_get_413():
    setup = Setup(client_nonce=b"server-old", server_max_msg_size=1500)
    tree = device()
    tree.add("./Vendor/Big", "b" * 5000)
    tree.add("./Vendor/Small", "s" * 1000)
    client, server = setup.client(tree), setup.server(max_obj_size=2000)
    client.start()
    exchanges = talk(
        client,
        server,
        queue_on_start(
            Get(items=[Item(target="./Vendor/Big")]), Get(items=[Item(target="./Vendor/Small")])
        ),
    )
    answers = {a.target: (a.code, a.value) for a in events_of(exchanges, "client", Answered)}
    assert answers["./Vendor/Big"] == (413, None)
    assert answers["./Vendor/Small"] == (200, "s" * 1000)
    assert client.ended.reason is EndReason.COMPLETED


def test_chunked_results_the_server_refuses_answer_the_get():
    setup = Setup(client_nonce=b"server-old")
    client, server = setup.client(), setup.server(max_obj_size=2000)
    client.start()
    server.receive(client.data_to_send())
    server.queue(Get(items=[Item(target="./Vendor/Big")]))
    sent = Message.from_bytes(server.data_to_send())
    get = next(c for c in sent.commands if c.TAG == "Get")
    # A device that ignores the server's MaxObjSize: the first chunk declares 5000 bytes.
    chunk = Message(session_id=sent.session_id, msg_id="2", target=SERVER_URI, source="IMEI:1")
    item = Item(source="./Vendor/Big", data="b" * 500, meta=Meta(size=5000), more_data=True)
    chunk.add(
        Status(msg_ref=sent.msg_id, cmd_ref="0", cmd="SyncHdr", data="200"),
        Status(msg_ref=sent.msg_id, cmd_ref=get.cmd_id, cmd="Get", data="200"),
        Results(msg_ref=sent.msg_id, cmd_ref=get.cmd_id, items=[item]),
    )
    (answer,) = server.receive(chunk.to_wbxml())
    assert (answer.command, answer.target, answer.code) == ("Get", "./Vendor/Big", 413)
    reply = Message.from_bytes(server.data_to_send())
    assert [(c.TAG, c.code) for c in reply.commands] == [
        ("Status", 200),  # the SyncHdr
        ("Status", 413),  # the Results
        ("Alert", 1222),  # the device's package goes on
    ]


@pytest.mark.parametrize(
    "written", ["²", "1²", "٣", "9" * 30, "9" * 5_000], ids=["sup", "1sup", "arabic", "30", "5000"]
)
def test_numbers_in_other_digits_or_past_64_bits_read_as_none(written):
    """A MaxMsgSize in superscript or Arabic-Indic digits, or too large for any message, is no
    limit the server takes (it sends as if none was declared); an int node's value of 5,000
    digits is refused with 400. Neither stops the session."""
    setup = Setup()
    client, server = setup.client(), setup.server()
    client.start()
    package1 = Message.from_bytes(client.data_to_send())
    meta = package1.header.meta
    meta.max_msg_size = None
    meta.element.children.append(type(meta.element)("MaxMsgSize", "syncml:metinf", None, written))
    assert meta.max_msg_size is None
    server.receive(package1.to_wbxml())
    assert server.peer_max_msg_size is None
    value = "9" * 5_000
    server.queue(Add(items=[Item(target="./Vendor/Digits", data=value, meta=Meta(format="int"))]))
    answers = []
    while (reply := server.data_to_send()) is not None:
        client.receive(reply)
        if (data := client.data_to_send()) is None:
            break
        answers += [e for e in server.receive(data) if isinstance(e, Answered)]
    assert [(a.command, a.code) for a in answers] == [("Add", StatusCode.BAD_REQUEST)]
    assert client.ended.reason is EndReason.COMPLETED
