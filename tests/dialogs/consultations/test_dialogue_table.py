"""A DigiVestland consultation as a dialogue table: (who, sends or presses, must show, must not show).

A director opens the answer card, presses "Send svar" without choosing how they answer, then
answers and gets the receipt; the secretariat's status counts it; an observer, who answers for no
municipality, is told why they cannot answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.models import Consultation, Network
from tests.harness import DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
QUESTIONS = [
    {"key": "hovudsyn", "kind": "choice", "required": True,
     "label": {"nn": "Hovudsyn på utkastet", "nb": "Hovedsyn på utkastet", "en": "Overall view"},
     "options": [{"nn": "Støttar utkastet", "nb": "Støtter utkastet", "en": "Supports the draft"},
                 {"nn": "Støttar ikkje", "nb": "Støtter ikke", "en": "Does not support"}]},
    {"key": "merknader", "kind": "text", "label": {"nn": "Merknader", "nb": "Merknader", "en": "Remarks"}},
]

DIALOGUE = [
    (DV_DIRECTOR, "høyring", ["Høyring om prioriteringar 2027", "Svar for Alver kommune", "Hovudsyn på utkastet",
                              "10 dagar", "Send svar"], ["Høyringa er lukka"]),
    (DV_DIRECTOR, {"press": "Send svar", "q_hovudsyn": "Støttar utkastet"}, ["Vel korleis de svarar."],
     ["Kvittering"]),
    (DV_DIRECTOR, {"press": "Send svar", "kind": "individual", "q_hovudsyn": "Støttar utkastet",
                   "q_merknader": "Kapittel 3 er bra."},
     ["Kvittering: svaret er lagra", "Alver", "Versjon\n1", "Støttar utkastet"], ["Vel korleis de svarar."]),
    (DV_SECRETARIAT, "høyring", ["Høyring om prioriteringar 2027", "Eige innspel\n1", "1 av 40 kommunar"],
     ["Kvittering"]),
    (DV_OBSERVER, "høyring", ["Du er ikkje registrert i nokon medlemskommune"], ["Send svar", "Kvittering"]),
]


@pytest.fixture(autouse=True)
async def consultation(bot):
    bot.services.now = lambda: NOW
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        session.add(Consultation(network_id=dv.id, key="test-hoyring", title="Høyring om prioriteringar 2027",
                                 deadline=NOW + timedelta(days=10), status="open", questions=QUESTIONS,
                                 contact="Tove Bech <tove.bech@bergen.kommune.no>", source="teams", revision=1))
    for user in (DV_DIRECTOR, DV_SECRETARIAT, DV_OBSERVER):
        await bot.install(user)


async def test_a_director_answers_a_consultation_and_the_secretariat_sees_it_counted(bot):
    await play(bot, DIALOGUE)
