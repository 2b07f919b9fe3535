"""Readable keys for what a network stores: «sak-2026-004», «ansk-2026-012», «prosj-2026-001».

Numbered per network within the Oslo year; the number is one more than the highest taken.
"""

from __future__ import annotations

import re
from datetime import datetime

from dialogs.i18n import OSLO


def year_start(prefix: str, now: datetime) -> str:
    """`<prefix>-YYYY-`, the year as it is in Oslo."""
    return f"{prefix}-{now.astimezone(OSLO).year}-"


def next_key(start: str, keys: list[str]) -> str:
    """`start` + NNN: one more than the highest number among `keys` that follow `start` (001 for the first)."""
    numbers = [int(m.group(1)) for k in keys if (m := re.fullmatch(re.escape(start) + r"(\d+)", k))]
    return f"{start}{max(numbers, default=0) + 1:03d}"
