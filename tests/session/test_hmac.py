"""HMAC in DM sessions (``syncml:auth-MAC``): an HMAC of every message, in the
``x-syncml-hmac`` transport header, each over the nonce the peer gave with its last message
(OMA DM Security 1.2). The macs are checked here with ``verify_hmac`` over the bytes on the
wire and the nonces read from the Chal elements, not with what the sessions kept."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from syncml_codec.dm import TreeError
from syncml_codec.model import Add, Alert, AlertCode, Get, Item, Message, Status, generic_alert
from syncml_codec.security.auth import (
    AUTH_BASIC,
    AUTH_MAC,
    AUTH_MD5,
    HMAC_HEADER,
    decode_nonce,
    hmac_header,
    verify_hmac,
)
from syncml_codec.session import (
    Account,
    Answered,
    Authenticated,
    Challenged,
    CredentialsRefused,
    EndReason,
    GenericAlert,
    SessionEnded,
    SessionStarted,
)

from helpers.sessions import (
    HMAC_BOTH_WAYS,
    SERVER_ID,
    SERVER_URI,
    Setup,
    device,
    events_of,
    queue_on_start,
    talk,
)

pytestmark = pytest.mark.usefixtures("codec")

FORMATS = ["wbxml", "xml"]
GET_FWV = Get(items=[Item(target="./DevDetail/FwV")])


def header_status(message: Message) -> Status | None:
    """The Status a message holds for its peer's SyncHdr."""
    for command in message.commands:
        if isinstance(command, Status) and command.cmd_ref == "0":
            return command
    return None


def alert_codes(message: Message) -> list[int | None]:
    return [command.code for command in message.commands if isinstance(command, Alert)]


def next_nonce(status: Status | None) -> bytes | None:
    if status is None or status.chal is None:
        return None
    return decode_nonce(status.chal.meta.next_nonce)


def hmac_setup(format: str = "wbxml", **options) -> Setup:
    """Both sides proving themselves with HMACs."""
    return Setup(format=format, **{**HMAC_BOTH_WAYS, **options})


def start(setup: Setup):
    client, server = setup.client(), setup.server()
    client.start()
    return client, server


@pytest.mark.parametrize("format", FORMATS)
def test_every_message_carries_an_hmac_over_the_nonce_the_peer_gave_last(format):
    setup = hmac_setup(format)
    client, server = start(setup)
    rounds = [GET_FWV, Get(items=[Item(target="./DevInfo/Mod")])]

    def one_get_a_package(session, event):
        if isinstance(event, SessionStarted | Answered) and rounds:
            session.queue(rounds.pop(0))

    exchanges = talk(client, server, one_get_a_package, restore=setup.restore)
    device_nonce = setup.client_nonce  # stale: the server challenges it
    server_nonce = b"srv-nonce"  # what both sides hold for the server
    server_macs = 0
    for exchange in exchanges:
        message = exchange.message
        assert message.header.cred is None  # HMAC replaces the Cred element
        if exchange.sender == "client":
            assert verify_hmac(exchange.mac, "pw", device_nonce, exchange.data, username="dev1")
            server_nonce = next_nonce(header_status(message)) or server_nonce
        else:
            device_nonce = next_nonce(header_status(message)) or device_nonce
            if exchange.mac is not None:
                server_macs += 1
                assert verify_hmac(
                    exchange.mac, "server-secret", server_nonce, exchange.data, username=SERVER_ID
                )
    assert server_macs >= 2  # once the device asked for them, every message of the server
    # The server answers each authenticated message 200, never 212, each time with a new
    # NextNonce; the device does the same for the server's.
    codes = [
        (x.sender, header_status(x.message).code, next_nonce(header_status(x.message)))
        for x in exchanges if header_status(x.message) is not None
    ]  # fmt: skip
    assert 212 not in [code for _, code, _ in codes]
    server_given = [nonce for side, code, nonce in codes if side == "server" and code == 200]
    assert len(server_given) >= 2 and None not in server_given
    # (the device checks no server message that only challenges it: it answers that one 200
    # and keeps the server's nonce)
    device_given = [nonce for side, code, nonce in codes if side == "client" and nonce]
    assert len(device_given) >= 2
    for nonces in (server_given, device_given):
        assert len(set(nonces)) == len(nonces)
    # Authenticated, and the session started, once.
    assert len(events_of(exchanges, "client", Authenticated)) == 1
    assert len(events_of(exchanges, "client", SessionStarted)) == 1
    answers = [a for a in events_of(exchanges, "client", Answered) if a.command == "Get"]
    assert [(answer.code, answer.value) for answer in answers] == [(200, "1.0.7"), (200, "X1")]
    assert client.ended.reason is EndReason.COMPLETED
    assert client.authenticated and client.server_authenticated
    assert client.account.client_nonce == server_given[-1]  # for the next session


def test_both_sides_end_with_the_same_nonces_for_the_next_session():
    setup = hmac_setup()
    client, server = start(setup)
    talk(client, server, queue_on_start(GET_FWV))
    assert client.ended.reason is EndReason.COMPLETED
    assert server.server_nonce == client.account.server_nonce != b"srv-nonce"
    assert server.client_nonce == client.account.client_nonce != setup.client_nonce


@pytest.mark.parametrize("format", FORMATS)
def test_a_message_changed_on_the_way_is_refused_and_nothing_applied(format):
    """Package 1 with one character changed after its HMAC: challenged, its DevInfo not
    taken."""
    setup = hmac_setup(format, client_nonce=b"server-old")  # the nonce the server gave last
    client, server = start(setup)
    data, mac = client.data_to_send(), client.headers[HMAC_HEADER]
    assert b"Acme" in data
    (refused,) = server.receive(data.replace(b"Acme", b"Acmf"), hmac=mac)
    assert (refused.code, refused.auth_type, refused.retrying) == (401, AUTH_MAC, True)
    assert server.dev_info == {} and not server.authenticated


@pytest.mark.parametrize("format", FORMATS)
def test_a_message_changed_after_authentication_is_challenged_and_sent_again(format):
    """Once authenticated, a message whose HMAC fails (its Results changed on the way) is
    answered 401 on every command with a fresh nonce, nothing of it taken; the device sends
    its commands again with an HMAC over that nonce, and the genuine Results are taken."""
    setup = hmac_setup(format, client_nonce=b"server-old")
    client, server = start(setup)
    server.receive(client.data_to_send(), hmac=client.headers[HMAC_HEADER])
    server.queue(GET_FWV)
    reply = server.data_to_send()
    client.receive(reply, hmac=server.headers.get(HMAC_HEADER))
    data, mac = client.data_to_send(), client.headers[HMAC_HEADER]
    assert b"1.0.7" in data  # the Results
    events = server.receive(data.replace(b"1.0.7", b"6.6.6"), hmac=mac)
    assert [type(event) for event in events] == [CredentialsRefused]
    assert events[0].code == 401 and events[0].retrying
    challenge = server.data_to_send()
    answer = Message.from_bytes(challenge)
    assert {status.code for status in answer.commands} == {401}
    fresh = next_nonce(header_status(answer))
    assert fresh is not None and server.ended is None
    heard = client.receive(challenge, hmac=server.headers.get(HMAC_HEADER))
    assert [(type(e), e.retrying) for e in heard] == [(Challenged, True)]
    again, mac = client.data_to_send(), client.headers[HMAC_HEADER]
    assert verify_hmac(mac, "pw", fresh, again, username="dev1")
    resent = Message.from_bytes(again)
    assert [c.TAG for c in resent.commands] == [c.TAG for c in Message.from_bytes(data).commands]
    events = server.receive(again, hmac=mac)
    (answered,) = [e for e in events if isinstance(e, Answered)]
    assert (answered.code, answered.value) == (200, "1.0.7")
    client.receive(server.data_to_send(), hmac=server.headers.get(HMAC_HEADER))
    talk(client, server)
    assert client.ended.reason is EndReason.COMPLETED


def test_a_device_whose_hmacs_keep_failing_after_authentication_is_ended():
    """Past ``max_auth_attempts`` failures in the session, the server ends it (401 without a
    Chal); the device ends too."""
    setup = hmac_setup(client_nonce=b"server-old")
    client = setup.client()
    server = setup.server(max_auth_attempts=2)
    client.start()
    refused = []
    for step in range(20):
        data = client.data_to_send()
        if data is None:
            break
        mac = client.headers[HMAC_HEADER] if step == 0 else "garbage"  # authenticated once
        events = server.receive(data, hmac=mac)
        refused += [e.retrying for e in events if isinstance(e, CredentialsRefused)]
        if any(isinstance(e, SessionStarted) for e in events):
            server.queue(GET_FWV)
        client.receive(server.data_to_send(), hmac=server.headers.get(HMAC_HEADER))
    assert refused == [True, True, False]
    assert server.ended.reason is EndReason.AUTHENTICATION_FAILED
    assert client.ended.reason is EndReason.AUTHENTICATION_FAILED


@pytest.mark.parametrize(
    ("header", "code"),
    [(None, 407), ("garbage", 401), ('username="dev1", mac=AAAA', 401)],
    ids=["missing", "malformed", "wrong"],
)
def test_package_1_without_a_valid_hmac_is_challenged(header, code):
    setup = hmac_setup(client_nonce=b"server-old")
    client, server = start(setup)
    (refused,) = server.receive(client.data_to_send(), hmac=header)
    assert (refused.code, refused.retrying) == (code, True)
    challenge = header_status(Message.from_bytes(server.data_to_send()))
    assert challenge.code == code and challenge.chal.meta.type == AUTH_MAC
    assert next_nonce(challenge) == b"s-1"


@pytest.mark.parametrize(
    ("device_type", "server_type", "codes"),
    [
        (AUTH_MD5, AUTH_MAC, [407, 200]),
        (AUTH_MAC, AUTH_MD5, [407, 212]),
        (AUTH_BASIC, AUTH_MD5, [401, 212]),  # a right password, but not the type asked
    ],
)
def test_the_device_answers_with_the_type_the_challenge_asks(device_type, server_type, codes):
    setup = Setup(auth_type=device_type, client_nonce=b"server-old")
    client = setup.client()
    server = setup.server(auth_type=server_type)
    client.start()
    exchanges = talk(client, server, queue_on_start(GET_FWV))
    assert [header_status(x.message).code for x in exchanges[1:4:2]] == codes
    assert client.account.auth_type == server_type
    assert client.ended.reason is EndReason.COMPLETED
    hmacs = [x.mac is not None for x in exchanges if x.sender == "client"]
    assert hmacs == [device_type == AUTH_MAC] + [server_type == AUTH_MAC] * (len(hmacs) - 1)


@pytest.mark.parametrize("attempts", [0, 2])
def test_a_wrong_server_password_fails_its_hmacs_until_the_device_ends(attempts):
    setup = hmac_setup(client_nonce=b"server-old")
    client = setup.client(max_auth_attempts=attempts)
    client.account.server_password = "not-the-servers"
    server = setup.server()
    client.start()
    exchanges = talk(client, server, queue_on_start(GET_FWV))
    refused = events_of(exchanges, "server", CredentialsRefused)
    assert [(event.auth_type, event.retrying) for event in refused][-1] == (AUTH_MAC, False)
    assert len(refused) == attempts + 1
    assert client.ended.reason is EndReason.AUTHENTICATION_FAILED
    assert [a for a in events_of(exchanges, "client", Answered) if a.command == "Get"] == []


def test_a_message_sent_again_gets_the_same_answer_and_hmac():
    setup = hmac_setup()
    client, server = start(setup)
    for _ in range(3):
        data, mac = client.data_to_send(), client.headers[HMAC_HEADER]
        events = server.receive(data, hmac=mac)
        if any(isinstance(event, SessionStarted) for event in events):
            server.queue(GET_FWV)
        reply, headers = server.data_to_send(), server.headers
        server = setup.restore(json.loads(json.dumps(server.to_state())))
        assert server.receive(data, hmac=mac) == []
        assert (server.data_to_send(), server.headers) == (reply, headers)
        client.receive(reply, hmac=headers.get(HMAC_HEADER))
    assert HMAC_HEADER in headers and headers["Content-Type"] == server.content_type


def test_an_account_with_hmac_both_ways_is_read_from_dmacc():
    tree = device()
    for uri, value in {
        "./DMAcc/a/ServerID": SERVER_ID,
        "./DMAcc/a/AppAddr/main/Addr": SERVER_URI,
        "./DMAcc/a/AppAuth/c/AAuthLevel": "CLCRED",
        "./DMAcc/a/AppAuth/c/AAuthType": "HMAC",
        "./DMAcc/a/AppAuth/c/AAuthName": "dev1",
        "./DMAcc/a/AppAuth/c/AAuthSecret": "pw",
        "./DMAcc/a/AppAuth/s/AAuthLevel": "SRVCRED",
        "./DMAcc/a/AppAuth/s/AAuthType": "HMAC",
        "./DMAcc/a/AppAuth/s/AAuthSecret": "server-secret",
    }.items():
        tree.add(uri, value)
    account = Account.from_tree(tree, SERVER_ID)
    assert account.auth_type == AUTH_MAC and account.server_auth_type == AUTH_MAC
    tree.replace("./DMAcc/a/AppAuth/s/AAuthType", "DIGEST")
    assert Account.from_tree(tree, SERVER_ID).server_auth_type == AUTH_MD5
    with pytest.raises(TreeError):
        Account.from_tree(tree, "nobody")


def test_a_header_given_as_bytes_reads_as_its_text():
    """ASGI and h11 give header values as bytes: the session reads them as HTTP's octets."""
    setup = hmac_setup(client_nonce=b"server-old")
    client, server = start(setup)
    data = client.data_to_send()
    events = server.receive(data, hmac=client.headers[HMAC_HEADER].encode("latin-1"))
    assert any(isinstance(event, SessionStarted) for event in events)
    with pytest.raises(TypeError, match="text or bytes"):
        client.receive(server.data_to_send(), hmac=5)
    assert client.ended is None and client.data_to_send() is None  # still waits for the answer


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=st.one_of(st.text(max_size=300), st.binary(max_size=300)))
@example(header='username="dev1", mac=' + "A" * 100_000)
@example(header='algorithm=SHA-1, username="dev1", mac=x')
@example(header='username="dev1"' + ", username=x" * 1000)
def test_any_header_value_is_a_wrong_hmac_at_worst(header):
    """Whatever an x-syncml-hmac header holds, it proves nothing unless it is the mac: the
    server challenges it, raising nothing."""
    setup = hmac_setup(client_nonce=b"server-old")
    client, server = start(setup)
    (refused,) = server.receive(client.data_to_send(), hmac=header)
    assert isinstance(refused, CredentialsRefused) and refused.code == 401


def test_the_server_proves_itself_as_the_devices_challenge_asks():
    """The server's look-up says MD5, the device wants HMACs: it refuses the server's MD5
    credentials (407, a Chal of auth-MAC), and the server sends its commands again with
    HMACs."""
    setup = hmac_setup(client_nonce=b"server-old", server_auth_type=AUTH_MD5)
    client = setup.client()
    client.account.server_auth_type = AUTH_MAC
    server = setup.server()
    client.start()
    exchanges = talk(client, server, queue_on_start(GET_FWV))
    (refused,) = events_of(exchanges, "server", CredentialsRefused)
    assert (refused.code, refused.auth_type, refused.retrying) == (407, AUTH_MAC, True)
    from_server = [x for x in exchanges if x.sender == "server"]
    assert from_server[0].message.header.cred is not None and from_server[0].mac is None
    assert all(x.mac is not None and x.message.header.cred is None for x in from_server[1:])
    (answer,) = [a for a in events_of(exchanges, "client", Answered) if a.command == "Get"]
    assert answer.value == "1.0.7" and client.ended.reason is EndReason.COMPLETED


@pytest.mark.parametrize(
    ("header", "code"),
    [(None, 407), ("garbage", 401), ('username="srv", mac=AAAA', 401)],
    ids=["missing", "malformed", "wrong"],
)
def test_a_server_message_without_a_valid_hmac_is_refused(header, code):
    setup = hmac_setup(client_nonce=b"server-old")
    client, server = start(setup)
    server.receive(client.data_to_send(), hmac=client.headers[HMAC_HEADER])
    server.queue(Add(items=[Item(target="./Vendor/X", data="1")]))
    events = client.receive(server.data_to_send(), hmac=header)
    assert [type(event) for event in events] == [Authenticated, CredentialsRefused]
    assert events[1].code == code and events[1].retrying
    assert "./Vendor/X" not in client.tree
    answer = Message.from_bytes(client.data_to_send())
    assert {status.code for status in answer.commands} == {code}
    assert header_status(answer).chal.meta.type == AUTH_MAC


@pytest.mark.parametrize("refused", range(1, 7))
def test_an_object_goes_whole_whichever_of_its_messages_the_device_refuses(refused):
    """A server message whose HMAC fails on the way (here, message ``refused`` of the
    server's package, which carries an object in chunks): the device refuses it, the server
    sends its commands again, the chunk cut again, from its JSON state, and the object
    arrives whole."""
    setup = hmac_setup(client_nonce=b"server-old", client_max_msg_size=2048)
    client, server = start(setup)
    blob = bytes(index % 251 for index in range(9000))
    server_messages = 0
    for _ in range(100):  # a bound: a session that loops fails instead of hanging
        data = client.data_to_send()
        if data is None:
            break
        server = setup.restore(json.loads(json.dumps(server.to_state())))
        for event in server.receive(data, hmac=client.headers[HMAC_HEADER]):
            if isinstance(event, SessionStarted):
                server.queue(GET_FWV, Add(items=[Item(target="./Vendor/Blob", data=blob)]), GET_FWV)
        reply = server.data_to_send()
        if reply is None:
            break
        server_messages += 1
        mac = "x" if server_messages == refused else server.headers[HMAC_HEADER]
        client.receive(reply, hmac=mac)
    assert server_messages > refused
    assert client.ended.reason is EndReason.COMPLETED
    assert client.tree.get("./Vendor/Blob").value == blob


@pytest.mark.parametrize("format", FORMATS)
def test_statuses_the_device_refuses_in_the_middle_of_its_package_come_again(format):
    """The device's package 1 spans messages (its generic alerts beyond the MaxMsgSize the
    server declares in its challenge); the device refuses the server's answer to the first
    (Statuses and 1222) as its HMAC fails: those Statuses come again, and every alert is
    answered once."""
    setup = hmac_setup(format, client_nonce=b"stale", server_max_msg_size=None)
    client, server = setup.client(), setup.server()
    alerts = [
        generic_alert(type="org.example.report", data=f"{n:03} " + "x" * 300, correlator=str(n))
        for n in range(6)
    ]
    client.start(generic_alerts=alerts)
    challenged = server.receive(client.data_to_send(), hmac=client.headers[HMAC_HEADER])
    assert [type(event) for event in challenged] == [CredentialsRefused]
    server.max_msg_size = 1500  # declared with the challenge: package 1 comes again in pieces
    client.receive(server.data_to_send(), hmac=server.headers.get(HMAC_HEADER))
    heard, answered, refused = [], [], 0
    for _ in range(100):  # a bound: a session that loops fails instead of hanging
        data = client.data_to_send()
        if data is None:
            break
        server = setup.restore(json.loads(json.dumps(server.to_state())))
        events = server.receive(data, hmac=client.headers[HMAC_HEADER])
        heard += [event.correlator for event in events if isinstance(event, GenericAlert)]
        reply = server.data_to_send()
        if reply is None:
            break
        mac = server.headers[HMAC_HEADER]
        if not refused and AlertCode.NEXT_MESSAGE in alert_codes(Message.from_bytes(reply)):
            mac, refused = "x", refused + 1
        answered += [e for e in client.receive(reply, hmac=mac) if isinstance(e, Answered)]
    assert refused and sorted(heard) == [str(n) for n in range(6)]
    codes = sorted((a.command, a.code) for a in answered)
    assert codes == [("Alert", 200)] * 7 + [("Replace", 200)]
    assert client.ended.reason is EndReason.COMPLETED


def test_a_device_refusing_the_servers_last_message_ends_without_a_word():
    """The server's last message (Final, only Statuses, after the device's whole package)
    ends the session on the server: a device that refuses it has no one to answer, and ends
    without sending a refusal nobody reads (its commands stay unanswered)."""
    setup = hmac_setup(client_nonce=b"server-old")
    client, server = start(setup)
    server.receive(client.data_to_send(), hmac=client.headers[HMAC_HEADER])
    server.queue(GET_FWV)
    client.receive(server.data_to_send(), hmac=server.headers[HMAC_HEADER])
    server.receive(client.data_to_send(), hmac=client.headers[HMAC_HEADER])
    last = server.data_to_send()
    assert server.ended.reason is EndReason.COMPLETED
    events = client.receive(last, hmac="x")
    assert [type(event) for event in events] == [CredentialsRefused, SessionEnded]
    assert not events[0].retrying
    assert events[1].reason is EndReason.AUTHENTICATION_FAILED
    assert client.data_to_send() is None


@pytest.mark.parametrize("server_check", [None, AUTH_MD5, AUTH_MAC], ids=["none", "md5", "hmac"])
def test_a_device_challenged_mid_session_sends_its_commands_again(server_check):
    """The device's HMAC fails on the way after authentication, whatever the device checks
    of the server (nothing, MD5 credentials until accepted, an HMAC on every message): its
    commands go again, and the server keeps proving itself as the device asked."""
    checks = {"server_password": "server-secret", "server_auth_type": server_check}
    setup = hmac_setup(client_nonce=b"server-old", **(checks if server_check else {}))
    if not server_check:
        setup.server_auth_type = AUTH_MD5  # what the look-up holds; the device checks nothing
    client, server = start(setup)
    exchanges = talk(client, server, queue_on_start(GET_FWV), broken={("client", 1)})
    (refused,) = events_of(exchanges, "client", CredentialsRefused)
    assert refused.retrying and exchanges[2].mac == "x"
    (answer,) = [a for a in events_of(exchanges, "client", Answered) if a.command == "Get"]
    assert answer.value == "1.0.7" and client.ended.reason is EndReason.COMPLETED
    server_macs = [x.mac for x in exchanges if x.sender == "server"]
    assert all(mac is not None for mac in server_macs) == (server_check == AUTH_MAC)
    assert not events_of(exchanges, "server", CredentialsRefused)  # the device refused nothing


def test_a_next_nonce_for_the_server_that_is_no_base64_leaves_the_last_one():
    """The device's Status for the server's SyncHdr gives the nonce for the server's next
    HMAC; one that is no Base64 is not taken, and the server keeps the last."""
    setup = hmac_setup("xml", client_nonce=b"server-old")
    client, server = start(setup)
    server.receive(client.data_to_send(), hmac=client.headers[HMAC_HEADER])
    server.queue(Get(items=[Item(target="./DevDetail/FwV")]))
    client.receive(server.data_to_send(), hmac=server.headers[HMAC_HEADER])
    data = client.data_to_send()
    state = server.to_state()
    server.receive(data, hmac=client.headers[HMAC_HEADER])
    assert server.server_nonce == client.account.server_nonce  # a genuine one is taken
    nonce = re.compile(rb"(<NextNonce[^>]*>)[^<]+(</NextNonce>)")
    assert len(nonce.findall(data)) == 1
    server = setup.restore(state)
    before = server.server_nonce
    changed = nonce.sub(rb"\1!!not base64!!\2", data)
    mac = hmac_header("dev1", setup.password, client.account.client_nonce, changed)
    server.receive(changed, hmac=mac)
    assert server.server_nonce == before != client.account.server_nonce
