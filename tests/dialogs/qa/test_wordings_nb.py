"""Bokmål wordings as people type them in Teams (not in data/ nor in the evaluation sets). A table of
(who, sends, must show, must not show)."""

from __future__ import annotations

import pytest

from tests.harness import DA_DIRECTOR, DIT_DIRECTOR

DONT_KNOW = "Det vet jeg ikke"

TABLE = [
    (DA_DIRECTOR, "rådmann i bærum her: hvor mye skal vi betale per innbygger", ["inntil 3 kr", "2020", "årsmøtet"],
     ["392", DONT_KNOW]),
    # no computed fee for a municipality whose membership is not confirmed
    (DA_DIRECTOR, "hvor mye betaler asker", ["ikke bekreftet", "inntil 3 kr"], ["kr i året"]),
    # a yearly total is not in the sources: refused, never computed
    (DA_DIRECTOR, "hvor mange kroner totalt betaler lørenskog", [DONT_KNOW], ["kr i året"]),
    (DA_DIRECTOR, "er felles anskaffelser frivillig i samarbeidet", ["frivillig"], [DONT_KNOW]),
    (DA_DIRECTOR, "hvem vinner eliteserien i år", [DONT_KNOW], ["Bygger på"]),
    (DA_DIRECTOR, "/hjelp", ["Dette kan jeg hjelpe med"], ["Bygger på"]),
    (DIT_DIRECTOR, "hvem har ledelsen i digit", ["digitaliseringssjefen"], [DONT_KNOW]),
    (DIT_DIRECTOR, "hva skjer hvis kommunene er uenige", ["rådmannsutvalget"], [DONT_KNOW]),
    (DIT_DIRECTOR, "åssen blir uenighet løst i digit", ["rådmannsutvalget"], [DONT_KNOW]),
    (DIT_DIRECTOR, "hvem vant valget i usa", [DONT_KNOW], ["Bygger på"]),
]


@pytest.mark.parametrize(("who", "sends", "must", "must_not"), TABLE, ids=[row[1][:40] for row in TABLE])
async def test_bokmaal_wordings(bot, who, sends, must, must_not):
    text = await bot.say_text(who, sends)
    for needed in must:
        assert needed.lower() in text.lower(), (sends, needed, text)
    for forbidden in must_not:
        assert forbidden.lower() not in text.lower(), (sends, forbidden, text)
