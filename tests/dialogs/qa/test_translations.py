"""English questions reach clauses stored only in Norwegian through their working translations
(data/translations/): the answer says it is a translation and cites the Norwegian clause. Wordings here
are not in data/ nor in the evaluation sets."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs.qa.answer import answer, counts_the_noun
from dialogs.qa.text import raw_words, terms
from storage.queries import network_by_slug


async def ask(db, slug: str, question: str):
    async with db.session() as session:
        return await answer(session, await network_by_slug(session, slug), question,
                            now=datetime(2026, 12, 3, 9, 0, tzinfo=UTC))


async def test_an_english_question_on_a_nynorsk_clause_is_answered_from_its_translation(any_db):
    result = await ask(any_db, "digivestland", "Is there a risk of a digital divide between the municipalities?")
    assert result.answered and "digital divide" in result.answer
    assert "translated" in result.answer and "Nynorsk" in result.answer
    assert result.sources and result.sources[0].title.startswith("3 Verdien av samarbeidet")


async def test_a_norwegian_question_is_never_answered_with_the_english_translation(any_db):
    result = await ask(any_db, "digit-midt-buskerud", "Hvem tar beslutninger på vegne av rådmannen?")
    assert "oversatt" not in result.answer and "The municipal" not in result.answer


async def test_an_illustrative_body_is_never_an_answer(any_db):
    result = await ask(any_db, "digivestland", "what are the names of the seven specialist groups")
    assert "arkitektur" not in result.answer.lower() and "informasjonstryggleik" not in result.answer.lower()


def _q(text: str) -> list[str]:
    return terms(raw_words(text))


def test_how_many_needs_a_number_before_the_counted_word_or_a_list():
    asked = _q("Hvor mange innbyggere har Bærum?")
    assert not counts_the_noun(asked, "Bærum betaler inntil kr 3 per innbygger.")
    assert counts_the_noun(asked, "Bærum hadde 128 000 innbyggere.")
    assert counts_the_noun(_q("kor mange kommunar svarte"), "Tre kommunar hadde ingen innspel.")
    assert counts_the_noun(_q("how many bodies"), "The bodies:\n- the steering group\n- the secretariat")
    assert counts_the_noun(_q("kven leiar styringsgruppa"), "Bergen.")  # not a how-many question


async def test_a_named_person_is_answered_from_the_stored_title_and_a_wrong_claim_is_corrected(any_db):
    role = await ask(any_db, "digit-midt-buskerud", "what is jostein harm's role")
    assert role.answered and "Sigdal" in role.answer and role.kind == "person"
    claim = await ask(any_db, "digit-midt-buskerud", "Jostein Harm sit for Modum i DigIT, ikkje sant?")
    assert claim.answered and "Sigdal" in claim.answer and "Modum" not in claim.answer.split("\n", 1)[-1], claim.as_json()


async def test_what_the_rows_do_not_hold_about_a_person_is_not_answered_with_their_title(any_db):
    for question in ("kva er telefonnummeret til jostein harm", "who is jostein harm's deputy in digit"):
        result = await ask(any_db, "digit-midt-buskerud", question)
        assert "DigIT-representant" not in result.answer, question
