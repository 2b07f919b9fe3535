"""Reading a draft into clauses, checking it, and the clause diff: pure functions, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.agreements import document
from dialogs.agreements.document import ClauseLike, DocumentError

DRAFT = Path(__file__).parent / "fixtures" / "utkast-2025.md"


def test_the_test_draft_reads_into_numbered_clauses_with_headings():
    doc = document.parse_file(DRAFT)
    assert doc.ok, doc.problems
    assert doc.title == "Utkast til ny samarbeidsavtale for DigiVestland"
    numbers = [c.number for c in doc.clauses]
    assert numbers == ["", "1", "2", "3", "4", "4.1", "4.2", "4.3", "5", "5.1", "5.2", "6", "7", "8", "9", "10", "11"]
    by_number = {c.number: c for c in doc.clauses}
    assert by_number["5.2"].heading == "Styringsgruppe"
    assert "minst fire gonger i året" in by_number["5.2"].text
    assert by_number["4"].text == ""  # a section heading with sub-clauses is allowed to be empty
    assert "- deltaking på felles faglege arenaer" in by_number["3"].text  # lists stay text


@pytest.mark.parametrize("text, problem", [
    ("## 1 A\n\ntekst\n\n## 3 C\n\ntekst", "clause 3 follows 1; expected 1.1 or 2"),
    ("## 1 A\n\ntekst\n\n## 1 B\n\ntekst", "clause 1 appears twice (first at line 1)"),
    ("## 1 A\n\ntekst\n\n## 2 B\n\n## 3 C\n\ntekst", "clause 2 'B' has no text"),
    ("## 1 A\n\ntekst\n\n### 1.2 B\n\ntekst", "clause 1.2 follows 1; expected 1.1 or 2"),
    ("Berre tekst, ingen overskrifter.", "no numbered clauses found"),
])
def test_broken_numbering_duplicates_and_empty_clauses_are_named(text, problem):
    doc = document.parse_text(text)
    assert not doc.ok
    assert any(problem in p for p in doc.problems), doc.problems


def test_every_problem_is_listed_at_once():
    doc = document.parse_text("## 1 A\n\n## 1 A\n\nx\n\n## 4 D\n\nx")
    assert len(doc.problems) == 3, doc.problems


def test_numbered_list_items_and_emphasised_headings():
    doc = document.parse_text("# Tittel\n\n## 1. ***Sekretariat***\n\n1. Første punkt\n2. Andre punkt\n")
    assert doc.ok and [(c.number, c.heading) for c in doc.clauses] == [("1", "Sekretariat")]
    assert doc.clauses[0].text == "1. Første punkt\n2. Andre punkt"


def test_a_docx_draft_reads_like_the_markdown(tmp_path):
    import docx

    word = docx.Document()
    word.add_heading("Utkast til avtale", level=0)
    word.add_paragraph("Mellom kommunane i Vestland.")
    word.add_heading("1 Bakgrunn", level=1)
    word.add_paragraph("Første avsnitt.")
    word.add_paragraph("Andre avsnitt.")
    word.add_heading("2 Styringsgruppe", level=1)
    word.add_paragraph("Alver kommune", style="List Bullet")
    word.add_heading("2.1 Leiar", level=2)
    word.add_paragraph("Bergen leiar.")
    path = tmp_path / "utkast.docx"
    word.save(str(path))
    doc = document.parse_file(path)
    assert doc.ok, doc.problems
    assert [(c.number, c.heading) for c in doc.clauses] == [
        ("", "Utkast til avtale"), ("1", "Bakgrunn"), ("2", "Styringsgruppe"), ("2.1", "Leiar")]
    assert doc.clauses[1].text == "Første avsnitt.\n\nAndre avsnitt."
    assert doc.clauses[2].text == "- Alver kommune"


def test_unreadable_files_are_refused(tmp_path):
    bad = tmp_path / "utkast.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(DocumentError, match="not a readable Word document"):
        document.parse_file(bad)
    (tmp_path / "x.pdf").write_text("x")
    with pytest.raises(DocumentError, match="unsupported file type"):
        document.parse_file(tmp_path / "x.pdf")
    with pytest.raises(DocumentError, match="no such file"):
        document.parse_file(tmp_path / "missing.md")


OLD = [ClauseLike("bakgrunn", "1", "Bakgrunn", "Alle kommunar skal møte dei same oppgåvene."),
       ClauseLike("ressursgruppe", "2", "Ressursgruppe", "Det blir etablert ei ressursgruppe."),
       ClauseLike("styringsgruppe", "3", "Styringsgruppe", "Styringsgruppa møtest kvartalsvis og elles ved behov."),
       ClauseLike("varigheit", "4", "Varigheit", "Avtalen gjeld til 1. januar 2025.")]
NEW = [ClauseLike("", "1", "Bakgrunn", "Alle kommunar skal møte dei same oppgåvene."),
       ClauseLike("", "2", "Styringsgruppe", "Styringsgruppa møtest minst fire gonger i året og elles ved behov."),
       ClauseLike("", "3", "Varigheit", "Avtalen gjeld til 1. januar 2025."),
       ClauseLike("", "4", "Tiltreding", "Kvar kommune tiltrer ved vedtak.")]


def test_the_diff_finds_added_removed_changed_with_the_changed_words_and_renumbering():
    changes = document.diff(OLD, NEW)
    kinds = [(c.kind, c.heading) for c in changes]
    assert kinds == [("unchanged", "Bakgrunn"), ("removed", "Ressursgruppe"), ("changed", "Styringsgruppe"),
                     ("unchanged", "Varigheit"), ("added", "Tiltreding")]
    changed = changes[2]
    assert changed.deleted() == ["kvartalsvis"] and changed.inserted() == ["minst fire gonger i året"]
    assert changed.renumbered and changed.old.number == "3" and changed.new.number == "2"
    assert document.counts(changes) == {"added": 1, "removed": 1, "changed": 1, "unchanged": 2}


def test_the_diff_as_markdown():
    md = document.diff_markdown(document.diff(OLD, NEW), old_label="Samarbeidsavtale 2020", new_label="Utkast")
    assert md.startswith("# Endringar frå Samarbeidsavtale 2020 til Utkast")
    assert "## Teke ut: 2 Ressursgruppe" in md and "## Lagt til: 4 Tiltreding" in md
    assert "## Endra: 2 Styringsgruppe (tidlegare punkt 3)" in md
    assert "~~kvartalsvis~~ **minst fire gonger i året**" in md
    assert "Varigheit" not in md  # unchanged clauses are counted, not repeated
    assert "Ingen endringar." in document.diff_markdown(document.diff(OLD, OLD), old_label="a", new_label="b")


def test_keys_stay_stable_for_matched_clauses_and_are_unique():
    doc = document.parse_text("## 1 Styringsgruppe\n\nx\n\n## 2 Styringsgruppe\n\ny")
    document.assign_keys(doc.clauses, {0: "styringsgruppe-2020"})
    assert [c.key for c in doc.clauses] == ["styringsgruppe-2020", "styringsgruppe"]
    assert document.slug("Formålet med samarbeidet") == "formalet-med-samarbeidet"


def test_a_card_shows_only_the_changed_words_with_some_context():
    old = " ".join(f"w{i}" for i in range(40)) + " kvartalsvis " + " ".join(f"x{i}" for i in range(40))
    new = old.replace("kvartalsvis", "minst fire gonger i året")
    change = document.diff([ClauseLike("a", "1", "A", old)], [ClauseLike("a", "1", "A", new)])[0]
    assert document.changed_excerpt(change, context=3) == "… w37 w38 w39 ~~kvartalsvis~~ **minst fire gonger i året** x0 x1 x2 …"
