"""Alert and status codes with their meanings (OMA DM 1.2 §4.2, RepPro 1.2, DS 1.2)."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["AlertCode", "StatusCode", "DM_ALERT_CODES"]


class _DescribedCode(IntEnum):
    """An IntEnum whose members also carry the specification's short description."""

    description: str

    def __new__(cls, value: int, description: str = "") -> _DescribedCode:
        # ``description`` has a default only so that a look-up by value, StatusCode(200),
        # type-checks: members are always defined with both.
        member = int.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


class AlertCode(_DescribedCode):
    """Alert codes: DM (1100-1226) and Data Sync (100-225)."""

    # OMA DM user interaction alerts
    DISPLAY = 1100, "Display"
    CONFIRM_OR_REJECT = 1101, "Confirm or reject"
    TEXT_INPUT = 1102, "Text input"
    SINGLE_CHOICE = 1103, "Single choice"
    MULTIPLE_CHOICE = 1104, "Multiple choice"
    # OMA DM session alerts
    SERVER_INITIATED_MGMT = 1200, "Server-initiated management session"
    CLIENT_INITIATED_MGMT = 1201, "Client-initiated management session"
    NEXT_MESSAGE = 1222, "Next message"
    SESSION_ABORT = 1223, "Session abort"
    CLIENT_EVENT = 1224, "Client event"
    NO_END_OF_DATA = 1225, "End of data for chunked object not received"
    GENERIC_ALERT = 1226, "Generic alert"
    # Data Sync alerts
    DS_DISPLAY = 100, "Display"
    TWO_WAY = 200, "Two-way sync"
    SLOW_SYNC = 201, "Slow sync"
    ONE_WAY_FROM_CLIENT = 202, "One-way sync from client"
    REFRESH_FROM_CLIENT = 203, "Refresh sync from client"
    ONE_WAY_FROM_SERVER = 204, "One-way sync from server"
    REFRESH_FROM_SERVER = 205, "Refresh sync from server"
    TWO_WAY_BY_SERVER = 206, "Two-way sync alerted by server"
    ONE_WAY_FROM_CLIENT_BY_SERVER = 207, "One-way sync from client alerted by server"
    REFRESH_FROM_CLIENT_BY_SERVER = 208, "Refresh sync from client alerted by server"
    ONE_WAY_FROM_SERVER_BY_SERVER = 209, "One-way sync from server alerted by server"
    REFRESH_FROM_SERVER_BY_SERVER = 210, "Refresh sync from server alerted by server"
    RESULT_ALERT = 221, "Result alert"
    DS_NEXT_MESSAGE = 222, "Next message"
    DS_NO_END_OF_DATA = 223, "End of data for chunked object not received"
    SUSPEND = 224, "Suspend"
    RESUME = 225, "Resume"


#: The alert codes OMA DM allows ("Only the alert codes listed in this section are valid").
DM_ALERT_CODES = frozenset(code for code in AlertCode if code >= 1100)


class StatusCode(_DescribedCode):
    """Status codes of SyncML RepPro 1.2 as OMA DM and Data Sync use them."""

    IN_PROGRESS = 101, "In progress"
    OK = 200, "OK"
    ITEM_ADDED = 201, "Item added"
    ACCEPTED = 202, "Accepted for processing"
    NON_AUTHORITATIVE = 203, "Non-authoritative response"
    NO_CONTENT = 204, "No content"
    RESET_CONTENT = 205, "Reset content"
    PARTIAL_CONTENT = 206, "Partial content"
    CONFLICT_RESOLVED_WITH_MERGE = 207, "Conflict resolved with merge"
    CONFLICT_RESOLVED_CLIENT_WINS = 208, "Conflict resolved with client's command winning"
    CONFLICT_RESOLVED_WITH_DUPLICATE = 209, "Conflict resolved with duplicate"
    DELETE_WITHOUT_ARCHIVE = 210, "Delete without archive"
    ITEM_NOT_DELETED = 211, "Item not deleted"
    AUTHENTICATION_ACCEPTED = 212, "Authentication accepted"
    CHUNKED_ITEM_ACCEPTED = 213, "Chunked item accepted and buffered"
    OPERATION_CANCELLED = 214, "Operation cancelled"
    NOT_EXECUTED = 215, "Not executed"
    ATOMIC_ROLLBACK_OK = 216, "Atomic roll back OK"
    MULTIPLE_CHOICES = 300, "Multiple choices"
    MOVED_PERMANENTLY = 301, "Moved permanently"
    FOUND = 302, "Found"
    SEE_OTHER = 303, "See other URI"
    NOT_MODIFIED = 304, "Not modified"
    USE_PROXY = 305, "Use proxy"
    BAD_REQUEST = 400, "Bad request"
    INVALID_CREDENTIALS = 401, "Invalid credentials"
    PAYMENT_REQUIRED = 402, "Payment required"
    FORBIDDEN = 403, "Forbidden"
    NOT_FOUND = 404, "Not found"
    COMMAND_NOT_ALLOWED = 405, "Command not allowed"
    OPTIONAL_FEATURE_NOT_SUPPORTED = 406, "Optional feature not supported"
    MISSING_CREDENTIALS = 407, "Missing credentials"
    REQUEST_TIMEOUT = 408, "Request timeout"
    CONFLICT = 409, "Conflict"
    GONE = 410, "Gone"
    SIZE_REQUIRED = 411, "Size required"
    INCOMPLETE_COMMAND = 412, "Incomplete command"
    REQUEST_ENTITY_TOO_LARGE = 413, "Request entity too large"
    URI_TOO_LONG = 414, "URI too long"
    UNSUPPORTED_MEDIA_TYPE = 415, "Unsupported media type or format"
    REQUESTED_SIZE_TOO_BIG = 416, "Requested size too big"
    RETRY_LATER = 417, "Retry later"
    ALREADY_EXISTS = 418, "Already exists"
    CONFLICT_RESOLVED_SERVER_WINS = 419, "Conflict resolved with server data"
    DEVICE_FULL = 420, "Device full"
    UNKNOWN_SEARCH_GRAMMAR = 421, "Unknown search grammar"
    BAD_CGI_SCRIPT = 422, "Bad CGI script"
    SOFT_DELETE_CONFLICT = 423, "Soft-delete conflict"
    SIZE_MISMATCH = 424, "Size mismatch"
    PERMISSION_DENIED = 425, "Permission denied"
    PARTIAL_ITEM_NOT_ACCEPTED = 426, "Partial item not accepted"
    ITEM_NOT_EMPTY = 427, "Item not empty"
    MOVE_FAILED = 428, "Move failed"
    COMMAND_FAILED = 500, "Command failed"
    COMMAND_NOT_IMPLEMENTED = 501, "Command not implemented"
    BAD_GATEWAY = 502, "Bad gateway"
    SERVICE_UNAVAILABLE = 503, "Service unavailable"
    GATEWAY_TIMEOUT = 504, "Gateway timeout"
    DTD_VERSION_NOT_SUPPORTED = 505, "DTD version not supported"
    PROCESSING_ERROR = 506, "Processing error"
    ATOMIC_FAILED = 507, "Atomic failed"
    REFRESH_REQUIRED = 508, "Refresh required"
    RECIPIENT_EXCEPTION_RESERVED = 509, "Reserved"
    DATA_STORE_FAILURE = 510, "Data store failure"
    SERVER_FAILURE = 511, "Server failure"
    SYNCHRONIZATION_FAILED = 512, "Synchronization failed"
    PROTOCOL_VERSION_NOT_SUPPORTED = 513, "Protocol version not supported"
    OPERATION_CANCELLED_SERVER = 514, "Operation cancelled"
    ATOMIC_ROLLBACK_FAILED = 516, "Atomic roll back failed"
    ATOMIC_RESPONSE_TOO_LARGE = 517, "Atomic response too large to fit"
