"""Running libwbxml's command-line tools, and the documented ways their results differ from ours."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import syncml_codec

#: Vectors whose libwbxml encoding differs from ours on purpose (see vectors/README.md).
LIBWBXML_REWRITES_LINE_BREAKS = "ds12-sync-vcard"
LIBWBXML_DROPS_ATTRIBUTES = "windows-mdm"


def xml2wbxml(xml_path: Path, out: Path, *flags: str) -> bytes:
    subprocess.run(
        ["xml2wbxml", *flags, "-o", str(out), str(xml_path)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out.read_bytes()


def wbxml2xml(data: bytes, tmp_path: Path) -> bytes:
    source = tmp_path / "in.wbxml"
    target = tmp_path / "out.xml"
    source.write_bytes(data)
    subprocess.run(
        ["wbxml2xml", "-o", str(target), str(source)], check=True, capture_output=True, timeout=60
    )
    return target.read_bytes()


def undo_line_break_rewrite(node: Any) -> Any:
    """Fold each run of line-break characters in Data texts to one LF (the vCards have no blank
    lines): undoes what libwbxml does to vObject Data, and what an XML reader does to raw CRs."""
    if node.tag == "Data" and isinstance(node.text, str):
        node.text = re.sub(r"[\r\n]+", "\n", node.text)
    for child in node.children:
        undo_line_break_rewrite(child)
    return node


def xml_line_ends(node: Any) -> Any:
    """Apply XML end-of-line handling (CR LF and lone CR become LF) to every text.

    wbxml2xml writes CR characters raw, so an XML reader of its output sees LF where the WBXML
    held CR: comparing with its output needs our tree read the same way.
    """
    for field in ("text", "tail"):
        value = getattr(node, field)
        if isinstance(value, str):
            setattr(node, field, value.replace("\r\n", "\n").replace("\r", "\n"))
    for child in node.children:
        xml_line_ends(child)
    return node


def drop_attributes(node: Any) -> Any:
    """Remove every attribute (libwbxml drops them all for SyncML)."""
    node.attributes = {}
    for child in node.children:
        drop_attributes(child)
    return node


def as_xml(tree: Any) -> str:
    """A tree as indented XML text: equal trees give equal text, and pytest shows the diff."""
    return syncml_codec.encode(tree, format="xml", pretty=True).decode("utf-8")
