"""Regenerate the libwbxml encodings of the XML vectors.

For every ``xml/NAME.xml`` this runs libwbxml's ``xml2wbxml`` twice and writes
``libwbxml/NAME.wbxml`` (default options: string table on) and ``libwbxml-n/NAME.wbxml``
(``-n``: no string table). Needs ``xml2wbxml`` (Debian package ``libwbxml2-utils``).

    python vectors/regenerate.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODES = {"libwbxml": [], "libwbxml-n": ["-n"]}


def main() -> int:
    tool = shutil.which("xml2wbxml")
    if tool is None:
        print("xml2wbxml not found: apt-get install libwbxml2-utils", file=sys.stderr)
        return 1
    sources = sorted((HERE / "xml").glob("*.xml"))
    for folder, flags in MODES.items():
        (HERE / folder).mkdir(exist_ok=True)
        for source in sources:
            target = HERE / folder / f"{source.stem}.wbxml"
            subprocess.run(
                [tool, *flags, "-o", str(target), str(source)], check=True, capture_output=True
            )
    print(f"{len(sources)} vectors x {len(MODES)} encodings written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
