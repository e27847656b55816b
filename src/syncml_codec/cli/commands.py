"""The command line: ``python -m syncml_codec convert|dump|notification|bench|simulate`` (also
installed as the ``syncml-codec`` script).

Exit status 0 on success, 1 on bad input (``IN:OFFSET: message`` on stderr) or a failed check,
2 on usage errors, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, BinaryIO

from .. import __version__, api
from ..errors import DecodeError, LimitError, SyncMLError
from ..limits import Limits
from ..security.notification import Initiator, Notification, SyncNotification, UIMode
from ..wbxml.languages import Language, language_for_namespace, language_for_public_id
from . import bench, simulate
from .dump import dump
from .errors import CheckFailed, FileError, UsageError

#: The limits the command line can raise, as options (``--max-size``, ...).
LIMIT_OPTIONS = ("max_size", "max_depth", "max_string", "max_opaque", "max_elements", "max_output")
#: Those that bound a listing too (it makes lines, not elements).
DUMP_LIMIT_OPTIONS = tuple(name for name in LIMIT_OPTIONS if name != "max_elements")


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise FileError(path, error) from None


def _write(path: str | None, data: bytes, *, binary: bool = False, force: bool = False) -> None:
    if path in (None, "-"):
        out: BinaryIO = sys.stdout.buffer
        if binary and not force and sys.stdout.isatty():
            raise UsageError("not writing WBXML to a terminal: use -o FILE, a pipe, or --force")
        out.write(data)
        out.flush()
        return
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise FileError(path, error) from None


def _limits(args: argparse.Namespace) -> Limits:
    """The Limits the options ask for (the defaults for the others)."""
    chosen = {
        name: getattr(args, name) for name in LIMIT_OPTIONS if getattr(args, name, None) is not None
    }
    try:
        return Limits(**chosen)
    except ValueError as error:
        raise UsageError(str(error).replace("max_", "--max-")) from None


def _language(args: argparse.Namespace) -> Language | None:
    """The language ``--language`` names: a public id number (decimal or 0x...), an FPI, or a
    namespace."""
    given = args.language
    if given is None:
        return None
    try:
        found = language_for_public_id(int(given, 0))
    except ValueError:
        found = language_for_public_id(given) or language_for_namespace(given)
    if found is None:
        raise UsageError(
            f"--language {given!r}: no registered language has that public id or namespace"
        )
    return found


def _warn(message: str) -> None:
    print(f"{_prog()}: {message}", file=sys.stderr)


def _convert(args: argparse.Namespace) -> None:
    limits, language = _limits(args), _language(args)
    data = _read(args.input)
    source = "wbxml" if api.is_wbxml(data) else "xml"
    target = args.to or ("xml" if source == "wbxml" else "wbxml")
    if target == "wbxml" and args.pretty:
        _warn("--pretty indents XML output: ignored for WBXML")
    if target == "xml" and args.string_table:
        _warn("--string-table is a WBXML option: ignored for XML")
    reading: dict[str, Any] = {"limits": limits, "language": language}
    if source == "wbxml":
        reading["unknown_tags"] = args.unknown_tags
    # Across formats the direct conversions (streamed where they can be); within one format a
    # round trip through the tree (normalised namespaces, re-encoded strings).
    if (source, target) == ("wbxml", "xml"):
        output = api.wbxml_to_xml(data, pretty=args.pretty, **reading)
    elif (source, target) == ("xml", "wbxml"):
        output = api.xml_to_wbxml(
            data, string_table=args.string_table, limits=limits, language=language
        )
    elif target == "xml":
        output = api.encode(api.decode(data, **reading), format="xml", pretty=args.pretty)
    else:
        tree = api.decode(data, **reading)
        output = api.encode(tree, string_table=args.string_table, language=language)
    if target == "xml" and not output.endswith(b"\n"):
        output += b"\n"
    _write(args.output, output, binary=target == "wbxml", force=args.force)


def _dump(args: argparse.Namespace) -> None:
    limits, language = _limits(args), _language(args)
    data = _read(args.input)
    if not api.is_wbxml(data):
        raise DecodeError("not WBXML: the first byte is not a WBXML version (0x00-0x03)", 0)
    out = sys.stdout
    batch: list[str] = []
    try:
        for line in dump(data, language, limits):
            batch.append(line)
            if len(batch) == 1024:  # written in batches: a capture lists millions of tokens
                out.write("\n".join(batch) + "\n")
                batch.clear()
    finally:  # the lines before a malformed token are printed before its error
        if batch:
            out.write("\n".join(batch) + "\n")


def _password(args: argparse.Namespace) -> str | None:
    """The server password: from --password, the variable --password-env names, or the first
    line of --password-file (so that other users of the machine cannot read it)."""
    if args.password_env is not None:
        if args.password_env not in os.environ:
            raise UsageError(f"--password-env: {args.password_env} is not set")
        return os.environ[args.password_env]
    if args.password_file is not None:
        text = _read(args.password_file).decode("utf-8")
        return text.splitlines()[0] if text else ""
    password: str | None = args.password
    return password


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
        "ui_mode": UIMode(notification.ui_mode).name.lower(),
        "initiator": Initiator(notification.initiator).name.lower(),
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
    password = _password(args)
    if password is not None:
        fields["digest_valid"] = notification.verify(password, _nonce(args))
    if args.json:
        sys.stdout.write(json.dumps(fields, indent=2) + "\n")
    else:
        for key, value in fields.items():
            sys.stdout.write(f"{key}: {value}\n")
    if fields.get("digest_valid") is False:
        raise CheckFailed("the digest does not match that password and nonce")


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
        password = _password(args)
        if password is None:
            raise UsageError(
                "notification encode needs --password, --password-env or --password-file"
            )
        data = notification.encode(password, _nonce(args))
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
    _password_options(decode, "server password: also check the digest (exit 1 if it fails)")
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
    _password_options(encode, "server password for the digest")
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
    encode.add_argument("--force", action="store_true", help="write the bytes to a terminal too")
    encode.set_defaults(run=_notification_encode, input="-")


def _password_options(parser: argparse.ArgumentParser, purpose: str) -> None:
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--password", help=f"{purpose} (visible to other users: prefer the next)")
    secret.add_argument("--password-env", metavar="VAR", help="read the password from $VAR")
    secret.add_argument("--password-file", metavar="FILE", help="read it from FILE's first line")


def _decoding_options(
    parser: argparse.ArgumentParser,
    *,
    unknown_tags: bool = True,
    limit_options: tuple[str, ...] = LIMIT_OPTIONS,
) -> None:
    parser.add_argument(
        "--language",
        metavar="ID",
        help="the WBXML language when the header's public id is unknown: a public id number "
        "(0x1201), an FPI or a namespace",
    )
    if unknown_tags:
        parser.add_argument(
            "--unknown-tags",
            choices=("error", "keep"),
            default="error",
            help="unknown tag tokens: an error (default), or kept as wbxml-pageP-0xTT elements",
        )
    limits = parser.add_argument_group("limits on hostile input (see docs/security.md)")
    defaults = Limits()
    for name in limit_options:
        limits.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            metavar="N",
            help=f"default {getattr(defaults, name)}",
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_prog(),
        description="Convert SyncML (OMA DM / DS) between WBXML and XML, list WBXML tokens, "
        "read and write package 0 notifications, compare the encodings on your documents, or "
        "watch a DM session.",
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
    convert.add_argument("--force", action="store_true", help="write WBXML to a terminal too")
    _decoding_options(convert)
    convert.set_defaults(run=_convert)

    listing = commands.add_parser(
        "dump",
        help="annotated WBXML token listing",
        description="List a WBXML document token by token: offset, bytes, token, page, tag, "
        "strings and opaque lengths.",
    )
    listing.add_argument("input", metavar="IN", help="input file, or - for stdin")
    _decoding_options(listing, unknown_tags=False, limit_options=DUMP_LIMIT_OPTIONS)
    listing.set_defaults(run=_dump)
    _notification_commands(commands)
    bench.add_parser(commands)
    simulate.add_parser(commands)
    return parser


def _prog() -> str:
    """The name the user ran: the ``syncml-codec`` script, or ``python -m syncml_codec``."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return name if name.startswith("syncml-codec") else "python -m syncml_codec"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
        args.run(args)
    except KeyboardInterrupt:
        return 130
    except UsageError as error:
        print(f"{_prog()}: {error}", file=sys.stderr)
        return 2
    except (FileError, CheckFailed) as error:
        print(f"{_prog()}: {error}", file=sys.stderr)
        return 1
    except DecodeError as error:
        sys.stdout.flush()
        message = error.message.replace("(pass language=)", "(use --language)")
        if isinstance(error, LimitError):
            message += f" (--{error.limit.replace('_', '-')} raises it)"
        print(f"{args.input}:{error.offset}: {message}", file=sys.stderr)
        return 1
    except SyncMLError as error:
        print(f"{args.input}: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 1
    return 0
