"""Logging for `samarbeidsbot serve`: where logs go, how long they are kept, and what never goes in them.

What people write to the bot (questions, consultation answers, vote reasons) is
personal data and official correspondence; it must not end up in log files,
which are copied around and kept by other rules. The code logs ids and
exception types only; as a second line of defence, at INFO and above the text of
exception messages (which may quote input, e.g. a ValueError) is replaced by the
exception type, the HTTP client libraries that can log request bodies are held
at WARNING (msrest's serializer, which quotes unknown keys of incoming activities,
at ERROR), and line breaks in a message are escaped so no input forges a log line. With LOG_LEVEL=DEBUG nothing is redacted: for a developer's
machine only.

LOG_FILE turns on a file that rotates at midnight (UTC); LOG_RETENTION_DAYS
(default 30) is how many days of rotated files are kept. Older files are deleted
at each rotation and at start-up (in case the bot was not running at midnight).
"""

from __future__ import annotations

import logging
import logging.handlers
import time
import traceback
from pathlib import Path

from bot.config import Settings, load_settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers of libraries that may write request/response bodies (message text) at DEBUG/INFO.
_CHATTY = ("aiosqlite", "asyncpg", "msrest", "msrest.http_logger", "msal", "urllib3", "aiohttp.client", "botframework.connector",
           "sqlalchemy.engine", "alembic")
# Loggers that warn about the content of incoming activities (msrest: "<key> is not a known attribute",
# for every channelData key the SDK does not know): input quoted into logs, and noise. Held at ERROR.
_QUOTES_INPUT = ("msrest.serialization",)


def load_log_settings(**overrides: object) -> Settings:
    """The log settings are part of the one configuration (bot/config.py): LOG_LEVEL, LOG_FILE,
    LOG_RETENTION_DAYS; a bad value raises ConfigError (a ValueError) naming the variable."""
    return load_settings(**overrides)


class NoUserText(logging.Filter):
    """At INFO and above, keep an exception's type and traceback but not its message.

    Attached to handlers (not loggers) so that it also covers records from libraries.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            message = record.getMessage()
            if any(c in message for c in "\r\n\x1b"):  # one record, one line: no forged log lines
                record.msg = message.replace("\r", "\\r").replace("\n", "\\n").replace("\x1b", "\\x1b")
                record.args = None
        if record.levelno >= logging.INFO and record.exc_info and record.exc_info[1] is not None:
            exc_type, exc, tb = record.exc_info
            lines = traceback.format_tb(tb) if tb else []
            record.exc_text = "Traceback (most recent call last):\n" + "".join(lines) + (
                f"{exc_type.__module__}.{exc_type.__qualname__} (message withheld: may contain user text)")
            record.exc_info = None
        return True


def remove_expired(log_file: Path, retention_days: int, *, now: float | None = None) -> list[Path]:
    """Delete rotated files of `log_file` older than the retention period; returns what was deleted."""
    cutoff = (now or time.time()) - retention_days * 86400
    removed = []
    for path in log_file.parent.glob(log_file.name + ".*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink()
            removed.append(path)
    return removed


def configure(settings: Settings | None = None) -> list[logging.Handler]:
    """Set up the root logger for the server; returns the handlers it installed."""
    settings = settings or load_log_settings()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_samarbeidsbot", False):
            root.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if settings.log_file:
        path = Path(settings.log_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_expired(path, settings.retention_days)
        handlers.append(logging.handlers.TimedRotatingFileHandler(
            path, when="midnight", utc=True, backupCount=settings.retention_days, encoding="utf-8"))
    debug = settings.log_level == "DEBUG"
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        if not debug:
            handler.addFilter(NoUserText())
        handler._samarbeidsbot = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)
    for name in _QUOTES_INPUT:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.ERROR)
    return handlers
