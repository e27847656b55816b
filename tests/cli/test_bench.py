"""``python -m syncml_codec bench``: exact sizes, the JSON schema, broken documents listed without
stopping the run, and a help text the README agrees with."""

from __future__ import annotations

import json
import os
import re
import subprocess
import zlib

import pytest

from syncml_codec import decode, encode
from syncml_codec.cli import bench

from helpers import ROOT, VECTORS, run_cli

pytestmark = pytest.mark.usefixtures("codec")

XML = VECTORS / "xml" / "ddf-devinfo.xml"
WBXML = VECTORS / "libwbxml-n" / "dm12-pkg2-server.wbxml"
QUICK = ("--rounds", "1", "--budget", "0.001")


def run_bench(codec, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return run_cli(codec, "bench", *args, stdin=stdin)


@pytest.mark.parametrize("path", [XML, WBXML], ids=["xml", "wbxml"])
def test_the_sizes_are_the_encoders_outputs(path):
    report = bench.bench([str(path)], speeds=False)
    (document,) = report.documents
    tree = decode(path.read_bytes())
    outputs = {
        "xml": encode(tree, format="xml"),
        "xml-pretty": encode(tree, format="xml", pretty=True),
        "wbxml": encode(tree),
        "wbxml-table": encode(tree, string_table=True),
    }
    for encoding, output in outputs.items():
        assert document.sizes[encoding] == len(output)
        assert document.sizes[f"{encoding}+zlib"] == len(zlib.compress(output, 6))
    assert document.input_format == ("wbxml" if path.suffix == ".wbxml" else "xml")
    ratios = report.as_json()["documents"][0]["ratios"]
    assert ratios["wbxml"] == len(outputs["wbxml"]) / len(outputs["xml"])


def test_the_json_has_the_documented_schema(codec):
    done = run_bench(codec, str(XML), str(WBXML), "--json", *QUICK)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["schema"] == bench.JSON_SCHEMA_VERSION
    assert set(report) == {
        "schema", "syncml_codec", "implementation", "libwbxml", "compressors", "timing",
        "documents", "total", "failed",
    }  # fmt: skip
    assert report["implementation"] == (
        "python" if codec.__name__.endswith("fallback") else "cython"
    )
    assert report["timing"] == {"rounds": 1, "garbage_collector": "on"}
    for document in report["documents"]:
        assert set(document) == {"path", "input", "sizes", "ratios", "speeds"}
        assert all(isinstance(size, int) for size in document["sizes"].values())
        assert document["ratios"]["xml"] == 1.0
        assert {"decode xml", "decode wbxml", "encode xml", "encode wbxml"} <= set(
            document["speeds"]
        )
        for speed in document["speeds"].values():
            assert set(speed) == {"median_s", "spread_s"} and speed["median_s"] > 0
    total = report["total"]["sizes"]
    assert total["wbxml"] == sum(d["sizes"]["wbxml"] for d in report["documents"])
    documented = (ROOT / "docs" / "bench.md").read_text()
    for key in (*report, *report["documents"][0], "median_s", "spread_s"):
        assert f"`{key}`" in documented, key


def test_a_folder_of_valid_and_broken_documents(codec, tmp_path):
    (tmp_path / "good.xml").write_bytes(XML.read_bytes())
    (tmp_path / "good.wbxml").write_bytes(WBXML.read_bytes())
    (tmp_path / "truncated.wbxml").write_bytes(WBXML.read_bytes()[:40])
    (tmp_path / "broken.xml").write_bytes(b"<SyncML><SyncHdr></SyncML>")
    (tmp_path / "notes.txt").write_bytes(b"not a document")
    done = run_bench(codec, str(tmp_path), "--json", "--sizes-only")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert sorted(os.path.basename(d["path"]) for d in report["documents"]) == [
        "good.wbxml",
        "good.xml",
    ]
    failed = {os.path.basename(f["path"]): f for f in report["failed"]}
    assert set(failed) == {"truncated.wbxml", "broken.xml"}
    assert all(isinstance(f["offset"], int) and f["error"] for f in failed.values())
    text = run_bench(codec, str(tmp_path), "--sizes-only")
    assert re.search(r"failed: .*truncated\.wbxml at byte \d+: ", text.stdout.decode())


def test_stdin_csv_and_a_missing_file(codec):
    done = run_bench(codec, "-", "missing.xml", "--csv", *QUICK, stdin=XML.read_bytes())
    rows = done.stdout.decode().splitlines()
    assert rows[0] == "document,measure,value,unit"
    assert any(row.startswith("-,size wbxml,") for row in rows)
    assert any(row.startswith("-,time decode wbxml,") for row in rows)
    assert any(row.startswith("missing.xml,failed,No such file") for row in rows)


def test_the_table_and_its_totals():
    report = bench.bench([str(XML), str(WBXML)], rounds=1, budget=0.001)
    text = bench.table(report)
    assert "total (2 documents)" in text and "speeds: MB/s" in text
    summary = bench.table(report, summary=True)
    assert str(XML) not in summary and "total (2 documents)" in summary


def test_a_progress_bar_counts_the_documents():
    written = []

    class Stream:
        def write(self, text):
            written.append(text)

        def flush(self):
            pass

    show = bench.progress_bar(Stream())
    show(1, 2)
    show(2, 2)
    assert written[0].endswith("1/2") and written[-1] == "\n"


def test_a_plot_is_drawn_where_matplotlib_is_installed(tmp_path):
    pytest.importorskip("matplotlib")
    report = bench.bench([str(XML), str(WBXML)], rounds=1, budget=0.001)
    bench.plot(report, str(tmp_path / "bench.png"))
    assert (tmp_path / "bench.png").read_bytes().startswith(b"\x89PNG")


def test_the_help_and_the_readme_agree(codec):
    done = run_bench(codec, "--help")
    help_text = done.stdout.decode()
    assert "bench [-h]" in help_text
    options = set(re.findall(r"--[a-z-]+", help_text)) - {"--help"}
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("python -m syncml_codec bench") :]
    for option in options:
        assert option in section, option
