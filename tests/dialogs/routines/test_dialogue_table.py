"""The DigIT joint procurement routine (§6) as a dialogue table, in Bokmål:
(who, sends or presses, must show, must not show).

Sigdal registers a planned renegotiation, first forgetting the system; the other members get the
question and Modum says no, which Sigdal is told; a DigiVestland director, whose agreement has no
such routine, is told so.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.harness import DIT_DIRECTOR, DV_DIRECTOR, TeamsUser, play

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SIGDAL = DIT_DIRECTOR
MODUM = TeamsUser("dit-direktor-modum", "Geir Olav Kjos", "00000000-0000-0000-0000-000000000022")
KRODSHERAD = TeamsUser("dit-direktor-krodsherad", "Marit Noresjø", "00000000-0000-0000-0000-000000000023")
LEAD = TeamsUser("dit-westrum", "Anette Westrum", "00000000-0000-0000-0000-000000000024")
FORM = {"kind": "renegotiation", "area": "Oppvekst", "contract_end": "2027-03-31", "value_range": "1m-5m",
        "contact": "Kari Lunde Bråthen", "deadline": "7. desember"}

DIALOGUE = [
    (DV_DIRECTOR, "ny anskaffelse", ["Samarbeidsavtalen i DigiVestland har ingen rutine for felles anskaffingar"],
     ["Planlagt anskaffelse"]),
    (SIGDAL, "ny anskaffelse", ["Planlagt anskaffelse", "For Sigdal kommune", "Se over før sending"], []),
    (SIGDAL, {"press": "Se over før sending", **FORM, "system": " "},
     ["Skriv hvilket system eller hvilken tjeneste det gjelder."], ["Se over: planlagt anskaffelse"]),
    (SIGDAL, {"press": "Se over før sending", **FORM, "system": "Fagsystem for barnevern"},
     ["Se over: planlagt anskaffelse", "Fagsystem for barnevern", "Modum (Geir Olav Kjos)",
      "Krødsherad (Marit Noresjø)", "7. desember 2026 kl. 23:59", "31. mars 2027"], ["Skriv hvilket system"]),
    (MODUM, None, [], ["Bli med på felles anskaffelse?"]),  # nothing before Sigdal sends it
    (SIGDAL, {"press": "Send til kommunene"}, ["Registrert som ansk-2026-001", "sendt til 2 av 2 rådmenn"], []),
    (MODUM, None, ["Bli med på felles anskaffelse?", "Sigdal planlegger reforhandling av avtale", "Ja", "Nei",
                   "Vurderer"], []),
    (SIGDAL, None, [], ["Bli med på felles anskaffelse?"]),  # the initiator is not asked
    (MODUM, {"press": "Nei"}, ["Svaret «Nei» er lagret for Modum"], []),
    (SIGDAL, None, ["Modum svarte nei på felles anskaffelse av Fagsystem for barnevern"], []),
]


@pytest.fixture(autouse=True)
async def digit(bot):
    bot.services.now = lambda: NOW
    for user in (SIGDAL, MODUM, KRODSHERAD, LEAD):
        await bot.install(user, locale="nb-NO")


async def test_a_planned_procurement_registered_asked_and_answered(bot):
    await play(bot, DIALOGUE)
