"""The matcher's word handling as an asker notices it: real words are never "corrected", compounds,
lemmas and dialect words meet the stored text, a count over a stored list is an answer, and honesty
rules hold (nothing illustrative stated as fact, slash words are not questions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs.qa.answer import answer, count_items
from dialogs.qa.text import is_real_word, split_compound, strip_preamble
from storage.queries import network_by_slug

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def ask(db, slug: str, question: str):
    async with db.session() as session:
        network = await network_by_slug(session, slug)
        return await answer(session, network, question, now=NOW)


@pytest.mark.parametrize("word", ["komme", "overfor", "weather", "manager", "spend", "meny", "kva", "ka"])
def test_real_words_are_words(word):
    assert is_real_word(word)


@pytest.mark.parametrize("word", ["styrinsgruppa", "bæurm", "grup", "kommuen"])
def test_misspellings_are_not_words(word):
    assert not is_real_word(word)


async def test_real_words_are_never_corrected_into_other_words(db):
    for question, word in [("kan eg komme på møtet i styringsgruppa", "komme"),
                           ("what is the weather like for the steering group", "weather"),
                           ("who is the manager of the steering group", "manager"),
                           ("how much do we spend on the steering group", "spend")]:
        result = await ask(db, "digivestland", question)
        assert word not in result.corrected, (question, result.corrected)
    result = await ask(db, "digivestland", "kven leiar styrinsgruppa")
    assert result.corrected == {"styrinsgruppa": "styringsgruppa"} and result.answered


def test_a_compound_splits_into_two_known_words():
    assert split_compound("styringsgruppemøtet") == ("styringsgruppe", "møtet")
    assert split_compound("styringsgruppe") is None


def test_the_askers_own_description_is_not_the_question():
    assert strip_preamble("kd i askøy: kor ofte møtest styringsgruppa") == "kor ofte møtest styringsgruppa"
    assert strip_preamble("eg er kd i askøy, kor ofte møtest styringsgruppa") == "kor ofte møtest styringsgruppa"
    assert strip_preamble("Kva seier avtalen: om møta") == "Kva seier avtalen: om møta"  # a question word


def test_a_count_over_a_listed_answer():
    assert count_items("Det tek hand om: a (x; y); b; c; d. Meir.") == 4
    assert count_items("Fem område: 1) a, 2) b, 3) c") == 3
    assert count_items("Ingen liste her.") is None


async def test_how_many_over_a_stored_list_is_answered_with_the_count(db):
    result = await ask(db, "digivestland", "kor mange oppgåver tek sekretariatet hand om")
    assert result.answered and "Kjeldene listar opp 6:" in result.answer
    result = await ask(db, "digitale-akershus", "hvor mange områder dekker samarbeidsavtalen")
    assert result.answered and "Kildene lister opp 5:" in result.answer


async def test_a_slash_word_is_never_answered_with_a_fact(db):
    for text in ("/meny", "/hjelp", "/whatever"):
        result = await ask(db, "digivestland", text)
        assert not result.answered and result.reason == "command"
