"""Developer sessions: ``nox -l`` lists them, ``nox -s tests`` runs one.

Each session installs into a virtual environment of its own; ``tests`` builds the compiled core
and runs the suite against both implementations, ``tests_pure_install`` installs without the
extension (as on a machine with no C compiler).
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests", "tests_pure_install"]
nox.options.default_venv_backend = "venv"


@nox.session
def tests(session: nox.Session) -> None:
    """The suite with the compiled core, each test against both implementations."""
    session.install("-e", ".[test]")
    session.run(
        "python", "-m", "pytest", *session.posargs, env={"SYNCML_CODEC_REQUIRE_CYTHON": "1"}
    )


@nox.session
def tests_pure(session: nox.Session) -> None:
    """The suite restricted to the pure-Python implementation (``SYNCML_CODEC_PUREPYTHON=1``)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs, env={"SYNCML_CODEC_PUREPYTHON": "1"})


@nox.session
def tests_pure_install(session: nox.Session) -> None:
    """An install without the extension (``SYNCML_CODEC_NO_EXTENSION=1``), then the suite."""
    session.install(".[test]", env={"SYNCML_CODEC_NO_EXTENSION": "1"})
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff format --check and ruff check over the whole tree."""
    session.install("ruff")
    session.run("ruff", "format", "--check", ".")
    session.run("ruff", "check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package (the compiled core through its stub)."""
    session.install("-e", ".[lint]")
    session.run("mypy", "--strict", "-p", "syncml_codec")


@nox.session
def coverage(session: nox.Session) -> None:
    """Branch coverage of the Python code (the pure twin's run covers what the core mirrors)."""
    session.install("-e", ".[test,coverage]")
    session.run("coverage", "run", "-m", "pytest", "-q", *session.posargs)
    session.run("coverage", "report")


@nox.session
def bench(session: nox.Session) -> None:
    """pytest-benchmark groups, then the report (benchmarks/RESULTS.md and scaling.png)."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "pytest", "benchmarks/", *session.posargs)
    session.run("python", "benchmarks/report.py")


@nox.session
def fuzz(session: nox.Session) -> None:
    """Every fuzz target for a while (seconds per target as the argument, default 60); needs
    clang. Findings land in fuzz/findings/."""
    session.install("-e", ".[test,fuzz]")
    seconds = session.posargs[0] if session.posargs else "60"
    session.run("bash", "fuzz/campaign.sh", seconds, external=True)


@nox.session
def asan(session: nox.Session) -> None:
    """The suite and the fuzz findings against the core built with ASan and UBSan (needs clang)."""
    session.install("-e", ".[test]")
    session.run("bash", "fuzz/asan.sh", external=True)
