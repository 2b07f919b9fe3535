"""Consultations in Teams: answer, edit, receipts, status, and every unhappy path.

A consultation with a deadline ten days after the test clock is added to the
demo data; the July 2024 one stays closed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogs.consultations.export import export_rows
from storage.models import Consultation
from tests.harness import DA_DIRECTOR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, message_text, play
from tests.harness.consultations import COORDINATOR, NOW, answer, total_responses, versions


async def test_the_july_2024_consultation_is_closed_and_says_so_with_the_contact(bot):
    text = await bot.say_text(DV_DIRECTOR, "høyring")
    assert "Høyringa er lukka" in text and "30. juni 2024" in text and "Tove Bech" in text


async def test_the_secretariat_sees_the_july_2024_status(bot):
    text = await bot.say_text(DV_SECRETARIAT, "høyring")
    for fragment in ("Felles innspel gjennom regionalt organ\n18", "Eige innspel\n2", "Ikkje innspel\n3",
                     "23 av 40 kommunar", "Ikkje svart\n17"):
        assert fragment in text, fragment


async def test_a_director_answers_edits_and_gets_receipts(bot, consultation):
    card = await bot.say_text(DV_DIRECTOR, "høyring")
    assert "Svar for Alver kommune" in card and "Hovudsyn på utkastet" in card and "10 dagar" in card

    receipt = message_text((await bot.submit(DV_DIRECTOR, answer(kind="individual", q_hovudsyn="Støttar utkastet")))[0])
    assert "Kvittering: svaret er lagra" in receipt and "Alver" in receipt and "Versjon\n1" in receipt
    assert "Støttar utkastet" in receipt

    again = message_text((await bot.submit(DV_DIRECTOR, answer(kind="individual", q_hovudsyn="Støttar utkastet")))[0])
    assert "Svaret var alt lagra (uendra)" in again
    assert [v.version for v in await versions(bot, "4631")] == [1]

    edited = message_text((await bot.submit(DV_DIRECTOR, answer(
        based_on=1, kind="individual", q_hovudsyn="Støttar med endringar", q_merknader="Kapittel 3 må endrast.")))[0])
    assert "Versjon\n2" in edited and "Kapittel 3 må endrast." in edited
    stored = await versions(bot, "4631")
    assert [(v.version, v.answers["hovudsyn"]) for v in stored] == [(1, "Støttar utkastet"),
                                                                    (2, "Støttar med endringar")]
    assert "versjon 2" in await bot.say_text(DV_DIRECTOR, "høyring")

    async with bot.db.session() as session:
        cons = await session.scalar(select(Consultation).where(Consultation.key == "test-hoyring"))
        _columns, rows = await export_rows(session, cons)
    assert [(r["municipality"], r["version"], r["latest"]) for r in rows] == [("Alver", 1, "no"), ("Alver", 2, "yes")]

    status = await bot.say_text(DV_SECRETARIAT, "høyring")
    assert "Eige innspel\n1" in status and "1 av 40 kommunar" in status


async def test_a_joint_answer_from_a_regional_body_counts_for_each_municipality_it_covers(bot, consultation):
    card = await bot.say_text(COORDINATOR, "høyring")
    assert "Region Nordhordland IKS" in card and "Alver" in card and "Vaksdal" in card
    receipt = message_text((await bot.submit(COORDINATOR, answer(q_hovudsyn="Støttar med endringar")))[0])
    assert "Kvittering" in receipt
    status = await bot.say_text(DV_SECRETARIAT, "høyring")
    assert "Felles innspel gjennom regionalt organ\n8" in status and "8 av 40 kommunar" in status
    assert (await versions(bot, "4632"))[0].kind == "joint"


async def test_a_director_can_answer_jointly_through_a_body_that_covers_their_municipality(bot, consultation):
    receipt = message_text((await bot.submit(DV_DIRECTOR, answer(kind="joint",
                                                                 on_behalf_of="region-nordhordland")))[0])
    assert "Region Nordhordland IKS" in receipt
    refused = message_text((await bot.submit(DV_DIRECTOR, answer(kind="joint", on_behalf_of="sysikt")))[0])
    assert "Vel det regionale organet" in refused
    assert [v.on_behalf_of_id is not None for v in await versions(bot, "4631")] == [True]


ROWS = [
    # (who, card data, what the answer must contain)
    (DV_DIRECTOR, answer(), "Vel korleis de svarar."),
    (DV_DIRECTOR, answer(kind="individual"), "Fyll ut minst eitt"),
    (DV_DIRECTOR, answer(kind="individual", q_hovudsyn="Kanskje"), "Eit av vala finst ikkje"),
    (DV_DIRECTOR, answer(kind="no_input", own_council_date="i haust"), "«i haust» er ikkje ein dato."),
    (DV_DIRECTOR, answer(kind="individual", q_merknader="x" * 20_000), "Teksten er for lang (20000 teikn)"),
    (DV_DIRECTOR, answer(kind="individual", q_hovudsyn="Støttar utkastet", revision=0),
     "Høyringa er endra sidan dette kortet vart sendt"),
    (DV_DIRECTOR, {"action": "consultation.answer", "consultation": "finst-ikkje", "revision": 1},
     "Fann ikkje høyringa"),
    (DA_DIRECTOR, answer(kind="individual", q_hovudsyn="Støttar utkastet"), "Fant ikke høringen"),
    (DV_OBSERVER, answer(kind="individual", q_hovudsyn="Støttar utkastet"), "Du er ikkje registrert i nokon medlemskommune"),
    (DV_SECRETARIAT, answer(kind="individual", q_hovudsyn="Støttar utkastet"), "kommunedirektøren eller ordføraren"),
]


@pytest.mark.parametrize(("user", "data", "expected"), ROWS, ids=[r[2][:30] for r in ROWS])
async def test_refused_answers_say_why_and_store_nothing(bot, consultation, user, data, expected):
    before = await total_responses(bot)
    text = "\n".join(message_text(m) for m in await bot.submit(user, data))
    assert expected in text
    assert await total_responses(bot) == before


async def test_a_refused_submit_keeps_what_was_typed(bot, consultation):
    replies = await bot.submit(DV_DIRECTOR, answer(kind="individual", q_hovudsyn="Kanskje",
                                                   q_merknader="Lang tekst eg ikkje vil miste"))
    assert "Lang tekst eg ikkje vil miste" in str(replies[0]["attachments"][0]["content"])


async def test_after_the_deadline_an_answer_is_refused_with_the_date_and_contact(bot, consultation):
    bot.services.now = lambda: NOW + timedelta(days=11)
    text = message_text((await bot.submit(DV_DIRECTOR, answer(kind="individual", q_hovudsyn="Støttar utkastet")))[0])
    assert "Høyringa er lukka" in text and "3. desember 2026" in text and "tove.bech@bergen.kommune.no" in text
    assert await versions(bot, "4631") == []


async def test_only_the_secretariat_refreshes_the_status(bot, consultation):
    text = message_text((await bot.submit(DV_DIRECTOR, {"action": "consultation.status"}))[0])
    assert "Berre sekretariatet i DigiVestland" in text
    text = message_text((await bot.submit(DV_SECRETARIAT, {"action": "consultation.status"}))[0])
    assert "Høyring om prioriteringar 2027" in text and "open, 10 dagar att" in text


async def test_the_secretariats_status_card_updates_in_place_when_an_answer_comes_in(bot, consultation):
    await bot.install(DV_SECRETARIAT)  # the secretariat's chat, where the status card is posted
    status = await bot.say(DV_SECRETARIAT, "høyring")
    assert "0 av 40 kommunar" in message_text(status[0])
    await bot.submit(DV_DIRECTOR, answer(kind="no_input", own_council_date="2026-12-15"))
    await bot.drain()
    updates = [r for r in bot.connector.records
               if r.op == "update" and r.conversation_id == DV_SECRETARIAT.personal_conversation]
    assert len(updates) == 1
    text = message_text(updates[0].activity)
    assert "1 av 40 kommunar" in text and "Ikkje innspel\n1" in text


JOINT = [
    (COORDINATOR, "høyring", ["Region Nordhordland IKS", "Alver", "Vaksdal", "Send svar"], ["Høyringa er lukka"]),
    (COORDINATOR, {"press": "Send svar", "q_hovudsyn": "Støttar med endringar"}, ["Kvittering"],
     ["Vel korleis de svarar."]),
    (DV_SECRETARIAT, "høyring", ["Felles innspel gjennom regionalt organ\n8", "8 av 40 kommunar"], ["Kvittering"]),
]


async def test_a_regional_body_answers_for_its_members_in_one_go_as_a_table(bot, consultation):
    for user in (COORDINATOR, DV_SECRETARIAT):
        await bot.install(user)
    await play(bot, JOINT)
