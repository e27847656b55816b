"""``simulate``: a firmware update played in one process, each message annotated and printed."""

from __future__ import annotations

import re

import pytest

from syncml_codec import decode

from helpers import run_cli


@pytest.mark.parametrize("format", ["wbxml", "xml"])
def test_simulate_prints_an_annotated_firmware_update(codec, format):
    done = run_cli(codec, "simulate", "--format", format)
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0 and done.stderr == b""
    headings = re.findall(r"^-- (\S+) -> \S+ · package (\d) · MsgID (\d+) · (\d+) bytes", out, re.M)
    assert headings[0][:2] == ("device", "1") and headings[1][:2] == ("server", "2")
    assert all(int(size) <= 2048 for *_, size in headings)
    for needle in (
        "package 0: notification",
        "the peer's credentials refused: 401",
        "Get ./DevDetail/FwV answered 200, value 1.0.7",
        "MoreData",
        "Exec ./FwUpdate/x1/Update (Correlator update-42) accepted 202",
        "the device installs 6000 bytes",
        "Generic Alert org.openmobilealliance.dm.firmwareupdate.update from ./FwUpdate/x1: 200",
        "session over: completed",
    ):
        assert needle in out
    # Every message is printed as a whole XML document.
    documents = re.findall(r"<\?xml.*?</SyncML>", out, re.S)
    assert len(documents) == len(headings)
    assert all(decode(document.encode()).tag == "SyncML" for document in documents)


def test_simulate_with_a_wrong_password_ends_in_failure(codec):
    done = run_cli(codec, "simulate", "--wrong-password", "--brief")
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0 and "<SyncML" not in out
    assert "session over: authentication failed" in out and "installs" not in out


def test_simulate_refuses_impossible_sizes(codec):
    done = run_cli(codec, "simulate", "--max-msg-size", "100")
    assert done.returncode == 2 and b"--max-msg-size" in done.stderr


def test_simulate_with_hmacs_both_ways(codec):
    done = run_cli(codec, "simulate", "--hmac", "--brief")
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0 and done.stderr == b""
    messages = out.split("\n-- ")[1:]
    assert len(messages) > 8
    assert all("\n   x-syncml-hmac: algorithm=MD5, username=" in m for m in messages)
    assert "challenged by the peer: 401 (syncml:auth-MAC), trying again" in out
    assert "Status 212" not in out  # an HMAC'd message is answered 200
    assert "credentials refused" not in out.split("challenged")[1]  # only package 1's first try
    assert out.count("session over: completed") == 2 and "accepted 202" in out
