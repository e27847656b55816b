"""Timing in interleaved rounds, as ``benchmarks/`` does and the ``bench`` command reports."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

__all__ = ["time_rounds"]

K = TypeVar("K", bound=Hashable)
#: A function slower than this per call runs once per round (libwbxml on 10 MB...).
_SLOW = 0.5


def time_rounds(
    functions: dict[K, Callable[[], object]], budget: float = 0.4, repeat: int = 5
) -> dict[K, list[float]]:
    """Seconds per call of each function, one figure per round.

    Each function gets enough calls per round to fill its share of ``budget``, after one
    untimed call that leaves the caches and the allocator as its own calls leave them; the
    rounds interleave the functions (round 1 of each, then round 2 of each, ...), so a burst of
    noise from the machine lands in one round of several functions, which a median drops,
    rather than in every round of one. A function slower than half a second per call runs in
    three rounds only, once each. The garbage collector is left as it is.
    """
    calls = {
        key: _calls_per_round(function, budget / repeat) for key, function in functions.items()
    }
    rounds: dict[K, list[float]] = {key: [] for key in functions}
    for round_number in range(repeat):
        for key, function in functions.items():
            if calls[key] is None and round_number >= 3:
                continue
            number = calls[key] or 1
            if calls[key] is not None:
                function()  # warm: the caches and the allocator as the last call left them
            start = time.perf_counter()
            for _ in range(number):
                function()
            rounds[key].append((time.perf_counter() - start) / number)
    return rounds


def _calls_per_round(function: Callable[[], object], seconds: float) -> int | None:
    """How many calls of ``function`` fill ``seconds`` (after one warm-up call); None when a
    single call takes over half a second."""
    start = time.perf_counter()
    function()
    once = max(time.perf_counter() - start, 1e-7)
    return None if once > _SLOW else max(1, int(seconds / once))
