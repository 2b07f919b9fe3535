"""The portfolio and routine settings of each network: `data/portfolio/<network>.yaml`.

Kept apart from the network files because the secretariat edits the portfolio far more often
than the agreement. Validated like the network files (every problem as `file: path: problem`,
nothing written when any file is wrong) and synced idempotently in the loader's transaction.
Rows the secretariat edited in Teams (`edited_at` set) are kept as edited by a reload.
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
from storage.models import Body, Municipality, Network, Person
from storage.models.routines import PortfolioItem, RoutineSettings
from storage.validate import DataError, read_side_files, side_files

PORTFOLIO_DIR = "portfolio"
Status = Literal["planned", "active", "paused", "completed"]


class RoutinesIn(Strict):
    council: str = Field(pattern=KEY_PATTERN)  # body key of the council that gets cases
    lead: str = Field(pattern=KEY_PATTERN)  # person key of the digitalisation lead (proposer)
    check_body: str | None = Field(default=None, pattern=KEY_PATTERN)  # body whose members check projects
    answer_days: int = Field(default=14, ge=1, le=90)
    clauses: list[str] = Field(default_factory=list)


class ItemIn(Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=300)
    description: str = ""
    owner: str | None = Field(default=None, pattern=r"^\d{4}$")  # kommunenummer
    owner_text: str = ""
    participants: list[str] = Field(default_factory=list)
    status: Status = "active"
    budget_nok: int | None = Field(default=None, ge=0)
    next_milestone: str = ""
    next_milestone_date: date | None = None
    source: str = ""
    illustrative: bool = False


class PortfolioFile(Strict):
    network: str = Field(pattern=KEY_PATTERN)
    routines: RoutinesIn | None = None
    projects: list[ItemIn] = Field(default_factory=list)
    expert_groups: list[ItemIn] = Field(default_factory=list)


def portfolio_files(path: Path) -> list[Path]:
    return side_files(path, PORTFOLIO_DIR)


def _problems(doc: PortfolioFile, networks: dict[str, NetworkFile]) -> list[str]:
    net = networks.get(doc.network)
    if net is None:
        return [f"network: unknown network {doc.network!r}"]
    numbers = {m.number for m in net.municipalities}
    bodies = {b.key: b.kind for b in net.bodies}
    people = {p.key for p in net.people}
    clauses = {f"{a.key}/{v.key}/{c.key}" for a in net.agreements for v in a.versions for c in v.clauses}
    problems: list[str] = []
    if doc.routines:
        r = doc.routines
        if r.council not in bodies:
            problems.append(f"routines.council: unknown body {r.council!r}")
        elif bodies[r.council] != "council":
            problems.append(f"routines.council: body {r.council!r} is a {bodies[r.council]}, not a council")
        if r.lead not in people:
            problems.append(f"routines.lead: unknown person {r.lead!r}")
        if r.check_body and r.check_body not in bodies:
            problems.append(f"routines.check_body: unknown body {r.check_body!r}")
        for i, ref in enumerate(r.clauses):
            if ref not in clauses:
                problems.append(f"routines.clauses[{i}]: unknown clause {ref!r}")
    keys = [i.key for i in doc.projects] + [i.key for i in doc.expert_groups]
    for dup in (k for k, n in Counter(keys).items() if n > 1):
        problems.append(f"projects/expert_groups: duplicate key {dup!r}")
    for section, items in (("projects", doc.projects), ("expert_groups", doc.expert_groups)):
        for i, item in enumerate(items):
            if item.owner and item.owner not in numbers:
                problems.append(f"{section}[{i}].owner: unknown municipality {item.owner!r}")
            for j, number in enumerate(item.participants):
                if number not in numbers:
                    problems.append(f"{section}[{i}].participants[{j}]: unknown municipality {number!r}")
    return problems


def read_portfolio(path: Path, docs: list[tuple[Path, NetworkFile]]) -> list[tuple[Path, PortfolioFile]]:
    """Read and check every portfolio file against the network files; one DataError for all problems."""
    networks = {doc.network.slug: doc for _, doc in docs}
    out, problems = read_side_files(portfolio_files(path), PortfolioFile, lambda doc: _problems(doc, networks))
    for dup in (k for k, n in Counter(d.network for _, d in out).items() if n > 1):
        problems.append(f"{path / PORTFOLIO_DIR}: network {dup!r} appears in more than one portfolio file")
    if problems:
        raise DataError(problems)
    return out


async def sync_portfolio(session: AsyncSession, files: list[tuple[Path, PortfolioFile]], report: Any) -> None:
    """Make the stored portfolio and routine settings equal to the files (keyed, in place)."""
    for _file, doc in files:
        net = await session.scalar(select(Network).where(Network.slug == doc.network))
        munis = {m.number: m.id for m in (await session.scalars(
            select(Municipality).where(Municipality.network_id == net.id))).all()}
        await _sync_settings(session, net, doc.routines, report)
        desired: dict[str, dict[str, Any]] = {}
        for kind, items in (("project", doc.projects), ("expert_group", doc.expert_groups)):
            for item in items:
                desired[item.key] = {
                    "network_id": net.id, "key": item.key, "kind": kind, "name": item.name,
                    "description": item.description.strip(),
                    "owner_municipality_id": munis[item.owner] if item.owner else None,
                    "owner_text": item.owner_text, "participants": list(item.participants),
                    "status": item.status, "budget_nok": item.budget_nok, "next_milestone": item.next_milestone,
                    "next_milestone_date": item.next_milestone_date, "source": item.source,
                    "illustrative": item.illustrative, "origin": "data"}
        existing = {row.key: row for row in (await session.scalars(select(PortfolioItem).where(
            PortfolioItem.network_id == net.id, PortfolioItem.origin == "data"))).all()}
        for key, values in desired.items():
            row = existing.pop(key, None)
            if row is None:
                if await session.scalar(select(PortfolioItem.id).where(
                        PortfolioItem.network_id == net.id, PortfolioItem.key == key)) is not None:
                    continue  # the secretariat created this key in Teams: theirs stays
                session.add(PortfolioItem(**values))
                report.count(report.created, PortfolioItem.__tablename__)
            elif row.edited_at is None and any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                report.count(report.updated, PortfolioItem.__tablename__)
        for row in existing.values():
            if row.edited_at is None:
                await session.delete(row)
                report.count(report.deleted, PortfolioItem.__tablename__)
    await session.flush()


async def _sync_settings(session: AsyncSession, net: Network, routines: RoutinesIn | None, report: Any) -> None:
    row = await session.scalar(select(RoutineSettings).where(RoutineSettings.network_id == net.id))
    if routines is None:
        if row is not None:
            await session.delete(row)
            report.count(report.deleted, RoutineSettings.__tablename__)
        return

    async def body_id(key: str | None) -> int | None:
        if not key:
            return None
        return await session.scalar(select(Body.id).where(Body.network_id == net.id, Body.key == key))

    values = {"network_id": net.id, "council_body_id": await body_id(routines.council),
              "lead_person_id": await session.scalar(select(Person.id).where(
                  Person.network_id == net.id, Person.key == routines.lead)),
              "check_body_id": await body_id(routines.check_body), "answer_days": routines.answer_days,
              "clause_refs": list(routines.clauses)}
    if row is None:
        session.add(RoutineSettings(**values))
        report.count(report.created, RoutineSettings.__tablename__)
    elif any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        report.count(report.updated, RoutineSettings.__tablename__)
