"""Meeting cards: every gallery card is valid Adaptive Card 1.5 within Teams' size limit in all
three languages, and no message id is left untranslated."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from cards.base import TEAMS_MAX_BYTES, card_size
from cards.meetings import examples
from dialogs.onboarding import translator
from tests.harness import card_texts


@pytest.fixture(scope="module")
def schema():
    return json.loads((resources.files("adaptive_cards") / "schemas" / "schema-1.5.json").read_text())


@pytest.mark.parametrize("lang", ["nn", "nb", "en"])
def test_meeting_cards_are_valid_and_translated(schema, lang):
    cards = examples(translator(lang))
    assert len(cards) >= 8
    for name, card in cards.items():
        jsonschema.validate({k: v for k, v in card.items() if k != "msteams"}, schema)  # msteams: Teams' own
        assert card_size(card) < TEAMS_MAX_BYTES, name
        untranslated = [text for text in card_texts(card) if text.startswith("meetings.")]
        assert not untranslated, (name, untranslated)


def test_rsvp_buttons_read_right_in_each_language():
    for lang, titles in {"nn": ["Kjem", "Kjem ikkje", "Kanskje"], "nb": ["Kommer", "Kommer ikke", "Kanskje"],
                         "en": ["Attending", "Not attending", "Maybe"]}.items():
        card = examples(translator(lang))["meeting_invitation"]
        assert [a["title"] for a in card["actions"] if a["type"] == "Action.Submit"] == titles
