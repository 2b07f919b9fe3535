"""Shared helpers for card builders: typed building with adaptive-cards-py, plain dict out.

Cards take domain data and a `Translate` callable (message id → text in the
reader's language); they do no I/O and know nothing of Teams or storage.
"""

from __future__ import annotations

import json
import re
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
    card = _no_accidental_lists(json.loads(builder.create().to_json()))
    if full_width:
        card["msteams"] = {"width": "Full"}
    return card


_LIST_START = re.compile(r"^(\s*\d{1,4}\.)[ \t]+")


def _no_accidental_lists(node: Any, *, in_facts: bool = False) -> Any:
    """Card text is markdown: a one-line text that starts with a day ("15. desember …") would render
    as a numbered list item. A no-break space after the number keeps it text (and together).
    Only displayed text is touched (TextBlock, TextRun, Fact); input values and data stay as they are."""
    if isinstance(node, dict):
        keys = ("title", "value") if in_facts else ("text",) if node.get("type") in ("TextBlock", "TextRun") else ()
        for key, value in node.items():
            if key in keys and isinstance(value, str):
                if "\n" not in value:
                    node[key] = _LIST_START.sub("\\1\u00a0", value, count=1)
            elif key not in ("data", "value"):
                _no_accidental_lists(value, in_facts=key == "facts")
    elif isinstance(node, list):
        for item in node:
            _no_accidental_lists(item, in_facts=in_facts)
    return node


def heading(text: str) -> TextBlock:
    return TextBlock(text=text, weight="bolder", size="large", wrap=True, style="heading")


def para(text: str, *, subtle: bool = False, spacing: str | None = None) -> TextBlock:
    kwargs: dict[str, Any] = {"text": text, "wrap": True}
    if subtle:
        kwargs["is_subtle"] = True
    if spacing:
        kwargs["spacing"] = spacing
    return TextBlock(**kwargs)


# The verb of a button that says something for the user, as if they had typed it (help, example questions).
# A plain Action.Submit: Teams' messageBack (data.msteams) does nothing in the Agents Playground.
SAY = "core.say"


def say_button(title: str, text: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Action.Submit arguments for a button that sends `text` as if the user typed it.
    With `data` carrying its own `action`, that action handles the press instead (text stays for display)."""
    return {"title": title, "data": {"action": SAY, "say": text, **(data or {})}}


def card_size(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
