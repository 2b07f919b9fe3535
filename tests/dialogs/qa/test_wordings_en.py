"""English wordings as people type them in Teams (not in data/ nor in the evaluation sets): the answer
comes in English whatever the asker's language setting. A table of (who, sends, must show, must not show)."""

from __future__ import annotations

import pytest

from tests.harness import DA_DIRECTOR, DIT_DIRECTOR, DV_DIRECTOR

DONT_KNOW = "I don't know"

TABLE = [
    (DV_DIRECTOR, "as a chief executive in alver, how often does the steering group meet", ["quarterly"],
     [DONT_KNOW]),
    (DV_DIRECTOR, "what happens if there is no consensus in the steering group", ["consensus", "chair"], [DONT_KNOW]),
    (DV_DIRECTOR, "when does the cooperation agreement run out", ["31 December 2024"], [DONT_KNOW]),
    (DV_DIRECTOR, "how are decisions made in the steering group", ["consensus"], [DONT_KNOW]),
    (DV_DIRECTOR, "who calls the steering group meetings and who chairs them", ["calls"], [DONT_KNOW]),
    (DV_DIRECTOR, "why does ks vote in the steering group", ["observer"], [DONT_KNOW]),
    (DV_DIRECTOR, "who are the observers in the steering group and how often do they meet",
     ["observers", "quarterly"], [DONT_KNOW]),
    (DV_DIRECTOR, "what is the deadline for the consultation", ["30 June 2024"], [DONT_KNOW]),
    (DV_DIRECTOR, "what's the weather in bergen tomorrow", [DONT_KNOW], ["Based on"]),
    (DA_DIRECTOR, "how much does bærum pay", ["up to NOK 3", "2020"], ["392"]),
    (DA_DIRECTOR, "what does asker have to pay per inhabitant", ["not a confirmed member"], ["a year:"]),
    (DA_DIRECTOR, "who won the football match yesterday", [DONT_KNOW], ["Based on"]),
    (DIT_DIRECTOR, "who heads up digit", ["head of digitalisation"], [DONT_KNOW]),
]


@pytest.mark.parametrize(("who", "sends", "must", "must_not"), TABLE, ids=[row[1][:40] for row in TABLE])
async def test_english_wordings(bot, who, sends, must, must_not):
    text = await bot.say_text(who, sends)
    for needed in must:
        assert needed.lower() in text.lower(), (sends, needed, text)
    for forbidden in must_not:
        assert forbidden.lower() not in text.lower(), (sends, forbidden, text)
