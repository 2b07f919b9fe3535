"""The Q&A capability's rules with plain values and an index built in memory: no database, no HTTP.

What a director notices: a question in Bokmål or English finds the Nynorsk phrasing, a typo is
forgiven and said, the answer comes in the language the question was asked in, amounts read as
Norwegian numbers.
"""

from __future__ import annotations

import pytest

from dialogs.qa import answer, text
from dialogs.qa.index import Doc, NetworkIndex

# --- folding and tokens ------------------------------------------------------------------------


def test_folding_lowercases_keeps_norwegian_letters_and_splits_on_punctuation():
    assert text.fold("Kven LEIAR styringsgruppa?") == "kven leiar styringsgruppa"
    assert text.fold("e-post/telefon, Bærum & Ås!") == "e post telefon bærum ås"
    assert text.fold("  ") == ""


@pytest.mark.parametrize("question", ["Kven leiar styringsgruppa?", "Hvem leder styringsgruppen?",
                                      "Who chairs the steering group?"])
def test_the_same_question_in_nynorsk_bokmal_and_english_gives_the_same_tokens(question):
    assert text.tokens(question) == ["kven", "leiar", "styringsgrupp"]


@pytest.mark.parametrize("question", ["Kor mykje betaler Alver?", "Hvor mye betaler Alver?",
                                      "How much does Alver pay?"])
def test_how_much_questions_meet_whatever_the_language(question):
    assert {"kormykj", "betale"} <= set(text.tokens(question))


def test_small_words_carry_no_meaning_but_question_words_do():
    assert text.tokens("Kva er det?") == ["kva"]
    assert text.tokens("Når er det?") == ["når"]
    assert text.term("og") is None and text.term("2027") == "2027"


def test_bokmal_spelling_of_a_term_meets_the_nynorsk_one():
    # the compound and its parts (stored text keeps both, so a question naming a part still meets it)
    assert text.tokens("informasjonssikkerhet") == text.tokens("information security")
    assert text.tokens("informasjonssikkerhet")[0] == "informasjonstryggleik"


@pytest.mark.parametrize(("question", "default", "lang"), [
    ("Kven leiar styringsgruppa?", "nb", "nn"),
    ("Hvem leder styringsgruppen?", "nn", "nb"),
    ("Who chairs the steering group?", "nn", "en"),
    ("Kva betaler Alver?", "nb", "nn"),
    ("Hva betaler Bærum?", "nn", "nb"),
    ("styringsgruppa", "nn", "nn"),  # no marker: the default
    ("styringsgruppa", "en", "nn"),  # a word only Nynorsk's dictionary knows (its -a form) is Nynorsk
    ("Når skal vi møtast?", "nb", "nb"),  # words shared by nn and nb do not decide
    ("", "nn", "nn"),
])
def test_the_answer_language_is_guessed_from_marker_words(question, default, lang):
    assert text.guess_language(question, default) == lang


def test_a_tie_between_two_languages_goes_to_the_default_when_it_is_one_of_them():
    assert text.guess_language("kven hvem", "nb") == "nb"
    assert text.guess_language("kven hvem", "nn") == "nn"
    assert text.guess_language("kven hvem", "en") == "nn"  # not a leader: the first leader


# --- picking the text and the amount ------------------------------------------------------------


def test_the_answer_text_is_in_the_asked_language_else_the_networks_else_the_other_norwegian():
    texts = {"nn": "Leiaren er frå Bergen.", "nb": "Lederen er fra Bergen.", "en": "The chair is from Bergen."}
    assert answer.pick(texts, "en", "nn") == "The chair is from Bergen."
    assert answer.pick({"nn": texts["nn"], "nb": texts["nb"]}, "en", "nb") == "Lederen er fra Bergen."
    assert answer.pick({"nb": texts["nb"]}, "nn", "nn") == "Lederen er fra Bergen."
    assert answer.pick({"en": texts["en"], "nn": ""}, "nn", "nn") == "The chair is from Bergen."
    assert answer.pick(None, "nn", "nn") == ""


def test_amounts_are_grouped_in_thousands_norwegian_or_english_style():
    assert answer._amount(392763.4, "nb") == "392\u00a0763"
    assert answer._amount(392763.6, "en") == "392,764"
    assert answer._amount(999, "nn") == "999"


# --- the index, in memory ---------------------------------------------------------------------


def index() -> NetworkIndex:
    built = NetworkIndex(network_id=1, stamp=())
    built.add(Doc(key="fact:leiar", kind="fact"), [
        ("question", "Kven leiar styringsgruppa?"),
        ("answer", "Kommunaldirektøren for finans i Bergen kommune leiar styringsgruppa.")])
    built.add(Doc(key="fact:kontingent", kind="fact"), [
        ("question", "Kor mykje betaler kommunane i kontingent?"),
        ("answer", "Kvar kommune betaler 3 kr per innbyggjar.")])
    built.add(Doc(key="fact:sekretariat", kind="fact"), [
        ("question", "Kven er i sekretariatet?"), ("answer", "Sekretariatet er i Bergen kommune.")])
    built.municipalities = {"alver": 11, "bjørnafjorden": 12, "bergen": 13}
    built.other_networks = {"digitaleakershus", "digit"}
    built.finish()
    return built


@pytest.mark.parametrize(("question", "key"), [
    ("Kven leiar styringsgruppa?", "fact:leiar"),
    ("Hvem leder styringsgruppen?", "fact:leiar"),
    ("Who chairs the steering group?", "fact:leiar"),
    ("Hvor mye betaler kommunene?", "fact:kontingent"),
    ("How much do the municipalities pay?", "fact:kontingent"),
    ("Who is in the secretariat?", "fact:sekretariat"),
])
def test_a_question_in_any_language_finds_the_entry_phrased_in_nynorsk(question, key):
    ranking = index().rank(question)
    assert ranking.hits[0].doc.key == key
    assert ranking.hits[0].coverage >= answer.MIN_COVERAGE


def test_a_misspelt_word_is_corrected_and_the_correction_reported():
    ranking = index().rank("kven leiar styrinsgruppa")
    assert ranking.corrected == {"styrinsgruppa": "styringsgruppa"}
    assert ranking.hits[0].doc.key == "fact:leiar" and ranking.unknown == []


def test_a_word_the_network_never_uses_is_unknown_and_matches_nothing():
    ranking = index().rank("xylofonorkester")
    assert ranking.unknown == ["xylofonorkester"] and ranking.hits == []


def test_a_municipality_is_recognised_with_a_genitive_s_or_a_typo():
    built = index()
    assert built.municipality_in("Kor mykje betaler Alvers kommune?") == 11
    assert built.municipality_in("Kva betaler Bjørnafjordn?") == 12
    assert built.municipality_in("Kven leiar styringsgruppa?") is None


def test_a_question_about_another_network_is_noticed():
    built = index()
    assert built.mentions_other_network("Kven leiar Digitale Akershus?")
    assert built.mentions_other_network("Kva gjer DigIT?")
    assert not built.mentions_other_network("Kven leiar styringsgruppa?")
