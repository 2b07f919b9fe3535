"""A DigiVestland meeting as a dialogue table: (who, sends or presses, must show, must not show).

The secretariat announces a steering-group meeting in Nynorsk, sees what the bot understood and
sends it; a member gets the invitation and answers it; a director may not announce; a text with
no date is not guessed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ANNOUNCEMENT = "Styringsgruppemøte 28. august kl. 10–12 på Teams"

DIALOGUE = [
    (DV_DIRECTOR, ANNOUNCEMENT, ["Berre sekretariatet i DigiVestland kan kunngjere møte og fristar"],
     ["Stemmer dette?"]),
    (DV_SECRETARIAT, "nytt møte: Styringsgruppemøte ein gong snart", ["Eg fann ingen dato eller tid i"],
     ["Stemmer dette?"]),
    (DV_SECRETARIAT, ANNOUNCEMENT, ["Stemmer dette?", "Ingenting er sendt enno", "Styringsgruppemøte",
                                    "28. august 2027 kl. 10:00–12:00", "Styringsgruppa for DigiVestland",
                                    "Påminning 7, 1 dagar før"], ["Berre sekretariatet"]),
    (DV_DIRECTOR, None, [], ["Invitasjon til møte"]),  # nothing before the secretariat confirms
    (DV_SECRETARIAT, {"press": "Send invitasjonen"}, ["Sendt: «Styringsgruppemøte»"], ["Ingenting er sendt enno"]),
    (DV_DIRECTOR, None, ["Invitasjon til møte", "28. august 2027 kl. 10:00–12:00", "Kjem", "Kjem ikkje", "Kanskje",
                         "Legg til i kalenderen"], []),
    (DV_DIRECTOR, {"press": "Kjem"}, ["Registrert «Kjem»"], ["alt svart"]),
    (DV_SECRETARIAT, "Kva skjer?", ["Styringsgruppemøte", "Kjem 1 · kjem ikkje 0 · kanskje 0"], []),
]


@pytest.fixture(autouse=True)
async def attendees(bot):
    bot.services.now = lambda: NOW
    bot.services.public_url = str(bot.server.make_url("")).rstrip("/")
    for user in (DV_SECRETARIAT, DV_CHAIR, DV_DIRECTOR, DV_OBSERVER):
        await bot.install(user)


async def test_a_meeting_announced_sent_and_answered(bot):
    await play(bot, DIALOGUE)
