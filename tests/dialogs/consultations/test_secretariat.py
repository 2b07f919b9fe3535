"""The secretariat opens a consultation in Teams, the directors get the card; extend, close, reopen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from storage.models import Consultation
from tests.harness import DV_DIRECTOR, DV_SECRETARIAT, message_text
from tests.harness.consultations import preview

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


async def consultations(bot) -> int:
    async with bot.db.session() as session:
        return await session.scalar(select(func.count()).select_from(Consultation))


async def press(bot, user, data) -> str:
    return "\n".join(message_text(m) for m in await bot.submit(user, data))


async def test_the_secretariat_opens_a_consultation_and_directors_with_the_app_get_the_card(bot):
    await bot.install(DV_DIRECTOR)
    form = await bot.say_text(DV_SECRETARIAT, "ny høyring")
    assert "Ny høyring" in form and "Frist" in form

    card, text = await preview(bot, title="Ny samarbeidsavtale 2027", deadline="om to veker",
                               link="https://example.org/utkast.pdf")
    assert "Stemmer dette?" in text and "7. desember 2026 kl. 23:59" in text
    assert "1 kommunedirektørar" in text and "Har ikkje installert appen" in text
    assert await consultations(bot) == 1  # a preview opens nothing

    open_data = next(a["data"] for a in card["actions"] if a["data"]["action"] == "consultation.open")
    done = await press(bot, DV_SECRETARIAT, open_data)
    assert "er opna og sendt til 1 mottakarar" in done and "0 av 40 kommunar" in done
    assert await consultations(bot) == 2

    delivered = bot.connector.messages(DV_DIRECTOR.personal_conversation)
    assert any("Svar for Alver kommune" in message_text(m) and "Ny samarbeidsavtale 2027" in message_text(m)
               for m in delivered)

    again = await press(bot, DV_SECRETARIAT, open_data)  # double click on "Opne og send"
    assert "er alt opna" in again and await consultations(bot) == 2


@pytest.mark.parametrize(("fields", "expected"), [
    ({"title": "", "deadline": "om to veker"}, "Skriv ein tittel."),
    ({"title": "X", "deadline": "i går"}, "fram i tid"),
    ({"title": "X", "deadline": "blabla"}, "Eg forstod ikkje «blabla»"),
    ({"title": "X", "deadline": "om to veker", "link": "ftp:/x"}, "ikkje ei gyldig lenkje"),
])
async def test_a_bad_form_is_shown_again_with_the_reason(bot, fields, expected):
    _card, text = await preview(bot, **fields)
    assert expected in text and "Ny høyring" in text


async def test_only_the_secretariat_opens_or_changes_consultations(bot):
    assert "Berre sekretariatet i DigiVestland kan opne" in await bot.say_text(DV_DIRECTOR, "ny høyring")
    text = await press(bot, DV_DIRECTOR, {"action": "consultation.open", "key": "x", "title": "x",
                                          "deadline": "2027-01-01T12:00:00+01:00"})
    assert "Berre sekretariatet" in text
    text = await press(bot, DV_DIRECTOR, {"action": "consultation.close", "consultation": "ny-samarbeidsavtale-2024"})
    assert "Berre sekretariatet" in text
    assert await consultations(bot) == 1


async def test_close_reopen_and_extend(bot):
    card, _ = await preview(bot, title="Budsjett 2027", deadline="10. desember kl. 12")
    open_data = next(a["data"] for a in card["actions"] if a["data"]["action"] == "consultation.open")
    await press(bot, DV_SECRETARIAT, open_data)
    key = open_data["consultation_key"]

    asked = await press(bot, DV_SECRETARIAT, {"action": "consultation.close", "consultation": key})
    assert "Lukke «Budsjett 2027» no?" in asked and "0 av 40 kommunar har svart" in asked
    assert "Ja, lukk høyringa" in asked and "Avbryt" in asked
    async with bot.db.session() as session:  # asking closed nothing
        assert (await session.scalar(select(Consultation).where(Consultation.key == key))).status == "open"
    assert "ikkje lukka" in await press(bot, DV_SECRETARIAT, {"action": "consultation.close_cancel"})
    close = {"action": "consultation.close", "consultation": key, "confirmed": "yes"}
    assert "er lukka" in await press(bot, DV_SECRETARIAT, close)
    assert "var alt lukka" in await press(bot, DV_SECRETARIAT, close)
    refused = await press(bot, DV_DIRECTOR, {"action": "consultation.answer", "consultation": key, "revision": 1,
                                             "kind": "no_input"})
    assert "Høyringa er lukka" in refused

    reopened = await press(bot, DV_SECRETARIAT, {"action": "consultation.reopen", "consultation": key,
                                                 "deadline": "20. desember kl. 12"})
    assert "Ny frist for «Budsjett 2027»: søndag 20. desember 2026 kl. 12:00" in reopened
    assert "sendt på nytt til 1 som ikkje har svart" in reopened  # the director, who has the app
    receipt = await press(bot, DV_DIRECTOR, {"action": "consultation.answer", "consultation": key, "revision": 1,
                                             "kind": "no_input"})
    assert "Kvittering" in receipt
    await press(bot, DV_SECRETARIAT, close)
    again = await press(bot, DV_SECRETARIAT, {"action": "consultation.reopen", "consultation": key,
                                              "deadline": "20. desember kl. 12"})
    assert "sendt på nytt til 0 som ikkje har svart" in again  # Alver has answered now
    past = await press(bot, DV_SECRETARIAT, {"action": "consultation.extend", "consultation": key,
                                             "deadline": "1. november 2026"})
    assert "1. november 2026 har alt vore" in past
    async with bot.db.session() as session:
        stored = await session.scalar(select(Consultation).where(Consultation.key == key))
    assert stored.deadline == datetime(2026, 12, 20, 11, 0, tzinfo=UTC) and stored.status == "open"
