"""Shared helpers for card builders: typed building with adaptive-cards-py, plain dict out.

Cards take domain data and a `Translate` callable (message id → text in the
reader's language); they do no I/O and know nothing of Teams or storage.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from adaptive_cards.card import AdaptiveCard, TextBlock

Translate = Callable[..., str]
CARD_VERSION = "1.5"
TEAMS_MAX_BYTES = 28 * 1024


def build(items: Sequence[Any], actions: Sequence[Any] = (), *, full_width: bool = True) -> dict[str, Any]:
    builder = AdaptiveCard.new().version(CARD_VERSION).add_items(list(items))
    if actions:
        builder = builder.add_actions(list(actions))
    card = json.loads(builder.create().to_json())
    if full_width:
        card["msteams"] = {"width": "Full"}
    return card


def heading(text: str) -> TextBlock:
    return TextBlock(text=text, weight="bolder", size="large", wrap=True, style="heading")


def para(text: str, *, subtle: bool = False, spacing: str | None = None) -> TextBlock:
    kwargs: dict[str, Any] = {"text": text, "wrap": True}
    if subtle:
        kwargs["is_subtle"] = True
    if spacing:
        kwargs["spacing"] = spacing
    return TextBlock(**kwargs)


def message_back(title: str, text: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Submit data that Teams shows in the chat as if the user typed `text`."""
    payload = dict(data or {})
    payload["msteams"] = {"type": "messageBack", "text": text, "displayText": text}
    return {"title": title, "data": payload}


def card_size(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
