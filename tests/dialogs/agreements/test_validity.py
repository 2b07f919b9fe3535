"""Rules without a database: the date or version a question is about, the words matched once the
version is chosen, and which version is valid then."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.agreements.validity import Asked, VersionInfo, asked_in, matched_question, version_for
from dialogs.qa.sources import QaScope

TODAY = date(2026, 11, 23)
OLD = VersionInfo("samarbeidsavtale", "2020", "Samarbeidsavtale 2020", "expired", None, date(2024, 12, 31), 1)
NEW = VersionInfo("samarbeidsavtale", "utkast-2027", "Samarbeidsavtale 2027", "adopted", date(2027, 1, 1), None, 2)
DRAFT = VersionInfo("samarbeidsavtale", "utkast-2027", "Samarbeidsavtale 2027", "draft", date(2027, 1, 1), None, 2)


@pytest.mark.parametrize("question, day, year, which", [
    ("Kva sa avtalen om finansiering i 2023?", date(2023, 7, 1), True, ""),
    ("What did the agreement say about the steering group in 2023?", date(2023, 7, 1), True, ""),
    ("Kva gjeld frå 1. januar 2027?", date(2027, 1, 1), False, ""),
    ("Hva gjelder fra 01.01.2027?", date(2027, 1, 1), False, ""),
    ("Which agreement applies from 2027-01-01?", date(2027, 1, 1), False, ""),
    ("What applies under the agreement from January 1, 2027?", date(2027, 1, 1), False, ""),
    ("Kva seier avtalen i 2026?", TODAY, True, ""),  # this year: today
    ("Kva seier den nye avtalen om varigheit?", None, False, "newest"),
    ("Kva seier utkastet om varigheit?", None, False, "newest"),
    ("Hva sa den gamle avtalen om ressursgruppen?", None, False, "previous"),
    ("Kva skjedde i 2021?", None, False, ""),  # a year in a question not about the agreement is content
    ("Bærum vedtok sak 165/19 om avtalen", None, False, ""),  # a case number is not a year
])
def test_what_a_question_says_about_time(question, day, year, which):
    asked = asked_in(question, TODAY)
    assert (asked.day, asked.year, asked.which) == (day, year, which)


def test_into_force_asks_about_the_new_version():
    asked = asked_in("What changes when the new agreement comes into force?", TODAY)
    assert asked.into_force and asked.which == "newest"


@pytest.mark.parametrize("question, matched", [
    ("Kva sa avtalen om finansiering i 2023?", "Kva seier avtalen om finansiering?"),
    ("What did the agreement say about financing in 2023?", "What does the agreement say about financing?"),
    ("Kva seier den nye avtalen om varigheit?", "Kva seier avtalen om varigheit?"),
    ("Kva gjeld frå 1. januar 2027?", "Kva gjeld?"),  # too little left without "gjeld": it stays
    ("Kva gjeld frå 1. januar 2027 om styringsgruppa?", "Kva om styringsgruppa?"),
    ("Kven leiar styringsgruppa?", None),
])
def test_the_words_matched_once_the_version_is_chosen(question, matched):
    lang = "en" if question.startswith("What") else "nn"
    assert matched_question(question, asked_in(question, TODAY), lang) == matched


@pytest.mark.parametrize("versions, asked, chosen, how", [
    ([OLD, NEW], Asked(), OLD, "none"),  # today: nothing valid, the last one before today
    ([OLD, NEW], Asked(day=date(2023, 7, 1), year=True), OLD, "valid"),
    ([OLD, NEW], Asked(day=date(2027, 1, 1)), NEW, "valid"),
    ([OLD, DRAFT], Asked(day=date(2027, 1, 1)), DRAFT, "draft"),  # a draft that is to apply then
    ([OLD, DRAFT], Asked(), OLD, "none"),  # today never a draft
    ([OLD, NEW], Asked(which="newest"), NEW, "named"),
    ([OLD, DRAFT], Asked(which="newest"), DRAFT, "draft"),
    ([OLD, NEW], Asked(which="previous"), OLD, "named"),
    ([OLD, NEW], Asked(day=date(2025, 6, 1)), OLD, "none"),  # the gap between the two
])
def test_which_version_is_valid(versions, asked, chosen, how):
    assert version_for(versions, asked, TODAY) == (chosen, how)


def test_the_version_in_force_by_its_status_is_todays():
    in_force = VersionInfo("samarbeidsavtale", "utkast-2027", "Samarbeidsavtale 2027", "in_force",
                           date(2027, 1, 1), None, 2)
    # the switch follows the project's clock: before the effective date by the calendar, in force by status
    assert version_for([OLD, in_force], Asked(), TODAY) == (in_force, "current")


def test_a_scope_hides_only_hits_that_cite_nothing_but_hidden_versions_of_an_agreement():
    scope = QaScope(hidden=frozenset({"samarbeidsavtale/2020"}), notes={"samarbeidsavtale": {"nn": "Svar frå X."}})
    assert not scope.admits({"samarbeidsavtale/2020/styringsgruppe", "styringsgruppe"})
    # a fact on the 2020 text that also cites a news item is still about the 2020 text
    assert not scope.admits({"samarbeidsavtale/2020/varigheit", "status-juli-2024/2024-07/status-om-digivestland"})
    assert scope.admits({"samarbeidsavtale/utkast-2027/varigheit", "samarbeidsavtale/2020/varigheit"})
    assert scope.admits({"status-juli-2024/2024-07/status-prosess"}) and scope.admits(set())
    assert scope.admits({"styringsgruppe"})  # a bare clause key names no version
    assert scope.note_for(["samarbeidsavtale/2020/varigheit"], "nn") == ""  # a hidden version carries no note
    assert scope.note_for(["accessions/utkast-2027", "samarbeidsavtale/utkast-2027/varigheit"], "nn") == "Svar frå X."
