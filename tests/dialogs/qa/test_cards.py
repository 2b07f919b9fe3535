"""Q&A cards: valid Adaptive Card 1.5 within Teams' size limit in all three languages, translated,
and a long answer with several long clauses still fits."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from cards.base import TEAMS_MAX_BYTES, card_size
from cards.qa import AnswerView, ClauseView, answer_card, examples
from dialogs.onboarding import translator
from tests.harness import card_texts


@pytest.fixture(scope="module")
def schema():
    return json.loads((resources.files("adaptive_cards") / "schemas" / "schema-1.5.json").read_text())


@pytest.mark.parametrize("lang", ["nn", "nb", "en"])
def test_qa_cards_are_valid_and_translated(schema, lang):
    cards = examples(translator(lang))
    assert {"qa-answer", "qa-dont-know", "qa-escalation", "qa-escalation-answered", "qa-reply"} <= set(cards)
    for name, card in cards.items():
        jsonschema.validate({k: v for k, v in card.items() if k != "msteams"}, schema)
        assert card_size(card) < TEAMS_MAX_BYTES, name
        untranslated = [text for text in card_texts(card) if text.startswith("qa.")]
        assert not untranslated, (name, untranslated)


def test_an_answer_with_many_long_clauses_stays_under_the_teams_limit(schema):
    clause = ClauseView("Finansiering", "Samarbeidsavtale 2020", "Lang tekst. " * 2000)
    card = answer_card(AnswerView("Kva kostar det?", "Svar. " * 500, "x", clauses=[clause] * 6,
                                  related=["a", "b", "c", "d"]), translator("nn"))
    jsonschema.validate({k: v for k, v in card.items() if k != "msteams"}, schema)
    assert card_size(card) < TEAMS_MAX_BYTES


def test_saving_an_escalated_answer_for_everyone_is_off_by_default():
    """A municipality-specific answer was reused for everyone: "Lagre svaret som fast svar" is opt-in."""
    from cards.qa import EscalationView, escalation_card

    card = escalation_card(EscalationView(id=1, question="Kva kostar lisensen for Alver?", asker="Ingrid",
                                          network="DigiVestland", asked_at="3. desember 2026", lang="nn"),
                           translator("nn"))
    toggle = next(i for i in card["body"] if i.get("type") == "Input.Toggle" and i.get("id") == "save")
    assert toggle["value"] == "false"
