"""Nynorsk wordings as people type them in Teams (not in data/ nor in the evaluation sets): dialect
question words, the asker's role first, the network's name and context words, compounds, typos, two
questions in one, a false premise, live rows, honesty. A table of (who, sends, must show, must not show)."""

from __future__ import annotations

import pytest

from tests.harness import DV_CHAIR, DV_DIRECTOR

DONT_KNOW = "Det veit eg ikkje"

TABLE = [
    (DV_DIRECTOR, "kem leiar styringsgruppa i digi vestland", ["kommunaldirektøren", "Byggjer på"], [DONT_KNOW]),
    (DV_DIRECTOR, "eg er kd i askøy, kor ofte møtest styringsgruppa eigentleg", ["kvartalsvis"], [DONT_KNOW]),
    (DV_CHAIR, "ka skjer viss styringsgruppa ikkje blir samde", ["konsensus", "leiaren"], [DONT_KNOW]),
    (DV_DIRECTOR, "kven kallar inn til styringsgruppemøtet", ["kallar inn"], [DONT_KNOW]),
    (DV_DIRECTOR, "når går samarbeidsavtalen ut, ifølgje avtalen", ["31. desember 2024"], [DONT_KNOW]),
    (DV_DIRECTOR, "kem er leiar for styrinsgruppa", ["kommunaldirektøren"], [DONT_KNOW]),
    (DV_DIRECTOR, "koss blir avgjerder tekne i styringsgruppa", ["konsensus"], [DONT_KNOW]),
    # two questions in one message: both answered
    (DV_DIRECTOR, "kven er observatørar i styringsgruppa, og kor ofte møtest ho", ["observatør", "kvartalsvis"],
     [DONT_KNOW]),
    # a false premise: KS is an observer and does not vote
    (DV_DIRECTOR, "kvifor røystar ks i styringsgruppa", ["observatør"], [DONT_KNOW]),
    # live rows: the consultation's deadline and status
    (DV_DIRECTOR, "ka er fristen for høyringa", ["30. juni 2024", "fristen er ute"], [DONT_KNOW]),
    # demo people are never presented as real members
    (DV_DIRECTOR, "kem er med i styringsgruppa for tida", ["demodata"], ["Ingrid Haugland"]),
    # out of scope: refused
    (DV_DIRECTOR, "blir det regn i førde til helga", [DONT_KNOW], ["Byggjer på"]),
    (DV_DIRECTOR, "kven vann cupfinalen i fjor", [DONT_KNOW], ["Byggjer på"]),
    # a slash word gets the help, never a fact
    (DV_DIRECTOR, "/meny", ["Dette kan eg hjelpe med"], ["tolka", "Byggjer på"]),
]


@pytest.mark.parametrize(("who", "sends", "must", "must_not"), TABLE, ids=[row[1][:40] for row in TABLE])
async def test_nynorsk_wordings(bot, who, sends, must, must_not):
    text = await bot.say_text(who, sends)
    for needed in must:
        assert needed.lower() in text.lower(), (sends, needed, text)
    for forbidden in must_not:
        assert forbidden.lower() not in text.lower(), (sends, forbidden, text)
