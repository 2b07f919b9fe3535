"""The agreement's parties come from the accession rows (who joined by which council decision), not
from the member flag: the status card, Q&A, the status exports and the agreement text name the same
municipalities. The newest row of a municipality counts; a municipality that is not a member but
has joined is a party; a member without a decision, one that plans a meeting and one that said no
are not."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from dialogs.agreements import document, text
from dialogs.agreements.accession import accession_status, status_docx, status_xlsx
from dialogs.agreements.versions import import_draft
from storage.models import Accession, Municipality, Network
from tests.harness import DV_DIRECTOR, DV_SECRETARIAT

NOW = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
DRAFT = Path(__file__).parent / "fixtures" / "utkast-2025.md"
PARTIES = ["Alver", "Askøy", "Bergen", "Fitjar"]
# (municipality number, row version, status, body, meeting date, case, reservations, planned date)
ROWS = [
    ("4631", 1, "joined", "Kommunestyret", date(2026, 12, 10), "88/26", "", None),  # Alver
    ("4627", 1, "joined_with_reservations", "Kommunestyret", date(2026, 12, 11), "101/26",
     "Finansieringa etter 2028 må handsamast på nytt.", None),  # Askøy
    ("4601", 1, "planned", "", None, "", "", date(2026, 12, 1)),  # Bergen: planned, then joined
    ("4601", 2, "joined", "Bystyret", date(2026, 12, 3), "210/26", "", None),
    ("4615", 1, "joined", "Kommunestyret", date(2026, 12, 12), "7/26", "", None),  # Fitjar: not a member
    ("4624", 1, "planned", "", None, "", "", date(2027, 1, 20)),  # Bjørnafjorden
    ("4622", 1, "planned", "", None, "", "", date(2026, 12, 5)),  # Kvam: planned, then says no
    ("4622", 2, "declined", "Kommunestyret", date(2026, 12, 5), "55/26", "", None),
]


@pytest.fixture
async def adopted(bot):
    bot.services.now = lambda: NOW
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        result = await import_draft(session, dv, document.parse_file(DRAFT), version_key="utkast-2027",
                                    label="Samarbeidsavtale 2027", effective_from=date(2027, 1, 1), actor="test")
        result.version.status = "adopted"
        munis = {m.number: m for m in (await session.scalars(
            select(Municipality).where(Municipality.network_id == dv.id))).all()}
        assert not munis["4615"].member  # Fitjar is not a member in the data
        for number, version, status, body, day, case, reservations, planned in ROWS:
            session.add(Accession(network_id=dv.id, version_id=result.version.id, municipality_id=munis[number].id,
                                  version=version, status=status, body=body, meeting_date=day, case_number=case,
                                  reservations=reservations, planned_date=planned, source="teams"))
    return bot


async def _status(bot):
    async with bot.db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        return await accession_status(session, dv), await text.agreement_text(session, dv)


async def test_the_status_counts_the_parties_by_their_newest_decision(adopted):
    status, _ = await _status(adopted)
    assert [r.municipality for r in status.parties] == PARTIES
    assert status.counts == {"joined": 4, "planned": 1, "declined": 1, "not_yet": 35}
    assert len(status.rows) == 41  # the 40 members and Fitjar, which joined without being a member
    card = await adopted.say_text(DV_SECRETARIAT, "status tiltreding")
    assert "Tiltredd: 3 · Planlagt: 1 · Ikkje enno: 35 · Seier nei: 1 (av 41)" not in card
    assert "Tiltredd: 4 · Planlagt: 1 · Ikkje enno: 35 · Seier nei: 1 (av 41)" in card, card
    assert "Fitjar" in card


async def test_q_and_a_names_the_same_parties(adopted):
    answer = await adopted.say_text(DV_DIRECTOR, "Kven er partar i avtalen?")
    assert "4 av 41 kommunar har tiltredd Samarbeidsavtale 2027: Alver, Askøy, Bergen, Fitjar." in answer, answer
    answer = await adopted.say_text(DV_DIRECTOR, "Has Fitjar joined the new agreement?")
    assert "Fitjar joined Samarbeidsavtale 2027" in answer, answer
    answer = await adopted.say_text(DV_DIRECTOR, "Har Kvam tiltredd den nye avtalen?")
    assert answer.startswith("Nei.") or "Nei. Kvam" in answer, answer


async def test_the_exports_and_the_agreement_text_list_the_same_parties(adopted, tmp_path):
    import docx
    from openpyxl import load_workbook

    status, agreement = await _status(adopted)
    book = load_workbook(io.BytesIO(status_xlsx(status, "nn")))
    rows = list(book["Partar"].iter_rows(values_only=True))
    assert rows[0] == ("Kommune", "Status", "Organ", "Møtedato", "Saksnummer", "Gjeld frå")
    assert [r[0] for r in rows[1:]] == PARTIES
    assert rows[2][1] == "Tiltrer med atterhald" and rows[3][:5] == ("Bergen", "Tiltrer", "Bystyret", "2026-12-03",
                                                                     "210/26")
    word = docx.Document(io.BytesIO(status_docx(status, "nn")))
    listed = [p.text for p in word.paragraphs if p.style.name == "List Bullet"]
    assert listed == ["Alver: Kommunestyret torsdag 10. desember 2026, sak 88/26",
                      "Askøy: Kommunestyret fredag 11. desember 2026, sak 101/26 (med atterhald)",
                      "Bergen: Bystyret torsdag 3. desember 2026, sak 210/26",
                      "Fitjar: Kommunestyret laurdag 12. desember 2026, sak 7/26"]

    # the agreement text: the placeholder list of parties in the preamble is the parties' names
    word = docx.Document(io.BytesIO(text.to_docx(agreement, "nn")))
    paragraphs = [p.text for p in word.paragraphs]
    assert "Xxx, Yyy, etc (43 kommunar*) i Vestland fylke er det i dag inngått følgande avtale:" not in paragraphs
    i = paragraphs.index("Mellom")
    assert paragraphs[i + 1] == ("Alver, Askøy, Bergen og Fitjar (4 kommunar som har tiltredd avtalen, sjå «Partar») "
                                 "er det inngått følgjande avtale:")
    assert "11 Tiltreding" in paragraphs and "Partar" in paragraphs
    assert paragraphs[-4:] == listed
    markdown = text.to_markdown(agreement, "nn")
    assert "Alver, Askøy, Bergen og Fitjar (4 kommunar" in markdown and "- Fitjar: Kommunestyret" in markdown
    assert "\n### 5.2 Styringsgruppe\n" in markdown and "\n## 9 Varigheit\n" in markdown
