"""The archive's rules with plain values: no database, no HTTP.

What the secretariat would notice: a record that is not final is refused with the reason, and the
file names inside a package are ones every file system and the archive accept.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialogs.archive.arkivmelding import safe_file_name
from dialogs.archive.collect import ExportRefused, check_ready
from dialogs.archive.records import file_name
from dialogs.archive.service import package_name, title_of
from dialogs.i18n import t
from storage.models import Case, Consultation, Network
from storage.models.notices import Notice

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def said(refused: ExportRefused, lang: str = "nn") -> str:
    return t(refused.key, lang, **refused.values)


def test_an_open_consultation_is_refused_and_a_closed_or_past_one_is_taken():
    open_ = Consultation(id=1, key="budsjett-2027", title="Budsjett 2027", status="open",
                         deadline=NOW + timedelta(days=3))
    with pytest.raises(ExportRefused) as refused:
        check_ready("consultation", open_, NOW, "nn")
    assert "«Budsjett 2027» er ikkje avslutta" in said(refused.value)
    check_ready("consultation", Consultation(status="closed", deadline=NOW + timedelta(days=3)), NOW, "nn")
    check_ready("consultation", Consultation(status="open", deadline=NOW - timedelta(hours=1)), NOW, "nn")


@pytest.mark.parametrize(("status", "outcome", "ready"), [
    ("open", "", False), ("closed", "awaiting_chair", False), ("closed", "adopted", True),
    ("closed", "decided_by_chair", True)])
def test_a_case_goes_to_the_archive_only_when_closed_and_decided(status, outcome, ready):
    case = Case(id=4, key="sak-2026-004", title="Felles innkjøp", status=status, outcome=outcome)
    if ready:
        check_ready("case", case, NOW, "nn")
        return
    with pytest.raises(ExportRefused) as refused:
        check_ready("case", case, NOW, "nn")
    assert "Sak SAK-2026-004 «Felles innkjøp» er ikkje avgjord" in said(refused.value)


def test_a_notice_not_yet_sent_is_refused_with_its_title_or_its_first_words():
    with pytest.raises(ExportRefused) as refused:
        check_ready("notice", Notice(id=9, title="", text="Møtet er flytta til kl. 13.", status="draft"), NOW, "nn")
    assert "«Møtet er flytta til kl. 13.» er ikkje sendt" in said(refused.value)
    check_ready("notice", Notice(id=9, title="Flytta møte", status="sent", sent_at=NOW), NOW, "nn")


def test_file_names_people_see_keep_norwegian_letters_but_not_what_file_systems_refuse():
    assert file_name("Svar: Alver/Askøy «utkast»?") == "Svar Alver-Askøy «utkast».pdf"
    assert file_name("...") == "dokument.pdf"
    assert len(file_name("x" * 300)) == len("x" * 100 + ".pdf")


def test_file_names_inside_the_message_are_ascii_numbered_and_unique():
    assert safe_file_name(3, "Høyringssvar frå Bjørnafjorden.pdf") == "03-hoyringssvar-fra-bjornafjorden.pdf"
    assert safe_file_name(12, "Protokoll") == "12-protokoll.pdf"
    assert safe_file_name(1, "???.XLSX") == "01-dokument.xlsx"


def test_the_package_is_named_for_the_network_the_kind_and_the_record():
    network = Network(slug="digivestland")
    assert package_name(network, "case", Case(id=4, key="sak-2026-004")) == "arkiv-digivestland-case-sak-2026-004.zip"
    assert package_name(network, "notice", Notice(id=9)) == "arkiv-digivestland-notice-9.zip"
    assert title_of("case", Case(key="sak-2026-004", title="Felles innkjøp")) == "SAK-2026-004 Felles innkjøp"
    assert title_of("notice", Notice(id=9, title="", text="")) == "#9"
