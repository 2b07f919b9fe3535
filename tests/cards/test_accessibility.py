"""Universal design (WCAG 2.1 as uu-tilsynet applies it): every card of the gallery, in nn, nb and en,
is readable by a screen reader.

- 1.1.1 non-text content: every Image has altText.
- 1.3.1 / 3.3.2 labels: every Input has a label (an Input.Toggle's title is its label: renderers tie
  it to the checkbox); a required input says what is wrong when it is left empty (errorMessage, 3.3.1).
- 2.4.6 / 4.1.2 name: every action (in actions, action sets and selectAction) has a title.
- 1.4.1 use of colour: a coloured text says its meaning in words; a coloured bar (a styled column with
  no text) sits in a row that says its number.
- 1.3.2 meaningful sequence: the card starts with text that says what it is (no input or button
  before it); in a row, the text comes before the decoration, so the reading order is the layout's.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.cli.cards import all_cards

LANGUAGES = ("nn", "nb", "en")
CARDS = list(all_cards(LANGUAGES))
ACTION_KEYS = ("actions", "selectAction")
COLOURS = {"good", "warning", "attention", "accent"}


def _texts(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        if node.get("type") in ("TextBlock", "TextRun") and isinstance(node.get("text"), str):
            out.append(node["text"])
        if node.get("type") == "RichTextBlock":
            out.extend(r.get("text", "") for r in node.get("inlines", []) if isinstance(r, dict))
        if node.get("type") == "FactSet":
            out.extend(f"{f.get('title', '')} {f.get('value', '')}" for f in node.get("facts", []))
        for key, value in node.items():
            if key not in ("data", "refresh", "msteams") and key != "inlines":
                out.extend(_texts(value))
    elif isinstance(node, list):
        for item in node:
            out.extend(_texts(item))
    return out


def _readable(node: Any) -> bool:
    return any(re.search(r"\w", text) for text in _texts(node))


def problems(card: dict[str, Any]) -> list[str]:
    """What a screen-reader user would miss in this card (empty when nothing)."""
    found: list[str] = []

    def action(node: dict[str, Any], where: str) -> None:
        if not (node.get("title") or "").strip():
            found.append(f"{where}: {node.get('type')} has no title")
        if node.get("type") == "Action.ShowCard" and isinstance(node.get("card"), dict):
            walk(node["card"], f"{where}/card")

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]")
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type", "")
        if kind == "Image" and not (node.get("altText") or "").strip():
            found.append(f"{where}: Image without altText")
        if kind.startswith("Input."):
            name = node.get("title") if kind == "Input.Toggle" else node.get("label")
            if not (name or "").strip() and not (node.get("label") or "").strip():
                found.append(f"{where}: {kind} {node.get('id')!r} has no label")
            if node.get("isRequired") and not (node.get("errorMessage") or "").strip():
                found.append(f"{where}: required {kind} {node.get('id')!r} has no errorMessage")
        if kind == "TextBlock" and node.get("color") in COLOURS and not re.search(r"\w{2,}", node.get("text", "")):
            found.append(f"{where}: coloured text {node.get('text')!r} says nothing in words")
        if kind == "ColumnSet":
            columns = node.get("columns", [])
            bars = [c for c in columns if c.get("style") in COLOURS and not _readable(c)]
            if bars and not any(re.search(r"\d", t) for t in _texts(node)):
                found.append(f"{where}: a coloured bar without its number")
            seen_decoration = False
            for i, column in enumerate(columns):
                if not _readable(column):
                    seen_decoration = True
                elif seen_decoration:
                    found.append(f"{where}.columns[{i}]: text after a decoration: read out of order")
        if kind in ("Container", "Column") and node.get("style") in COLOURS and not _readable(node) \
                and where.rsplit(".", 1)[-1].startswith("items"):
            found.append(f"{where}: a coloured {kind} that says nothing")
        for key in ACTION_KEYS:
            value = node.get(key)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        action(item, f"{where}.{key}[{i}]")
            elif isinstance(value, dict):
                action(value, f"{where}.{key}")
        for key, value in node.items():
            if key not in ACTION_KEYS and key not in ("data", "refresh", "msteams"):
                walk(value, f"{where}.{key}")

    walk(card, "card")
    first = next((i for i in card.get("body", []) if isinstance(i, dict)), None)
    if first is None or not _readable(first) or first.get("type", "").startswith("Input."):
        found.append("card: does not start with text that says what it is")
    return found


@pytest.mark.parametrize("exported", CARDS, ids=[f"{c.name}.{c.lang}" for c in CARDS])
def test_every_card_is_readable_by_a_screen_reader(exported):
    assert problems(exported.card) == []


def test_the_gallery_has_every_module_in_every_language():
    assert {c.lang for c in CARDS} == set(LANGUAGES)
    assert {"archive", "consultations", "notices", "votes", "meetings", "qa", "onboarding", "routines"} <= {
        c.module for c in CARDS}


@pytest.mark.parametrize(("card", "expected"), [
    ({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Hei"},
                                       {"type": "Image", "url": "https://example.org/a.png"}]}, "without altText"),
    ({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Hei"},
                                       {"type": "Input.Text", "id": "x", "placeholder": "Skriv"}]}, "no label"),
    ({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Hei"},
                                       {"type": "Input.Toggle", "id": "x", "valueOn": "true"}]}, "no label"),
    ({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Hei"},
                                       {"type": "Input.Text", "id": "x", "label": "Namn", "isRequired": True}]},
     "no errorMessage"),
    ({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Hei"}],
      "actions": [{"type": "Action.Submit", "data": {}}]}, "has no title"),
    ({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Hei"},
                                       {"type": "ColumnSet", "columns": [
                                           {"type": "Column", "items": [{"type": "TextBlock", "text": "Svar"}]},
                                           {"type": "Column", "style": "good",
                                            "items": [{"type": "TextBlock", "text": " "}]}]}]},
     "bar without its number"),
    ({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Hei"},
                                       {"type": "TextBlock", "text": "●", "color": "attention"}]}, "in words"),
    ({"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Hei"},
                                       {"type": "ColumnSet", "columns": [
                                           {"type": "Column", "style": "good",
                                            "items": [{"type": "TextBlock", "text": " "}]},
                                           {"type": "Column", "items": [{"type": "TextBlock", "text": "3 svar"}]}]}]},
     "out of order"),
    ({"type": "AdaptiveCard", "body": [{"type": "Input.Text", "id": "x", "label": "Namn"}]}, "does not start"),
])
def test_the_check_finds_what_a_screen_reader_user_would_miss(card, expected):
    assert any(expected in p for p in problems(card)), problems(card)
