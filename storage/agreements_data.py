"""Council decisions on joining an agreement version (tiltreding) from `data/accessions/<network>.yaml`.

Demo data that rests on the source documents (Bærum's decision, seed 003; the autumn council
processing in DigiVestland, seed 000). Checked like the network files (every problem named,
nothing written when any file is wrong) and synced in the loader's transaction. Rows registered
in Teams are never touched: a municipality's own registration wins over a data row.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.data_schema import KEY_PATTERN, NetworkFile, Strict
from storage.models import Accession, Agreement, AgreementVersion, Municipality, Network
from storage.validate import DataError, read_side_files, side_files

ACCESSIONS_DIR = "accessions"


class AccessionIn(Strict):
    municipality: str = Field(pattern=r"^\d{4}$")
    status: Literal["joined", "joined_with_reservations", "declined", "planned"]
    body: str = ""
    meeting_date: date | None = None
    case_number: str = ""
    effective_from: date | None = None
    funding: str = ""
    reservations: str = ""
    protocol_url: str = ""
    planned_date: date | None = None
    note: str = ""
    illustrative: bool = False


class AccessionsFile(Strict):
    network: str = Field(pattern=KEY_PATTERN)
    agreement: str = Field(pattern=KEY_PATTERN)
    version: str = Field(pattern=KEY_PATTERN)
    source: str = ""
    accessions: list[AccessionIn] = Field(default_factory=list)


def accession_files(path: Path) -> list[Path]:
    return side_files(path, ACCESSIONS_DIR)


def _problems(doc: AccessionsFile, networks: dict[str, NetworkFile]) -> list[str]:
    net = networks.get(doc.network)
    if net is None:
        return [f"network: unknown network {doc.network!r}"]
    versions = {(a.key, v.key) for a in net.agreements for v in a.versions}
    problems = [] if (doc.agreement, doc.version) in versions else [
        f"version: unknown agreement version {doc.agreement}/{doc.version}"]
    numbers = {m.number for m in net.municipalities}
    for i, row in enumerate(doc.accessions):
        if row.municipality not in numbers:
            problems.append(f"accessions[{i}].municipality: unknown municipality {row.municipality!r}")
        if row.status == "planned" and row.planned_date is None:
            problems.append(f"accessions[{i}].planned_date: a planned meeting needs its date")
        if row.status != "planned" and not (row.body and row.meeting_date):
            problems.append(f"accessions[{i}]: a decision needs body and meeting_date")
    for dup in (k for k, n in Counter(r.municipality for r in doc.accessions).items() if n > 1):
        problems.append(f"accessions: municipality {dup!r} appears twice")
    return problems


def read_accessions(path: Path, docs: list[tuple[Path, NetworkFile]]) -> list[tuple[Path, AccessionsFile]]:
    networks = {doc.network.slug: doc for _, doc in docs}
    out, problems = read_side_files(accession_files(path), AccessionsFile, lambda doc: _problems(doc, networks))
    if problems:
        raise DataError(problems)
    return out


async def sync_accessions(session: AsyncSession, files: list[tuple[Path, AccessionsFile]], report: Any) -> None:
    for _file, doc in files:
        net = await session.scalar(select(Network).where(Network.slug == doc.network))
        version = await session.scalar(select(AgreementVersion).join(Agreement).where(
            Agreement.network_id == net.id, Agreement.key == doc.agreement, AgreementVersion.key == doc.version))
        munis = {m.number: m.id for m in (await session.scalars(
            select(Municipality).where(Municipality.network_id == net.id))).all()}
        rows = (await session.scalars(select(Accession).where(Accession.version_id == version.id))).all()
        from_teams = {r.municipality_id for r in rows if r.source != "data"}
        existing = {r.municipality_id: r for r in rows if r.source == "data"}
        for item in doc.accessions:
            mid = munis[item.municipality]
            if mid in from_teams:
                continue
            values = {**item.model_dump(exclude={"municipality"}), "network_id": net.id, "version_id": version.id,
                      "municipality_id": mid, "version": 1, "source": "data"}
            row = existing.pop(mid, None)
            if row is None:
                session.add(Accession(**values))
                report.count(report.created, Accession.__tablename__)
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                report.count(report.updated, Accession.__tablename__)
        for row in existing.values():
            if row.municipality_id not in from_teams:
                await session.delete(row)
                report.count(report.deleted, Accession.__tablename__)
    await session.flush()
