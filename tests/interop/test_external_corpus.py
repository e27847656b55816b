"""Documents other projects wrote (``../shared/vectors-public/external``, with its MANIFEST.tsv):
every standard WBXML capture decodes to the tree libwbxml prints of it."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path
from xml.parsers import expat

import pytest

import syncml_codec
from syncml_codec import DecodeError

from helpers import PUBLIC_VECTORS, require_libwbxml
from helpers.libwbxml import xml_line_ends

pytestmark = pytest.mark.usefixtures("codec")

EXTERNAL = PUBLIC_VECTORS / "external"


def _documents(kind: str) -> list[str]:
    manifest = EXTERNAL / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="") as rows:
        return [row["file"] for row in csv.DictReader(rows, delimiter="\t") if row["kind"] == kind]


WBXML_CAPTURES = _documents("wbxml")


@pytest.fixture(autouse=True)
def _corpus_and_libwbxml():
    if not WBXML_CAPTURES:
        pytest.skip("../shared/vectors-public/external not present")
    require_libwbxml()


def _wbxml2xml(data: bytes, tmp_path: Path) -> bytes | None:
    """What ``wbxml2xml -m 0 -k`` prints of ``data`` (no indentation added, whitespace kept), or
    None when it refuses the document."""
    source, target = tmp_path / "in.wbxml", tmp_path / "out.xml"
    source.write_bytes(data)
    run = ["wbxml2xml", "-m", "0", "-k", "-o", str(target), str(source)]
    done = subprocess.run(run, capture_output=True, timeout=60)
    return target.read_bytes() if done.returncode == 0 else None


def test_the_corpus_has_its_captures():
    assert len(WBXML_CAPTURES) >= 50


@pytest.mark.parametrize("name", WBXML_CAPTURES)
def test_every_standard_capture_decodes_to_the_tree_libwbxml_prints(name, tmp_path):
    data = (EXTERNAL / name).read_bytes()
    printed = _wbxml2xml(data, tmp_path)
    if printed is None:
        # Motorola's setting_dmt_data_* use a private token table (public id 1): not standard
        # WBXML, and neither decoder takes it without being told the language.
        with pytest.raises(DecodeError, match="unknown public id"):
            syncml_codec.decode(data)
        return
    assert xml_line_ends(syncml_codec.decode(data)) == syncml_codec.decode(printed)


XML_DOCUMENTS = _documents("xml")


def _plain(node, parent_tail_pieces=None) -> tuple:
    """A tree as libwbxml's output can be compared with it: local names, text and children
    (libwbxml drops attributes, so the namespace declarations and prefixes they carry too)."""
    return (
        node.tag,
        _text(node.text),
        [(_plain(child), _text(child.tail)) for child in node.children],
    )


def _text(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else value.decode("latin-1")
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # XML end-of-line handling
    if text.endswith("+wbxml"):  # libwbxml's Type rewrite, which our decoders do too
        text = text[: -len("+wbxml")] + "+xml"
    return text


def _plain_from_xml(data: bytes) -> tuple:
    """libwbxml's XML output read by expat without namespaces, as :func:`_plain` gives it."""
    stack: list[list] = [["", [], [], None]]  # tag, text pieces, children, tail pieces

    def start(name: str, attributes: dict) -> None:
        stack.append([name.rpartition(":")[2], [], [], None])

    def end(name: str) -> None:
        tag, text, children, _ = stack.pop()
        stack[-1][2].append([(tag, "".join(text), children), []])

    def characters(data: str) -> None:
        top = stack[-1]
        (top[2][-1][1] if top[2] else top[1]).append(data)

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = characters
    parser.Parse(data, True)

    def finish(node) -> tuple:
        tag, text, children = node
        return (tag, _text(text), [(finish(c), _text("".join(t))) for c, t in children])

    return finish(stack[0][2][0][0])


def _has_nested_document(tree) -> bool:
    return any(node.tag == "Data" and any(True for _ in node) for node in _walk(tree))


def _walk(node):
    yield node
    for child in node:
        yield from _walk(child)


@pytest.mark.parametrize("name", XML_DOCUMENTS)
def test_every_xml_document_reads_back_from_libwbxml_as_written(name, tmp_path):
    """Our WBXML of each XML document, printed by libwbxml, holds the source's elements, texts
    and structure; libwbxml drops attributes (and with them namespace declarations), and
    cannot print a nested WBXML document inside ``<Data>``, from its own encoding either."""
    source_bytes = (EXTERNAL / name).read_bytes()
    source = syncml_codec.decode(source_bytes)
    try:
        data = syncml_codec.encode(source)
    except syncml_codec.EncodeError:
        # a root in a namespace no registered language has (buteo's "syncml:syncml")
        assert syncml_codec.language_for_namespace(source.namespace, source.tag) is None
        return
    printed = _wbxml2xml(data, tmp_path)
    if _has_nested_document(source) and not _libwbxml_reads_its_own(name, source, tmp_path):
        return  # libwbxml cannot print the nested document, from its own encoding either
    assert printed is not None
    assert _plain_from_xml(printed) == _plain(source)


def _libwbxml_reads_its_own(name: str, source, tmp_path: Path) -> bool:
    """Whether libwbxml prints its own encoding of a document (``xml2wbxml -k``: whitespace
    kept, as our reader keeps leaf text) back as the document."""
    theirs = tmp_path / "theirs.wbxml"
    run = ["xml2wbxml", "-k", "-o", str(theirs), str(EXTERNAL / name)]
    if subprocess.run(run, capture_output=True, timeout=60).returncode != 0:
        return False
    printed = _wbxml2xml(theirs.read_bytes(), tmp_path)
    try:
        return printed is not None and _plain_from_xml(printed) == _plain(source)
    except expat.ExpatError:
        return False
