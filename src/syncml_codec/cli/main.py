"""The command line: ``python -m syncml_codec convert|dump|notification``.

Exit status 0 on success, 1 on bad input (``IN:OFFSET: message`` on stderr), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import BinaryIO

from .. import __version__, api
from ..errors import DecodeError, SyncMLError
from ..security.notification import Initiator, Notification, SyncNotification, UIMode
from .dump import dump


class UsageError(Exception):
    """A command-line value that makes no sense (exit status 2)."""


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def _write(path: str | None, data: bytes) -> None:
    if path in (None, "-"):
        out: BinaryIO = sys.stdout.buffer
        out.write(data)
        out.flush()
    else:
        with open(path, "wb") as handle:
            handle.write(data)


def _convert(args: argparse.Namespace) -> None:
    data = _read(args.input)
    source = "wbxml" if api.is_wbxml(data) else "xml"
    target = args.to or ("xml" if source == "wbxml" else "wbxml")
    # Across formats the direct conversions (streamed where they can be); within one format a
    # round trip through the tree (normalised namespaces, re-encoded strings).
    if (source, target) == ("wbxml", "xml"):
        output = api.wbxml_to_xml(data, pretty=args.pretty)
    elif (source, target) == ("xml", "wbxml"):
        output = api.xml_to_wbxml(data, string_table=args.string_table)
    elif target == "xml":
        output = api.encode(api.decode(data), format="xml", pretty=args.pretty)
    else:
        output = api.encode(api.decode(data), string_table=args.string_table)
    _write(args.output, output)


def _dump(args: argparse.Namespace) -> None:
    data = _read(args.input)
    if not api.is_wbxml(data):
        raise DecodeError("not WBXML: the first byte is not a WBXML version (0x00-0x03)", 0)
    out = sys.stdout
    for line in dump(data):
        out.write(line + "\n")


def _nonce(args: argparse.Namespace) -> bytes:
    if args.nonce_hex is not None:
        try:
            return bytes.fromhex(args.nonce_hex)
        except ValueError:
            raise UsageError("--nonce-hex takes hexadecimal digits") from None
    return (args.nonce or "").encode("utf-8")


def _notification_decode(args: argparse.Namespace) -> None:
    data = _read(args.input)
    kind = SyncNotification if args.ds else Notification
    notification = kind.decode(data)
    fields: dict[str, object] = {
        "version": notification.version,
        "ui_mode": int(notification.ui_mode),
        "initiator": int(notification.initiator),
        "session_id": notification.session_id_text,
        "server_id": notification.server_id,
        "vendor_data": notification.vendor_data.hex(),
        "digest": notification.digest.hex(),
    }
    if isinstance(notification, SyncNotification):
        fields["syncs"] = [
            {"sync_type": s.sync_type, "content_type": s.content_type, "server_uri": s.server_uri}
            for s in notification.syncs
        ]
    if args.password is not None:
        fields["digest_valid"] = notification.verify(args.password, _nonce(args))
    if args.json:
        sys.stdout.write(json.dumps(fields, indent=2) + "\n")
    else:
        for key, value in fields.items():
            sys.stdout.write(f"{key}: {value}\n")


def _notification_encode(args: argparse.Namespace) -> None:
    try:
        session_id = int(args.session_id, 16)
        notification = Notification(
            server_id=args.server_id,
            session_id=session_id,
            ui_mode=UIMode[args.ui_mode.upper()],
            initiator=Initiator[args.initiator.upper()],
            vendor_data=bytes.fromhex(args.vendor_data),
        )
        data = notification.encode(args.password, _nonce(args))
    except (ValueError, KeyError) as error:
        raise UsageError(f"notification encode: {error}") from None
    _write(args.output, data)


def _notification_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    notification = commands.add_parser(
        "notification",
        help="decode or encode a package 0 notification",
        description="Package 0: the server-alerted notification that starts a DM session.",
    )
    actions = notification.add_subparsers(dest="action", required=True, metavar="ACTION")

    decode = actions.add_parser("decode", help="print a notification's fields")
    decode.add_argument("input", metavar="FILE", help="notification bytes, or - for stdin")
    decode.add_argument("--json", action="store_true", help="print JSON")
    decode.add_argument("--ds", action="store_true", help="a DS 1.2 server-alerted notification")
    decode.add_argument("--password", help="server password: also check the digest")
    decode.add_argument("--nonce", help="server nonce (text)")
    decode.add_argument("--nonce-hex", help="server nonce (hexadecimal bytes)")
    decode.set_defaults(run=_notification_decode)

    encode = actions.add_parser("encode", help="write a DM notification")
    encode.add_argument("--server-id", required=True, help="the DMAcc ServerID")
    encode.add_argument(
        "--session-id",
        required=True,
        help="session id in hexadecimal, as the SessionID will read (e.g. 1234)",
    )
    encode.add_argument("--password", required=True, help="server password for the digest")
    encode.add_argument("--nonce", help="server nonce (text)")
    encode.add_argument("--nonce-hex", help="server nonce (hexadecimal bytes)")
    encode.add_argument(
        "--ui-mode", default="not_specified", choices=[m.name.lower() for m in UIMode]
    )
    encode.add_argument(
        "--initiator", default="server", choices=[i.name.lower() for i in Initiator]
    )
    encode.add_argument("--vendor-data", default="", help="vendor data (hexadecimal)")
    encode.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    encode.set_defaults(run=_notification_encode, input="-")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m syncml_codec",
        description="Convert SyncML (OMA DM / DS) between WBXML and XML, or list WBXML tokens.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"syncml_codec {__version__} ({api.implementation()})",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    convert = commands.add_parser(
        "convert",
        help="WBXML to XML or XML to WBXML (input format detected)",
        description="Convert a document; the input format is detected from its first byte.",
    )
    convert.add_argument("input", metavar="IN", help="input file, or - for stdin")
    convert.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    convert.add_argument(
        "--to", choices=("xml", "wbxml"), help="output format (default: the other one)"
    )
    convert.add_argument("--pretty", action="store_true", help="indent XML output")
    convert.add_argument(
        "--string-table",
        action="store_true",
        help="share repeated strings through the WBXML string table",
    )
    convert.set_defaults(run=_convert)

    listing = commands.add_parser(
        "dump",
        help="annotated WBXML token listing",
        description="List a WBXML document token by token: offset, bytes, token, page, tag, "
        "strings and opaque lengths.",
    )
    listing.add_argument("input", metavar="IN", help="input file, or - for stdin")
    listing.set_defaults(run=_dump)
    _notification_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except UsageError as error:
        print(f"python -m syncml_codec: {error}", file=sys.stderr)
        return 2
    except DecodeError as error:
        sys.stdout.flush()
        print(f"{args.input}:{error.offset}: {error.message}", file=sys.stderr)
        return 1
    except SyncMLError as error:
        print(f"{args.input}: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 1
    except OSError as error:
        print(f"{args.input}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0
