"""Load `data/` into the database: validate everything first, then sync in one transaction.

Syncing means: rows are matched by their key, changed fields are updated in
place, new rows are added, and rows that have disappeared from a file are
removed. Loading the same files twice therefore changes nothing, and rows made
at run time (conversation references, answers given in Teams, the audit log,
learned Q&A entries) are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.agreements_data import read_accessions, sync_accessions
from storage.data_schema import NetworkFile
from storage.models import (
    Agreement,
    AgreementVersion,
    AuditEntry,
    Body,
    Clause,
    Consultation,
    ConsultationResponse,
    Event,
    Fact,
    Municipality,
    Network,
    Organisation,
    Person,
    Seat,
)
from storage.routines_data import read_portfolio, sync_portfolio
from storage.translations_data import read_translations, sync_translations
from storage.validate import read_all

IMPORTED = "import:"


def is_imported(version: AgreementVersion) -> bool:
    """Made by `samarbeidsbot agreement import` (its source is "import:<file>"), not by data/."""
    return (version.source or "").startswith(IMPORTED)


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    # people removed from the file whose records (votes, answers, acknowledgements …) are kept: key → records
    retired: dict[str, dict[str, int]] = field(default_factory=dict)
    networks: list[str] = field(default_factory=list)

    def count(self, bucket: dict[str, int], table: str) -> None:
        bucket[table] = bucket.get(table, 0) + 1

    @property
    def changed(self) -> bool:
        return any((self.created, self.updated, self.deleted, self.retired))

    def summary(self) -> str:
        def fmt(d: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(d.items())) or "none"

        lines = [f"networks: {', '.join(self.networks)}", f"created: {fmt(self.created)}",
                 f"updated: {fmt(self.updated)}", f"deleted: {fmt(self.deleted)}"]
        for key, records in sorted(self.retired.items()):
            lines.append(f"retired (not deleted; kept with their records: {fmt(records)}): person {key}")
        return "\n".join(lines)


class _Syncer:
    def __init__(self, session: AsyncSession, report: LoadReport):
        self.session = session
        self.report = report

    async def sync(
        self,
        model: type,
        existing: list[Any],
        key_of: Callable[[Any], Hashable],
        desired: dict[Hashable, dict[str, Any]],
        *,
        keep: Callable[[Any], bool] = lambda _row: False,
    ) -> dict[Hashable, Any]:
        """Make the rows in `existing` equal to `desired` (keyed). Returns key → row."""
        table = model.__tablename__
        by_key = {key_of(row): row for row in existing}
        result: dict[Hashable, Any] = {}
        for key, values in desired.items():
            row = by_key.pop(key, None)
            if row is None:
                row = model(**values)
                self.session.add(row)
                self.report.count(self.report.created, table)
            else:
                changed = False
                for name, value in values.items():
                    if getattr(row, name) != value:
                        setattr(row, name, value)
                        changed = True
                if changed:
                    self.report.count(self.report.updated, table)
            result[key] = row
        for row in by_key.values():
            if keep(row):
                continue
            await self.session.delete(row)
            self.report.count(self.report.deleted, table)
        await self.session.flush()
        return result

    async def rows(self, model: type, *where: Any) -> list[Any]:
        return list((await self.session.scalars(select(model).where(*where))).all())


async def sync_network(session: AsyncSession, doc: NetworkFile, report: LoadReport, source: str = "") -> Network:
    s = _Syncer(session, report)
    n = doc.network
    network = (await s.rows(Network, Network.slug == n.slug)) or []
    net = (await s.sync(Network, network, lambda r: r.slug, {n.slug: {
        "slug": n.slug, "name": n.name, "language": n.language, "region": n.region,
        "description": n.description, "tenant_ids": n.tenant_ids, "email_domains": n.email_domains,
        "source": n.source or source,
    }}))[n.slug]
    nid = net.id

    munis = await s.sync(Municipality, await s.rows(Municipality, Municipality.network_id == nid),
                         lambda r: r.number, {m.number: {"network_id": nid, **m.model_dump()}
                                              for m in doc.municipalities})
    orgs = await s.sync(Organisation, await s.rows(Organisation, Organisation.network_id == nid),
                        lambda r: r.key, {o.key: {"network_id": nid, **o.model_dump()} for o in doc.organisations})

    def person_values(p) -> dict[str, Any]:
        values = {
            "network_id": nid, "key": p.key, "name": p.name, "email": p.email.lower(), "upn": p.upn.lower(),
            "title": p.title, "roles": list(p.roles), "demo": p.demo,
            "municipality_id": munis[p.municipality].id if p.municipality else None,
            "organisation_id": orgs[p.organisation].id if p.organisation else None,
        }
        if p.language:
            values["language"] = p.language
        # Identities linked at run time are kept unless the file names them.
        if p.aad_object_id:
            values["tenant_id"], values["aad_object_id"] = p.tenant_id, p.aad_object_id
        return values

    removed: list[Person] = []  # decided at the end, when the file's own rows naming them are gone

    def later(person: Person) -> bool:
        removed.append(person)
        return True

    people = await s.sync(Person, await s.rows(Person, Person.network_id == nid, Person.key.is_not(None)),
                          lambda r: r.key, {p.key: {**person_values(p), "retired": False} for p in doc.people},
                          keep=later)

    bodies = await s.sync(Body, await s.rows(Body, Body.network_id == nid), lambda r: r.key, {
        b.key: {"network_id": nid, "key": b.key, "kind": b.kind, "name": b.name, "description": b.description,
                "clause_keys": list(b.clauses), "illustrative": b.illustrative}
        for b in doc.bodies})
    for b in doc.bodies:
        body = bodies[b.key]
        await s.sync(Seat, await s.rows(Seat, Seat.body_id == body.id), lambda r: r.key, {
            seat.key: {
                "body_id": body.id, "key": seat.key, "role": seat.role, "represents": seat.represents,
                "person_id": people[seat.person].id if seat.person else None,
                "municipality_id": munis[seat.municipality].id if seat.municipality else None,
                "organisation_id": orgs[seat.organisation].id if seat.organisation else None,
                "valid_from": seat.valid_from, "valid_to": seat.valid_to, "illustrative": seat.illustrative,
            } for seat in b.seats})

    agreements = await s.sync(Agreement, await s.rows(Agreement, Agreement.network_id == nid), lambda r: r.key,
                              {a.key: {"network_id": nid, "key": a.key, "title": a.title} for a in doc.agreements})
    versions: dict[str, AgreementVersion] = {}
    for a in doc.agreements:
        agreement = agreements[a.key]
        stored_versions = await s.rows(AgreementVersion, AgreementVersion.agreement_id == agreement.id)
        # A version imported from the secretariat's document (`agreement import`) belongs to the
        # agreements capability from then on: its clauses, status and dates are never reset by a load.
        imported = {r.key: r for r in stored_versions if is_imported(r)}
        synced = await s.sync(
            AgreementVersion, [r for r in stored_versions if r.key not in imported],
            lambda r: r.key, {v.key: {
                "agreement_id": agreement.id, "key": v.key, "label": v.label, "status": v.status,
                "valid_from": v.valid_from, "valid_to": v.valid_to, "language": v.language, "source": v.source,
            } for v in a.versions if v.key not in imported})
        for v in a.versions:
            if v.key in imported:
                versions[f"{a.key}/{v.key}"] = imported[v.key]
                continue
            version = synced[v.key]
            versions[f"{a.key}/{v.key}"] = version
            await s.sync(Clause, await s.rows(Clause, Clause.version_id == version.id), lambda r: r.key, {
                c.key: {"version_id": version.id, "key": c.key, "number": c.number, "heading": c.heading,
                        "text": c.text.strip(), "language": v.language, "position": i}
                for i, c in enumerate(v.clauses)})

    await s.sync(Fact, await s.rows(Fact, Fact.network_id == nid), lambda r: r.key, {
        f.key: {"network_id": nid, "key": f.key, "topic": f.topic, "kind": f.kind, "value": f.value,
                "answer": f.answer.model_dump(), "questions": f.questions.model_dump(),
                "clause_refs": list(f.clauses), "source": f.source, "origin": "data",
                "illustrative": f.illustrative}
        for f in doc.facts}, keep=lambda row: row.origin != "data")

    await s.sync(Event, await s.rows(Event, Event.network_id == nid, Event.source != "teams"), lambda r: r.key, {
        e.key: {"network_id": nid, "key": e.key, "kind": e.kind, "title": e.title,
                "body_id": bodies[e.body].id if e.body else None, "audience": e.audience,
                "starts_at": e.starts_at, "ends_at": e.ends_at, "all_day": e.all_day, "place": e.place,
                "online_url": e.online_url, "description": e.description, "organiser": e.organiser,
                "source": e.source or "data", "illustrative": e.illustrative}
        for e in doc.events})

    consultations = await s.sync(
        Consultation, await s.rows(Consultation, Consultation.network_id == nid, Consultation.source != "teams"),
        lambda r: r.key, {c.key: {
            "network_id": nid, "key": c.key, "title": c.title, "description": c.description, "link": c.link,
            "agreement_version_id": versions[c.agreement_version].id if c.agreement_version else None,
            "sent_at": c.sent_at, "deadline": c.deadline, "status": c.status,
            "questions": [q.model_dump() for q in c.questions], "contact": c.contact, "source": c.source or "data",
        } for c in doc.consultations})
    for c in doc.consultations:
        cons = consultations[c.key]
        await s.sync(
            ConsultationResponse,
            await s.rows(ConsultationResponse, ConsultationResponse.consultation_id == cons.id,
                         ConsultationResponse.source == "data"),
            lambda r: r.municipality_id, {munis[r.municipality].id: {
                "consultation_id": cons.id, "municipality_id": munis[r.municipality].id, "version": 1,
                "kind": r.kind, "on_behalf_of_id": orgs[r.on_behalf_of].id if r.on_behalf_of else None,
                "submitted_by_id": people[r.submitted_by].id if r.submitted_by else None, "answers": r.answers,
                "own_council_date": r.own_council_date, "note": r.note, "submitted_at": r.submitted_at,
                "source": "data", "illustrative": r.illustrative,
            } for r in c.responses})
    await session.flush()
    for person in removed:
        # Someone removed from the file who has records is kept (marked retired, no roles), not deleted:
        # deleting emptied their votes' voter and their answers' submitter and dropped their acknowledgements.
        records = await records_of(session, person.id)
        if not records:
            await session.delete(person)
            report.count(report.deleted, "people")
        elif not person.retired or person.roles:
            person.retired, person.roles = True, []
            report.retired[person.key or str(person.id)] = records
    await session.flush()
    return net


# rows that are a person's record, not their configuration: a person named by any of them is retired
_NOT_RECORDS = {"people", "seats", "conversation_refs", "user_preferences"}


async def records_of(session: AsyncSession, person_id: int) -> dict[str, int]:
    """table → how many rows name the person (every foreign key to people.id, found in the schema)."""
    from sqlalchemy import func

    from storage.models import Base

    found: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in _NOT_RECORDS:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "people":
                n = await session.scalar(select(func.count()).select_from(table).where(fk.parent == person_id))
                if n:
                    found[table.name] = found.get(table.name, 0) + n
    return found


async def load_documents(db, docs: list[tuple[Path, NetworkFile]], *, actor: str = "system",
                         portfolio: list | None = None, accessions: list | None = None,
                         translations: list | None = None) -> LoadReport:
    """Sync every document in one transaction; on any error nothing is written."""
    report = LoadReport()
    async with db.session() as session:
        for path, doc in docs:
            net = await sync_network(session, doc, report, source=path.name)
            report.networks.append(net.slug)
        await sync_portfolio(session, portfolio or [], report)
        await sync_accessions(session, accessions or [], report)
        await sync_translations(session, translations or [], report)
        if report.changed:
            session.add(AuditEntry(actor=actor, action="data.load", target=",".join(report.networks),
                                   details={"created": report.created, "updated": report.updated,
                                            "deleted": report.deleted, "retired": report.retired}))
    return report


async def load_path(db, path: Path, *, actor: str = "system") -> LoadReport:
    docs = read_all(path)  # raises DataError before anything is written
    portfolio = read_portfolio(path, docs)  # data/portfolio/*.yaml (cooperation routines), checked too
    accessions = read_accessions(path, docs)  # data/accessions/*.yaml (council decisions to join), checked too
    translations = read_translations(path, docs)  # data/translations/*.yaml (working translations), checked too
    return await load_documents(db, docs, actor=actor, portfolio=portfolio, accessions=accessions,
                                translations=translations)
