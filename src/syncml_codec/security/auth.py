"""SyncML authentication: basic and MD5 credentials, challenges, and the HMAC transport header.

Formulas from OMA DM Security 1.2 §5.1 (H = MD5, B64 = Base64):

* basic: ``B64(user ":" password)``;
* MD5 digest: ``B64(H(B64(H(user ":" password)) ":" nonce))``, nonce as raw bytes;
* HMAC: ``B64(H(B64(H(user ":" password)) ":" nonce ":" B64(H(body))))`` over the exact bytes of the
  message body, carried in the ``x-syncml-hmac`` transport header.

Every comparison is constant-time; nothing here logs, and no object's repr shows a secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from ..errors import SyncMLError
from ..model import Chal, Cred, Message, Meta, Status, StatusCode, status_for_header

__all__ = [
    "AUTH_BASIC",
    "AUTH_MD5",
    "AUTH_MAC",
    "HMAC_HEADER",
    "AuthError",
    "HmacHeader",
    "basic_credential",
    "md5_digest",
    "md5_credential",
    "verify_credential",
    "new_nonce",
    "decode_nonce",
    "challenge",
    "chal_for",
    "hmac_mac",
    "hmac_header",
    "parse_hmac_header",
    "verify_hmac",
]

AUTH_BASIC = "syncml:auth-basic"
AUTH_MD5 = "syncml:auth-md5"
AUTH_MAC = "syncml:auth-MAC"
#: The transport header carrying a message's HMAC.
HMAC_HEADER = "x-syncml-hmac"


class AuthError(SyncMLError, ValueError):
    """Malformed authentication data (a Cred, a nonce, an x-syncml-hmac header)."""


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def _utf8(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")


def _secret_hash(username: str | bytes, password: str | bytes) -> bytes:
    """``B64(H(username ":" password))``: what a peer stores instead of the password."""
    return _b64(_md5(_utf8(username) + b":" + _utf8(password)))


def basic_credential(username: str, password: str) -> Cred:
    """A ``syncml:auth-basic`` Cred: ``B64(username ":" password)``, Format ``b64``."""
    data = _b64(_utf8(username) + b":" + _utf8(password)).decode("ascii")
    return Cred(meta=Meta(type=AUTH_BASIC, format="b64"), data=data)


def md5_digest(username: str, password: str, nonce: bytes) -> str:
    """The ``syncml:auth-md5`` digest (Base64) for raw ``nonce`` bytes."""
    return _b64(_md5(_secret_hash(username, password) + b":" + nonce)).decode("ascii")


def md5_credential(username: str, password: str, nonce: bytes) -> Cred:
    """A ``syncml:auth-md5`` Cred; put ``username`` in SyncHdr/Source/LocName too."""
    return Cred(meta=Meta(type=AUTH_MD5, format="b64"), data=md5_digest(username, password, nonce))


def verify_credential(cred: Cred | None, username: str, password: str, nonce: bytes = b"") -> bool:
    """Whether a received Cred proves ``username``/``password`` (basic, or MD5 over ``nonce``).

    No Cred, unknown types and malformed data are simply not valid; the comparison is
    constant-time.
    """
    if cred is None:
        return False
    meta = cred.meta
    auth_type = (meta.type or AUTH_BASIC) if meta is not None else AUTH_BASIC
    received = cred.data
    if not isinstance(received, str):
        return False
    received_bytes = received.strip().encode("ascii", "replace")
    if auth_type == AUTH_BASIC:
        expected = _b64(_utf8(username) + b":" + _utf8(password))
    elif auth_type == AUTH_MD5:
        expected = md5_digest(username, password, nonce).encode("ascii")
    else:
        return False
    return hmac.compare_digest(received_bytes, expected)


def new_nonce(size: int = 16) -> bytes:
    """A fresh nonce: ``size`` random bytes (16+ recommended). Every function here takes a nonce
    as these raw bytes; a Chal carries it in Base64 (``challenge`` writes it, ``decode_nonce``
    reads it)."""
    if size < 1:
        raise ValueError("a nonce needs at least one byte")
    return secrets.token_bytes(size)


def decode_nonce(next_nonce: str) -> bytes:
    """The raw nonce bytes of a received NextNonce (Format ``b64``)."""
    try:
        return base64.b64decode(next_nonce.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise AuthError("NextNonce is not valid Base64") from None


def challenge(
    received: Message,
    *,
    auth_type: str = AUTH_MD5,
    code: int = StatusCode.MISSING_CREDENTIALS,
    nonce: bytes | None = None,
) -> Status:
    """The Status for the SyncHdr of ``received`` that challenges its sender.

    ``code`` is 407 (no credentials) or 401 (refused); the Chal names ``auth_type`` with Format
    ``b64`` and, for MD5 and HMAC, a NextNonce: ``nonce`` (raw bytes, from :func:`new_nonce`,
    kept by the caller for the next check), or a fresh one (read it back with
    ``decode_nonce(status.chal.meta.next_nonce)``).
    """
    if int(code) not in (StatusCode.INVALID_CREDENTIALS, StatusCode.MISSING_CREDENTIALS):
        raise ValueError("a challenge goes with status 401 or 407")
    return status_for_header(received, code, chal=chal_for(auth_type, nonce))


def chal_for(auth_type: str = AUTH_MD5, nonce: bytes | None = None) -> Chal:
    """A Chal naming ``auth_type`` (Format ``b64``) with, for MD5 and HMAC, a NextNonce:
    ``nonce`` (raw bytes) or a fresh one. With 401/407 it challenges; with 200/212 it gives the
    nonce for the next request or session."""
    meta = Meta(type=auth_type, format="b64")
    if auth_type != AUTH_BASIC:
        meta.next_nonce = _b64(nonce if nonce is not None else new_nonce()).decode("ascii")
    return Chal(meta=meta)


# -- HMAC ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HmacHeader:
    """A parsed ``x-syncml-hmac`` header (the mac is public: it is on the wire)."""

    username: str
    mac: str
    algorithm: str = field(default="MD5")

    def __str__(self) -> str:
        return f'algorithm={self.algorithm}, username="{self.username}", mac={self.mac}'


def hmac_mac(username: str, password: str, nonce: bytes, body: bytes) -> str:
    """The ``syncml:auth-MAC`` mac (Base64) over the exact message ``body`` bytes."""
    digest = _b64(_md5(bytes(body)))
    return _b64(_md5(_secret_hash(username, password) + b":" + nonce + b":" + digest)).decode(
        "ascii"
    )


def hmac_header(username: str, password: str, nonce: bytes, body: bytes) -> str:
    """The value of the ``x-syncml-hmac`` transport header for ``body``."""
    if '"' in username or "\\" in username:
        raise AuthError("the HMAC username cannot hold a quote or a backslash")
    return str(HmacHeader(username, hmac_mac(username, password, nonce, body)))


_PARAMETER = re.compile(r'\s*([A-Za-z][A-Za-z0-9-]*)\s*=\s*("[^"\\]*"|[^\s,"]+)\s*(?:,|$)')


def parse_hmac_header(value: str) -> HmacHeader:
    """Parse an ``x-syncml-hmac`` header strictly: ``algorithm`` (optional, MD5), a quoted
    ``username`` and a ``mac``, each once, nothing else. Raises AuthError otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise AuthError("empty x-syncml-hmac header")
    parameters: dict[str, str] = {}
    position = 0
    text = value.strip()
    while position < len(text):
        match = _PARAMETER.match(text, position)
        if match is None or match.end() == position:
            raise AuthError(f"malformed x-syncml-hmac header at character {position}")
        name, raw = match.group(1).lower(), match.group(2)
        if name in parameters:
            raise AuthError(f"x-syncml-hmac repeats {name!r}")
        if name not in ("algorithm", "username", "mac"):
            raise AuthError(f"x-syncml-hmac has an unknown parameter {name!r}")
        if name == "username" and not raw.startswith('"'):
            raise AuthError("the x-syncml-hmac username must be quoted")
        parameters[name] = raw[1:-1] if raw.startswith('"') else raw
        position = match.end()
    if text.endswith(","):
        raise AuthError("x-syncml-hmac ends with a comma")
    if "username" not in parameters or "mac" not in parameters:
        raise AuthError("x-syncml-hmac needs username and mac")
    algorithm = parameters.get("algorithm", "MD5")
    if algorithm.upper() != "MD5":
        raise AuthError(f"unsupported x-syncml-hmac algorithm {algorithm!r}")
    return HmacHeader(parameters["username"], parameters["mac"], "MD5")


def verify_hmac(
    header_value: str, password: str, nonce: bytes, body: bytes, username: str | None = None
) -> bool:
    """Whether a received ``x-syncml-hmac`` header authenticates ``body``.

    ``username``, when given, must match the header's (SyncHdr/Source/LocName). A malformed header
    raises AuthError; a wrong mac is False. The comparison is constant-time.
    """
    header = parse_hmac_header(header_value)
    if username is not None and not hmac.compare_digest(_utf8(header.username), _utf8(username)):
        return False
    expected = hmac_mac(header.username, password, nonce, body)
    return hmac.compare_digest(header.mac.encode("ascii", "replace"), expected.encode("ascii"))
