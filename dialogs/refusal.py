"""The one exception dialogs raise for "not allowed" or "not valid": it carries the answer to give.

`key` is a catalogue id (dialogs/locales) and `values` fill its placeholders, so the
handler that catches it answers in the user's language with the reason.
"""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    def __init__(self, key: str, **values: Any):
        super().__init__(key)
        self.key = key
        self.values = values
