"""``python -m syncml_codec bench PATH...``: how SyncML, DevInf and DDF documents compare as XML
and WBXML, compressed or not, and what decoding and encoding them costs.

For each document (XML or WBXML, a file, the files of a folder, or ``-`` for stdin):

- sizes: XML compact and pretty, WBXML without and with the string table, each also
  compressed with zlib (level 6, what HTTP servers use) and, where installed, zstd
  (``zstandard``, level 3) and brotli (``brotli``, quality 5); bytes and the ratio to compact
  XML;
- speeds (unless ``--sizes-only``): decode and encode of each encoding, WBXML->XML and
  XML->WBXML with the implementation in use, and libwbxml's two conversions in the same run
  where ``libwbxml2.so`` is installed; timed in interleaved rounds (``--rounds``), the median
  and the spread (largest minus smallest round) reported, the garbage collector left on.

Documents that fail to decode are listed with the error and its byte offset; the run goes on.
``--json`` prints the report as JSON (schema: :data:`JSON_SCHEMA_VERSION` and
``docs/bench.md``), ``--csv`` one row per document and measure, ``--plot FILE.png`` a chart
(matplotlib, the ``bench`` extra).
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import statistics
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__, api
from ..errors import DecodeError, SyncMLError
from . import libwbxml
from .errors import UsageError
from .timing import time_rounds

__all__ = ["JSON_SCHEMA_VERSION", "Report", "bench", "compressors"]

JSON_SCHEMA_VERSION = 1
#: The encodings whose sizes are reported, in order; ``xml`` (compact) is what ratios divide by.
ENCODINGS = ("xml", "xml-pretty", "wbxml", "wbxml-table")
#: Files a folder is searched for.
SUFFIXES = (".xml", ".wbxml", ".ddf", ".bin", ".wbx")
#: Documents above which a progress bar is drawn (on a terminal).
PROGRESS_FROM = 5


def compressors() -> dict[str, Callable[[bytes], bytes]]:
    """The compressions people put on HTTP bodies that are installed here, by name."""
    found: dict[str, Callable[[bytes], bytes]] = {"zlib": lambda data: zlib.compress(data, 6)}
    try:
        zstandard = importlib.import_module("zstandard")
        found["zstd"] = zstandard.ZstdCompressor(level=3).compress
    except ImportError:
        pass
    try:
        brotli = importlib.import_module("brotli")
        found["brotli"] = lambda data: brotli.compress(data, quality=5)
    except ImportError:
        pass
    return found


@dataclass
class Document:
    """What one document measured: sizes by encoding (and ``<encoding>+<compressor>``), and
    speeds by operation as (median, spread) seconds."""

    path: str
    input_format: str
    sizes: dict[str, int] = field(default_factory=dict)
    speeds: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass
class Failure:
    path: str
    error: str
    offset: int | None


@dataclass
class Report:
    documents: list[Document] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    compressors: list[str] = field(default_factory=list)
    rounds: int = 5

    def totals(self) -> dict[str, int]:
        """Each size summed over the documents."""
        total: dict[str, int] = {}
        for document in self.documents:
            for name, size in document.sizes.items():
                total[name] = total.get(name, 0) + size
        return total

    def as_json(self) -> dict[str, Any]:
        """The report as the JSON schema (docs/bench.md) has it."""
        return {
            "schema": JSON_SCHEMA_VERSION,
            "syncml_codec": __version__,
            "implementation": api.implementation(),
            "libwbxml": libwbxml.LIBRARY is not None,
            "compressors": self.compressors,
            "timing": {"rounds": self.rounds, "garbage_collector": "on"},
            "documents": [
                {
                    "path": document.path,
                    "input": document.input_format,
                    "sizes": document.sizes,
                    "ratios": _ratios(document.sizes),
                    "speeds": {
                        name: {"median_s": median, "spread_s": spread}
                        for name, (median, spread) in document.speeds.items()
                    },
                }
                for document in self.documents
            ],
            "total": {"sizes": self.totals(), "ratios": _ratios(self.totals())},
            "failed": [
                {"path": failure.path, "error": failure.error, "offset": failure.offset}
                for failure in self.failures
            ],
        }


def bench(
    paths: list[str],
    *,
    speeds: bool = True,
    rounds: int = 5,
    budget: float = 0.2,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Measure the documents ``paths`` name (files, folders, ``-`` for stdin)."""
    packers = compressors()
    report = Report(compressors=list(packers), rounds=rounds)
    inputs = list(_inputs(paths))
    for number, (name, data) in enumerate(inputs, 1):
        if isinstance(data, OSError):
            report.failures.append(Failure(name, data.strerror or str(data), None))
            continue
        try:
            tree = api.decode(data)
        except DecodeError as error:
            report.failures.append(Failure(name, error.message, error.offset))
            continue
        except SyncMLError as error:
            report.failures.append(Failure(name, str(error), None))
            continue
        document = Document(name, "wbxml" if api.is_wbxml(data) else "xml")
        encoded = {
            "xml": api.encode(tree, format="xml"),
            "xml-pretty": api.encode(tree, format="xml", pretty=True),
            "wbxml": api.encode(tree),
            "wbxml-table": api.encode(tree, string_table=True),
        }
        for encoding in ENCODINGS:
            document.sizes[encoding] = len(encoded[encoding])
            for packer, compress in packers.items():
                document.sizes[f"{encoding}+{packer}"] = len(compress(encoded[encoding]))
        if speeds:
            timed = time_rounds(_operations(tree, encoded), budget, rounds)
            document.speeds = {
                operation: (statistics.median(times), max(times) - min(times))
                for operation, times in timed.items()
            }
        report.documents.append(document)
        if progress is not None:
            progress(number, len(inputs))
    return report


def _operations(tree: Any, encoded: dict[str, bytes]) -> dict[str, Callable[[], object]]:
    xml, wbxml = encoded["xml"], encoded["wbxml"]
    operations: dict[str, Callable[[], object]] = {
        "decode xml": lambda: api.decode(xml),
        "decode wbxml": lambda: api.decode(wbxml),
        "encode xml": lambda: api.encode(tree, format="xml"),
        "encode wbxml": lambda: api.encode(tree),
        "wbxml->xml": lambda: api.wbxml_to_xml(wbxml),
        "xml->wbxml": lambda: api.xml_to_wbxml(xml),
    }
    if libwbxml.LIBRARY is not None:
        for name, convert, data in (
            ("libwbxml wbxml->xml", libwbxml.wbxml2xml, wbxml),
            ("libwbxml xml->wbxml", libwbxml.xml2wbxml, xml),
        ):
            try:
                convert(data)
            except ValueError:
                continue  # a document libwbxml refuses: not timed
            operations[name] = lambda convert=convert, data=data: convert(data)  # type: ignore[misc]
    return operations


def _inputs(paths: list[str]) -> Iterator[tuple[str, bytes | OSError]]:
    """Each document's name and bytes (or why it could not be read)."""
    for path in paths:
        if path == "-":
            yield "-", sys.stdin.buffer.read()
        elif os.path.isdir(path):
            for found in sorted(Path(path).rglob("*")):
                if found.is_file() and found.suffix.lower() in SUFFIXES:
                    yield str(found), _read(found)
        else:
            yield path, _read(Path(path))


def _read(path: Path) -> bytes | OSError:
    try:
        return path.read_bytes()
    except OSError as error:
        return error


def _ratios(sizes: dict[str, int]) -> dict[str, float]:
    base = sizes.get("xml")
    return {name: size / base for name, size in sizes.items()} if base else {}


# -- output ------------------------------------------------------------------------------------


def table(report: Report, *, summary: bool = False) -> str:
    """The report as text: sizes (bytes, ratio to compact XML) per document and in total, then
    speeds (MB/s of the input of each operation, median of the rounds; in total, all the
    documents' bytes over all their times); ``summary``: the totals only."""
    out = io.StringIO()
    columns = [*ENCODINGS, *(f"wbxml+{name}" for name in report.compressors)]
    columns += [f"xml+{name}" for name in report.compressors]
    rows = [] if summary else [(d.path, d.sizes) for d in report.documents]
    if len(report.documents) > 1 or summary:
        rows.append((f"total ({len(report.documents)} documents)", report.totals()))
    width = max([len(name) for name, _ in rows] + [8])
    out.write("sizes: bytes (ratio to compact XML)\n")
    out.write(f"{'document':<{width}}  " + "  ".join(f"{c:>19}" for c in columns) + "\n")
    for name, sizes in rows:
        base = sizes["xml"]
        cells = [f"{sizes[c]:>11,} ({sizes[c] / base:5.2f})" for c in columns]
        out.write(f"{name:<{width}}  " + "  ".join(cells) + "\n")
    timed = [document for document in report.documents if document.speeds]
    if timed:
        operations = list(timed[0].speeds)
        for document in timed[1:]:
            operations += [op for op in document.speeds if op not in operations]
        out.write(
            f"\nspeeds: MB/s of the input (median of {report.rounds} rounds, garbage collector "
            f"on, {api.implementation()} implementation)\n"
        )
        out.write(f"{'document':<{width}}  " + "  ".join(f"{op:>19}" for op in operations) + "\n")
        lines = [] if summary else [(d.path, _throughputs(d, operations)) for d in timed]
        if len(timed) > 1 or summary:
            lines.append((f"total ({len(timed)} documents)", _total_throughputs(timed, operations)))
        for name, speeds in lines:
            cells = [f"{'-':>19}" if speed is None else f"{speed:>19.1f}" for speed in speeds]
            out.write(f"{name:<{width}}  " + "  ".join(cells) + "\n")
    for failure in report.failures:
        at = f" at byte {failure.offset}" if failure.offset is not None else ""
        out.write(f"failed: {failure.path}{at}: {failure.error}\n")
    return out.getvalue()


def _throughputs(document: Document, operations: list[str]) -> list[float | None]:
    return [
        _input_size(document, op) / document.speeds[op][0] / 1e6 if op in document.speeds else None
        for op in operations
    ]


def _total_throughputs(documents: list[Document], operations: list[str]) -> list[float | None]:
    """Per operation, all the bytes over all the time, on the documents it was timed on."""
    found: list[float | None] = []
    for operation in operations:
        done = [d for d in documents if operation in d.speeds]
        seconds = sum(d.speeds[operation][0] for d in done)
        found.append(sum(_input_size(d, operation) for d in done) / seconds / 1e6 if done else None)
    return found


def _input_size(document: Document, operation: str) -> int:
    """The bytes an operation reads: XML for XML decoding and XML->WBXML, WBXML otherwise;
    encoding is measured by the bytes it writes."""
    if operation in ("decode xml", "encode xml") or operation.endswith("xml->wbxml"):
        return document.sizes["xml"]
    return document.sizes["wbxml"]


def as_csv(report: Report) -> str:
    """One row per document and measure: ``document,measure,value,unit``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["document", "measure", "value", "unit"])
    for document in report.documents:
        for name, size in document.sizes.items():
            writer.writerow([document.path, f"size {name}", size, "bytes"])
        for operation, (median, spread) in document.speeds.items():
            writer.writerow([document.path, f"time {operation}", f"{median:.9f}", "s"])
            writer.writerow([document.path, f"spread {operation}", f"{spread:.9f}", "s"])
    for failure in report.failures:
        writer.writerow([failure.path, "failed", failure.error, failure.offset])
    return out.getvalue()


def plot(report: Report, path: str) -> None:
    """Sizes (ratio to compact XML) and throughputs per document, as a PNG (matplotlib, an
    optional extra: ImportError without it)."""
    matplotlib = importlib.import_module("matplotlib")
    matplotlib.use("Agg")
    plt = importlib.import_module("matplotlib.pyplot")

    names = [Path(document.path).name for document in report.documents]
    figure, (sizes, speeds) = plt.subplots(2, 1, figsize=(max(8, len(names) * 0.5), 9))
    for encoding in ENCODINGS[1:]:
        sizes.plot(
            names,
            [document.sizes[encoding] / document.sizes["xml"] for document in report.documents],
            marker="o",
            label=encoding,
        )
    sizes.set_ylabel("size / compact XML")
    sizes.legend(fontsize=8)
    timed = [document for document in report.documents if document.speeds]
    for operation in timed[0].speeds if timed else ():
        speeds.plot(
            [Path(d.path).name for d in timed],
            [_input_size(d, operation) / d.speeds[operation][0] / 1e6 for d in timed],
            marker="o",
            label=operation,
        )
    speeds.set_ylabel("MB/s")
    speeds.set_yscale("log")
    speeds.legend(fontsize=8)
    for axes in (sizes, speeds):
        axes.tick_params(axis="x", rotation=90, labelsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def progress_bar(stream: Any) -> Callable[[int, int], None]:
    """A one-line progress bar on ``stream``."""

    def show(done: int, total: int) -> None:
        filled = int(30 * done / total)
        stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def run(args: Any) -> None:
    """The ``bench`` command."""
    progress = None
    many = len(args.paths) > 1 or any(os.path.isdir(path) for path in args.paths)
    if many and sys.stderr.isatty():
        progress = progress_bar(sys.stderr)
    report = bench(
        args.paths,
        speeds=not args.sizes_only,
        rounds=args.rounds,
        budget=args.budget,
        progress=progress,
    )
    if args.json:
        sys.stdout.write(json.dumps(report.as_json(), indent=2) + "\n")
    elif args.csv:
        sys.stdout.write(as_csv(report))
    else:
        sys.stdout.write(table(report, summary=args.summary))
    if args.plot:
        try:
            plot(report, args.plot)
        except ImportError:
            raise UsageError("--plot needs matplotlib: pip install 'syncml_codec[bench]'") from None


def add_parser(commands: Any) -> None:
    """Register ``bench`` with the command line's subcommands."""
    parser = commands.add_parser(
        "bench",
        help="compare sizes and speeds of XML and WBXML on your documents",
        description="Sizes of each document as XML (compact, pretty) and WBXML (without and "
        "with the string table), raw and compressed (zlib, and zstd or brotli where "
        "installed), and the speeds of decoding, encoding and converting them (libwbxml too, "
        "where installed). Documents that fail to decode are listed; the run goes on.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, or - for stdin")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the report as JSON")
    output.add_argument("--csv", action="store_true", help="print one CSV row per measure")
    parser.add_argument("--plot", metavar="FILE.png", help="draw sizes and speeds (matplotlib)")
    parser.add_argument("--sizes-only", action="store_true", help="measure sizes, not speeds")
    parser.add_argument("--summary", action="store_true", help="print the totals only")
    parser.add_argument(
        "--rounds", type=int, default=5, metavar="N", help="timing rounds (default 5)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=0.2,
        metavar="SECONDS",
        help="time per operation and document (default 0.2)",
    )
    parser.set_defaults(run=run)
