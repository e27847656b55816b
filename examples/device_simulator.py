"""A device for examples/dm_server.py: DevInfo, DevDetail, DMAcc and FUMO in its management
tree, a ClientSession talking to the server over HTTP.

    python examples/device_simulator.py http://127.0.0.1:8080/dm [--hmac]

It waits for its notification (package 0, fetched from the server's /push/ endpoint in place
of a WAP Push), runs the session it asks for, installs the firmware it received, and reports
the result in a session of its own (Generic Alert 1226).
"""

from __future__ import annotations

import argparse
import time
import urllib.error
import urllib.request

from syncml_codec.dm import FumoHandler, ManagementTree, device_tree
from syncml_codec.model import Alert
from syncml_codec.security.auth import HMAC_HEADER
from syncml_codec.session import Account, ClientSession

DEVICE_ID = "IMEI:350000000000001"
SERVER_ID = "com.example.dm"
MAX_MSG_SIZE = 4096  # what the device declares, and reads of an answer at most


def build_device(server_url: str, *, hmac: bool = False) -> tuple[ManagementTree, FumoHandler]:
    """The tree: the standard objects, an account for the server (MD5 credentials both ways,
    or with ``hmac`` HMACs), a FUMO node."""
    auth_type = "HMAC" if hmac else "DIGEST"
    tree = device_tree(dev_id=DEVICE_ID, man="Acme", mod="Rocket", fw_version="1.0.7")
    tree.replace(".?prop=ACL", f"Add=*&Get=*&Replace={SERVER_ID}&Exec={SERVER_ID}")
    account = "./DMAcc/example"
    for uri, value in {
        f"{account}/ServerID": SERVER_ID,
        f"{account}/AppAddr/main/Addr": server_url,
        f"{account}/AppAuth/client/AAuthLevel": "CLCRED",
        f"{account}/AppAuth/client/AAuthType": auth_type,
        f"{account}/AppAuth/client/AAuthName": "device-1",
        f"{account}/AppAuth/client/AAuthSecret": "device-secret",
        f"{account}/AppAuth/server/AAuthLevel": "SRVCRED",
        f"{account}/AppAuth/server/AAuthType": auth_type,
        f"{account}/AppAuth/server/AAuthName": SERVER_ID,
        f"{account}/AppAuth/server/AAuthSecret": "server-secret",
        f"{account}/AppAuth/server/AAuthData": b"notify-nonce",
    }.items():
        tree.add(uri, value, format="bin" if isinstance(value, bytes) else "chr")
    tree.add("./FwUpdate/x1", format="node", type="urn:oma:mo:oma-fumo:1.0")

    def install(package: bytes) -> int:
        print(f"installing {len(package)} bytes of firmware", flush=True)
        tree.replace("./DevDetail/FwV", "2.0.0")
        return 200

    fumo = FumoHandler("./FwUpdate/x1", download=lambda url: 404, install=install)
    return tree, fumo


def run_session(session: ClientSession) -> None:
    """The device's loop: send, hand the answer over, until nothing is left to send."""
    while (data := session.data_to_send()) is not None:
        answer, hmac = post(session, data)
        for event in session.receive(answer, hmac=hmac):
            print(f"  {event}", flush=True)


def post(session: ClientSession, data: bytes, attempts: int = 3) -> tuple[bytes, str | None]:
    """The server's answer to ``data`` and its x-syncml-hmac header; when the connection
    fails, the same bytes again (the server answers a message it has already handled with the
    same answer)."""
    request = urllib.request.Request(session.url, data=data, headers=session.headers)
    for attempt in range(1, attempts):
        try:
            return read_answer(request)
        except urllib.error.HTTPError:
            raise  # the server answered: no retry
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            print(f"  no answer ({error}), sending the message again", flush=True)
            time.sleep(attempt / 2)
    return read_answer(request)


def read_answer(request: urllib.request.Request) -> tuple[bytes, str | None]:
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: bytes = response.read(MAX_MSG_SIZE + 1)  # more: receive refuses it
        return answer, response.headers.get(HMAC_HEADER)


def wait_for_notification(server_url: str, timeout: float) -> bytes:
    push = server_url.rsplit("/", 1)[0] + f"/push/{DEVICE_ID}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(push, timeout=10) as response:
                if response.status == 200:
                    notification: bytes = response.read(MAX_MSG_SIZE)
                    return notification
        except urllib.error.URLError:
            pass  # the server is not up yet
        time.sleep(0.2)
    raise SystemExit(f"no notification from {push} within {timeout:.0f} s")


def session_for(tree: ManagementTree, fumo: FumoHandler) -> ClientSession:
    session = ClientSession(tree, Account.from_tree(tree, SERVER_ID), max_msg_size=MAX_MSG_SIZE)
    session.processor.mount("./FwUpdate/x1", fumo)
    return session


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("server", help="the DM server's URL, e.g. http://127.0.0.1:8080/dm")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for package 0")
    parser.add_argument("--hmac", action="store_true", help="HMACs in place of MD5 credentials")
    args = parser.parse_args(argv)
    tree, fumo = build_device(args.server, hmac=args.hmac)

    notification = wait_for_notification(args.server, args.wait)
    session = session_for(tree, fumo)
    read = session.start_from_notification(notification)
    print(f"notified: session {read.session_id_text}, UI mode {read.ui_mode}", flush=True)
    run_session(session)
    session.account.save_nonces(tree)

    reports: list[Alert] = fumo.run_pending()
    if reports:
        print("reporting the update", flush=True)
        session = session_for(tree, fumo)
        session.start(generic_alerts=reports)
        run_session(session)
        session.account.save_nonces(tree)
    print(f"firmware version {tree.get('./DevDetail/FwV').value!s}", flush=True)


if __name__ == "__main__":
    main()
