"""Notes in the data about what is illustrative ("… er illustrative") are for the people who maintain
`data/`, not for the people the bot talks to: they are taken out of texts shown in Teams, and the card
says it in the bot's own words ("Demodata: …") where it matters."""

from __future__ import annotations

import re

# a sentence ends at . ! ? followed by a capital letter ("1. april" is no sentence end)
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"])")
_NOTE = re.compile(r"\billustrativ\w*|\bdemo ?data\b", re.IGNORECASE)


def without_data_notes(text: str) -> tuple[str, bool]:
    """The text without its data-maintenance sentences, and whether there were any."""
    if not text or not _NOTE.search(text):
        return text, False
    kept: list[str] = []
    for paragraph in text.split("\n"):
        sentences = [s for s in _SENTENCES.split(paragraph) if not _NOTE.search(s)]
        kept.append(" ".join(sentences))
    return "\n".join(kept).strip(), True
