"""The package builders on both databases, and the rules of the parts: access marks, file names."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from lxml import etree

from dialogs.archive import service
from dialogs.archive.arkivmelding import safe_file_name
from dialogs.archive.collect import ExportRefused
from dialogs.archive.records import Access, file_name
from storage.queries import network_by_slug
from tests.harness.archive import arkivmelding_schema

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_the_stored_consultation_s_package_on_each_database(any_db):
    schema = arkivmelding_schema()
    async with any_db.session() as session:
        network = await network_by_slug(session, "digivestland")
        record = await service.find_record(session, network, "consultation", "ny-samarbeidsavtale-2024")
        export, data = await service.make_package(session, network, "consultation", record, now=NOW)
        await service.set_access(session, network, "consultation", record, exempt_basis="Offl. § 14", actor="test")
        exempt, _ = await service.make_package(session, network, "consultation", record, now=NOW)
    assert [e.entry_type for e in export.entries] == ["X"] + ["I"] * 7 and not export.access.exempt
    assert exempt.access == Access("unnateke", "Offl. § 14")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    xmls = [n for n in names if n.endswith("arkivmelding.xml")]
    assert len(xmls) == 8 and "innhald.txt" in names
    for name in xmls:
        assert schema.validate(etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))), schema.error_log


async def test_a_consultation_still_open_is_not_archived(any_db):
    async with any_db.session() as session:
        network = await network_by_slug(session, "digivestland")
        record = await service.find_record(session, network, "consultation", "ny-samarbeidsavtale-2024")
        record.status, record.deadline = "open", datetime(2027, 1, 1, tzinfo=UTC)
        with pytest.raises(ExportRefused) as refused:
            await service.make_export(session, network, "consultation", record, now=NOW)
    assert refused.value.key == "archive.consultation_open"


def test_an_exemption_needs_its_legal_basis_and_names_are_safe():
    with pytest.raises(ValueError, match="legal basis"):
        Access("unnateke", " ")
    with pytest.raises(ValueError):
        Access("hemmeleg")
    assert safe_file_name(3, "Innspel frå Askøy kommune: Utkast (2024).pdf") == "03-innspel-fra-askoy-kommune-utkast-2024.pdf"
    assert file_name('Vedtak i sak SAK-2026-001: "Felles/innkjøp"?') == "Vedtak i sak SAK-2026-001 Felles-innkjøp.pdf"
