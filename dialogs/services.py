"""What every dialog gets: the database, the clock and installation-wide settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from storage.db import Database


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    db: Database
    default_network: str = ""
    public_url: str = ""
    now: Callable[[], datetime] = field(default=_utcnow)
    max_text_length: int = 2000
