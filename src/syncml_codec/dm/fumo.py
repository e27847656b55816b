"""FUMO (OMA Firmware Update Management Object 1.0) as a plug-in of the DPU.

Mount a :class:`FumoHandler` on the node of one firmware update (``./FwUpdate/x1``): the server
Replaces ``PkgURL`` (or sends the package itself to ``Update/PkgData``, a large object), then
Execs ``Download``, ``Update`` or ``DownloadAndUpdate``; the handler answers 202, and the work
happens when the device calls :meth:`FumoHandler.run_pending` (the download and the installation
are the device's callbacks), moving ``State`` through the FUMO values and leaving the Generic
Alert (1226) with the Exec's Correlator for the client to send, in this session or the next.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from ..model.codes import StatusCode
from ..model.commands import Alert
from ..model.responses import fumo_alert
from .errors import TreeError
from .formats import check_value
from .processor import BaseHandler
from .tree import NodeData
from .uri import Uri

__all__ = ["FumoHandler", "FumoState"]


class FumoState(IntEnum):
    """The values of ``<x>/State`` (FUMO 1.0)."""

    IDLE = 10
    DOWNLOAD_FAILED = 20
    DOWNLOAD_PROGRESSING = 30
    DOWNLOAD_COMPLETE = 40
    READY_TO_UPDATE = 50
    UPDATE_PROGRESSING = 60
    UPDATE_FAILED_HAVE_DATA = 70
    UPDATE_FAILED_NO_DATA = 80
    UPDATE_SUCCESSFUL_HAVE_DATA = 90
    UPDATE_SUCCESSFUL_NO_DATA = 100


#: FUMO's result code for a successful operation.
SUCCESS = 200
_OPERATIONS = {"Download": "download", "Update": "update", "DownloadAndUpdate": "downloadandupdate"}
_INTERIOR = {
    (): "PkgName/PkgVersion/Download/Update/DownloadAndUpdate/State",
    ("Download",): "PkgURL",
    ("Update",): "PkgData",
    ("DownloadAndUpdate",): "PkgURL",
}


class FumoHandler(BaseHandler):
    """One firmware update node. ``download(url)`` fetches the package: its bytes, or a FUMO
    result code (an ``int``) when it fails; ``install(package)`` installs it and returns the
    result code (200 on success)."""

    def __init__(
        self,
        uri: str,
        *,
        download: Callable[[str], bytes | int],
        install: Callable[[bytes], int],
        pkg_name: str = "",
        pkg_version: str = "",
    ) -> None:
        self.uri = Uri.parse(uri)
        self.download = download
        self.install = install
        self.values: dict[tuple[str, ...], Any] = {
            ("PkgName",): pkg_name,
            ("PkgVersion",): pkg_version,
            ("Download", "PkgURL"): "",
            ("DownloadAndUpdate", "PkgURL"): "",
        }
        self.package: bytes | None = None
        self.state = FumoState.IDLE
        self.pending: list[tuple[str, str | None]] = []  # (operation node, Correlator)
        #: The Generic Alerts the work finished so far leaves to send.
        self.alerts: list[Alert] = []

    # -- the DPU's protocol --------------------------------------------------------------------

    def get(self, uri: Uri) -> NodeData:
        below = self._below(uri)
        if below in _INTERIOR:
            return NodeData(_INTERIOR[below], "node", "text/plain")
        if below == ("State",):
            return NodeData(str(int(self.state)), "int", "text/plain")
        if below == ("Update", "PkgData"):
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, "PkgData is only replaced")
        if below not in self.values:
            raise TreeError(StatusCode.NOT_FOUND, f"no node {uri}")
        return NodeData(self.values[below], "chr", "text/plain")

    def replace(self, uri: Uri, value: Any, format: str | None, type: str | None) -> None:
        below = self._below(uri)
        if below == ("Update", "PkgData"):
            if isinstance(value, str):  # base64 text (XML), or OPAQUE read as text (WBXML)
                try:
                    value = (
                        base64.b64decode(value, validate=True)
                        if format == "b64"
                        else (value.encode("utf-8"))
                    )
                except ValueError:  # binascii.Error, or text that is not ASCII
                    raise TreeError(StatusCode.BAD_REQUEST, "PkgData: bad base64") from None
            if not isinstance(value, bytes):
                raise TreeError(StatusCode.BAD_REQUEST, "PkgData holds the package")
            self.package = value
            self.state = FumoState.READY_TO_UPDATE
            return
        if below not in self.values:
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"{uri} cannot be replaced")
        if format not in (None, "chr"):
            raise TreeError(StatusCode.UNSUPPORTED_MEDIA_TYPE, f"{uri} holds chr, not {format}")
        self.values[below] = check_value(value, "chr")  # UTF-8 text; no Data is ""

    def exec(self, uri: Uri, data: Any, correlator: str | None) -> int:
        below = self._below(uri)
        if len(below) != 1 or below[0] not in _OPERATIONS:
            raise TreeError(StatusCode.COMMAND_NOT_ALLOWED, f"{uri} cannot be executed")
        if below[0] == "Update" and self.package is None:
            raise TreeError(StatusCode.COMMAND_FAILED, "no package to install: Replace PkgData")
        self.pending.append((below[0], correlator))
        return StatusCode.ACCEPTED

    # -- the device's side ---------------------------------------------------------------------

    def run_pending(self) -> list[Alert]:
        """Do the work the Execs asked for (the callbacks run now), and return the Generic
        Alerts they leave (also kept in :attr:`alerts` until sent)."""
        done = []
        while self.pending:
            operation, correlator = self.pending.pop(0)
            code = self._run(operation)
            alert = fumo_alert(
                str(self.uri), code, operation=_OPERATIONS[operation], correlator=correlator
            )
            done.append(alert)
        self.alerts += done
        return done

    def _run(self, operation: str) -> int:
        if operation in ("Download", "DownloadAndUpdate"):
            code = self._download(self.values[(operation, "PkgURL")])
            if code != SUCCESS or operation == "Download":
                return code
        return self._install()

    def _download(self, url: str) -> int:
        self.state = FumoState.DOWNLOAD_PROGRESSING
        fetched = self.download(url)
        if isinstance(fetched, int):
            self.state = FumoState.DOWNLOAD_FAILED
            return fetched
        self.package = fetched
        self.state = FumoState.DOWNLOAD_COMPLETE
        return SUCCESS

    def _install(self) -> int:
        assert self.package is not None
        self.state = FumoState.UPDATE_PROGRESSING
        code = self.install(self.package)
        success = 200 <= code <= 299
        self.state = (
            FumoState.UPDATE_SUCCESSFUL_NO_DATA if success else FumoState.UPDATE_FAILED_HAVE_DATA
        )
        if success:
            self.package = None
        return code

    def _below(self, uri: Uri) -> tuple[str, ...]:
        if uri.segments[: len(self.uri.segments)] != self.uri.segments:
            raise TreeError(StatusCode.NOT_FOUND, f"{uri} is not under {self.uri}")
        return uri.segments[len(self.uri.segments) :]
