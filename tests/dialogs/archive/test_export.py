"""Archive export for KS Fiks Arkiv: every arkivmelding validates against the official V2 schema, with
the right registry entries, senders/recipients, document references and access marks — for the stored
DigiVestland consultation, a closed case and a sent notice; and the secretariat's signed download link."""

from __future__ import annotations

import asyncio
import hashlib
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree
from sqlalchemy import select
from yarl import URL

from storage.models import OutboxMessage, Person
from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_SECRETARIAT, card_actions, message_text, run_cli
from tests.harness.archive import arkivmelding_schema
from tests.harness.notices import sent_notice
from tests.harness.votes import ASKOY, BJORNAFJORDEN, MEMBERS, join, open_case, press

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NS = {"a": "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v2",
      "m": "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v2",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
CONSULTATION = "ny-samarbeidsavtale-2024"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return arkivmelding_schema()


@pytest.fixture(autouse=True)
def clock(bot):
    bot.services.now = lambda: NOW


class Package:
    """A package parsed back: its messages in order, each checked against the schema and its files."""

    def __init__(self, data: bytes, schema: etree.XMLSchema):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        names = self.zip.namelist()
        self.folders = [""] + sorted({n.split("/")[0] + "/" for n in names if n.startswith("melding-")})
        self.messages: list[etree._Element] = []
        for folder in self.folders:
            root = etree.fromstring(self.zip.read(folder + "arkivmelding.xml"))
            assert schema.validate(root), f"{folder}arkivmelding.xml: {schema.error_log}"
            self.messages.append(root)
            refs = self.texts(root, ".//a:referanseDokumentfil")
            files = [n for n in names if n.startswith(folder) and n.count("/") == folder.count("/")
                     and n.endswith(".pdf")]
            assert sorted(folder + r for r in refs) == sorted(files)  # every file referenced, none missing
            assert int(self.texts(root, "a:antallFiler")[0]) == len(refs)
            for obj in root.iterfind(".//a:dokumentobjekt", NS):
                content = self.zip.read(folder + obj.findtext("a:referanseDokumentfil", namespaces=NS))
                assert obj.findtext("a:sjekksum", namespaces=NS) == hashlib.sha256(content).hexdigest()
                assert int(obj.findtext("a:filstoerrelse", namespaces=NS)) == len(content)
                assert_pdfa(content)

    @staticmethod
    def texts(node, path: str) -> list[str]:
        return [e.text for e in node.iterfind(path, NS)]

    @property
    def entries(self) -> list[etree._Element]:
        return [m.find("a:registrering", NS) for m in self.messages]

    def parties(self, entry, kind: str) -> list[str]:
        return [p.findtext("a:korrespondansepartNavn", namespaces=NS) for p in entry.iterfind("a:korrespondansepart", NS)
                if p.findtext("a:korrespondanseparttype/m:kode", namespaces=NS) == kind]


def entry_type(entry) -> str:
    return entry.findtext("a:journalposttype/m:kode", namespaces=NS)


def assert_pdfa(content: bytes) -> None:
    """What fpdf2's PDF/A-2u mode writes: the identification in XMP, the sRGB output intent, embedded fonts."""
    assert content.startswith(b"%PDF-")
    assert b"<pdfaid:part>2</pdfaid:part>" in content and b"<pdfaid:conformance>U</pdfaid:conformance>" in content
    assert b"/OutputIntents" in content and b"/FontFile2" in content and b"/ToUnicode" in content


async def export(bot, monkeypatch, tmp_path, *argv: str) -> tuple[int, str, Path]:
    out = tmp_path / "pakke.zip"
    code, said, _err = await asyncio.to_thread(run_cli, monkeypatch, bot.db.url, "archive", "export",
                                         "--network", "digivestland", *argv, "--out", str(out))
    return code, said, out


async def test_the_stored_digivestland_consultation_one_folder_one_incoming_entry_per_response(
        bot, monkeypatch, tmp_path, schema):
    code, said, out = await export(bot, monkeypatch, tmp_path, "--consultation", CONSULTATION)
    assert code == 0 and "8 arkivmelding message(s)" in said and "offentleg" in said
    package = Package(out.read_bytes(), schema)

    first = package.messages[0]
    folder = first.find("a:mappe", NS)
    assert folder.get(f"{{{NS['xsi']}}}type") == "saksmappe"
    assert folder.findtext("a:tittel", namespaces=NS) == "Innspel til utkast til ny samarbeidsavtale for DigiVestland"
    assert all(m.find("a:mappe", NS) is None for m in package.messages[1:])  # one folder, made once
    keys = {e.findtext("a:referanseForelderMappe/m:referanseEksternNoekkel/m:noekkel", namespaces=NS)
            for e in package.entries}
    assert keys == {folder.findtext("a:referanseEksternNoekkel/m:noekkel", namespaces=NS)}

    # status July 2024: 18 jointly through Region Nordhordland IKS and SYSIKT, 2 individually, 3 no input
    summary, *incoming = package.entries
    assert entry_type(summary) == "X" and [entry_type(e) for e in incoming] == ["I"] * 7
    senders = [package.parties(e, "EA") for e in incoming]
    assert all(len(s) == 1 for s in senders)
    assert [s[0] for s in senders] == [
        "Region Nordhordland IKS / Kommunedirektørutvalet i Region Nordhordland",
        "SYSIKT (IKT-samarbeid i Sogn og Sunnfjord)",
        "Askøy kommune", "Bjørnafjorden kommune", "Etne kommune", "Kvinnherad kommune", "Stad kommune"]
    on_behalf = [len(e.findall("a:part", NS)) for e in incoming[:2]]
    assert sum(on_behalf) == 18 and all(n > 0 for n in on_behalf)
    assert "Alver kommune" in package.texts(incoming[0], "a:part/a:partNavn")
    assert all(not e.findall("a:part", NS) for e in incoming[2:])  # an own answer is on behalf of no one
    assert [t.split(":")[0] for t in package.texts(incoming[4], "a:tittel")] == ["Ingen innspel frå Etne kommune"]

    # the summary entry: the input summary (main document) and the draft out for consultation (attachment)
    documents = summary.findall("a:dokumentbeskrivelse", NS)
    assert [(d.findtext("a:tilknyttetRegistreringSom/m:kode", namespaces=NS),
             d.findtext("a:dokumenttype/m:kode", namespaces=NS)) for d in documents] == [("H", "NOTAT"), ("V", "AVTALE")]
    assert all(len(e.findall("a:dokumentbeskrivelse", NS)) == 1 for e in incoming)
    # offentleg by default: no screening anywhere
    assert not first.findall(".//a:skjerming", NS) and not package.messages[3].findall(".//a:skjerming", NS)


async def test_the_secretariat_exempts_a_record_with_its_legal_basis_and_the_mark_is_kept(
        bot, monkeypatch, tmp_path, schema):
    code, said, out = await export(bot, monkeypatch, tmp_path, "--consultation", CONSULTATION,
                                   "--unnateke", "Offl. § 14")
    assert code == 0 and "unnateke (Offl. § 14)" in said
    package = Package(out.read_bytes(), schema)
    for entry in package.entries:
        for holder in [entry, *entry.findall("a:dokumentbeskrivelse", NS)]:
            assert holder.findtext("a:skjerming/a:skjermingshjemmel", namespaces=NS) == "Offl. § 14"
            assert holder.findtext("a:skjerming/a:tilgangsrestriksjon/m:kode", namespaces=NS) == "UO"

    code, said, out = await export(bot, monkeypatch, tmp_path, "--consultation", CONSULTATION)
    assert code == 0 and "unnateke (Offl. § 14)" in said  # stored, not only for that export
    code, said, out = await export(bot, monkeypatch, tmp_path, "--consultation", CONSULTATION, "--offentleg")
    assert code == 0 and "offentleg" in said
    assert not Package(out.read_bytes(), schema).messages[0].findall(".//a:skjerming", NS)

    code, _said, _out = await export(bot, monkeypatch, tmp_path, "--consultation", CONSULTATION, "--unnateke", " ")
    assert code == 2  # an exemption without its legal basis is refused


async def test_a_closed_case_the_decision_and_the_minutes(bot, monkeypatch, tmp_path, schema):
    await join(bot, *MEMBERS)
    case_id = await open_case(bot, title="Felles innkjøp")
    code, said, _out = await export(bot, monkeypatch, tmp_path, "--case", str(case_id))
    assert code == 2  # still open: nothing to archive yet

    await press(bot, DV_DIRECTOR, "vote.cast", case_id, option="einig")
    await press(bot, ASKOY, "vote.cast", case_id, option="ueinig", reason="Kostnaden er uklar.")
    await press(bot, BJORNAFJORDEN, "vote.cast", case_id, option="einig")
    await press(bot, DV_CHAIR, "vote.close", case_id, confirmed="yes")
    await press(bot, DV_CHAIR, "vote.decide", case_id, decision="Vi går vidare med innkjøpet.")

    code, said, out = await export(bot, monkeypatch, tmp_path, "--case", "SAK-2026-001")
    assert code == 0, said
    package = Package(out.read_bytes(), schema)
    assert len(package.messages) == 1
    folder = package.messages[0].find("a:mappe", NS)
    assert folder.findtext("a:tittel", namespaces=NS) == "SAK-2026-001 Felles innkjøp"
    [entry] = package.entries
    assert entry_type(entry) == "X" and package.parties(entry, "IA") == ["Styringsgruppa for DigiVestland"]
    documents = entry.findall("a:dokumentbeskrivelse", NS)
    assert [(d.findtext("a:tilknyttetRegistreringSom/m:kode", namespaces=NS), d.findtext("a:tittel", namespaces=NS))
            for d in documents] == [("H", "Vedtak i sak SAK-2026-001: Felles innkjøp"),
                                    ("V", "Protokoll for sak SAK-2026-001: Felles innkjøp")]


async def test_a_sent_notice_outgoing_from_its_author_to_every_recipient(bot, monkeypatch, tmp_path, schema):
    notice_id, _report = await sent_notice(bot)
    async with bot.db.session() as session:
        addressed = (await session.scalars(select(Person.name).join(OutboxMessage, OutboxMessage.person_id == Person.id)
                                           .where(OutboxMessage.batch == f"notice:{notice_id}"))).all()
        author = await session.scalar(select(Person.name).where(Person.aad_object_id == DV_SECRETARIAT.aad))
    assert len(addressed) >= 3

    code, said, out = await export(bot, monkeypatch, tmp_path, "--notice", str(notice_id))
    assert code == 0, said
    package = Package(out.read_bytes(), schema)
    [entry] = package.entries
    assert entry_type(entry) == "U" and entry.findtext("a:sendtDato", namespaces=NS)
    assert package.parties(entry, "IA") == [author]
    recipients = package.parties(entry, "EM")
    assert len(recipients) == len(addressed)
    contacts = [p.findtext("a:kontaktperson", namespaces=NS) or p.findtext("a:korrespondansepartNavn", namespaces=NS)
                for p in entry.iterfind("a:korrespondansepart", NS)
                if p.findtext("a:korrespondanseparttype/m:kode", namespaces=NS) == "EM"]
    assert sorted(contacts) == sorted(addressed)
    assert "Alver kommune" in recipients  # the director of Alver, as Alver kommune with a contact person
    assert len(entry.findall("a:dokumentbeskrivelse", NS)) == 2  # the notice and the recipient list


async def test_a_notice_not_sent_and_an_unknown_record_are_refused(bot, monkeypatch, tmp_path):
    code, _said, _out = await export(bot, monkeypatch, tmp_path, "--notice", "999")
    assert code == 2
    code, _said, _out = await export(bot, monkeypatch, tmp_path, "--consultation", "finst-ikkje")
    assert code == 2


# --- the secretariat's button and the signed download link -------------------------------------------


async def test_the_secretariat_downloads_the_package_from_the_closed_consultation_s_status_card(bot, schema):
    [status, *_rest] = await bot.say(DV_SECRETARIAT, "høyring")
    [archive] = [b["data"] for b in card_actions(status) if b.get("data", {}).get("action") == "archive.export"]
    assert archive["kind"] == "consultation"

    [answer] = await bot.submit(DV_SECRETARIAT, archive)
    assert "Arkivpakke" in message_text(answer) and "60 minutt" in message_text(answer)
    [link] = [b["url"] for b in card_actions(answer) if b.get("type") == "Action.OpenUrl"]
    parts = urlsplit(link)
    async with bot.http.get(bot.server.make_url(URL(f"{parts.path}?{parts.query}", encoded=True))) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "application/zip"
        assert "arkiv-digivestland-consultation" in response.headers["Content-Disposition"]
        package = Package(await response.read(), schema)
    assert len(package.entries) == 8

    forged = link.replace(parts.query[-4:], "0000") if not parts.query.endswith("0000") else link[:-4] + "1111"
    forged_parts = urlsplit(forged)
    async with bot.http.get(bot.server.make_url(URL(f"{forged_parts.path}?{forged_parts.query}",
                                                    encoded=True))) as response:
        assert response.status == 404

    # a director presses the same button (the data in a card is no permission)
    [refused] = await bot.submit(DV_DIRECTOR, archive)
    assert "Berre sekretariatet" in message_text(refused)


async def test_the_button_is_on_a_sent_notice_s_report_and_a_decided_case_for_the_secretariat(bot, schema):
    notice_id, _report = await sent_notice(bot)
    [report] = await bot.submit(DV_SECRETARIAT, {"action": "notice.report", "notice": notice_id})
    [archive] = [b["data"] for b in card_actions(report) if b.get("data", {}).get("action") == "archive.export"]
    assert archive == {"action": "archive.export", "kind": "notice", "id": notice_id}
    [answer] = await bot.submit(DV_SECRETARIAT, archive)
    [link] = [b["url"] for b in card_actions(answer) if b.get("type") == "Action.OpenUrl"]
    parts = urlsplit(link)
    async with bot.http.get(bot.server.make_url(URL(f"{parts.path}?{parts.query}", encoded=True))) as response:
        assert response.status == 200
        assert [entry_type(e) for e in Package(await response.read(), schema).entries] == ["U"]

    await join(bot, *MEMBERS)
    case_id = await open_case(bot, title="Felles innkjøp")

    def archive_buttons(body) -> list[dict]:
        found = []

        def walk(node):
            if isinstance(node, dict):
                if node.get("data", {}).get("action") == "archive.export" if isinstance(node.get("data"), dict) else False:
                    found.append(node["data"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)
        walk(body["value"])
        return found

    assert archive_buttons(await bot.execute(DV_SECRETARIAT, "vote.refresh", {"case": case_id})) == []  # open
    for user in (DV_DIRECTOR, ASKOY, BJORNAFJORDEN):
        await press(bot, user, "vote.cast", case_id, option="einig")
    await press(bot, DV_CHAIR, "vote.close", case_id, confirmed="yes")
    assert archive_buttons(await bot.execute(DV_SECRETARIAT, "vote.refresh", {"case": case_id})) == [
        {"action": "archive.export", "kind": "case", "id": case_id}]
    assert archive_buttons(await bot.execute(DV_DIRECTOR, "vote.refresh", {"case": case_id})) == []  # not staff


async def test_the_secretariat_marks_the_record_unnateke_in_teams_and_the_package_carries_it(bot, schema):
    [status, *_rest] = await bot.say(DV_SECRETARIAT, "høyring")
    [archive] = [b["data"] for b in card_actions(status) if b.get("data", {}).get("action") == "archive.export"]
    [answer] = await bot.submit(DV_SECRETARIAT, archive)
    marks = {b["data"]["access"]: b["data"] for b in card_actions(answer) if b.get("data", {}).get("action") == "archive.mark"}
    assert set(marks) == {"offentleg", "unnateke"} and "Offentlegheit: Offentleg" in message_text(answer)

    [refused] = await bot.submit(DV_SECRETARIAT, {**marks["unnateke"], "legal_basis": "  "})
    assert "heimel" in message_text(refused)  # an exemption needs its legal basis
    [marked] = await bot.submit(DV_SECRETARIAT, {**marks["unnateke"], "legal_basis": "Offl. § 14"})
    assert "Unnateke offentlegheit (Offl. § 14)" in message_text(marked)
    [link] = [b["url"] for b in card_actions(marked) if b.get("type") == "Action.OpenUrl"]
    parts = urlsplit(link)
    async with bot.http.get(bot.server.make_url(URL(f"{parts.path}?{parts.query}", encoded=True))) as response:
        package = Package(await response.read(), schema)
    assert {e.findtext("a:skjerming/a:skjermingshjemmel", namespaces=NS) for e in package.entries} == {"Offl. § 14"}

    [refused] = await bot.submit(DV_DIRECTOR, {**marks["offentleg"]})
    assert "Berre sekretariatet" in message_text(refused)
    [opened] = await bot.submit(DV_SECRETARIAT, marks["offentleg"])
    assert "Offentlegheit: Offentleg" in message_text(opened)
