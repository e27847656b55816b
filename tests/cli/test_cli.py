"""The command line, run as a user runs it: ``python -m syncml_codec``."""

from __future__ import annotations

import functools
import os
import subprocess
import sys

import pytest

import syncml_codec

from helpers import VECTORS, run_cli

pytestmark = pytest.mark.usefixtures("codec")

VECTOR = VECTORS / "libwbxml-n" / "dm12-pkg2-server.wbxml"


@pytest.fixture
def run(codec):
    """Run the CLI with the implementation under test."""
    return functools.partial(run_cli, codec)


def test_convert_wbxml_to_xml_and_back(run, tmp_path):
    xml_path = tmp_path / "out.xml"
    result = run("convert", str(VECTOR), "-o", str(xml_path), "--pretty")
    assert result.returncode == 0, result.stderr
    assert xml_path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<SyncML')
    back = run("convert", str(xml_path), "-o", "-")
    assert back.returncode == 0
    assert back.stdout == VECTOR.read_bytes()


def test_stdin_stdout_and_explicit_target(run):
    result = run("convert", "-", stdin=VECTOR.read_bytes())
    assert result.returncode == 0 and result.stdout.startswith(b"<?xml")
    same = run("convert", "-", "--to", "wbxml", stdin=VECTOR.read_bytes())
    assert same.stdout == VECTOR.read_bytes()


def test_every_direction_gives_the_api_bytes(run):
    wbxml = VECTOR.read_bytes()
    xml = (VECTORS / "xml" / "dm12-pkg2-server.xml").read_bytes()
    tree = syncml_codec.decode(xml)
    # XML output ends with a newline, as text files do
    assert run("convert", "-", stdin=wbxml).stdout == syncml_codec.wbxml_to_xml(wbxml) + b"\n"
    assert run("convert", "-", stdin=xml).stdout == syncml_codec.xml_to_wbxml(xml)
    assert run("convert", "-", "--to", "xml", "--pretty", stdin=xml).stdout == syncml_codec.encode(
        tree, format="xml", pretty=True
    )
    assert run("convert", "-", "--to", "wbxml", stdin=wbxml).stdout == syncml_codec.encode(
        syncml_codec.decode(wbxml)
    )


def test_string_table_option(run):
    xml = (VECTORS / "xml" / "dm12-pkg2-server.xml").read_bytes()
    plain = run("convert", "-", stdin=xml).stdout
    shared = run("convert", "-", "--string-table", stdin=xml).stdout
    assert len(shared) < len(plain)
    assert syncml_codec.decode(shared) == syncml_codec.decode(plain)


def test_dump_lists_tokens_with_offsets(run):
    result = run("dump", str(VECTOR))
    assert result.returncode == 0
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("00000000  03") and "version 1.3" in lines[0]
    assert "public id 0x1201 (SyncML 1.2)" in lines[1]
    assert any("<SyncML>" in line and "TAG page 0" in line for line in lines)
    assert any("SWITCH_PAGE 1" in line for line in lines)
    assert any("OPAQUE 15 bytes" in line for line in lines)
    assert any("STR_I 'http://dm.example.com/dm'" in line for line in lines)


def test_dump_shows_nested_documents(run):
    result = run("dump", str(VECTORS / "libwbxml-n" / "ds12-slow-sync-devinf.wbxml"))
    assert result.returncode == 0
    assert "<DevInf>" in result.stdout.decode()


@pytest.mark.parametrize("command", ["convert", "dump"])
def test_bad_input_exits_1_with_offset_and_no_traceback(run, command):
    result = run(command, "-", stdin=b"\x03\xa4\x01\x6a\x00\x6d\x6c\x71\x03abc")
    assert result.returncode == 1
    assert result.stderr.decode().strip() == "-:8: unterminated inline string"


def test_dump_prints_the_lines_before_a_malformed_token(run):
    result = run("dump", "-", stdin=b"\x03\xa4\x01\x6a\x00\x6d\x6c\x71\x03abc")
    lines = result.stdout.decode().splitlines()
    assert result.returncode == 1 and len(lines) == 5  # version, public id, 3 tags
    assert "<SyncHdr>" in lines[3] and "<VerDTD>" in lines[4]


def test_bad_xml_exits_1(run, tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(b"<SyncML><SyncHdr></SyncML>")
    result = run("convert", str(path))
    assert result.returncode == 1
    assert result.stderr.decode().startswith(f"{path}:")
    assert b"Traceback" not in result.stderr


def test_missing_file_exits_1(run, tmp_path):
    result = run("convert", str(tmp_path / "nope.wbxml"))
    assert result.returncode == 1 and b"Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args", [[], ["convert"], ["frobnicate"], ["convert", "x", "--to", "json"]]
)
def test_usage_errors_exit_2(run, args):
    assert run(*args).returncode == 2


def test_help_and_version(run, codec):
    assert run("--help").returncode == 0
    assert b"convert" in run("--help").stdout
    version = run("--version")
    expected = "python" if codec.__name__.endswith("fallback") else "cython"
    expected = f"syncml_codec {syncml_codec.__version__} ({expected})"
    assert version.stdout.decode().strip() == expected


def test_limits_are_options_and_an_error_names_the_option(run, tmp_path):
    big = tmp_path / "big.xml"
    big.write_bytes(
        b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody>' + b"<Final/>" * 200 + b"</SyncBody></SyncML>"
    )
    refused = run("convert", str(big), "--max-size", "100")
    assert refused.returncode == 1
    assert b"exceeds max_size 100 (--max-size raises it)" in refused.stderr
    assert run("convert", str(big), "--max-size", "100000", "-o", "-").returncode == 0
    wide = run("convert", str(VECTOR), "--max-elements", "5")
    assert wide.returncode == 1 and b"(--max-elements raises it)" in wide.stderr
    assert run("convert", str(big), "--max-size", "0").returncode == 2


def test_language_and_unknown_tags_options(run, tmp_path):
    unknown = tmp_path / "private.wbxml"
    unknown.write_bytes(b"\x03\x01\x6a\x00\x6d\x6b\x12\x01\x01")  # public id 1: unknown
    refused = run("convert", str(unknown))
    assert refused.returncode == 1 and b"(use --language)" in refused.stderr
    for name in ("0x1201", "4609", "-//SYNCML//DTD SyncML 1.2//EN", "SYNCML:SYNCML1.2"):
        converted = run("convert", str(unknown), "--language", name)
        assert converted.returncode == 0, converted.stderr
        assert b"<SyncBody><Final/></SyncBody>" in converted.stdout
    listing = run("dump", str(unknown), "--language", "0x1201")
    assert listing.returncode == 0 and b"<Final>" in listing.stdout
    assert run("convert", str(unknown), "--language", "urn:nothing").returncode == 2
    odd = tmp_path / "odd.wbxml"
    odd.write_bytes(b"\x03\xa4\x01\x6a\x00\x6d\x3f\x01")  # token 0x3F: no SyncML tag
    assert run("convert", str(odd)).returncode == 1
    kept = run("convert", str(odd), "--unknown-tags", "keep")
    assert kept.returncode == 0 and b"wbxml-page0-0x3f" in kept.stdout


def test_errors_name_the_file_they_concern(run, tmp_path):
    unwritable = tmp_path / "no-such-folder" / "out.xml"
    result = run("convert", str(VECTOR), "-o", str(unwritable))
    assert result.returncode == 1
    assert str(unwritable).encode() in result.stderr and str(VECTOR).encode() not in result.stderr
    missing = run("convert", str(tmp_path / "missing.wbxml"))
    assert missing.returncode == 1 and b"missing.wbxml" in missing.stderr


def test_ignored_options_are_said_and_xml_ends_with_a_newline(run):
    xml = (VECTORS / "xml" / "dm12-pkg2-server.xml").read_bytes()
    pretty_wbxml = run("convert", "-", "--pretty", stdin=xml)
    assert (
        pretty_wbxml.returncode == 0
        and b"--pretty indents XML output: ignored" in pretty_wbxml.stderr
    )
    table_xml = run("convert", str(VECTOR), "--string-table")
    assert table_xml.returncode == 0 and b"--string-table is a WBXML option" in table_xml.stderr
    assert table_xml.stdout.endswith(b"</SyncML>\n")


def test_an_interrupt_ends_with_130_and_no_traceback(tmp_path):
    script = (
        "import signal, syncml_codec.cli.commands as cli\n"
        "def stop(*args): raise KeyboardInterrupt\n"
        "cli.dump = lambda *args, **kwargs: stop()\n"
        "raise SystemExit(cli.main(['dump', " + repr(str(VECTOR)) + "]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 130 and b"Traceback" not in result.stderr


def test_wbxml_is_not_written_to_a_terminal_unless_asked(tmp_path):
    pty = pytest.importorskip("pty")
    xml = VECTORS / "xml" / "dm12-pkg2-server.xml"
    script = (
        "import sys, syncml_codec.cli.commands as cli\nraise SystemExit(cli.main(sys.argv[1:]))\n"
    )
    for extra, status in (((), 2), (("--force",), 0)):
        pid, fd = pty.fork()
        if pid == 0:  # the child: stdout is the terminal
            os.execv(sys.executable, [sys.executable, "-c", script, "convert", str(xml), *extra])
        output = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        _, code = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(code) == status
        if status == 2:
            assert b"not writing WBXML to a terminal" in output


def test_the_console_script_names_itself():
    script = (
        "import sys, syncml_codec.cli.commands as cli\n"
        "sys.argv[0] = '/usr/bin/syncml-codec'\n"
        "raise SystemExit(cli.main(['--help']))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith(b"usage: syncml-codec")


def test_dump_takes_the_limits_a_listing_is_bounded_by(run):
    refused = run("dump", str(VECTOR), "--max-string", "3")
    assert refused.returncode == 1
    assert b"(--max-string raises it)" in refused.stderr
    assert refused.stdout.count(b"\n") > 3  # the lines before the limit was crossed
    assert run("dump", str(VECTOR), "--max-depth", "3").returncode == 1
    assert run("dump", str(VECTOR), "--max-elements", "5").returncode == 2  # it makes none
