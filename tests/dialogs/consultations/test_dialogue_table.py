"""A DigiVestland consultation as a dialogue table: (who, sends or presses, must show, must not show).

A director opens the answer card, presses "Send svar" without choosing how they answer, then
answers and gets the receipt; the secretariat's status counts it; an observer, who answers for no
municipality, is told why they cannot answer.
"""

from __future__ import annotations

import pytest

from tests.harness import DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, play

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
async def installed(bot, consultation):
    """The open test consultation (tests/harness/consultations.py), and the app installed for the three."""
    for user in (DV_DIRECTOR, DV_SECRETARIAT, DV_OBSERVER):
        await bot.install(user)


async def test_a_director_answers_a_consultation_and_the_secretariat_sees_it_counted(bot):
    await play(bot, DIALOGUE)
