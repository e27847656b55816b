"""The command line on a large capture: ``dump`` (the annotated token listing) against
``convert`` to XML, both through ``syncml_codec.cli.main`` with their output going to
``os.devnull``, on the DM document of 14 MB as XML (6 MB of WBXML).

``listing_operations()`` returns ``{(group, contender): callable}`` for ``report.median_times``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from syncml_codec.cli import main

from documents import wbxml

#: The capture's size as XML: the size the report on the command line named.
CAPTURE_XML_BYTES = 14_000_000
DUMP = "dump the capture (token listing)"
CONVERT = "convert the capture to XML"


def _capture() -> Path:
    path = Path(tempfile.gettempdir()) / f"syncml-codec-capture-{CAPTURE_XML_BYTES}.wbxml"
    data = wbxml("dm", CAPTURE_XML_BYTES)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def _run(*args: str) -> None:
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        if main(list(args)) != 0:
            raise RuntimeError(f"syncml_codec {' '.join(args)} failed")


def listing_operations() -> dict[tuple[str, str], Callable[[], object]]:
    path = str(_capture())
    return {
        (DUMP, "cython"): lambda: _run("dump", path),
        (CONVERT, "cython"): lambda: _run("convert", path, "-o", os.devnull),
    }
