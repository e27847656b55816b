"""Every Python block of the README runs as written, from the project's root, and the command
line's help names every option the README shows."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from helpers import ROOT

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)

pytestmark = pytest.mark.usefixtures("codec")


def test_the_readme_has_its_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_each_python_block_runs_as_written(number, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exec(compile(BLOCKS[number], f"README.md block {number + 1}", "exec"), {})


def test_the_options_the_readme_shows_are_in_the_help():
    shown = set(re.findall(r"(--[a-z][a-z-]+)", README))
    helps = ""
    for command in (
        ["convert"],
        ["dump"],
        ["notification", "decode"],
        ["notification", "encode"],
        ["bench"],
        ["simulate"],
        [str(ROOT / "examples" / "dm_server.py")],
        [str(ROOT / "examples" / "device_simulator.py")],
    ):
        program = command if command[0].endswith(".py") else ["-m", "syncml_codec", *command]
        done = subprocess.run(
            [sys.executable, *program, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        helps += done.stdout
    missing = {option for option in shown if option not in helps and option not in ("--version",)}
    assert missing <= {"--help"}, missing
