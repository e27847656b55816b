"""Every public DDF document we hold (Microsoft's CSP files, Motorola's, libwbxml's and the Java
encoder's tests) parses, writes back to the same document, and builds a tree skeleton."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from syncml_codec import DecodeError
from syncml_codec.dm import Ddf, ManagementTree

from helpers import PUBLIC_VECTORS

EXTERNAL = PUBLIC_VECTORS / "external"
NAMED = [
    "omadm-motorola/setting_dmt_data_syncmldm.ddf",
    "libwbxml-tests/test_tools_ddf_ddf-001.ddf",
    "wbxml-stream/src_test_examples_ddf_ddf-001.xml",
    "wbxml-stream/src_test_examples_ddf_ddf-001.wbxml",
]
#: Files that are not well-formed XML as published (lxml refuses them too).
MALFORMED = {
    "windows-ddf-1607/PolicyDDF_all.xml": "bytes that are not UTF-8 (line 3662)",
    "windows-ddf-1803/VPNv2DDF_Final.xml": "an unclosed </DFProperties (line 994)",
}
DDF_NAMESPACE = "syncml:dmddf1.2"


def corpus() -> list[Path]:
    found = sorted(EXTERNAL.glob("windows-ddf-*/*")) + [EXTERNAL / name for name in NAMED]
    return [path for path in found if path.exists()]


FILES = corpus()


def test_the_corpus_is_here_or_skipped_with_a_reason():
    if not EXTERNAL.exists():
        pytest.skip(f"{EXTERNAL} is not present")
    assert len(FILES) >= 90


def canonical(data: bytes) -> tuple:
    """A document as lxml reads it, comments, processing instructions and indentation aside
    (Microsoft's files have no default namespace: read as the DDF one)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
        remove_pis=True,
    )  # fmt: skip

    def walk(element: etree._Element) -> tuple:
        name = etree.QName(element)
        children = [walk(child) for child in element if isinstance(child.tag, str)]
        text = (element.text or "").strip() or None
        return (name.namespace or DDF_NAMESPACE, name.localname, dict(element.attrib), text,
                children)  # fmt: skip

    return walk(etree.fromstring(data, parser))


@pytest.mark.usefixtures("codec")
@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_public_ddf_reads_writes_back_and_builds_a_skeleton(path):
    data = path.read_bytes()
    if f"{path.parent.name}/{path.name}" in MALFORMED:
        with pytest.raises(DecodeError):
            Ddf.parse(data)
        with pytest.raises(etree.XMLSyntaxError):
            etree.fromstring(data)
        return
    ddf = Ddf.parse(data)
    if path.suffix != ".wbxml":
        assert canonical(ddf.to_xml()) == canonical(data)
    assert Ddf.parse(ddf.to_wbxml()).element == ddf.element
    tree = ManagementTree(windows_aliases=True)
    for top in ddf.nodes:
        tree.describe(top, at="./Placeholder" if top.name is None else None, create=True)
    tops = [uri for uri, node in ddf.walk() if node in ddf.nodes]
    for uri in tops:
        assert uri.replace("<x>", "Placeholder") in tree, uri
