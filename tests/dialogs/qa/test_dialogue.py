"""Q&A through the bot on loopback: answers with clauses, honest don't-know, the secretariat round trip."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import EscalatedQuestion, Fact, QaFeedback
from tests.harness import (
    DA_DIRECTOR,
    DIT_DIRECTOR,
    DV_CHAIR,
    DV_DIRECTOR,
    DV_SECRETARIAT,
    OUTSIDER,
    message_text,
    play,
)
from tests.harness import submits as buttons  # every Action.Submit in a card


def card_of(messages: list[dict]) -> dict:
    return next(a["content"] for m in messages for a in m.get("attachments") or [])


CHAIR = [  # (user, question, what the answer must show)
    (DV_DIRECTOR, "Kven leiar styringsgruppa?",
     ["kommunaldirektøren for byrådsavdeling finans, næring og eigedom i Bergen kommune", "Byggjer på",
      "Leiar for styringsgruppa (Samarbeidsavtale 2020)", "Vis heile punktet", "Nyttig", "Ikkje nyttig"]),
    (DV_DIRECTOR, "Hvem leder styringsgruppen?",
     ["kommunaldirektøren for byrådsavdeling finans, næring og eiendom i Bergen kommune", "Bygger på",
      "Leiar for styringsgruppa (Samarbeidsavtale 2020)", "Ikke nyttig"]),
    (DV_DIRECTOR, "Who chairs the steering group?",
     ["municipal director of Bergen's department of finance", "Based on",
      "Leiar for styringsgruppa (Samarbeidsavtale 2020)", "Show the full clause", "Not useful"]),
    (DV_DIRECTOR, "kven leiar styrinsgruppa", ["Bergen kommune", "«styrinsgruppa» som «styringsgruppa»"]),
]


@pytest.mark.parametrize(("user", "question", "expected"), CHAIR)
async def test_the_chair_of_the_steering_group_with_the_clause_cited(bot, user, question, expected):
    messages = await bot.say(user, question)
    text = "\n".join(message_text(m) for m in messages)
    for piece in expected:
        assert piece in text
    card = card_of(messages)
    hidden = [c for c in card["body"] if c.get("type") == "Container" and c.get("isVisible") is False]
    assert hidden and "den han utpeikar, leiar styringsgruppa" in message_text({"attachments": [
        {"content": hidden[0]}]})  # the full clause, in its original wording, behind the toggle
    related = [b for b in buttons(card) if b["data"].get("action") == "qa.ask"]
    assert 2 <= len(related) <= 3


async def test_a_related_question_button_asks_it(bot):
    card = card_of(await bot.say(DV_DIRECTOR, "Kven leiar styringsgruppa?"))
    related = next(b for b in buttons(card) if b["data"].get("action") == "qa.ask")
    text = "\n".join(message_text(m) for m in await bot.submit(DV_DIRECTOR, related["data"]))
    assert "Byggjer på" in text and "Nyttig" in text


async def test_digitale_akershus_asks_what_baerum_pays_and_gets_the_rate_with_its_year(bot):
    text = await bot.say_text(DA_DIRECTOR, "Hva betaler Bærum?")
    assert "inntil 3 kr per innbygger" in text and "2020" in text and "årsmøtet" in text
    assert "392" not in text  # the 2020 rate times a 2024 population is not what the decision says


async def test_a_slash_word_gets_the_help_not_a_fact(bot):
    text = await bot.say_text(DA_DIRECTOR, "/meny")
    assert "tolka" not in text and "Byggjer på" not in text and "Bygger på" not in text
    assert text == await bot.say_text(DA_DIRECTOR, "hjelp")


async def test_an_edited_fact_changes_the_answer(bot):
    async with bot.db.session() as session:
        fact = await session.scalar(select(Fact).where(Fact.key == "motefrekvens"))
        fact.answer = {**fact.answer, "nn": "Styringsgruppa møtest annakvar månad."}
    assert "annakvar månad" in await bot.say_text(DV_DIRECTOR, "Kor ofte møtest styringsgruppa?")


async def test_digit_never_gets_a_digivestland_answer(bot):
    text = await bot.say_text(DIT_DIRECTOR, "Kven leiar styringsgruppa i DigiVestland?")
    assert "Bergen" not in text and "Det vet jeg ikke" in text or "Det veit eg ikkje" in text
    text = await bot.say_text(DIT_DIRECTOR, "Kven leiar styringsgruppa?")
    assert "Bergen" not in text and "byrådsavdeling" not in text


async def test_a_user_with_no_network_gets_the_unknown_user_answer(bot):
    text = await bot.say_text(OUTSIDER, "Kven leiar styringsgruppa?")
    assert "Bergen" not in text and "Byggjer på" not in text


async def test_feedback_is_stored_once_per_person_and_answer(bot):
    card = card_of(await bot.say(DV_DIRECTOR, "Kven leiar styringsgruppa?"))
    useful, not_useful = [b["data"] for b in buttons(card) if b["data"].get("action") == "qa.feedback"]
    assert "Takk for tilbakemeldinga" in message_text((await bot.submit(DV_DIRECTOR, useful))[0])
    await bot.submit(DV_DIRECTOR, not_useful)  # changed their mind
    async with bot.db.session() as session:
        rows = (await session.scalars(select(QaFeedback))).all()
    assert [(r.fact_key, r.useful, r.question) for r in rows] == [
        ("leiar-styringsgruppa", False, "Kven leiar styringsgruppa?")]
    bad = await bot.submit(DV_DIRECTOR, {"action": "qa.feedback", "useful": "maybe"})
    assert "forstod ikkje" in message_text(bad[0])


WEATHER = "Kva er vêret i Bergen i morgon?"


async def test_unknown_question_round_trip_through_the_secretariat(bot):
    for user in (DV_DIRECTOR, DV_SECRETARIAT, DV_CHAIR):
        await bot.install(user)
    # 1. the honest don't-know, with the offer
    messages = await bot.say(DV_DIRECTOR, WEATHER)
    text = "\n".join(message_text(m) for m in messages)
    assert "Det veit eg ikkje" in text and "Send spørsmålet til sekretariatet" in text
    escalate = next(b["data"] for b in buttons(card_of(messages)) if b["data"].get("action") == "qa.escalate")

    # 2. sent to the secretariat (a double click sends it once)
    done = message_text((await bot.submit(DV_DIRECTOR, escalate))[0])
    assert "sendt til sekretariatet i DigiVestland" in done
    assert "alt sendt" in message_text((await bot.submit(DV_DIRECTOR, escalate))[0])
    await bot.drain()
    async with bot.db.session() as session:
        eq = await session.scalar(select(EscalatedQuestion))
        assert await session.scalar(select(func.count(EscalatedQuestion.id))) == 1
    inbox = bot.connector.messages(DV_SECRETARIAT.personal_conversation)
    assert sum(WEATHER in message_text(m) for m in inbox) == 1
    assert "Ingrid Haugland" in message_text(inbox[-1])

    # 3. only the secretariat may answer; an empty answer is refused
    refused = await bot.submit(DV_DIRECTOR, {"action": "qa.answer_escalated", "id": eq.id, "answer": "Sol."})
    assert "Berre sekretariatet" in message_text(refused[0])
    empty = await bot.submit(DV_SECRETARIAT, {"action": "qa.answer_escalated", "id": eq.id, "answer": " "})
    assert "Skriv eit svar" in message_text(empty[0])

    # 4. the secretariat answers and saves; the asker gets it
    answer = {"action": "qa.answer_escalated", "id": eq.id, "answer": "Sjå yr.no for vêrmeldinga.", "save": "true"}
    sent = message_text((await bot.submit(DV_SECRETARIAT, answer))[0])
    assert "Svaret er sendt til Ingrid Haugland" in sent and "lagra som fast svar" in sent
    await bot.drain()
    delivered = [message_text(m) for m in bot.connector.messages(DV_DIRECTOR.personal_conversation)]
    assert any("Svar frå sekretariatet" in m and "Sjå yr.no for vêrmeldinga." in m for m in delivered)
    again = message_text((await bot.submit(DV_SECRETARIAT, {**answer, "answer": "Anna svar"}))[0])
    assert "alt svart på av Eirik Nesheim" in again
    assert sum("Anna svar" in m for m in map(message_text, bot.connector.messages(DV_DIRECTOR.personal_conversation))) == 0

    # 5. the next person who asks gets the saved answer directly
    text = await bot.say_text(DV_CHAIR, WEATHER)
    assert "Sjå yr.no for vêrmeldinga." in text and "Svar frå sekretariatet" in text
    async with bot.db.session() as session:
        learned = await session.scalar(select(Fact).where(Fact.origin == "learned"))
    assert learned.key == f"learned-{eq.id}"


async def test_a_learned_answer_survives_reloading_the_data(bot):
    from storage.db import data_dir
    from storage.loader import load_path

    await bot.install(DV_SECRETARIAT)
    await bot.submit(DV_DIRECTOR, {"action": "qa.escalate", "q": WEATHER, "lang": "nn"})
    async with bot.db.session() as session:
        eq = await session.scalar(select(EscalatedQuestion))
    await bot.submit(DV_SECRETARIAT, {"action": "qa.answer_escalated", "id": eq.id, "answer": "Sjå yr.no.",
                                      "save": "true"})
    await load_path(bot.db, data_dir())
    assert "Sjå yr.no." in await bot.say_text(DV_CHAIR, WEATHER)


async def test_an_answer_not_saved_is_delivered_but_not_learned(bot):
    await bot.install(DV_DIRECTOR)
    await bot.submit(DV_DIRECTOR, {"action": "qa.escalate", "q": WEATHER, "lang": "nn"})
    async with bot.db.session() as session:
        eq = await session.scalar(select(EscalatedQuestion))
    await bot.submit(DV_SECRETARIAT, {"action": "qa.answer_escalated", "id": eq.id, "answer": "Sol.",
                                      "save": "false"})
    await bot.drain()
    assert any("Sol." in message_text(m) for m in bot.connector.messages(DV_DIRECTOR.personal_conversation))
    assert "Det veit eg ikkje" in await bot.say_text(DV_CHAIR, WEATHER)


async def test_stale_or_forged_escalation_cards(bot):
    gone = await bot.submit(DV_SECRETARIAT, {"action": "qa.answer_escalated", "id": 9999, "answer": "x"})
    assert "finn ikkje dette spørsmålet" in message_text(gone[0])
    for junk_id in ("abc", 10**30, -1, None, [1]):
        junk = await bot.submit(DV_SECRETARIAT, {"action": "qa.answer_escalated", "id": junk_id})
        assert "finn ikkje dette spørsmålet" in message_text(junk[0])
    empty = await bot.submit(DV_DIRECTOR, {"action": "qa.escalate", "q": ""})
    assert "manglar eit spørsmål" in message_text(empty[0])


# A question, its answer with the clause it rests on, and the reader's feedback, as a table
# (who, sends or presses, must show, must not show).
ASKED_AND_RATED = [
    (DV_DIRECTOR, "Kven leiar styringsgruppa?",
     ["Bergen kommune", "Byggjer på", "Leiar for styringsgruppa (Samarbeidsavtale 2020)", "Nyttig"],
     ["Det veit eg ikkje"]),
    (DV_DIRECTOR, {"press": "Nyttig"}, ["Takk for tilbakemeldinga"], []),
    (DV_CHAIR, "Who chairs the steering group?", ["municipal director of Bergen's department of finance"],
     ["Byggjer på"]),
]


async def test_a_question_is_answered_with_its_clause_and_rated_as_a_table(bot):
    for user in (DV_DIRECTOR, DV_CHAIR):
        await bot.install(user)
    await play(bot, ASKED_AND_RATED)
