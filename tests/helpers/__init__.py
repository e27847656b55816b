"""What the tests share: where the vectors are, and skips for what a machine may lack."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from syncml_codec import _impl

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "vectors"
SHARED = ROOT.parent / "shared"
PUBLIC_VECTORS = SHARED / "vectors-public"
FUZZ_FINDINGS = ROOT / "tests" / "fuzz_regressions"

NS = "SYNCML:SYNCML1.2"
METINF = "syncml:metinf"
HEADER_12 = bytes.fromhex("03A4016A00")  # WBXML 1.3, SyncML 1.2, UTF-8, empty string table


def syncml(body: bytes, header: bytes = HEADER_12) -> bytes:
    """A SyncML document: ``<SyncML>`` with ``body`` as its content."""
    return header + b"\x6d" + body + b"\x01"


#: A small DM message with the usual shapes: commands, escaped text, a MetInf Format.
COMMANDS_XML = (
    b'<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>'
    b"</SyncHdr><SyncBody><Get><CmdID>1</CmdID><Item><Target><LocURI>./a&amp;b"
    b'&lt;c&gt;&#13;</LocURI></Target><Meta><Format xmlns="syncml:metinf">chr'
    b"</Format></Meta></Item></Get><Final/></SyncBody></SyncML>"
)


def require_libwbxml() -> None:
    """Skip unless libwbxml's command-line tools are installed (CI installs them)."""
    if not (shutil.which("xml2wbxml") and shutil.which("wbxml2xml")):
        if os.environ.get("SYNCML_CODEC_REQUIRE_LIBWBXML"):
            pytest.fail("SYNCML_CODEC_REQUIRE_LIBWBXML is set but libwbxml2-utils is missing")
        pytest.skip("libwbxml2-utils (xml2wbxml, wbxml2xml) not installed")


def compiled_or_skip() -> ModuleType:
    """The compiled core, for tests of what only it has; skips when it is not built."""
    if "cython" not in _impl.IMPLEMENTATIONS:
        pytest.skip("the compiled extension is not built")
    return _impl.IMPLEMENTATIONS["cython"]


def xml_vectors() -> list[Path]:
    return sorted((VECTORS / "xml").glob("*.xml"))


def public_vectors() -> list[Path]:
    """Motorola's DM server packages (``vectors-public/motorola-dmlib``), if present."""
    folder = PUBLIC_VECTORS / "motorola-dmlib"
    return sorted(folder.glob("**/*.wbxml")) if folder.is_dir() else []


def run_cli(codec: ModuleType, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """``python -m syncml_codec ARGS`` with the implementation ``codec`` is."""
    env = dict(os.environ)
    env.pop("SYNCML_CODEC_PUREPYTHON", None)
    if codec.__name__.endswith("fallback"):
        env["SYNCML_CODEC_PUREPYTHON"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "syncml_codec", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )


def nested_containers(container: str, count: int) -> bytes:
    """A DM 1.2 message (WBXML) whose body holds ``count`` ``container`` commands, each in the
    one before and each with CmdID 1: decoded only under a max_depth above ``count``."""
    from syncml_codec.model import Message
    from syncml_codec.wbxml.languages import language_for_public_id

    empty = Message(session_id="1", msg_id=2, target="IMEI:1", source="srv", final=True)
    encoded = empty.to_wbxml()
    assert encoded.endswith(b"\x6b\x12\x01\x01")  # SyncBody, Final, their ends
    token = bytes([language_for_public_id(0x1201).find_tag(container, None)[1] | 0x40])
    nested = (token + b"\x4b\x031\x00\x01") * count + b"\x01" * count
    return encoded[:-3] + nested + encoded[-3:]
