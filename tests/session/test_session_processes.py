"""A server farm's session: every message of the device handled by a fresh interpreter that
knows the session only from the JSON state the last one left."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from syncml_codec.dm import FumoState

from helpers.sessions import Setup

STEP = Path(__file__).with_name("server_step.py")


@pytest.mark.parametrize("format", ["wbxml", "xml"])
def test_the_server_continues_in_a_fresh_process_before_every_message(format):
    setup = Setup(format=format, client_nonce=b"stale", client_max_msg_size=4096)
    client = setup.client()
    client.start()
    state = None
    events: list[str] = []
    processes = 0
    while (data := client.data_to_send()) is not None:
        request = json.dumps({"state": state, "data": base64.b64encode(data).decode()})
        done = subprocess.run(
            [sys.executable, str(STEP)],
            input=request,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        processes += 1
        result = json.loads(done.stdout)
        state, events = result["state"], events + result["events"]
        if result["reply"] is None:
            break
        client.receive(base64.b64decode(result["reply"]))
    assert processes > 8  # a challenge, and a package in chunks
    assert events[0] == "the peer's credentials refused: 401, challenged"
    assert "Get ./DevDetail/FwV answered 200, value 1.0.7" in events
    assert "Replace ./FwUpdate/x1/Update/PkgData answered 200" in events
    assert "Exec ./FwUpdate/x1/Update accepted 202" in events
    assert client.fumo.package == bytes(range(256)) * 80
    assert client.fumo.state == FumoState.READY_TO_UPDATE
    assert state["ended"] == ["completed", ""] and client.ended.reason.value == "completed"
