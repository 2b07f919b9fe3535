"""Every routine card is valid Adaptive Card 1.5 for Teams, fits its size limit and is translated."""

from __future__ import annotations

import json
from pathlib import Path

import adaptive_cards
import pytest
from jsonschema import Draft6Validator

from cards.base import TEAMS_MAX_BYTES, card_size
from cards.routines import examples
from dialogs.onboarding import translator
from tests.harness import card_texts

SCHEMA = json.loads((Path(adaptive_cards.__file__).parent / "schemas" / "schema-1.5.json").read_text())


@pytest.mark.parametrize("lang", ["nn", "nb", "en"])
def test_every_example_card_is_valid_small_and_translated(lang):
    cards = examples(translator(lang))
    assert {"procurement-form", "procurement-ask", "procurement-status", "project-check", "portfolio"} <= set(cards)
    validator = Draft6Validator(SCHEMA)
    for name, card in cards.items():
        plain = {k: v for k, v in card.items() if k != "msteams"}  # Teams' own extension, not in the schema
        errors = [e.message for e in validator.iter_errors(plain)]
        assert errors == [], (name, errors[:3])
        assert card_size(card) < TEAMS_MAX_BYTES, name
        untranslated = [text for text in card_texts(card) if "routines." in text]
        assert untranslated == [], (name, untranslated)


def test_the_question_card_reads_as_the_routine_prescribes():
    nb = card_texts(examples(translator("nb"))["procurement-ask"])
    nn = card_texts(examples(translator("nn"))["procurement-ask"])
    assert "Bli med på felles anskaffelse?" in nb and "Bli med på felles anskaffing?" in nn
    assert [b for b in nb if b in ("Ja", "Nei", "Vurderer")] == ["Ja", "Nei", "Vurderer"]


def test_every_message_exists_in_nynorsk_bokmal_and_english():
    from babel.messages.pofile import read_po

    base = Path(__file__).resolve().parents[3] / "dialogs" / "locales"
    ids = {}
    for lang in ("nn", "nb", "en"):
        with (base / lang / "LC_MESSAGES" / "routines.po").open("rb") as fh:
            ids[lang] = {m.id for m in read_po(fh) if m.id and m.string}
    assert ids["nn"] == ids["nb"] == ids["en"] and len(ids["nb"]) > 150
