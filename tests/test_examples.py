"""The examples run for real: the DM server (HTTP, SQLite) and the device simulator talk over
the loopback address through a whole firmware update, bounded in time, after requests the
server must refuse."""

from __future__ import annotations

import http.client
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

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


def test_a_firmware_update_over_http(tmp_path):
    server = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "dm_server.py"), "--demo", "--port", "0",
         "--exit-when-done", "--db", str(tmp_path / "dm.sqlite")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = server.stdout.readline()
        assert first.startswith("DM server at http://127.0.0.1:"), first
        url = first.split()[3]
        for length, body, status in BAD_REQUESTS:
            assert post(url, length, body) == status, (length, body[:10])
        device = subprocess.run(
            [sys.executable, str(EXAMPLES / "device_simulator.py"), url, "--wait", "30"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert device.returncode == 0, device.stderr
        out, err = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode == 0, err
    assert "challenged by the peer: 401" in device.stdout
    assert "Exec ./FwUpdate/x1/Update (Correlator job-2) accepted 202" in device.stdout
    assert "installing 200000 bytes of firmware" in device.stdout
    assert device.stdout.rstrip().endswith("firmware version 2.0.0")
    assert "Get ./DevDetail/FwV answered 200, value 1.0.7" in out
    assert "Replace ./FwUpdate/x1/Update/PkgData answered 200" in out
    assert "Generic Alert org.openmobilealliance.dm.firmwareupdate.update" in out
    assert "job 1 get ./DevDetail/FwV: done, 200 1.0.7" in out
    assert "job 2 firmware" in out and out.rstrip().endswith("firmwareupdate.update: 200")
