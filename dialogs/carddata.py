"""Reading values out of card data, which arrives from the client and may be anything.

A stored id is a positive 32-bit integer (INTEGER columns); anything else in a card (a 30-digit
number, "²", a list) is no id at all, so the caller answers "unknown …" instead
of failing in the database.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL refuses a larger parameter


def card_id(value: object) -> int | None:
    """The id in `value` if it is a positive integer the database can hold, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_ID else None
