"""Security: credentials, challenges and HMAC (``auth``), package 0 notifications
(``notification``)."""

from . import auth, notification

__all__ = ["auth", "notification"]
