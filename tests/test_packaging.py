"""How the package installs and starts: the compiled core is optional, and a broken one is
reported rather than replaced in silence."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import syncml_codec

from helpers import ROOT


def test_without_a_compiler_the_build_goes_on_and_says_why(tmp_path):
    for part in ("setup.py", "pyproject.toml", "README.md", "src"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("*.so", "*.c"))
        else:
            shutil.copy(source, tmp_path / part)
    environment = dict(os.environ, CC="false", LDSHARED="false")
    environment.pop("SYNCML_CODEC_REQUIRE_EXTENSION", None)
    done = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("the compiled core could not be built") == 1
    assert not list((tmp_path / "src" / "syncml_codec").glob("_wbxml*.so"))


def test_a_compiled_core_that_does_not_import_is_reported(tmp_path):
    package = Path(syncml_codec.__file__).parent
    copy = tmp_path / "syncml_codec"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("_wbxml*.so", "__pycache__"))
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    (copy / f"_wbxml{suffix}").write_bytes(b"not a shared object")
    done = subprocess.run(
        [sys.executable, "-c", "import syncml_codec; print(syncml_codec.IMPLEMENTATION)"],
        env=dict(os.environ, PYTHONPATH=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "python"
    assert "the compiled core is installed but does not import" in done.stderr


@pytest.mark.parametrize("value,pure", [("1", True), ("true", True), ("0", False), ("", False)])
def test_only_a_true_value_of_the_switch_selects_the_pure_implementation(value, pure):
    done = subprocess.run(
        [sys.executable, "-c", "from syncml_codec import _impl; print(_impl.pure_python_forced())"],
        env=dict(os.environ, SYNCML_CODEC_PUREPYTHON=value),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == str(pure)
