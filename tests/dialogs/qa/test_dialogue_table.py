"""Q&A in DigiVestland as a dialogue table: (who, sends or presses, must show, must not show).

A director asks who chairs the steering group and gets the answer with its clause; asks something
the agreements do not say and gets an honest don't-know, sends it to the secretariat, which answers
it; a question with a typo is understood and the correction said; a question about another network
does not get this network's answer.
"""

from __future__ import annotations

import pytest

from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_SECRETARIAT, play

WEATHER = "Kva er vêret i Bergen i morgon?"
CHAIR = "kommunaldirektøren for byrådsavdeling finans, næring og eigedom i Bergen kommune"

DIALOGUE = [
    (DV_DIRECTOR, "Kven leiar styringsgruppa?",
     [CHAIR, "Byggjer på", "Leiar for styringsgruppa (Samarbeidsavtale 2020)", "Nyttig"], ["Det veit eg ikkje"]),
    (DV_DIRECTOR, {"press": "Nyttig"}, ["Takk for tilbakemeldinga!"], []),
    (DV_DIRECTOR, "kven leiar styrinsgruppa", ["Bergen kommune", "«styrinsgruppa» som «styringsgruppa»"], []),
    (DV_DIRECTOR, "Hvem leder styringsgruppen i Digitale Akershus?", [], [CHAIR]),
    (DV_DIRECTOR, WEATHER, ["Det veit eg ikkje", "Send spørsmålet til sekretariatet"], ["Byggjer på"]),
    (DV_DIRECTOR, {"press": "Send spørsmålet til sekretariatet"}, ["sendt til sekretariatet i DigiVestland"], []),
    (DV_SECRETARIAT, None, [WEATHER, "Ingrid Haugland", "Send svaret"], []),
    (DV_SECRETARIAT, {"press": "Send svaret", "answer": "Sjå yr.no for vêrmeldinga.", "save": "true"},
     ["Svaret er sendt til Ingrid Haugland", "lagra som fast svar"], []),
    (DV_DIRECTOR, None, ["Svar frå sekretariatet", "Sjå yr.no for vêrmeldinga."], []),
    (DV_CHAIR, WEATHER, ["Sjå yr.no for vêrmeldinga."], ["Det veit eg ikkje"]),
]


@pytest.fixture(autouse=True)
async def installed(bot):
    for user in (DV_DIRECTOR, DV_SECRETARIAT, DV_CHAIR):
        await bot.install(user)


async def test_questions_answered_corrected_and_sent_to_the_secretariat(bot):
    await play(bot, DIALOGUE)
