"""Every export of the agreement cycle, made as the secretariat makes it (the command line on a fresh
database), is a real document: re-read with the library that wrote it (python-docx, openpyxl; the
Markdown files as UTF-8 text), and, where LibreOffice is installed, converted to PDF headless
(skipped when it is not; CI does not install it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli.main import main

DRAFT = Path(__file__).parent / "fixtures" / "utkast-2025.md"
OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
OFFICE_FILES = ["oppsummering.docx", "oppsummering.xlsx", "tiltreding.docx", "tiltreding.xlsx", "avtale.docx",
                "svar.xlsx"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    """The files: the clause diff of an import, the input summary of the July 2024 consultation on the
    imported draft and its answers, Digitale Akershus's accession status (Bærum's decision) and its agreement text."""
    out = tmp_path_factory.mktemp("exports")
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{out / 'cli.db'}"
    try:
        steps = [
            ["agreement", "import", "--network", "digivestland", "--version", "utkast-2025",
             "--diff", str(out / "endringar.md"), str(DRAFT)],
            ["agreement", "summary", "--network", "digivestland", "--out", str(out / "oppsummering.docx")],
            ["agreement", "summary", "--network", "digivestland", "--out", str(out / "oppsummering.xlsx")],
            # the answers to the consultation on the draft, every version (the consultations capability's export)
            ["consultation", "export", "--network", "digivestland", "--out", str(out / "svar.xlsx")],
            ["consultation", "export", "--network", "digivestland", "--out", str(out / "svar.csv")],
            ["agreement", "accessions", "--network", "digitale-akershus", "--out", str(out / "tiltreding.docx")],
            ["agreement", "accessions", "--network", "digitale-akershus", "--out", str(out / "tiltreding.xlsx")],
            ["agreement", "text", "--network", "digitale-akershus", "--out", str(out / "avtale.docx")],
            ["agreement", "text", "--network", "digitale-akershus", "--out", str(out / "avtale.md")],
        ]
        for step in steps:
            assert main(step) == 0, step
    finally:
        if before is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = before
    return out


def _docx_text(path: Path) -> list[str]:
    import docx

    word = docx.Document(str(path))
    return [p.text for p in word.paragraphs] + [c.text for t in word.tables for row in t.rows for c in row.cells]


def _xlsx_rows(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(str(path))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_word_files_read_back(exports):
    summary = _docx_text(exports / "oppsummering.docx")
    assert "Høyringsoppsummering: Utkast til ny samarbeidsavtale (2024)" in summary
    assert {"Støttar med endringar: 19", "Støttar utkastet: 1", "Ikkje innspel: 3"} <= set(summary)
    assert "5.2 Styringsgruppe" in summary and "11 Tiltreding" in summary
    status = _docx_text(exports / "tiltreding.docx")
    assert "Tiltredelse: Samarbeidsavtale for Digitale Akershus (fra 2020)" in status
    assert "165/19" in status and "Bærum: Formannskapet tirsdag 18. juni 2019, sak 165/19" in status
    text = _docx_text(exports / "avtale.docx")
    assert text[0] == "Samarbeidsavtale for Digitale Akershus" and "Parter" in text
    assert text[-1] == "Bærum: Formannskapet tirsdag 18. juni 2019, sak 165/19"


def test_the_workbooks_read_back(exports):
    summary = _xlsx_rows(exports / "oppsummering.xlsx")
    assert list(summary) == ["Merknader", "Hovudsyn"]
    assert ("Støttar med endringar", 19) in summary["Hovudsyn"]
    status = _xlsx_rows(exports / "tiltreding.xlsx")
    assert list(status) == ["2020", "Parter"]
    assert ("Bærum", "Tiltrer", "Formannskapet", "2019-06-18", "165/19") in [r[:5] for r in status["2020"]]
    assert status["Parter"][1:] == [("Bærum", "Tiltrer", "Formannskapet", "2019-06-18", "165/19", "2020-01-01")]


def test_the_answers_read_back(exports):
    import csv

    book = _xlsx_rows(exports / "svar.xlsx")
    rows = next(iter(book.values()))
    with (exports / "svar.csv").open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert len(rows) == len(table) > 20  # a header and the 23 municipalities' answers
    assert [str(c) for c in rows[0]] == table[0]
    assert any("Alver" in str(c) for r in rows for c in r)


def test_the_markdown_files_read_back(exports):
    diff = (exports / "endringar.md").read_text(encoding="utf-8")
    assert diff.startswith("# Endringar frå Samarbeidsavtale 2020 til") and "## Teke ut: 7 Ressursgruppe" in diff
    text = (exports / "avtale.md").read_text(encoding="utf-8")
    assert text.startswith("# Samarbeidsavtale for Digitale Akershus\n") and "\n## Parter\n" in text
    assert text.rstrip().endswith("- Bærum: Formannskapet tirsdag 18. juni 2019, sak 165/19")


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-*-nogui)")
@pytest.mark.parametrize("kind", ["docx", "xlsx"])  # apart: a .docx and an .xlsx share a name
def test_libreoffice_converts_every_office_export(exports, tmp_path, kind):
    # a profile of its own: another LibreOffice running on the machine must not hold the lock
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    names = [name for name in OFFICE_FILES if name.endswith(kind)]
    done = subprocess.run([OFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                           *(str(exports / name) for name in names)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    for name in names:
        pdf = tmp_path / f"{Path(name).stem}.pdf"
        assert pdf.exists(), (name, done.stdout, done.stderr)
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000, name
