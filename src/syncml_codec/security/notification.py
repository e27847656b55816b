"""Package 0: the server-alerted notification that starts a session (OMA DM Notification 1.2 §6.2,
and the OMA DS 1.2 Server Alerted Notification).

Layout, big-endian::

    digest        16 bytes  H(B64(H(server-id ":" password)) ":" nonce ":" B64(H(trigger)))
    version       10 bits   notification version x 10 (DM 1.2: 11, DS 1.2: 12)
    ui-mode        2 bits
    initiator      1 bit
    future-use    27 bits
    session-id    16 bits   the SessionID of the session that follows, as uppercase hex
    length         8 bits   of the server identifier
    server-id     N bytes
    trigger body  the rest  DM: vendor data; DS: the sync alerts per data store

``trigger`` is every byte after the digest. Decoding never raises anything but DecodeError.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any

from ..errors import DecodeError

__all__ = [
    "UIMode",
    "Initiator",
    "Notification",
    "SyncAlert",
    "SyncNotification",
    "RESYNC_NONCES",
    "session_id_text",
]

HEADER_SIZE = 24  # digest, the 40-bit word, session id and server-id length
DIGEST_SIZE = 16
#: The "special nonce value 0x00000000" a client may retry with after a digest failure; peers
#: disagree on whether it is four zero bytes or the ASCII text, so both are tried.
RESYNC_NONCES = (b"\x00\x00\x00\x00", b"0x00000000")


class UIMode(IntEnum):
    NOT_SPECIFIED = 0
    BACKGROUND = 1
    INFORMATIVE = 2
    USER_INTERACTION = 3


class Initiator(IntEnum):
    CLIENT = 0  # client or user initiated
    SERVER = 1


def session_id_text(session_id: int) -> str:
    """The SessionID of the session a notification starts: uppercase hex without leading zeros."""
    return f"{session_id:X}"


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def compute_digest(server_id: str, password: str | bytes, nonce: bytes, trigger: bytes) -> bytes:
    """The 16-byte notification digest."""
    secret = password if isinstance(password, bytes) else password.encode("utf-8")
    key = base64.b64encode(_md5(server_id.encode("utf-8") + b":" + secret))
    return _md5(key + b":" + nonce + b":" + base64.b64encode(_md5(trigger)))


@dataclass(frozen=True)
class _Header:
    """What every notification carries; ``body`` is the trigger body after the server id."""

    server_id: str
    session_id: int = 0
    version: int = 11
    ui_mode: int = UIMode.NOT_SPECIFIED
    initiator: int = Initiator.SERVER
    future_use: int = 0
    digest: bytes = field(default=bytes(DIGEST_SIZE), repr=False)

    def _check(self) -> None:
        if not 0 <= self.version < 1 << 10:
            raise ValueError("version is a 10-bit number")
        if not 0 <= self.session_id <= 0xFFFF:
            raise ValueError("session_id is a 16-bit number")
        if not 0 <= self.future_use < 1 << 27:
            raise ValueError("future_use is 27 bits")
        if int(self.ui_mode) not in range(4) or int(self.initiator) not in (0, 1):
            raise ValueError("ui_mode is 0-3 and initiator 0 or 1")
        if len(self.server_id.encode("utf-8")) > 255:
            raise ValueError("the server identifier is at most 255 bytes")

    @property
    def session_id_text(self) -> str:
        """The SessionID the following session uses (uppercase hex, no leading zeros)."""
        return session_id_text(self.session_id)

    def _trigger(self, body: bytes) -> bytes:
        self._check()
        word = (
            (self.version << 30)
            | (int(self.ui_mode) << 28)
            | (int(self.initiator) << 27)
            | self.future_use
        )
        server_id = self.server_id.encode("utf-8")
        return (
            word.to_bytes(5, "big")
            + self.session_id.to_bytes(2, "big")
            + bytes([len(server_id)])
            + server_id
            + body
        )

    def _digest_matches(
        self, body: bytes, password: str | bytes, nonce: bytes, allow_resync: bool
    ) -> bool:
        trigger = self._trigger(body)
        nonces = (nonce, *RESYNC_NONCES) if allow_resync else (nonce,)
        return any(
            hmac.compare_digest(self.digest, compute_digest(self.server_id, password, n, trigger))
            for n in nonces
        )

    @staticmethod
    def _read(data: bytes) -> tuple[dict[str, Any], int]:
        """The header fields of ``data`` and the offset where the trigger body starts."""
        data = bytes(data)
        if len(data) < HEADER_SIZE:
            raise DecodeError(
                f"a notification has at least {HEADER_SIZE} bytes, not {len(data)}", len(data)
            )
        word = int.from_bytes(data[16:21], "big")
        version = word >> 30
        if not 10 <= version <= 12:
            raise DecodeError(f"unsupported notification version {version / 10:.1f}", 16)
        length = data[23]
        if HEADER_SIZE + length > len(data):
            raise DecodeError(f"server identifier of {length} bytes runs past the end", 23)
        try:
            server_id = data[HEADER_SIZE : HEADER_SIZE + length].decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError("server identifier is not UTF-8 text", HEADER_SIZE) from None
        fields = {
            "digest": data[:DIGEST_SIZE],
            "version": version,
            "ui_mode": UIMode((word >> 28) & 0x3),
            "initiator": Initiator((word >> 27) & 0x1),
            "future_use": word & ((1 << 27) - 1),
            "session_id": int.from_bytes(data[21:23], "big"),
            "server_id": server_id,
        }
        return fields, HEADER_SIZE + length


@dataclass(frozen=True)
class Notification(_Header):
    """A DM 1.2 notification (package 0): header fields and optional vendor data."""

    vendor_data: bytes = b""

    def encode(self, password: str | bytes, nonce: bytes = b"") -> bytes:
        """The notification bytes with the digest computed from the server's credentials."""
        trigger = self._trigger(self.vendor_data)
        return compute_digest(self.server_id, password, nonce, trigger) + trigger

    def signed(self, password: str | bytes, nonce: bytes = b"") -> Notification:
        """This notification with its digest computed."""
        return replace(self, digest=self.encode(password, nonce)[:DIGEST_SIZE])

    def verify(
        self, password: str | bytes, nonce: bytes = b"", *, allow_resync: bool = False
    ) -> bool:
        """Whether the digest proves the server knows ``password`` (constant-time).

        ``allow_resync`` also accepts the special resynchronisation nonce (both spellings).
        """
        return self._digest_matches(self.vendor_data, password, nonce, allow_resync)

    @classmethod
    def decode(cls, data: bytes) -> Notification:
        """Read a notification; DecodeError (with the offset) when it is malformed."""
        fields, end = cls._read(data)
        return cls(vendor_data=bytes(data[end:]), **fields)


@dataclass(frozen=True)
class SyncAlert:
    """One data store to synchronise, in a DS notification."""

    sync_type: int  # the alert code, 206-210
    server_uri: str
    content_type: int = 0  # WSP/IANA content-type code, 0 when not specified

    def encode(self) -> bytes:
        uri = self.server_uri.encode("utf-8")
        if (
            not 200 <= self.sync_type <= 215
            or not 0 <= self.content_type < 1 << 24
            or len(uri) > 255
        ):
            raise ValueError("sync_type is 200-215, content_type 24 bits, server_uri <= 255 bytes")
        return (
            bytes([(self.sync_type - 200) << 4])
            + self.content_type.to_bytes(3, "big")
            + bytes([len(uri)])
            + uri
        )


@dataclass(frozen=True)
class SyncNotification(_Header):
    """A DS 1.2 Server Alerted Notification: the header and one alert per data store."""

    version: int = 12
    syncs: tuple[SyncAlert, ...] = ()
    vendor_data: bytes = b""  # whatever follows the sync alerts

    def _body(self) -> bytes:
        if len(self.syncs) > 15:
            raise ValueError("a DS notification names at most 15 data stores")
        return (
            bytes([len(self.syncs) << 4])
            + b"".join(s.encode() for s in self.syncs)
            + self.vendor_data
        )

    def encode(self, password: str | bytes, nonce: bytes = b"") -> bytes:
        trigger = self._trigger(self._body())
        return compute_digest(self.server_id, password, nonce, trigger) + trigger

    def verify(
        self, password: str | bytes, nonce: bytes = b"", *, allow_resync: bool = False
    ) -> bool:
        return self._digest_matches(self._body(), password, nonce, allow_resync)

    @classmethod
    def decode(cls, data: bytes) -> SyncNotification:
        fields, pos = cls._read(data)
        data = bytes(data)
        if pos >= len(data):
            raise DecodeError("a DS notification needs the number of syncs", pos)
        count = data[pos] >> 4
        pos += 1
        syncs = []
        for _ in range(count):
            if pos + 5 > len(data):
                raise DecodeError("sync alert cut short", pos)
            length = data[pos + 4]
            if pos + 5 + length > len(data):
                raise DecodeError(f"server URI of {length} bytes runs past the end", pos + 4)
            try:
                uri = data[pos + 5 : pos + 5 + length].decode("utf-8")
            except UnicodeDecodeError:
                raise DecodeError("server URI is not UTF-8 text", pos + 5) from None
            syncs.append(
                SyncAlert(
                    200 + (data[pos] >> 4), uri, int.from_bytes(data[pos + 1 : pos + 4], "big")
                )
            )
            pos += 5 + length
        return cls(syncs=tuple(syncs), vendor_data=data[pos:], **fields)
