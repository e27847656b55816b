"""The command line: ``python -m syncml_codec convert|dump``.

Exit status 0 on success, 1 on bad input (``IN:OFFSET: message`` on stderr), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import BinaryIO, Sequence

from . import __version__, api
from .dump import dump
from .errors import DecodeError, SyncMLError


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
    tree = api.decode(data)
    target = args.to or ("xml" if api.is_wbxml(data) else "wbxml")
    if target == "xml":
        output = api.encode(tree, format="xml", pretty=args.pretty)
    else:
        output = api.encode(tree, string_table=args.string_table)
    _write(args.output, output)


def _dump(args: argparse.Namespace) -> None:
    data = _read(args.input)
    if not api.is_wbxml(data):
        raise DecodeError("not WBXML: the first byte is not a WBXML version (0x00-0x03)", 0)
    out = sys.stdout
    for line in dump(data):
        out.write(line + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m syncml_codec",
        description="Convert SyncML (OMA DM / DS) between WBXML and XML, or list WBXML tokens.")
    parser.add_argument("--version", action="version", version=f"syncml_codec {__version__} "
                        f"({api.IMPLEMENTATION})")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    convert = commands.add_parser(
        "convert", help="WBXML to XML or XML to WBXML (input format detected)",
        description="Convert a document; the input format is detected from its first byte.")
    convert.add_argument("input", metavar="IN", help="input file, or - for stdin")
    convert.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    convert.add_argument("--to", choices=("xml", "wbxml"),
                         help="output format (default: the other one)")
    convert.add_argument("--pretty", action="store_true", help="indent XML output")
    convert.add_argument("--string-table", action="store_true",
                         help="share repeated strings through the WBXML string table")
    convert.set_defaults(run=_convert)

    listing = commands.add_parser(
        "dump", help="annotated WBXML token listing",
        description="List a WBXML document token by token: offset, bytes, token, page, tag, "
                    "strings and opaque lengths.")
    listing.add_argument("input", metavar="IN", help="input file, or - for stdin")
    listing.set_defaults(run=_dump)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        args.run(args)
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
