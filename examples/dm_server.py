"""A DM server over HTTP that keeps its sessions in SQLite, built on syncml_codec's sans-I/O
ServerSession: every request loads the session's JSON state, hands it the device's message,
and saves the state again, so any number of worker processes can serve one session.

    python examples/dm_server.py --demo            # a device account, a firmware job, serve
    python examples/device_simulator.py http://127.0.0.1:8080/dm

(``--hmac`` on both: the device and the server prove each message with an HMAC in the
``x-syncml-hmac`` header, in place of MD5 credentials.)

Endpoints: ``POST /dm`` (the DM messages, WBXML or XML), ``GET /push/<device id>`` (package 0
for a device with jobs waiting: a stand-in for the WAP Push an SMS gateway would deliver).
Tables: ``devices`` (credentials and nonces), ``sessions`` (one JSON state per session),
``jobs`` (what to do on which device, and what came of it).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from syncml_codec import SyncMLError
from syncml_codec.model import Command, Exec, Get, Item, Message, Meta, Replace
from syncml_codec.security.auth import AUTH_MAC, AUTH_MD5, HMAC_HEADER
from syncml_codec.security.notification import Initiator, Notification, UIMode
from syncml_codec.session import (
    Answered,
    DeviceCredentials,
    GenericAlert,
    ServerSession,
    SessionStarted,
)

SERVER_ID = "com.example.dm"
SESSION_TTL = 600  # seconds a session's state is kept after its last message
FUMO = "./FwUpdate/x1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS devices (
    username TEXT PRIMARY KEY, device_id TEXT UNIQUE, password TEXT, nonce BLOB,
    server_password TEXT, server_nonce BLOB, hmac INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions (
    device_id TEXT, session_id TEXT, state TEXT, updated REAL,
    PRIMARY KEY (device_id, session_id));
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY, device_id TEXT, kind TEXT, argument TEXT,
    state TEXT DEFAULT 'queued', result TEXT);
"""


class Store:
    """The SQLite database: one connection per request (SQLite serialises the writes)."""

    def __init__(self, path: str) -> None:
        self.path = path
        with self.connect() as db:
            db.executescript(SCHEMA)

    def connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def credentials(self, db: sqlite3.Connection, username: str) -> DeviceCredentials | None:
        row = db.execute("SELECT * FROM devices WHERE username = ?", (username,)).fetchone()
        if row is None:
            return None
        return DeviceCredentials(
            row["username"],
            row["password"],
            nonce=row["nonce"],
            server_password=row["server_password"],
            server_nonce=row["server_nonce"],
            server_auth_type=AUTH_MAC if row["hmac"] else AUTH_MD5,
        )

    def auth_type(self, db: sqlite3.Connection, device_id: str) -> str:
        """How the device proves itself: HMACs, or MD5 credentials (unknown devices too)."""
        row = db.execute("SELECT hmac FROM devices WHERE device_id = ?", (device_id,)).fetchone()
        return AUTH_MAC if row is not None and row["hmac"] else AUTH_MD5


class DmServer:
    """What the server does with each message: the session's state in and out of SQLite, the
    device's jobs queued when its session starts, the answers written to the jobs."""

    def __init__(self, store: Store, *, max_msg_size: int) -> None:
        self.store = store
        self.url = ""  # set once the HTTP server is bound
        self.max_msg_size = max_msg_size
        self.done = threading.Event()  # set when no job is left (``--exit-when-done``)

    def handle(self, body: bytes, hmac: str | None = None) -> tuple[bytes | None, dict[str, str]]:
        """The answer to a device's message (``hmac``: its x-syncml-hmac header), and the
        headers to send it with."""
        peek = Message.from_bytes(body).header  # which session: SessionID and the device
        device_id = peek.source.loc_uri if peek.source is not None else None
        key = (device_id or "", peek.session_id or "")
        with self.store.connect() as db:
            # One message of a session at a time: the write lock from the state's read to its
            # save, or a device's retry handled alongside the original would both be answered.
            db.execute("BEGIN IMMEDIATE")
            lookup = lambda username: self.store.credentials(db, username)  # noqa: E731
            row = db.execute(
                "SELECT state FROM sessions WHERE device_id = ? AND session_id = ?", key
            ).fetchone()
            if row is None:
                session = ServerSession(
                    self.url,
                    credentials=lookup,
                    server_id=SERVER_ID,
                    auth_type=self.store.auth_type(db, key[0]),
                    max_msg_size=self.max_msg_size,
                )
            else:
                session = ServerSession.from_state(json.loads(row["state"]), credentials=lookup)
            over = session.ended is not None
            for event in session.receive(body, hmac=hmac):
                self.log(device_id, event)
                self.on_event(db, session, event)
            reply = session.data_to_send()
            # The nonces given last, for the next credentials (and our package 0) of each side.
            db.execute(
                "UPDATE devices SET nonce = coalesce(?, nonce), "
                "server_nonce = coalesce(?, server_nonce) WHERE device_id = ?",
                (session.client_nonce, session.server_nonce, device_id),
            )
            if session.ended is not None and not over:
                self.log(device_id, session.ended)
            # Kept after the end too: a device that lost the last answer gets it again.
            db.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?)",
                (*key, json.dumps(session.to_state()), time.time()),
            )
            db.execute("DELETE FROM sessions WHERE updated < ?", (time.time() - SESSION_TTL,))
            left = db.execute("SELECT COUNT(*) FROM jobs WHERE state != 'done'").fetchone()[0]
        if not left and session.ended is not None:
            self.done.set()
        return reply, session.headers

    def on_event(self, db: sqlite3.Connection, session: ServerSession, event: Any) -> None:
        device_id = session.device_id
        if isinstance(event, SessionStarted):
            jobs = db.execute(
                "SELECT * FROM jobs WHERE device_id = ? AND state = 'queued'", (device_id,)
            ).fetchall()
            for job in jobs:
                session.queue(*job_commands(job))
                db.execute("UPDATE jobs SET state = 'sent' WHERE id = ?", (job["id"],))
        elif isinstance(event, Answered):
            if event.command == "Get":
                db.execute(
                    "UPDATE jobs SET state = 'done', result = ? "
                    "WHERE device_id = ? AND kind = 'get' AND argument = ? AND state = 'sent'",
                    (f"{event.code} {event.value}", device_id, event.target),
                )
            elif event.command == "Exec" and event.code != 202:  # failed at once
                db.execute(
                    "UPDATE jobs SET state = 'done', result = ? "
                    "WHERE device_id = ? AND kind = 'firmware' AND state = 'sent'",
                    (f"Exec answered {event.code}", device_id),
                )
        elif isinstance(event, GenericAlert) and (event.correlator or "").startswith("job-"):
            db.execute(
                "UPDATE jobs SET state = 'done', result = ? WHERE id = ?",
                (f"{event.type}: {event.data}", int(event.correlator[4:])),  # type: ignore[index]
            )

    def notification(self, device_id: str) -> bytes | None:
        """Package 0 for a device with queued jobs (signed with the server's credentials)."""
        with self.store.connect() as db:
            waiting = db.execute(
                "SELECT COUNT(*) FROM jobs WHERE device_id = ? AND state = 'queued'", (device_id,)
            ).fetchone()[0]
            device = db.execute(
                "SELECT * FROM devices WHERE device_id = ?", (device_id,)
            ).fetchone()
        if not waiting or device is None:
            return None
        notification = Notification(
            server_id=SERVER_ID,
            session_id=secrets.randbelow(0xFFFF) + 1,
            ui_mode=UIMode.BACKGROUND,
            initiator=Initiator.SERVER,
        )
        return notification.encode(device["server_password"], device["server_nonce"])

    @staticmethod
    def log(device_id: str | None, event: Any) -> None:
        print(f"[{device_id}] {event}", flush=True)


def job_commands(job: sqlite3.Row) -> list[Command]:
    """The commands of a job: ``get`` reads a node; ``firmware`` sends a package file to the
    FUMO node in chunks and Execs its installation (answered 202, reported later in a Generic
    Alert carrying the Correlator)."""
    if job["kind"] == "get":
        return [Get(items=[Item(target=job["argument"])])]
    package = Path(job["argument"]).read_bytes()
    return [
        Replace(items=[Item(target=f"{FUMO}/PkgName", data=Path(job["argument"]).name)]),
        Replace(
            items=[
                Item(
                    target=f"{FUMO}/Update/PkgData",
                    data=package,
                    meta=Meta(format="bin", type="application/octet-stream"),
                )
            ]
        ),
        Exec(correlator=f"job-{job['id']}", items=[Item(target=f"{FUMO}/Update")]),
    ]


def handler_for(server: DmServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != "/dm":
                self.send_error(404)
                return
            length = self.headers.get("Content-Length", "")
            if not (length.isascii() and length.isdigit()) or not length.strip("0"):
                self.send_error(411)  # Length Required: none, or no decimal number above 0
                return
            if len(length) > 9 or int(length) > 1 << 20:
                self.send_error(413)
                return
            try:
                body = self.rfile.read(int(length))
                reply, headers = server.handle(body, self.headers.get(HMAC_HEADER))
            except SyncMLError as error:
                self.send_error(400, explain=str(error))
                return
            if reply is None:
                self.send_response(204)
                self.end_headers()
                return
            self.send_response(200)
            for name, value in headers.items():  # Content-Type, and x-syncml-hmac
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def do_GET(self) -> None:
            if not self.path.startswith("/push/"):
                self.send_error(404)
                return
            package0 = server.notification(self.path[len("/push/") :])
            if package0 is None:
                self.send_response(204)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.syncml.notification")
            self.send_header("Content-Length", str(len(package0)))
            self.end_headers()
            self.wfile.write(package0)

        def log_message(self, format: str, *args: Any) -> None:
            return None  # the events are the log

    return Handler


def add_demo(store: Store, firmware_path: Path, *, hmac: bool = False) -> None:
    """A device account (IMEI:350000000000001, user device-1; with ``hmac``, HMACs both ways)
    and two jobs for it."""
    firmware_path.write_bytes(bytes(index % 251 for index in range(200_000)))
    with store.connect() as db:
        db.execute(
            "INSERT OR REPLACE INTO devices VALUES (?, ?, ?, ?, ?, ?, ?)",
            ("device-1", "IMEI:350000000000001", "device-secret", secrets.token_bytes(16),
             "server-secret", b"notify-nonce", int(hmac)),
        )  # fmt: skip
        db.execute("DELETE FROM jobs")
        db.execute(
            "INSERT INTO jobs (device_id, kind, argument) VALUES (?, 'get', './DevDetail/FwV')",
            ("IMEI:350000000000001",),
        )
        db.execute(
            "INSERT INTO jobs (device_id, kind, argument) VALUES (?, 'firmware', ?)",
            ("IMEI:350000000000001", str(firmware_path)),
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--db", default="dm-server.sqlite", help="the SQLite file")
    parser.add_argument("--max-msg-size", type=int, default=65536)
    parser.add_argument("--demo", action="store_true", help="add the demo device and its jobs")
    parser.add_argument("--hmac", action="store_true", help="the demo device uses HMACs")
    parser.add_argument("--exit-when-done", action="store_true", help="stop once no job is left")
    args = parser.parse_args(argv)
    store = Store(args.db)
    if args.demo:
        add_demo(store, Path(args.db).with_suffix(".firmware.bin"), hmac=args.hmac)
    server = DmServer(store, max_msg_size=args.max_msg_size)
    httpd = ThreadingHTTPServer((args.host, args.port), handler_for(server))
    server.url = f"http://{args.host}:{httpd.server_address[1]}/dm"
    print(f"DM server at {server.url} (database {args.db})", flush=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        if args.exit_when_done:
            while not server.done.wait(0.5):
                pass
        else:
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    httpd.shutdown()
    with store.connect() as db:
        for job in db.execute("SELECT * FROM jobs"):
            print(
                f"job {job['id']} {job['kind']} {job['argument']}: {job['state']}, {job['result']}"
            )


if __name__ == "__main__":
    main()
