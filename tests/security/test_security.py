"""Credentials, challenges, HMAC and package 0 notifications.

Where the vectors come from: the basic and MD5 credentials are the OMA DM Security
specification's own examples; the HMAC value, the package 0 digest of the specification's worked
example (its header bytes are the specification's, its digest is not printed there) and the DS
server-alerted notifications' digests were computed from the formulas (MD5, Base64), so they
check that the code follows the formula, not that it agrees with another implementation."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import syncml_codec
from syncml_codec import DecodeError
from syncml_codec.model import Cred, Message, Meta, StatusCode, validate
from syncml_codec.security.auth import (
    AUTH_MAC,
    AUTH_MD5,
    AuthError,
    basic_credential,
    challenge,
    decode_nonce,
    hmac_header,
    hmac_mac,
    md5_credential,
    md5_digest,
    new_nonce,
    parse_hmac_header,
    verify_credential,
    verify_hmac,
)
from syncml_codec.security.notification import (
    Initiator,
    Notification,
    SyncAlert,
    SyncNotification,
    UIMode,
    session_id_text,
)

pytestmark = pytest.mark.usefixtures("codec")

# The specification's worked example; the digest (password secret, nonce bytes nonce) was computed
# from the formula: the specification prints the layout, not the digest.
SPEC_PAYLOAD = bytes.fromhex(
    "7fc65a24e9d7ad28df2850ac24656fd402d0000000123412636f6d2e6d676d747372762e6d616e616765"
)
# Buteo's SAN test messages, their digests recomputed (empty password and nonce).
SAN01 = (
    bytes.fromhex("0179ab671b68f26698269b4ca78222ad0318000000000012")
    + b"PC Suite Data Sync"
    + bytes.fromhex("106000000008")
    + b"Contacts"
)


# -- credentials -----------------------------------------------------------------------------------


def test_basic_credential_spec_vector():
    cred = basic_credential("Bruce2", "OhBehave")
    assert cred.data == "QnJ1Y2UyOk9oQmVoYXZl"
    assert (cred.meta.type, cred.meta.format) == ("syncml:auth-basic", "b64")
    assert verify_credential(cred, "Bruce2", "OhBehave")
    assert not verify_credential(cred, "Bruce2", "OhBehav")


def test_md5_credential_spec_vector():
    assert md5_digest("Bruce2", "OhBehave", b"Nonce") == "Zz6EivR3yeaaENcRN6lpAQ=="
    cred = md5_credential("Bruce2", "OhBehave", b"Nonce")
    assert cred.meta.type == AUTH_MD5 and cred.data == "Zz6EivR3yeaaENcRN6lpAQ=="
    assert verify_credential(cred, "Bruce2", "OhBehave", b"Nonce")
    assert not verify_credential(cred, "Bruce2", "OhBehave", b"Other")
    assert not verify_credential(Cred(meta=Meta(type="syncml:auth-X509"), data="x"), "a", "b")


def test_credentials_travel_in_a_message():
    message = Message(
        session_id="1", msg_id=1, target="https://dm.example.com/dm", source="IMEI:1", final=True
    )
    message.header.cred = md5_credential("user", "secret", b"\x01\x02")
    received = Message.from_bytes(message.to_wbxml())
    assert verify_credential(received.header.cred, "user", "secret", b"\x01\x02")
    assert validate(received) == []


def test_challenge_status_with_fresh_nonce():
    received = Message(
        session_id="1", msg_id=3, target="https://dm.example.com/dm", source="IMEI:1"
    )
    status = challenge(received)
    assert (status.cmd_ref, status.cmd, status.msg_ref, status.code) == ("0", "SyncHdr", "3", 407)
    meta = status.chal.meta
    assert (meta.type, meta.format) == (AUTH_MD5, "b64")
    assert len(decode_nonce(meta.next_nonce)) == 16
    assert challenge(received).chal.meta.next_nonce != meta.next_nonce
    refused = challenge(received, code=StatusCode.INVALID_CREDENTIALS, nonce=b"\x00\x01\x02")
    assert refused.code == 401 and refused.chal.meta.next_nonce == "AAEC"
    basic = challenge(received, auth_type="syncml:auth-basic")
    assert basic.chal.meta.next_nonce is None
    with pytest.raises(ValueError):
        challenge(received, code=200)


def test_nonces():
    assert len(new_nonce()) == 16 and len(new_nonce(32)) == 32 and new_nonce() != new_nonce()
    nonce = new_nonce()  # one type, raw bytes, from the challenge to the check
    message = Message(session_id="1", msg_id=1, target="https://x", source="IMEI:1")
    status = challenge(message, nonce=nonce)
    assert decode_nonce(status.chal.meta.next_nonce) == nonce
    message.header.cred = md5_credential("user", "secret", nonce)
    assert verify_credential(message.header.cred, "user", "secret", nonce)
    assert not verify_credential(None, "user", "secret", nonce)
    with pytest.raises(AuthError):
        decode_nonce("not base64!")
    with pytest.raises(ValueError):
        new_nonce(0)


# -- HMAC ------------------------------------------------------------------------------------------

BODY = b"<SyncML></SyncML>"


def test_hmac_vector_and_header():
    # computed from the formula (no specification prints an HMAC example)
    assert hmac_mac("Robert Jordan", "pwd", b"nonce", BODY) == "dorhkR7+KiG49ZpT7ciZ+w=="
    header = hmac_header("Robert Jordan", "pwd", b"nonce", BODY)
    assert header == 'algorithm=MD5, username="Robert Jordan", mac=dorhkR7+KiG49ZpT7ciZ+w=='
    assert verify_hmac(header, "pwd", b"nonce", BODY)
    assert verify_hmac(header, "pwd", b"nonce", BODY, username="Robert Jordan")
    assert not verify_hmac(header, "pwd", b"nonce", BODY, username="Someone")
    assert not verify_hmac(header, "pwd", b"nonce", BODY + b" ")
    assert not verify_hmac(header, "pwd", b"other", BODY)
    assert AUTH_MAC == "syncml:auth-MAC"


def test_hmac_header_parsing_is_strict():
    parsed = parse_hmac_header('username="Robert Jordan", mac=abc=')
    assert (parsed.algorithm, parsed.username, parsed.mac) == ("MD5", "Robert Jordan", "abc=")
    assert parse_hmac_header('algorithm=md5,username="a",mac=x').username == "a"
    for bad in (
        "",
        'username="a"',
        "mac=x",
        "username=a, mac=x",
        'username="a", mac=x,',
        'username="a", mac=x, mac=y',
        'algorithm=SHA1, username="a", mac=x',
        'username="a", mac=x, extra=1',
        'username="a" mac=x',
        'username="a, mac=x',
    ):
        with pytest.raises(AuthError):
            parse_hmac_header(bad)
    with pytest.raises(AuthError):
        hmac_header('a"b', "p", b"n", BODY)


def test_secrets_do_not_show_in_reprs():
    cred = md5_credential("user", "hunter2-secret", b"nonce")
    assert "hunter2-secret" not in repr(cred)
    header = parse_hmac_header(hmac_header("user", "hunter2-secret", b"nonce", BODY))
    assert "hunter2-secret" not in repr(header)
    notification = Notification(server_id="srv", session_id=1).signed("hunter2-secret", b"nn")
    assert "hunter2-secret" not in repr(notification) and "digest" not in repr(notification)


# -- package 0 -----------------------------------------------------------------------------------


def test_dm_notification_spec_example():
    notification = Notification(
        server_id="com.mgmtsrv.manage",
        session_id=0x1234,
        ui_mode=UIMode.BACKGROUND,
        initiator=Initiator.CLIENT,
    )
    assert notification.encode("secret", b"nonce") == SPEC_PAYLOAD
    decoded = Notification.decode(SPEC_PAYLOAD)
    assert (
        decoded.version,
        decoded.ui_mode,
        decoded.initiator,
        decoded.session_id_text,
        decoded.server_id,
        decoded.vendor_data,
    ) == (11, UIMode.BACKGROUND, Initiator.CLIENT, "1234", "com.mgmtsrv.manage", b"")
    assert decoded.digest == SPEC_PAYLOAD[:16]
    assert decoded.verify("secret", b"nonce")
    assert not decoded.verify("secret", b"nonce2") and not decoded.verify("Secret", b"nonce")


def test_dm_notification_vendor_data_and_resync_nonce():
    notification = Notification(
        server_id="srv", session_id=0xAB, vendor_data=b"\x00\xff", ui_mode=UIMode.USER_INTERACTION
    )
    for special in (b"\x00\x00\x00\x00", b"0x00000000"):
        data = notification.encode("pw", special)
        decoded = Notification.decode(data)
        assert decoded.vendor_data == b"\x00\xff" and decoded.session_id_text == "AB"
        assert decoded.verify("pw", b"stale", allow_resync=True)
        assert not decoded.verify("pw", b"stale")


def test_session_id_rendering():
    assert [session_id_text(n) for n in (0x1234, 0x00AB, 0, 0xFFFF)] == ["1234", "AB", "0", "FFFF"]


def test_ds_notification_vectors():
    san = SyncNotification.decode(SAN01)
    assert (san.version, san.ui_mode, san.initiator, san.session_id) == (
        12,
        UIMode.BACKGROUND,
        Initiator.SERVER,
        0,
    )
    assert san.syncs == (SyncAlert(206, "Contacts", 0),)
    assert san.verify("", b"")
    assert san.encode("", b"") == SAN01
    san02 = (
        SAN01[: 16 + 8 + 18 + 6].replace(
            SAN01[:16], bytes.fromhex("65adf16b1feed840028683cfc8226b8b")
        )
        + b"Calendar"
    )
    assert SyncNotification.decode(san02).verify("", b"")
    two = SyncNotification(server_id="s", syncs=(SyncAlert(206, "a"), SyncAlert(210, "b", 7)))
    assert SyncNotification.decode(two.encode("p")).syncs == two.syncs


def test_buteo_version_shift_bug_is_rejected():
    """Buteo shifts the version by 8 bits, not 6: version 11 then reads as 2."""
    bad = bytearray(SPEC_PAYLOAD)
    bad[16:18] = (11 << 8).to_bytes(2, "big")
    with pytest.raises(DecodeError) as caught:
        Notification.decode(bytes(bad))
    assert caught.value.offset == 16


@pytest.mark.parametrize(
    "data,offset",
    [
        (b"", 0),
        (SPEC_PAYLOAD[:23], 23),
        (SPEC_PAYLOAD[:30], 23),
        (SPEC_PAYLOAD[:16] + b"\xff" + SPEC_PAYLOAD[17:], 16),
        (SPEC_PAYLOAD[:24] + b"\xff" * 18, 24),
    ],
)
def test_malformed_notifications(data, offset):
    for kind in (Notification, SyncNotification):
        with pytest.raises(DecodeError) as caught:
            kind.decode(data)
        assert caught.value.offset == offset


@pytest.mark.parametrize(
    "tail,offset", [(b"", 42), (b"\x10\x60\x00", 43), (b"\x10\x60\x00\x00\x00\x09Contacts", 47)]
)
def test_malformed_ds_bodies(tail, offset):
    head = SAN01[:42]
    with pytest.raises(DecodeError) as caught:
        SyncNotification.decode(head + tail)
    assert caught.value.offset == offset


def test_encode_checks_fields():
    for bad in ({"session_id": 0x10000}, {"ui_mode": 4}, {"server_id": "x" * 256}):
        fields = {"server_id": "s", **bad}
        with pytest.raises(ValueError):
            Notification(**fields).encode("p")


# -- the notification command line ----------------------------------------------------------


def _cli(*args, stdin=b"", env=None):
    env = {k: v for k, v in os.environ.items() if k != "SYNCML_CODEC_PUREPYTHON"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "syncml_codec", "notification", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )


def test_cli_encode_and_decode(tmp_path):
    out = tmp_path / "n.bin"
    result = _cli(
        "encode",
        "--server-id",
        "com.mgmtsrv.manage",
        "--session-id",
        "1234",
        "--password",
        "secret",
        "--nonce",
        "nonce",
        "--ui-mode",
        "background",
        "--initiator",
        "client",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == SPEC_PAYLOAD
    decoded = _cli(
        "decode", str(out), "--json", "--password", "secret", "--nonce-hex", b"nonce".hex()
    )
    import json

    assert json.loads(decoded.stdout) == {
        "version": 11,
        "ui_mode": "background",
        "initiator": "client",
        "session_id": "1234",
        "server_id": "com.mgmtsrv.manage",
        "vendor_data": "",
        "digest": SPEC_PAYLOAD[:16].hex(),
        "digest_valid": True,
    }
    wrong = _cli("decode", str(out), "--json", "--password", "x")
    assert json.loads(wrong.stdout)["digest_valid"] is False
    assert wrong.returncode == 1 and b"digest does not match" in wrong.stderr
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("secret\n")
    for source in (("--password-file", str(secret_file)), ("--password-env", "NOTIFY_SECRET")):
        checked = _cli(
            "decode", str(out), "--nonce", "nonce", *source, env={"NOTIFY_SECRET": "secret"}
        )
        assert checked.returncode == 0 and b"digest_valid: True" in checked.stdout
    unset = _cli("decode", str(out), "--password-env", "NO_SUCH_VARIABLE_HERE")
    assert unset.returncode == 2 and b"NO_SUCH_VARIABLE_HERE is not set" in unset.stderr
    ds = json.loads(_cli("decode", "-", "--json", "--ds", stdin=SAN01).stdout)
    assert ds["syncs"] == [{"sync_type": 206, "content_type": 0, "server_uri": "Contacts"}]


def test_cli_bad_notification_and_bad_arguments():
    result = _cli("decode", "-", stdin=SPEC_PAYLOAD[:10])
    assert result.returncode == 1
    assert result.stderr.decode().strip() == "-:10: a notification has at least 24 bytes, not 10"
    bad = _cli("encode", "--server-id", "s", "--session-id", "xyz", "--password", "p")
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr
    assert _cli("decode").returncode == 2


def test_notification_is_reachable_from_the_package():
    assert syncml_codec.security.notification.Notification is Notification


def test_a_challenge_is_the_header_status_of_the_answer():
    from syncml_codec.model import respond

    received = Message(session_id="1", msg_id=4, target="https://x", source="IMEI:1")
    nonce = new_nonce()
    answer = respond(received, msg_id=1, header_status=challenge(received, nonce=nonce))
    header_status = answer.commands[0]
    assert (header_status.cmd, header_status.code, header_status.msg_ref) == ("SyncHdr", 407, "4")
    assert decode_nonce(header_status.chal.meta.next_nonce) == nonce
    assert validate(answer) == []
