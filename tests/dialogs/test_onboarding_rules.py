"""Onboarding's rules with plain values: no database, no HTTP — how a person is introduced, which
language `språk …` asks for, and which language the bot writes first in."""

from __future__ import annotations

import pytest

from dialogs.language import choose
from dialogs.onboarding import language_asked, role_text, welcome
from dialogs.turn import Sender
from dialogs.viewer import Viewer
from storage.models import Municipality, Network, Person
from tests.harness import card_texts

DV = Network(id=1, slug="digivestland", name="DigiVestland", language="nn")
ALVER = Municipality(id=1, network_id=1, number="4631", name="Alver kommune", member=True)


def director(lang: str = "nn") -> Viewer:
    person = Person(id=1, network_id=1, name="Ingrid Haugland", roles=["director"], municipality=ALVER)
    return Viewer(sender=Sender("t", "a"), lang=lang, person=person, network=DV)


def test_a_director_is_introduced_by_role_and_municipality_in_her_language():
    assert role_text(director()) == "Du er registrert som kommunedirektør – Alver kommune."
    assert "Alver kommune" in role_text(director("en"))
    assert role_text(Viewer(sender=Sender("t", "a"), lang="nn", network=DV)) is None  # not a stored person


def test_the_welcome_names_the_person_in_a_personal_chat_but_nobody_in_a_channel():
    personal = "\n".join(card_texts(welcome(director()).card))
    shared = "\n".join(card_texts(welcome(director(), shared=True).card))
    assert "Ingrid" in personal and "kommunedirektør" in personal
    assert "Ingrid" not in shared and "kommunedirektør" not in shared and "DigiVestland" in shared


@pytest.mark.parametrize(("asked", "lang"), [
    ("nn", "nn"), ("nynorsk", "nn"), ("NB", "nb"), ("bokmål", "nb"), ("norsk", "nb"), ("english", "en"),
    (" en ", "en"), ("klingon", None), ("", None), ("de", None)])
def test_spraak_understands_codes_and_the_start_of_a_language_name(asked, lang):
    assert language_asked(asked) == lang


def test_the_bot_writes_first_in_the_persons_choice_then_the_data_then_the_municipality_then_the_network():
    assert choose("en", "nb", "nn", DV) == "en"
    assert choose(None, "nb", "nn", DV) == "nb"
    assert choose(None, None, "nb", DV) == "nb"  # a Bokmål municipality in a Nynorsk network
    assert choose(None, None, "neutral", DV) == "nn"  # a neutral municipality leaves it to the network
    assert choose("klingon", None, None, None) == "nb"
