"""The loader on real SQLite and PostgreSQL: idempotent, validating, and all-or-nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from storage.db import BUNDLED_DATA
from storage.loader import load_path
from storage.models import (
    AuditEntry,
    Base,
    Consultation,
    ConsultationResponse,
    Fact,
    Municipality,
    Network,
    Person,
)
from storage.validate import DataError


async def snapshot(db) -> dict[str, list[tuple]]:
    """Every row of every data table, as tuples, for before/after comparison."""
    out: dict[str, list[tuple]] = {}
    async with db.session() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table).order_by(*table.primary_key.columns))).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


async def count(db, model, *where) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(BUNDLED_DATA, target)
    return target


async def test_loading_twice_leaves_the_same_rows(empty_db):
    first = await load_path(empty_db, BUNDLED_DATA)
    assert first.changed
    before = await snapshot(empty_db)
    second = await load_path(empty_db, BUNDLED_DATA)
    assert not second.changed, second.summary()
    assert await snapshot(empty_db) == before


async def test_the_three_networks_and_the_july_2024_status_are_loaded(any_db):
    async with any_db.session() as session:
        slugs = set((await session.scalars(select(Network.slug))).all())
        assert {"digivestland", "digitale-akershus", "digit-midt-buskerud"} <= slugs
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        assert dv.language == "nn"
        munis = (await session.scalars(select(Municipality).where(Municipality.network_id == dv.id))).all()
        assert len(munis) == 43
        assert sum(m.member for m in munis) == 40
        assert all(m.number.startswith("46") for m in munis)
        cons = await session.scalar(select(Consultation).where(Consultation.network_id == dv.id))
        kinds = (await session.scalars(select(ConsultationResponse.kind)
                                       .where(ConsultationResponse.consultation_id == cons.id))).all()
        assert (kinds.count("joint"), kinds.count("individual"), kinds.count("no_input")) == (18, 2, 3)


async def test_an_edited_file_updates_in_place(empty_db, data_copy):
    await load_path(empty_db, data_copy)
    path = data_copy / "digivestland.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    fact = doc["facts"][0]
    fact["answer"]["nn"] = "Eit nytt svar som sekretariatet har skrive."
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    async with empty_db.session() as session:
        old_id = await session.scalar(select(Fact.id).where(Fact.key == fact["key"]))
    report = await load_path(empty_db, data_copy)
    assert report.updated == {"facts": 1}
    assert not report.created and not report.deleted
    async with empty_db.session() as session:
        row = await session.scalar(select(Fact).where(Fact.key == fact["key"]))
        assert row.id == old_id
        assert row.answer["nn"] == "Eit nytt svar som sekretariatet har skrive."


async def test_a_removed_entry_is_removed_and_runtime_rows_are_kept(empty_db, data_copy):
    await load_path(empty_db, data_copy)
    async with empty_db.session() as session:
        dv = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        session.add(Fact(network_id=dv.id, key="learned-1", answer={"nn": "x", "nb": "x", "en": "x"},
                         origin="learned"))
        person = await session.scalar(select(Person).where(Person.key == "dv-sekretariat-1"))
        person.aad_object_id, person.tenant_id = "linked-at-run-time", "t"
    path = data_copy / "digivestland.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    removed = doc["facts"].pop()["key"]
    for p in doc["people"]:
        if p["key"] == "dv-sekretariat-1":
            p.pop("aad_object_id", None)
            p.pop("tenant_id", None)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    report = await load_path(empty_db, data_copy)
    assert report.deleted == {"facts": 1}
    assert await count(empty_db, Fact, Fact.key == removed) == 0
    assert await count(empty_db, Fact, Fact.key == "learned-1") == 1
    assert await count(empty_db, Person, Person.aad_object_id == "linked-at-run-time") == 1


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda text: text.replace("network:", "network: [", 1), "not valid YAML"),
    (lambda text: text.replace("language: nn", "language: xx", 1), "network.language"),
    (lambda text: text + "\nunexpected_section: 1\n", "unexpected_section"),
    (lambda text: text.replace("written_standard: nn", "written_standard: nynorsk", 1), "written_standard"),
    (lambda text: text.replace("    written_standard_illustrative: true\n", "", 1), "written_standard_illustrative"),
    (lambda text: text.replace("written_standard_illustrative: true", "written_standard_illustrative: false", 1),
     "written_standard_source"),
], ids=["syntax", "bad-value", "unknown-section", "bad-written-standard", "unmarked-written-standard",
        "written-standard-without-source"])
async def test_a_broken_file_names_file_and_field_and_writes_nothing(empty_db, data_copy, mutate, expected):
    path = data_copy / "digivestland.yaml"
    path.write_text(mutate(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataError) as err:
        await load_path(empty_db, data_copy)
    message = str(err.value)
    assert "digivestland.yaml" in message and expected in message
    assert await count(empty_db, Network) == 0


async def test_a_bad_cross_reference_on_reload_leaves_the_database_as_it_was(empty_db, data_copy):
    await load_path(empty_db, data_copy)
    before = await snapshot(empty_db)
    path = data_copy / "digit-midt-buskerud.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["people"][0]["municipality"] = "9999"
    doc["facts"][0]["answer"]["nb"] = "changed"  # a valid change in the same load must not land either
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError) as err:
        await load_path(empty_db, data_copy)
    assert "digit-midt-buskerud.yaml: people[0].municipality: unknown municipality '9999'" in str(err.value)
    assert await snapshot(empty_db) == before


async def test_the_audit_log_refuses_updates_and_deletes(any_db):
    async with any_db.session() as session:
        session.add(AuditEntry(action="test.entry"))
    with pytest.raises(PermissionError):
        async with any_db.session() as session:
            entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "test.entry"))
            entry.action = "rewritten"
    with pytest.raises(PermissionError):
        async with any_db.session() as session:
            entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "test.entry"))
            await session.delete(entry)
    assert await count(any_db, AuditEntry, AuditEntry.action == "test.entry") == 1


async def test_the_migrations_create_exactly_the_schema_the_models_describe(empty_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    async with empty_db.engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    assert diff == []


async def test_a_key_given_twice_is_an_error_with_its_line(empty_db, data_copy):
    path = data_copy / "digivestland.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("network:\n", "network:\n  name: Først\n", 1), encoding="utf-8")
    with pytest.raises(DataError) as err:
        await load_path(empty_db, data_copy)
    message = str(err.value)
    assert "digivestland.yaml" in message and "duplicate key 'name'" in message
    assert await count(empty_db, Network) == 0


async def test_a_removed_person_with_records_is_retired_not_deleted(empty_db, data_copy):
    """Removing a person from the file while their answer and acknowledgement exist keeps them, marked
    retired without roles; the load says so. Someone without records is deleted as before."""
    from storage.models.notices import Notice, NoticeAck

    await load_path(empty_db, data_copy)
    path = data_copy / "digivestland.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    with_records, without = doc["people"][0]["key"], doc["people"][-1]["key"]
    async with empty_db.session() as session:
        person = await session.scalar(select(Person).where(Person.key == with_records))
        consultation = await session.scalar(select(Consultation).where(Consultation.network_id == person.network_id))
        municipality = await session.scalar(select(Municipality).where(Municipality.network_id == person.network_id))
        session.add(ConsultationResponse(consultation_id=consultation.id, municipality_id=municipality.id,
                                         version=99, kind="individual", submitted_by_id=person.id, answers={},
                                         source="teams"))
        notice = Notice(network_id=person.network_id, audience="app", text="x", status="sent")
        session.add(notice)
        await session.flush()
        session.add(NoticeAck(notice_id=notice.id, person_id=person.id))
        person_id = person.id
    doc["people"] = [p for p in doc["people"] if p["key"] not in (with_records, without)]
    for body in doc.get("bodies", []):
        body["seats"] = [s for s in body.get("seats", []) if s.get("person") not in (with_records, without)]
    for c in doc.get("consultations", []):
        c["responses"] = [r for r in c.get("responses", []) if r.get("submitted_by") not in (with_records, without)]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    report = await load_path(empty_db, data_copy)
    async with empty_db.session() as session:
        kept = await session.get(Person, person_id)
        assert kept is not None and kept.retired and kept.roles == []
        assert await session.scalar(select(func.count()).select_from(NoticeAck).where(
            NoticeAck.person_id == person_id)) == 1
        assert await session.scalar(select(ConsultationResponse.submitted_by_id).where(
            ConsultationResponse.version == 99)) == person_id
    assert await count(empty_db, Person, Person.key == without) == 0
    assert report.deleted.get("people") == 1
    summary = report.summary()
    assert "retired (not deleted; kept with their records: consultation_responses 1, notice_acks 1" in summary
    assert with_records in summary
    again = await load_path(empty_db, data_copy)  # loading the same file again changes nothing
    assert not again.changed
    from dialogs.notices.service import resolve_audience

    async with empty_db.session() as session:  # and a notice to the whole network no longer reaches them
        network = await session.get(Network, kept.network_id)
        assert person_id not in (await resolve_audience(session, network, "network", "nn")).person_ids


async def test_each_municipality_s_written_standard_is_loaded_and_marked_illustrative(any_db):
    async with any_db.session() as session:
        rows = {m.name: (m.written_standard, m.written_standard_illustrative, m.written_standard_source)
                for m in (await session.scalars(select(Municipality))).all()}
    assert rows["Stord"][:2] == ("nb", True) and rows["Bergen"][:2] == ("neutral", True)
    assert rows["Alver"][:2] == ("nn", True) and rows["Sigdal"][:2] == ("nb", True)
    assert rows["Bærum"][0] == "nb" and rows["Bærum"][2].startswith("seeds/003")
    assert all(standard in ("nn", "nb", "neutral") and illustrative for standard, illustrative, _ in rows.values())
