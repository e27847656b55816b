"""Run the comparison and write RESULTS.md (medians, ratios, targets) and scaling.png.

    python benchmarks/report.py            # the full run: small to 10 MB, and the scaling series
    python benchmarks/report.py --quick    # small and medium only, no plot
    python benchmarks/report.py --cpu 0    # run on CPU 0 (default: the last CPU allowed)

Every number in one report comes from one run on one CPU, so ratios compare like with like: the
comparisons on each document from one process, where the contenders are timed in interleaved
rounds; each scaling series from a worker process of its own, where the sizes are.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import lxml  # noqa: E402
from dm_session import dm_session_operations, dpu_share, session_ratio  # noqa: E402
from dpu import dpu_operations  # noqa: E402
from listing import CONVERT, DUMP, listing_operations  # noqa: E402
from tree import FANOUT, lookup_operations, tree_memory, tree_operations  # noqa: E402

import syncml_codec  # noqa: E402
from session import fill, outbox_operations, random_fill, reassembly  # noqa: E402
from syncml_codec import _impl  # noqa: E402
from syncml_codec.cli.timing import time_rounds  # noqa: E402

from documents import SCALING, SIZES, sized, wbxml  # noqa: E402
from operations import missing_peers, operation, operations  # noqa: E402
from peers import libwbxml, msgpack  # noqa: E402


def median_times(functions: dict, budget: float = 0.4, repeat: int = 5) -> dict:
    """Median seconds per call of each of ``functions`` (key -> callable), timed in
    interleaved rounds (``syncml_codec.cli.timing.time_rounds``, the same the ``bench`` command
    uses). The objects alive before timing (the harness's documents and trees) are frozen out
    of the garbage collector, so each call pays for the collections its own allocations
    cause."""
    gc.collect()
    gc.freeze()
    try:
        rounds = time_rounds(functions, budget, repeat)
        return {key: statistics.median(times) for key, times in rounds.items()}
    finally:
        gc.unfreeze()


def peak_memory(function: Callable[[], object]) -> tuple[int, int]:
    """(peak bytes allocated while ``function`` runs, bytes its result still holds), by
    tracemalloc."""
    tracemalloc.start()
    try:
        result = function()
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak, retained


def measure(
    kinds=("dm", "ds"),
    sizes=("small", "medium", "large", "huge"),
    budget: float = 0.4,
    repeat: int = 5,
) -> dict:
    """{(kind, size, group, contender): median seconds}."""
    results = {}
    for kind in kinds:
        for size in sizes:
            medians = median_times(operations(kind, SIZES[size]), budget, repeat)
            for (group, contender), seconds in medians.items():
                results[(kind, size, group, contender)] = seconds
            operations.cache_clear()
    return results


#: The operations the scaling series follows, as (group, contender).
SCALED = (
    ("decode", "cython"),
    ("encode", "cython"),
    ("wbxml->xml", "cython"),
    ("xml->wbxml", "cython"),
    ("wbxml->xml", "libwbxml"),
    ("xml->wbxml", "libwbxml"),
    ("decode", "lxml fromstring"),
    ("decode", "msgpack unpackb"),
    ("decode", "python"),
)


#: Not a target: decoding with every tree kept until a batch of them is made (see
#: ``decoding_with_trees_kept``), to tell the decoder's own time from the memory reuse's.
TREES_KEPT = ("decode, trees kept", "cython")
#: How much XML the batches of TREES_KEPT decode (their trees, about 3x that, outgrow the caches).
TREES_KEPT_XML_BYTES = 16_000_000


def decoding_with_trees_kept(data: bytes, copies: int) -> Callable[[], None]:
    """Decode ``data`` ``copies`` times, keeping every tree until the last is made, then free
    them all: no decode reuses memory that the one before it has just freed, still in cache."""
    decode = _impl.IMPLEMENTATIONS["cython"].decode_wbxml

    def run() -> None:
        trees = [decode(data) for _ in range(copies)]
        del trees

    return run


def scaling(budget: float = 0.3) -> dict:
    """{(group, contender): [(bytes of XML, seconds)]} for the DM documents of SCALING.

    Each series is timed in a process of its own (this script as a worker running
    ``scaling_series``), which holds only that contender's documents: in one process shared
    with the others, the same 10 MB decode took from 29 to 38 ms depending on which other
    contenders' inputs were alive and had run before (without page faults: Python's allocator
    then hands out memory scattered among theirs). Workers inherit this process's CPU.
    """
    found = {}
    for key in (*SCALED, TREES_KEPT):
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--series",
            *key,
            "--sizes",
            ",".join(map(str, SCALING)),
            "--budget",
            str(budget),
            "--trees-kept-bytes",
            str(TREES_KEPT_XML_BYTES),
        ]
        points = json.loads(
            subprocess.run(command, capture_output=True, text=True, check=True).stdout
        )
        if points:
            found[key] = [tuple(point) for point in points]
    return found


def scaling_series(
    key: tuple[str, str],
    sizes: list[int],
    budget: float,
    trees_kept_bytes: int = TREES_KEPT_XML_BYTES,
) -> list[tuple[int, float]]:
    """The (bytes of XML, seconds) of ``key`` on the DM documents of ``sizes``, every size timed
    in the same interleaved rounds (so the throughputs compared for linearity are measured at
    the same moments, like the two sides of any other ratio here); empty where not measured."""
    chosen: dict = {}
    copies = {size: max(2, trees_kept_bytes // len(sized("dm", size))) for size in sizes}
    for size in sizes:
        if key == TREES_KEPT:
            if "cython" in _impl.IMPLEMENTATIONS:
                chosen[size] = decoding_with_trees_kept(wbxml("dm", size), copies[size])
        else:
            chosen[size] = operation("dm", size, *key)
    chosen = {size: function for size, function in chosen.items() if function is not None}
    medians = median_times(chosen, budget, 3)
    return [
        (len(sized("dm", size)), seconds / copies[size] if key == TREES_KEPT else seconds)
        for size, seconds in medians.items()
    ]


#: The documents whose memory is measured, as (kind, size).
MEMORY_DOCUMENTS = (("dm", "large"), ("ds", "large"), ("dm", "huge"), ("ds", "huge"))


def memory(documents=MEMORY_DOCUMENTS) -> dict:
    """{"dm large": {what: bytes}, ...}: the peaks (tracemalloc) of the compiled operations on
    each of ``documents``, and the sizes of what they produce."""
    return {f"{kind} {size}": _memory(kind, size) for kind, size in documents}


def _memory(kind: str, size: str) -> dict:
    data = wbxml(kind, SIZES[size])
    compiled = _impl.IMPLEMENTATIONS["cython"]
    tree = compiled.decode_wbxml(data)
    decode_peak, tree_size = peak_memory(lambda: compiled.decode_wbxml(data))
    encode_peak, _ = peak_memory(lambda: compiled.encode_wbxml(tree))
    xml_peak, xml_size = peak_memory(lambda: syncml_codec.wbxml_to_xml(data))
    return {
        "wbxml bytes": len(data),
        "tree bytes (what decoding keeps)": tree_size,
        "decode peak": decode_peak,
        "encode peak": encode_peak,
        "xml bytes": xml_size,
        "wbxml->xml peak": xml_peak,
    }


#: Scaling is linear when the throughput at the largest size keeps this share of the best.
LINEAR_SHARE = 0.67


TARGETS = [
    # (label, numerator, denominator, bound, "max"|"min")
    (
        "decode within 1.5x of msgpack unpackb",
        ("decode", "cython"),
        ("decode", "msgpack unpackb"),
        1.5,
        "max",
    ),
    (
        "decode faster than lxml fromstring",
        ("decode", "cython"),
        ("decode", "lxml fromstring"),
        1.0,
        "max",
    ),
    (
        "encode within 1.5x of msgpack packb",
        ("encode", "cython"),
        ("encode", "msgpack packb"),
        1.5,
        "max",
    ),
    (
        "WBXML->XML at least 4x faster than libwbxml",
        ("wbxml->xml", "libwbxml"),
        ("wbxml->xml", "cython"),
        4.0,
        "min",
    ),
    (
        "XML->WBXML at least 1.8x faster than libwbxml -n",
        ("xml->wbxml", "libwbxml"),
        ("xml->wbxml", "cython"),
        1.8,
        "min",
    ),
    (
        "XML->WBXML at most 1.3x lxml fromstring",
        ("xml->wbxml", "cython"),
        ("xml->wbxml", "lxml fromstring"),
        1.3,
        "max",
    ),
    (
        "string table at most 1.5x the no-table time",
        ("encode string table", "cython"),
        ("encode", "cython"),
        1.5,
        "max",
    ),
    (
        "Cython at least 10x pure Python: decode",
        ("decode", "python"),
        ("decode", "cython"),
        10.0,
        "min",
    ),
    (
        "Cython at least 10x pure Python: encode",
        ("encode", "python"),
        ("encode", "cython"),
        10.0,
        "min",
    ),
    (
        "WBXML->model within 1.3x of WBXML->tree",
        ("wbxml->model", "cython"),
        ("decode", "cython"),
        1.3,
        "max",
    ),
]


#: The management tree's size in its targets.
TREE_NODES = 100_000
#: The management tree's targets: (label, numerator, denominator, bound).
TREE_TARGETS = [
    (
        "tree from TNDS WBXML at most 3x decoding it",
        ("tree from TNDS", "cython"),
        ("decode TNDS", "cython"),
        3.0,
    ),
    (
        "tree to TNDS WBXML at most 3x encoding its element tree",
        ("tree to TNDS", "cython"),
        ("encode TNDS", "cython"),
        3.0,
    ),
    (
        "look-up in 100,000 nodes within 1.3x of 1,000",
        ("look-up", "100,000 nodes"),
        ("look-up", "1,000 nodes"),
        1.3,
    ),
]


def measure_tree(nodes: int = TREE_NODES, budget: float = 2.0) -> dict:
    """{"times": {(group, contender): median seconds}, "memory": {...}} for the tree."""
    times = median_times(tree_operations(nodes), budget)
    times.update(median_times(lookup_operations(), budget / 4))
    return {"times": times, "memory": tree_memory(nodes)}


def tree_rows(tree: dict, nodes: int = TREE_NODES) -> list[str]:
    """The management tree's rows of the targets table."""
    document = f"tree {nodes:,} nodes"
    rows = []
    for label, numerator, denominator, bound in TREE_TARGETS:
        ratio = tree["times"][numerator] / tree["times"][denominator]
        rows.append(
            f"| {label} | {document} | {ratio:.2f}x | ≤ {bound}x | "
            f"{'yes' if ratio <= bound else '**no**'} |"
        )
    memory = tree["memory"]
    for label, value, bound, unit in (
        ("a leaf with a short value at most 300 bytes", memory["bytes per leaf"], 300, " B"),
        ("a loaded tree at most 5x its TNDS WBXML", memory["tree / TNDS WBXML"], 5, "x"),
    ):
        rows.append(
            f"| {label} | {document} | {value:.{0 if unit == ' B' else 2}f}{unit} | "
            f"≤ {bound}{unit} | {'yes' if value <= bound else '**no**'} |"
        )
    return rows


#: How the outbox's rows name their document (the DM document of the "huge" size).
OUTBOX_DOCUMENT = "dm huge in 64 KB messages"
#: How the random command lists' row names them (``session.random_fill``).
RANDOM_DOCUMENT = "random lists (commands < 5% of 64 KB, objects in chunks)"
#: How the session's row names its work.
SESSION_DOCUMENT = "500 commands, 8 KB messages"


def measure_session(budget: float = 2.0) -> dict:
    """{"times": {(group, contender): median seconds}, "dpu share": the DPU's time within the
    session over its codec work, "fill": share, "random fill": share, "reassembly": {...}}."""
    times = median_times(outbox_operations(), budget)
    times.update(dpu_times(budget))
    in_session: list[float] = []
    times.update(median_times(dm_session_operations(in_session), budget))
    return {
        "times": times,
        "dpu share": dpu_share(times, in_session),
        "fill": fill(),
        "random fill": random_fill(),
        "reassembly": reassembly(),
    }


#: How many times the DPU's 100,000-node tree is built for its figures: where the nodes land in
#: memory moves the processing's time by 15% from one build to the next.
DPU_TREE_BUILDS = 5


def dpu_times(budget: float) -> dict:
    """The DPU's medians, each the median over ``DPU_TREE_BUILDS`` builds of its tree (the
    codec's operations are timed beside the DPU in every build)."""
    runs = [median_times(dpu_operations(), budget) for _ in range(DPU_TREE_BUILDS)]
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def session_rows(session: dict) -> list[str]:
    """The outbox's and the Assembler's rows of the targets table."""
    times = session["times"]
    cut = times[("cut it into 64 KB messages", "cython")]
    ratio = cut / times[("encode the 10 MB DM document", "cython")]
    figures = session["reassembly"]
    codec = ("decode the message", "encode the message", "decode the answer", "encode the answer")
    dpu = times[("process 2,000 commands", "cython")] / sum(
        times[(group, "cython")] for group in codec
    )
    rows = [
        ("DPU at most 3x decoding and encoding the message and its answer", "2,000 commands",
         dpu, 3.0, "max", "x"),
        ("a DM session at most 1.5x decoding and encoding its messages", SESSION_DOCUMENT,
         session_ratio(times), 1.5, "max", "x"),
        ("cutting into 64 KB messages at most 1.3x encoding it whole", OUTBOX_DOCUMENT, ratio,
         1.3, "max", "x"),
        ("every message but the last at least 95% full", OUTBOX_DOCUMENT, session["fill"], 0.95,
         "min", ""),
        ("every message but the last at least 95% full", RANDOM_DOCUMENT, session["random fill"],
         0.95, "min", ""),
        ("reassembly linear: throughput at 100 MB / best", "large object",
         figures["throughput at 100 MB / best"], 0.7, "min", ""),
        ("reassembly peak at most 1.2x the object", "large object",
         figures["peak / object, in memory"], 1.2, "max", "x"),
        ("reassembly into a sink: peak at most 4 chunks", "large object",
         figures["peak in chunks, with a sink"], 4, "max", ""),
    ]  # fmt: skip
    lines = []
    for label, document, value, bound, sense, unit in rows:
        met = value <= bound if sense == "max" else value >= bound
        lines.append(
            f"| {label} | {document} | {value:.2f}{unit} | {'≤' if sense == 'max' else '≥'} "
            f"{bound}{unit} | {'yes' if met else '**no**'} |"
        )
    return lines


#: How the command line's row names its document.
CAPTURE_DOCUMENT = "dm capture, 14 MB as XML"
#: dump took 110 times as long as convert when it was reported (55 s against 0.5 s); ten
#: times faster is at most 11 times convert's time.
DUMP_BOUND = 11.0


def measure_cli(budget: float = 2.0) -> dict:
    """{(group, contender): median seconds} of the command line on the capture."""
    return median_times(listing_operations(), budget)


def cli_rows(times: dict) -> list[str]:
    """The command line's row of the targets table."""
    ratio = times[(DUMP, "cython")] / times[(CONVERT, "cython")]
    return [
        f"| dump at most {DUMP_BOUND:g}x convert (ten times faster than the 110x reported) | "
        f"{CAPTURE_DOCUMENT} | {ratio:.2f}x | ≤ {DUMP_BOUND}x | "
        f"{'yes' if ratio <= DUMP_BOUND else '**no**'} |"
    ]


def _fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def pin_to_one_cpu(cpu: int | None = None) -> int | None:
    """Keep the rest of the run on one CPU (``cpu``, or the last one allowed); the CPU, or None
    where the system cannot pin. At times the CPUs of a virtual machine differ in speed by a
    third (a busy neighbour on the host): a run that moved between them would compare sizes
    measured at different speeds."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    chosen = max(os.sched_getaffinity(0)) if cpu is None else cpu
    os.sched_setaffinity(0, {chosen})
    return chosen


def write_results(
    results: dict,
    series: dict | None,
    mem: dict | None,
    path: Path,
    cpu: int | None = None,
    tree: dict | None = None,
    session: dict | None = None,
    cli: dict | None = None,
) -> None:
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/report.py`: medians of repeated calls, in one run "
        "on one CPU. The contenders on one document are timed in interleaved rounds in "
        "one process; each scaling series in a process of its own, its sizes in "
        "interleaved rounds.",
        "",
        f"- Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
        + (f"; the run pinned to CPU {cpu}" if cpu is not None else ""),
        f"- syncml_codec {syncml_codec.__version__} (implementations: "
        f"{', '.join(sorted(_impl.IMPLEMENTATIONS))}), lxml {lxml.__version__}, "
        f"msgpack {getattr(msgpack, 'version', ('absent',))}, "
        f"libwbxml {'loaded through ctypes' if libwbxml is not None else 'absent'}",
        "- Garbage collector: on, for every contender and every call (no contender switches "
        "it); the objects alive before timing are frozen out of it (`gc.freeze()`), so each "
        "call pays for the collections its own allocations cause",
    ]
    for peer, reason in missing_peers().items():
        lines.append(f"- Skipped peer {peer}: {reason}")
    lines += [
        "",
        "Documents: DM = a client package 3 of n Results (Source, Meta Format/Type, "
        "Data); DS = a Sync of n vCard Adds. Sizes are of the XML form.",
        "",
    ]
    kinds = sorted({k for k, *_ in results})
    sizes = [s for s in SIZES if any(r[1] == s for r in results)]
    lines += [
        "## Targets",
        "",
        "| target | document | measured | bound | met |",
        "|---|---|---:|---:|---|",
    ]
    for label, numerator, denominator, bound, sense in TARGETS:
        for kind in kinds:
            for size in sizes:
                a = results.get((kind, size, *numerator))
                b = results.get((kind, size, *denominator))
                if a is None or b is None:
                    continue
                ratio = a / b
                met = ratio <= bound if sense == "max" else ratio >= bound
                lines.append(
                    f"| {label} | {kind} {size} | {ratio:.2f}x | "
                    f"{'≤' if sense == 'max' else '≥'} {bound}x | "
                    f"{'yes' if met else '**no**'} |"
                )
    for document, figures in (mem or {}).items():
        ratio = figures["decode peak"] / figures["tree bytes (what decoding keeps)"]
        lines.append(
            f"| decoding peak at most 3x the tree's own size | {document} | "
            f"{ratio:.2f}x | ≤ 3.0x | {'yes' if ratio <= 3 else '**no**'} |"
        )
    for (group, contender), points in sorted((series or {}).items()):
        if contender != "cython" or (group, contender) == TREES_KEPT:
            continue
        share = _linear_share(points)
        lines.append(
            f"| linear in size: throughput at {points[-1][0] / 1e6:.0f} MB / best "
            f"({group}) | dm scaling | {share:.2f} | ≥ {LINEAR_SHARE} | "
            f"{'yes' if share >= LINEAR_SHARE else '**no**'} |"
        )
    if tree is not None:
        lines += tree_rows(tree)
    if session is not None:
        lines += session_rows(session)
    if cli is not None:
        lines += cli_rows(cli)
    notes = HERE / "notes.md"
    if notes.exists():
        lines += ["", "## Notes on the targets", "", notes.read_text().rstrip()]
    lines += ["", "## Medians", ""]
    for kind in kinds:
        for size in sizes:
            rows = {(g, c): t for (k, s, g, c), t in results.items() if k == kind and s == size}
            if not rows:
                continue
            lines += [
                f"### {kind} {size} (XML {len(sized(kind, SIZES[size])):,} bytes, WBXML "
                f"{len(wbxml(kind, SIZES[size])):,} bytes)",
                "",
                "| operation | contender | median | vs cython |",
                "|---|---|---:|---:|",
            ]
            for (group, contender), seconds in sorted(rows.items()):
                base = rows.get((group, "cython"))
                ratio = f"{seconds / base:.2f}x" if base else ""
                lines.append(f"| {group} | {contender} | {_fmt(seconds)} | {ratio} |")
            lines.append("")
    if mem:
        documents = list(mem)
        lines += [
            "## Memory (bytes; peaks by tracemalloc)",
            "",
            "| what | " + " | ".join(documents) + " |",
            "|---|" + "---:|" * len(documents),
        ]
        lines += [
            f"| {what} | " + " | ".join(f"{mem[document][what]:,}" for document in documents) + " |"
            for what in mem[documents[0]]
        ]
        lines.append("")
    if tree is not None:
        lines += _medians_table(
            f"Management tree ({TREE_NODES:,} leaves under interior nodes of {FANOUT:,}, "
            "saved with every property)",
            tree["times"],
        )
        lines += [""] + [
            f"- {what}: {value:,.0f}" if value > 100 else f"- {what}: {value:.2f}"
            for what, value in tree["memory"].items()
        ]
        lines.append("")
    if session is not None:
        lines += _medians_table("Outbox, large objects, the DPU and sessions", session["times"])
        lines += [
            "",
            f"The DPU's figures (and the codec's beside them) are medians over "
            f"{DPU_TREE_BUILDS} builds of its 100,000-node tree: where the nodes land in memory "
            "moves the processing's time by 15% from one build to the next.",
        ]
        lines += [
            "",
            f"- the DPU within the session (the median over the timed sessions) / the "
            f"session's codec work: {session['dpu share']:.2f}x, so the session's ratio is at "
            f"least about {1 + session['dpu share']:.1f}x, however cheap the rest",
            f"- emptiest message but the last: {session['fill']:.1%} of 64 KB",
            f"- the same, of random command lists: {session['random fill']:.1%} of 64 KB",
        ]
        lines += [f"- {what}: {value:,.2f}" for what, value in session["reassembly"].items()]
        lines.append("")
    if cli is not None:
        lines += _medians_table(f"Command line ({CAPTURE_DOCUMENT}, output to os.devnull)", cli)
        lines.append("")
    if series:
        lines += [
            "## Scaling (DM, throughput in MB/s of XML)",
            "",
            "| contender | "
            + " | ".join(f"{n // 1000:,} KB" for n, _ in next(iter(series.values())))
            + " |",
            "|---|" + "---:|" * len(next(iter(series.values()))),
        ]
        for (group, contender), points in sorted(series.items()):
            lines.append(
                f"| {group}: {contender} | "
                + " | ".join(f"{n / t / 1e6:.1f}" for n, t in points)
                + " |"
            )
        if TREES_KEPT in series:
            lines += [
                "",
                f"{TREES_KEPT[0]}: each call decodes the document enough times for "
                f"{TREES_KEPT_XML_BYTES // 1_000_000} MB of XML, keeping every tree until "
                "the last is made, then frees them all (time per decode, freeing "
                "included); its throughput at the largest size is "
                f"{_linear_share(series[TREES_KEPT]):.2f} of its best. Not a target: it "
                "shows the decoder's time without the reuse of memory just freed.",
            ]
        lines += ["", "![throughput against size](scaling.png)", ""]
    path.write_text("\n".join(lines) + "\n")


def _medians_table(title: str, times: dict) -> list[str]:
    """A section of RESULTS.md: ``title`` and the median of each (group, contender)."""
    rows = [
        f"| {group} | {contender} | {_fmt(seconds)} |"
        for (group, contender), seconds in sorted(times.items())
    ]
    return [f"## {title}", "", "| operation | contender | median |", "|---|---|---:|", *rows]


def _linear_share(points: list) -> float:
    """Throughput at the largest size over the best throughput of a scaling series."""
    return points[-1][0] / points[-1][1] / max(n / t for n, t in points)


def plot(series: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
        return False
    figure, axes = plt.subplots(figsize=(9, 6))
    for (group, contender), points in sorted(series.items()):
        axes.plot(
            [n for n, _ in points],
            [n / t / 1e6 for n, t in points],
            marker="o",
            label=f"{group}: {contender}",
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("document size (bytes of XML)")
    axes.set_ylabel("throughput (MB/s of XML)")
    axes.set_title("syncml_codec and peers: throughput against size (DM documents)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small and medium only, no plot")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--cpu", type=int, help="the CPU to run on (default: the last allowed)")
    worker = parser.add_argument_group("scaling worker (run by the report itself)")
    worker.add_argument(
        "--series",
        nargs=2,
        metavar=("GROUP", "CONTENDER"),
        help="print the scaling series of one contender as JSON",
    )
    worker.add_argument("--sizes", help="comma-separated document sizes for --series")
    worker.add_argument("--budget", type=float, default=0.3)
    worker.add_argument("--trees-kept-bytes", type=int, default=TREES_KEPT_XML_BYTES)
    args = parser.parse_args(argv)
    if args.series:
        sizes = [int(size) for size in args.sizes.split(",")]
        print(
            json.dumps(
                scaling_series(tuple(args.series), sizes, args.budget, args.trees_kept_bytes)
            )
        )
        return 0
    cpu = pin_to_one_cpu(args.cpu)
    sizes = ("small", "medium") if args.quick else tuple(SIZES)
    results = measure(sizes=sizes)
    series = None if args.quick else scaling()
    mem = None if args.quick else memory()
    compiled = "cython" in _impl.IMPLEMENTATIONS
    tree = measure_tree() if compiled else None
    session = measure_session() if compiled and not args.quick else None
    cli = measure_cli() if compiled and not args.quick else None
    if series is not None:
        plot(series, args.output.with_name("scaling.png"))
    write_results(results, series, mem, args.output, cpu, tree, session, cli)
    print(f"wrote {args.output}")
    if not args.quick and args.output == HERE / "RESULTS.md":
        update_readme(args.output, HERE.parent / "README.md")
        print("updated the benchmark table of README.md")
    return 0


#: The rows of RESULTS.md's target table the README shows: the 50 KB and 1 MB documents and the
#: scaling series.
README_DOCUMENTS = (
    "dm medium",
    "dm large",
    "ds medium",
    "dm scaling",
    "tree 100,000 nodes",
    OUTBOX_DOCUMENT,
    "large object",
    "2,000 commands",
    SESSION_DOCUMENT,
    CAPTURE_DOCUMENT,
)
README_TABLE = ("<!-- benchmark table: written by benchmarks/report.py -->", "<!-- end -->")


def update_readme(results: Path, readme: Path) -> None:
    """Replace the README's benchmark table with the matching rows of ``results``."""
    rows = [
        line
        for line in results.read_text().splitlines()
        if line.startswith("| ")
        and line.endswith(("| yes |", "| **no** |"))  # a row of the targets table
        and line.split(" | ")[1] in README_DOCUMENTS
    ]
    table = ["| target | document | measured | bound | met |", "|---|---|---:|---:|---|", *rows]
    text = readme.read_text()
    start, end = text.index(README_TABLE[0]), text.index(README_TABLE[1])
    readme.write_text(
        text[: start + len(README_TABLE[0])] + "\n" + "\n".join(table) + "\n" + text[end:]
    )


if __name__ == "__main__":
    sys.exit(main())
