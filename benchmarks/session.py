"""The outbox and the Assembler: cutting the 10 MB DM document into 64 KB messages against
encoding it whole, how full the messages are (of that document, and of random command lists),
and reassembling large objects (throughput by size, peak memory in memory and with a sink).

``outbox_operations()`` returns ``{(group, contender): callable}`` for ``report.median_times``;
``fill()``, ``random_fill()`` and ``reassembly()`` measure the rest (tracemalloc for memory).
"""

from __future__ import annotations

import gc
import io
import itertools
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable

import syncml_codec
from syncml_codec.model import (
    Add,
    Atomic,
    Command,
    Delete,
    Get,
    Item,
    Message,
    Meta,
    Replace,
    Results,
    Sequence,
    Status,
)
from syncml_codec.session import Assembler, chunk_item
from syncml_codec.session.outbox import pack

from documents import SIZES, wbxml

MESSAGE_SIZE = 65_536
CHUNK = 65_536
#: Object sizes the reassembly series runs through: all beyond the CPU's last cache (32 MiB
#: here), so the series shows how the time grows with the size, not where the caches end.
OBJECT_SIZES = (40 << 20, 70 << 20, 100 << 20)
#: Random command lists for the fill figure: how many, and how many commands each.
RANDOM_LISTS, RANDOM_COMMANDS = 10, 2_000
#: The longest Data of an Item drawn, which keeps every whole command (up to three Items)
#: under 5% of 64 KB: a command is never split, and an object that fits one message must not be
#: chunked (OMA DM 1.2 Protocol 2.1, 2.2), so a message can be left short of the bound by up to
#: the size of the command that follows it. Objects of 100 to 300 KB, drawn too, go in chunks.
RANDOM_DATA = 900


def _document() -> Message:
    return Message.from_bytes(wbxml("dm", SIZES["huge"]))


def outbox_operations() -> dict[tuple[str, str], Callable[[], object]]:
    message = _document()
    commands = list(message.commands)
    element = message.element
    return {
        ("encode the 10 MB DM document", "cython"): lambda: syncml_codec.encode(element),
        ("cut it into 64 KB messages", "cython"): lambda: pack(
            commands, message.header, MESSAGE_SIZE
        ),
    }


def fill() -> float:
    """The emptiest message but the last, as a share of MaxMsgSize."""
    message = _document()
    sizes = [len(m.to_wbxml()) for m in pack(list(message.commands), message.header, MESSAGE_SIZE)]
    assert max(sizes) <= MESSAGE_SIZE
    return min(sizes[:-1]) / MESSAGE_SIZE


def random_fill() -> float:
    """The emptiest message but the last of ``RANDOM_LISTS`` random command lists cut into
    64 KB messages, as a share of MaxMsgSize."""
    picker = random.Random(17)
    header = Message(session_id="1", msg_id=1, target="IMEI:1", source="srv").header
    emptiest = 1.0
    for _ in range(RANDOM_LISTS):
        commands = [c for _ in range(RANDOM_COMMANDS) for c in _random_commands(picker)]
        sizes = [len(m.to_wbxml()) for m in pack(commands, header, MESSAGE_SIZE)]
        assert max(sizes) <= MESSAGE_SIZE
        emptiest = min(emptiest, min(sizes[:-1]) / MESSAGE_SIZE)
    return emptiest


def _random_commands(picker: random.Random) -> list[Command]:
    """One command drawn (two for a Status and the Results that follow it)."""

    def uri() -> str:
        return "./" + "/".join(picker.choice(("DevInfo", "Mod", "a", "Ext", "x1")) for _ in "ab")

    def item(data: bool = True) -> Item:
        text = "v" * picker.randrange(RANDOM_DATA) if data else None
        return Item(target=uri(), data=text, meta=Meta(format="chr", type="text/plain"))

    kind = picker.random()
    if kind < 0.01:
        size = picker.randrange(100_000, 300_000)
        pkg = Item(target=uri(), data=os.urandom(size), meta=Meta(format="bin"))
        return [Replace(items=[pkg])]
    if kind < 0.3:
        return [Get(items=[Item(target=uri())])]
    if kind < 0.55:
        return [Replace(items=[item() for _ in range(picker.randrange(1, 4))])]
    if kind < 0.65:
        return [Add(items=[item()])]
    if kind < 0.7:
        return [Delete(items=[Item(target=uri())])]
    if kind < 0.75:
        inner = [Replace(items=[item()]) for _ in range(picker.randrange(1, 4))]
        return [Atomic(commands=inner) if picker.random() < 0.5 else Sequence(commands=inner)]
    ref = str(picker.randrange(1, 500))
    status = Status(msg_ref="1", cmd_ref=ref, cmd="Get", target_refs=[uri()], code=200)
    return [status, Results(msg_ref="1", cmd_ref=ref, items=[item()])]


def _chunks(size: int) -> list[Replace]:
    item = Item(target="./FUMO/Update/PkgData", data=os.urandom(size), meta=Meta(format="bin"))
    return [
        Replace(cmd_id="1", items=[piece]) for piece in chunk_item(item, itertools.repeat(CHUNK))
    ]


def _reassemble(commands: list[Replace], sink: bool) -> object:
    assembler = Assembler(sink=(lambda command: _Discard()) if sink else None)
    for command in commands:
        outcome = assembler.feed(command)
    return outcome


def reassembly() -> dict[str, float]:
    """:func:`reassembly_here`, in a process of its own: in the report's process the memory
    earlier measures left behind makes the first size faster than the others (its pages are
    there already, theirs are faulted in), which is not what the series is for."""
    done = subprocess.run(
        [sys.executable, __file__, "reassembly"], capture_output=True, check=True, text=True
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def reassembly_here() -> dict[str, float]:
    """Throughput (MB/s, best of three) per object size, the share of the best at the largest,
    and the peaks at the largest: in memory over the object's size, with a sink in chunks."""
    figures: dict[str, float] = {}
    throughputs = []
    for size in OBJECT_SIZES:
        commands = _chunks(size)
        best = min(_timed(_reassemble, commands) for _ in range(3))
        throughputs.append(size / best / 1e6)
        figures[f"MB/s at {size >> 20} MB"] = throughputs[-1]
    figures["throughput at 100 MB / best"] = throughputs[-1] / max(throughputs)
    commands = _chunks(OBJECT_SIZES[-1])
    figures["peak / object, in memory"] = (
        _peak(lambda: _reassemble(commands, False)) / OBJECT_SIZES[-1]
    )
    figures["peak in chunks, with a sink"] = _peak(lambda: _reassemble(commands, True)) / CHUNK
    return figures


class _Discard(io.RawIOBase):
    """A sink that keeps nothing (what a file on disk costs the process's memory)."""

    def write(self, data: object) -> int:
        return len(data)  # type: ignore[arg-type]


def _timed(reassemble: Callable[[list[Replace], bool], object], commands: list[Replace]) -> float:
    gc.collect()
    start = time.perf_counter()
    reassemble(commands, False)
    return time.perf_counter() - start


def _peak(function: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = function()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    del result
    return peak


if __name__ == "__main__" and sys.argv[1:] == ["reassembly"]:
    print(json.dumps(reassembly_here()))
