"""One step of a DM server in a process of its own: the session's JSON state and the device's
message in (stdin, JSON), the new state and the answer out (stdout, JSON). The session test
runs every server message through a fresh interpreter with it."""

from __future__ import annotations

import base64
import json
import sys

from syncml_codec.model import Exec, Get, Item, Meta, Replace
from syncml_codec.session import DeviceCredentials, ServerSession, SessionStarted

SERVER_URI = "https://dm.example.com/dm"


def lookup(username: str) -> DeviceCredentials | None:
    return DeviceCredentials("dev1", "pw", nonce=b"server-old") if username == "dev1" else None


def main() -> None:
    request = json.load(sys.stdin)
    if request["state"] is None:
        session = ServerSession(SERVER_URI, credentials=lookup, max_msg_size=4096)
    else:
        session = ServerSession.from_state(request["state"], credentials=lookup)
    events = session.receive(base64.b64decode(request["data"]))
    for event in events:
        if isinstance(event, SessionStarted):
            session.queue(
                Get(items=[Item(target="./DevDetail/FwV")]),
                Replace(
                    items=[
                        Item(
                            target="./FwUpdate/x1/Update/PkgData",
                            data=base64.b64encode(bytes(range(256)) * 80).decode(),
                            meta=Meta(format="b64"),
                        )
                    ]
                ),
                Exec(correlator="job-1", items=[Item(target="./FwUpdate/x1/Update")]),
            )
    reply = session.data_to_send()
    json.dump(
        {
            "state": session.to_state(),
            "reply": base64.b64encode(reply).decode() if reply is not None else None,
            "events": [str(event) for event in events],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
