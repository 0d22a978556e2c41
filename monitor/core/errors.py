"""The errors tgmon raises on purpose, and the exit code each one maps to.

    TgmonError (exit 1)
    ├── ConfigError          (exit 2)  invalid tgmon.toml / TGMON_* value
    ├── WatchlistError       (exit 2)  invalid watchlist file
    ├── QueryError           (exit 2)  malformed search query
    ├── ExportFormatError    (exit 2)  malformed Telegram Desktop export
    ├── InputError           (exit 2)  any other bad argument from the user
    ├── SessionError         (exit 1)  Telegram session missing, revoked or locked
    ├── SourceError          (exit 1)  a channel cannot be read (private, gone, ...)
    │   ├── ChannelUnavailableError    private, unknown username, not a channel
    │   │   └── PeerInvalidError       this account's access hash refused: resolve again
    │   └── RateLimitedError           Telegram asked us to wait `seconds` (FloodWait)
    ├── TranslationError     (exit 1)  provider down or refused; `retryable` says which
    └── DeliveryError        (exit 1)  a notifier could not deliver; `retryable` says which

Library code raises these; only `monitor.cli` turns them into one line and an exit code.
Messages must never contain secrets.
"""

from __future__ import annotations


class TgmonError(Exception):
    """Base of every error tgmon raises deliberately."""

    exit_code: int = 1


class ConfigError(TgmonError):
    exit_code = 2


class WatchlistError(TgmonError):
    exit_code = 2


class QueryError(TgmonError):
    exit_code = 2


class ExportFormatError(TgmonError):
    exit_code = 2


class InputError(TgmonError):
    exit_code = 2


class SessionError(TgmonError):
    exit_code = 1


class SourceError(TgmonError):
    exit_code = 1


class RetryableError(TgmonError):
    """An error that may go away if the same call is tried again later."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class TranslationError(RetryableError):
    pass


class DeliveryError(RetryableError):
    pass


class ChannelUnavailableError(SourceError):
    """This channel cannot be read (private, unknown, not a channel); the others go on."""


class PeerInvalidError(ChannelUnavailableError):
    """Telegram refused the peer (CHANNEL_INVALID, PEER_ID_INVALID): access hashes are issued
    per account, so this account needs its own, by looking the username up again."""


class RateLimitedError(SourceError):
    """Telegram asked for a pause (FloodWait) before the next request of this kind."""

    def __init__(self, message: str, *, seconds: int) -> None:
        super().__init__(message)
        self.seconds = seconds
