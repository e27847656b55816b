"""The examples run for real: the DM server (HTTP, SQLite) and the device simulator talk over
the loopback address through a whole firmware update, bounded in time, after requests the
server must refuse."""

from __future__ import annotations

import http.client
import http.server
import importlib
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


#: Requests the server refuses before the device's session, which then runs as if they had not
#: been sent: (Content-Length, body, HTTP status).
BAD_REQUESTS = [
    ("", b"", 411),
    ("0", b"", 411),
    ("²", b"x", 411),
    ("-5", b"x", 411),
    ("9" * 5_000, b"x", 413),
    (str((1 << 20) + 1), b"x", 413),
    ("5", b"\x03\x01\x6a\x00\x6d", 400),  # a WBXML document that is no message
]


def post(url: str, length: str, body: bytes) -> int:
    """POST ``body`` with ``length`` as its Content-Length (as given, even a wrong one)."""
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest("POST", address.path)
        if length:
            connection.putheader("Content-Length", length)
        connection.endheaders()
        connection.send(body)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("auth", ["md5", "hmac"])
def test_a_firmware_update_over_http(tmp_path, auth):
    """The README's two commands; with ``--hmac``, every message of both sides carries an
    HMAC in its x-syncml-hmac header (over HTTP: the examples pass the header through)."""
    options = ["--hmac"] if auth == "hmac" else []
    server = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "dm_server.py"), "--demo", "--port", "0",
         "--exit-when-done", "--db", str(tmp_path / "dm.sqlite"), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = server.stdout.readline()
        assert first.startswith("DM server at http://127.0.0.1:"), first
        url = first.split()[3]
        for length, body, status in BAD_REQUESTS:
            assert post(url, length, body) == status, (length, body[:10])
        device = subprocess.run(
            [sys.executable, str(EXAMPLES / "device_simulator.py"), url, "--wait", "30",
             *options],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert device.returncode == 0, device.stderr
        out, err = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode == 0, err
    auth_type = "syncml:auth-MAC" if auth == "hmac" else "syncml:auth-md5"
    assert f"challenged by the peer: 401 ({auth_type}), trying again" in device.stdout
    assert "credentials refused" not in device.stdout  # the server's, which the device checks
    assert "Exec ./FwUpdate/x1/Update (Correlator job-2) accepted 202" in device.stdout
    assert "installing 200000 bytes of firmware" in device.stdout
    assert device.stdout.rstrip().endswith("firmware version 2.0.0")
    assert "Get ./DevDetail/FwV answered 200, value 1.0.7" in out
    assert "Replace ./FwUpdate/x1/Update/PkgData answered 200" in out
    assert "Generic Alert org.openmobilealliance.dm.firmwareupdate.update" in out
    assert "job 1 get ./DevDetail/FwV: done, 200 1.0.7" in out
    assert "job 2 firmware" in out and out.rstrip().endswith("firmwareupdate.update: 200")


def demo_server(tmp_path, monkeypatch) -> tuple[Any, Any, Any, Any]:
    """The example modules, imported, and a DM server with the demo device in its database."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    dm_server = importlib.import_module("dm_server")
    device_simulator = importlib.import_module("device_simulator")
    store = dm_server.Store(str(tmp_path / "dm.sqlite"))
    dm_server.add_demo(store, tmp_path / "firmware.bin")
    return dm_server, device_simulator, store, dm_server.DmServer(store, max_msg_size=65536)


def test_the_server_handles_one_message_of_a_session_at_a_time(tmp_path, monkeypatch):
    """A device's message handled twice at once (a retry sent while the first is still being
    handled, on another worker): the second waits for the first's saved state and gets the
    same answer, the message handled once; without the lock both would read no session, and
    each answer a challenge of its own."""
    dm_server, device_simulator, store, server = demo_server(tmp_path, monkeypatch)
    server.url = "http://127.0.0.1/dm"
    tree, fumo = device_simulator.build_device(server.url)
    device = device_simulator.session_for(tree, fumo)
    device.start()
    message = device.data_to_send()

    look_up = dm_server.Store.credentials

    def slow_look_up(self, db, username):  # the window between reading the state and saving it
        time.sleep(0.3)
        return look_up(self, db, username)

    monkeypatch.setattr(dm_server.Store, "credentials", slow_look_up)
    replies: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: replies.append(server.handle(message)[0])) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(replies) == 2 and replies[0] == replies[1]  # one challenge, one fresh nonce
    with store.connect() as db:
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


def test_the_device_sends_a_message_again_when_its_answer_is_lost(tmp_path, monkeypatch):
    """An HTTP front that hands the device's message to the DM server but drops the connection
    before answering, once: the simulator sends the same bytes again and gets the answer the
    server gave the first time, and the session goes on to its end."""
    _, device_simulator, store, server = demo_server(tmp_path, monkeypatch)
    answers: list[bytes] = []

    class LosingFront(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            answer, _ = server.handle(self.rfile.read(int(self.headers["Content-Length"])))
            answers.append(answer)
            if len(answers) == 2:  # the device's second message: its answer is lost
                self.close_connection = True
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            return None

    front = http.server.ThreadingHTTPServer(("127.0.0.1", 0), LosingFront)
    threading.Thread(target=front.serve_forever, daemon=True).start()
    try:
        server.url = f"http://127.0.0.1:{front.server_address[1]}/dm"
        tree, fumo = device_simulator.build_device(server.url)
        device = device_simulator.session_for(tree, fumo)
        device.start()
        device_simulator.run_session(device)
    finally:
        front.shutdown()
    assert device.ended is not None and device.ended.reason.value == "completed"
    assert answers[1] == answers[2]  # the message sent again got the same answer
    with store.connect() as db:
        states = [row["state"] for row in db.execute("SELECT state FROM sessions")]
    assert len(states) == 1
