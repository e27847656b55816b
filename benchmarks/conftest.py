"""Benchmark fixtures: documents by size, and both codec implementations."""

from __future__ import annotations

import os

import pytest

from syncml_codec import api

#: Sizes to run; ``SYNCML_BENCH_SIZES=small,medium`` keeps a run short.
SELECTED = os.environ.get("SYNCML_BENCH_SIZES", "small,medium,large").split(",")


@pytest.fixture(params=sorted(api._IMPLEMENTATIONS))
def implementation(request):
    """Switch the public API to one implementation for the benchmark's duration."""
    previous = api.IMPLEMENTATION
    api._use(request.param)
    yield request.param
    api._use(previous)
