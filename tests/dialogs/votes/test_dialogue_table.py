"""A DigiVestland steering-group case as a dialogue table: (who, sends or presses, must show, must not show).

The secretariat opens a case from the form; a member votes, first without the reason Ueinig
needs; a director outside the secretariat cannot open one; an observer sees the case without a vote.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TITLE = "Felles innkjøp av sak/arkivsystem"

DIALOGUE = [
    (DV_DIRECTOR, "ny sak", ["Berre sekretariatet og leiaren for organet kan opne ei sak"],
     ["Forslag til vedtak"]),
    (DV_SECRETARIAT, "ny sak", ["Ny sak", "Forslag til vedtak", "Frist for å røyste"], ["Berre sekretariatet"]),
    (DV_SECRETARIAT, {"press": "Vidare", "body": "styringsgruppa", "title": TITLE, "deadline": "1. desember kl. 12",
                      "proposal": "Styringsgruppa ber sekretariatet førebu eit felles innkjøp."},
     ["Stadfest ny sak", "1. desember 2026 kl. 12:00", "Einig / Avstår / Ueinig", "Ingenting er sendt enno"],
     ["Innsigelse"]),
    (DV_SECRETARIAT, {"press": "Opne saka og send ut"}, ["Saka er opna og send ut"], ["Ingenting er sendt enno"]),
    (DV_DIRECTOR, None, [TITLE, "Einig", "Avstår", "Ueinig", "0 av 10 har røysta"], ["Røysta di er registrert"]),
    (DV_DIRECTOR, {"press": "Ueinig"}, ["Skriv ei grunngjeving når du røystar Ueinig", "0 av 10 har røysta"],
     ["Røysta di er registrert"]),
    (DV_DIRECTOR, {"press": "Ueinig", "reason": "Kostnaden er ikkje avklart."},
     ["Røysta di er registrert: Ueinig", "1 av 10 har røysta"], ["Skriv ei grunngjeving"]),
    (DV_OBSERVER, None, [TITLE, "observatør"], ["Røysta di er registrert"]),
]


@pytest.fixture(autouse=True)
async def members(bot):
    bot.services.now = lambda: NOW
    for user in (DV_CHAIR, DV_DIRECTOR, DV_OBSERVER):
        await bot.install(user)


async def test_a_case_from_the_form_to_a_vote(bot):
    await play(bot, DIALOGUE)
