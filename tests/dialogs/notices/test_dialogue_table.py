"""A DigiVestland notice as a dialogue table: (who, sends or presses, must show, must not show).

The secretariat writes a notice to the directors that asks to be acknowledged, previews and sends
it; a director gets it and acknowledges it; the observer, not a director, gets nothing; a director
may not send one; an audience naming an unknown municipality is refused before anything is queued.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

DIALOGUE = [
    (DV_DIRECTOR, "kunngjering til styringsgruppa: hei",
     ["Berre sekretariatet i DigiVestland kan sende kunngjeringar", "Eirik Nesheim"], ["mottakarar"]),
    (DV_SECRETARIAT, {"action": "notice.preview", "audience": "kommunar: Atlantis", "text": "Hei"},
     ["Eg kjenner ikkje att kommunen: atlantis", "Ny kunngjering"], ["mottakarar"]),
    (DV_SECRETARIAT, "ny kunngjering", ["Ny kunngjering", "Førehandsvis"], []),
    (DV_SECRETARIAT, {"press": "Førehandsvis", "title": "Les dette", "text": "Ny rutine for **innkjøp**.",
                      "audience": "role:director", "acknowledge": "true"},
     ["Les dette", "Ny rutine for **innkjøp**.", "mottakarar"], ["Eg kjenner ikkje att"]),
    (DV_DIRECTOR, None, [], ["Les dette"]),  # a preview sends nothing
    (DV_SECRETARIAT, {"press": "Send"}, ["lagd i kø til"], []),
    (DV_DIRECTOR, None, ["Les dette", "Ny rutine for **innkjøp**.", "Stadfest at du har lese"], []),
    (DV_CHAIR, None, ["Les dette"], []),
    (DV_OBSERVER, None, [], ["Les dette"]),
    (DV_DIRECTOR, {"press": "Stadfest at du har lese"}, ["Takk! Du har stadfesta at du har lese «Les dette»"], []),
]


@pytest.fixture(autouse=True)
async def installed(bot):
    bot.services.now = lambda: NOW
    for user in (DV_SECRETARIAT, DV_CHAIR, DV_DIRECTOR, DV_OBSERVER):
        await bot.install(user)


async def test_a_notice_to_the_directors_is_sent_received_and_acknowledged(bot):
    await play(bot, DIALOGUE)
