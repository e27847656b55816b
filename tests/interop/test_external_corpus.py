"""Documents other projects wrote (``../shared/vectors-public/external``, with its MANIFEST.tsv):
every standard WBXML capture decodes to the tree libwbxml prints of it."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

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
