"""Q&A answers composed from stored rows: computed facts follow the data and the clock; plug-in sources."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from dialogs.qa import sources
from dialogs.qa.answer import answer
from storage.models import AuditEntry, Body, Event, Fact, Network, Person, Seat
from storage.queries import network_by_slug

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def ask(db, slug: str, question: str, *, now: datetime = NOW, lang: str | None = None):
    async with db.session() as session:
        network = await network_by_slug(session, slug)
        return await answer(session, network, question, now=now, lang=lang)


async def _make_calendar_live(db) -> None:
    """The demo calendar is illustrative; a real installation's rows are not. Make them real rows."""
    async with db.session() as session:
        await session.execute(update(Event).values(illustrative=False))


async def test_an_illustrative_meeting_is_never_stated_as_the_next_one(any_db):
    result = await ask(any_db, "digivestland", "Når er neste møte i styringsgruppa?")
    assert not result.answered and "10. desember 2026" not in result.answer


async def test_the_next_steering_group_meeting_follows_the_clock(any_db):
    await _make_calendar_live(any_db)
    first = await ask(any_db, "digivestland", "Når er neste møte i styringsgruppa?")
    assert first.answered and "10. desember 2026 kl. 10:00" in first.answer
    later = await ask(any_db, "digivestland", "kor tid møtest styringsgruppa neste gong",
                      now=datetime(2026, 12, 11, tzinfo=UTC))
    assert "11. mars 2027 kl. 10:00" in later.answer and "desember 2026" not in later.answer


async def test_a_cancelled_meeting_is_not_the_next_one(any_db):
    await _make_calendar_live(any_db)
    async with any_db.session() as session:
        await session.execute(update(Event).where(Event.key == "styringsgruppa-2026-12-10").values(status="cancelled"))
    result = await ask(any_db, "digivestland", "When is the next steering group meeting?")
    assert "11 March 2027" in result.answer


async def test_agreement_expiry_with_time_since_or_left(any_db):
    result = await ask(any_db, "digivestland", "Når går avtalen ut?")
    assert "31. desember 2024" in result.answer and "692 dagar sidan" in result.answer
    before = await ask(any_db, "digivestland", "Når går avtalen ut?", now=datetime(2024, 12, 1, tzinfo=UTC))
    assert "30 dagar att" in before.answer


async def test_who_sits_on_the_steering_group_today_comes_from_the_seats(any_db):
    result = await ask(any_db, "digivestland", "Kven sit i styringsgruppa no?")
    # the demo people are shown as demo data, never by their made-up names
    assert "Alver og kommunane i Nordhordland" in result.answer and "demodata" in result.answer
    assert "Ingrid Haugland" not in result.answer
    async with any_db.session() as session:
        await session.execute(update(Person).where(Person.name == "Ingrid Haugland").values(demo=False))
    result = await ask(any_db, "digivestland", "Kven sit i styringsgruppa no?")
    # her seat is marked illustrative (the seat is in the agreement, its holder is not): still no name
    assert "Ingrid Haugland" not in result.answer and "demodata" in result.answer
    async with any_db.session() as session:
        body = await session.scalar(select(Body).where(Body.key == "styringsgruppa"))
        await session.execute(update(Seat).where(Seat.body_id == body.id, Seat.key == "alver")
                              .values(illustrative=False))
    result = await ask(any_db, "digivestland", "Kven sit i styringsgruppa no?")
    assert "Ingrid Haugland" in result.answer
    async with any_db.session() as session:
        await session.execute(update(Seat).where(Seat.body_id == body.id, Seat.key == "alver")
                              .values(valid_to=date(2026, 6, 30)))
    result = await ask(any_db, "digivestland", "Kven sit i styringsgruppa no?")
    assert result.answered and "Ingrid Haugland" not in result.answer


async def test_money_is_up_to_the_rate_of_its_year_and_never_a_made_up_total(any_db):
    result = await ask(any_db, "digitale-akershus", "Hvor mye betaler Lørenskog?")
    assert result.kind == "contribution" and "inntil 3 kr per innbygger" in result.answer
    assert "2020" in result.answer and "årsmøtet" in result.answer and "144" not in result.answer
    assert [s.ref for s in result.sources] == ["samarbeidsavtale/2020/finansiering"]
    async with any_db.session() as session:
        await session.execute(update(Fact).where(Fact.key == "kontingent-per-innbygger")
                              .values(value={"rate_nok": 5, "per": "inhabitant", "year": 2027, "set_by": "årsmøtet",
                                             "up_to": True, "years": "2027-2030"}))
    result = await ask(any_db, "digitale-akershus", "hvor mye skal lørenskog betale")
    assert "inntil 5 kr per innbygger" in result.answer and "2027–2030" in result.answer
    async with any_db.session() as session:  # a fixed rate (no `up_to`) is not called "inntil"
        await session.execute(update(Fact).where(Fact.key == "kontingent-per-innbygger")
                              .values(value={"rate_nok": 5, "per": "inhabitant", "year": 2027, "set_by": "årsmøtet"}))
    result = await ask(any_db, "digitale-akershus", "hvor mye skal lørenskog betale")
    assert "5 kr per innbygger" in result.answer and "inntil" not in result.answer and "2027" in result.answer
    # a municipality whose membership is not confirmed gets no computed fee
    result = await ask(any_db, "digitale-akershus", "Hvor mye betaler Asker?")
    assert "ikke bekreftet" in result.answer and "kr i året" not in result.answer
    # a yearly total is not in the sources: refused, not computed
    result = await ask(any_db, "digitale-akershus", "hvor mange kroner totalt betaler lørenskog i året")
    assert not result.answered
    # DigiVestland stores no rate: no amount is made up
    result = await ask(any_db, "digivestland", "Kor mykje betaler Bergen?")
    assert "kr i året" not in result.answer


async def test_answers_come_only_from_the_askers_network(any_db):
    result = await ask(any_db, "digit-midt-buskerud", "Who chairs the steering group in DigiVestland?")
    assert not result.answered and result.reason == "other_network"
    result = await ask(any_db, "digit-midt-buskerud", "Hva betaler Bærum?")
    assert "392" not in result.answer


async def test_a_reloaded_phrasing_is_found_after_the_data_changes(any_db):
    question = "Kva seier avtalen om kaffipausar?"
    assert not (await ask(any_db, "digivestland", question)).answered
    async with any_db.session() as session:
        fact = await session.scalar(select(Fact).where(Fact.key == "motefrekvens"))
        fact.questions = {**fact.questions, "nn": [*fact.questions["nn"], question]}
        session.add(AuditEntry(action="data.load", target="digivestland"))  # what the loader records
    result = await ask(any_db, "digivestland", question)
    assert result.answered and result.key == "motefrekvens"


async def test_a_plug_in_source_is_indexed_like_a_fact(any_db):
    calls = []

    @sources.qa_source("test-portfolio")
    async def portfolio(session, network: Network) -> list[sources.QaDocument]:
        calls.append(network.slug)
        if network.slug != "digivestland":
            return []
        return [sources.QaDocument(
            key="coffee",
            questions={"nn": ["Kvar står kaffimaskina til sekretariatet?"],
                       "nb": ["Hvor står kaffemaskinen til sekretariatet?"]},
            answer={"nn": "Kaffimaskina står i andre etasje.", "en": "The coffee machine is on the second floor."},
            sources=[sources.QaCitation(title="Kontorhandboka 2026", ref="office/2026")])]

    try:
        sources.invalidate()
        result = await ask(any_db, "digivestland", "Hvor står kaffemaskinen til sekretariatet?")
        assert result.answered and result.answer == "Kaffimaskina står i andre etasje."  # nb falls back to nn
        assert [s.title for s in result.sources] == ["Kontorhandboka 2026"]
        english = await ask(any_db, "digivestland", "Kvar står kaffimaskina til sekretariatet?", lang="en")
        assert english.answer == "The coffee machine is on the second floor."
        other = await ask(any_db, "digitale-akershus", "Hvor står kaffemaskinen til sekretariatet?")
        assert "etasje" not in other.answer and "floor" not in other.answer
    finally:
        sources.QA_SOURCES.pop("test-portfolio", None)
        sources.invalidate()
    assert "digivestland" in calls


async def test_a_broken_plug_in_does_not_stop_answers(any_db):
    @sources.qa_source("test-broken")
    async def broken(session, network):
        raise RuntimeError("boom")

    try:
        sources.invalidate()
        assert (await ask(any_db, "digivestland", "Kven leiar styringsgruppa?")).answered
    finally:
        sources.QA_SOURCES.pop("test-broken", None)
        sources.invalidate()


@pytest.mark.parametrize(("question", "lang"), [
    ("Kven leiar styringsgruppa?", "nn"), ("Hvem leder styringsgruppen?", "nb"),
    ("Who chairs the steering group?", "en"),
])
async def test_the_answer_is_in_the_language_of_the_question(db, question, lang):
    result = await ask(db, "digivestland", question)
    assert result.lang == lang and result.key == "leiar-styringsgruppa"


async def test_what_the_sources_do_not_say_is_an_explained_refusal(any_db):
    # Digitale Akershus' source does not say who chairs the programme board (fact kind not_in_sources)
    result = await ask(any_db, "digitale-akershus", "Hvem er leder for programstyret?")
    assert not result.answered and result.reason == "not_in_sources"
    assert "sier ikke hvem" in result.answer
    assert "samarbeidsavtale/2020/programorganisering" in [s.ref for s in result.sources]
    # a question for a number the stored text does not hold is not answered with a text about the topic
    result = await ask(any_db, "digivestland", "Which municipalities were the four that sent nothing?")
    assert not result.answered
