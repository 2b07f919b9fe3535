"""From adoption to the version in force: the steering group's case settles a draft as `adopted`;
at its effective date a scheduled job puts it in force and expires the version before it."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.agreements.accession import DECISIONS, latest
from dialogs.i18n import OSLO, format_day, t
from dialogs.jobs import job
from dialogs.qa.sources import invalidate
from dialogs.services import Services
from dialogs.turn import Refresh, Reply
from storage import jobs as job_store
from storage.models import Agreement, AgreementCase, AgreementVersion, AuditEntry, Case, Network

SWITCH = "agreement.switch"
REMIND = "agreement.accession_reminder"
SETTLE = "agreement.settle"
SETTLE_EVERY = timedelta(hours=1)  # until the case is decided: the chair may decide days after it closed
SETTLE_FOR = timedelta(days=60)
REMIND_DAYS = (14, 3)  # before the effective date, to members without a decision
REMIND_ROLES = ("director", "mayor")
# a chair's decision that does not adopt the draft (the decision is free text)
_NOT_ADOPTED = re.compile(r"\b(?:ikkje|ikke|not)\b\s+(?:vedteke|vedtatt|vedtas|vedtakast|adopted)|"
                          r"\b(?:vedtek|vedtar|adopts?)\s+(?:ikkje|ikke|not)\b|\bavvis|\breject", re.IGNORECASE)


def adopts(case: Case) -> bool:
    if case.outcome == "adopted":
        return True
    return case.outcome == "decided_by_chair" and not _NOT_ADOPTED.search(case.outcome_text or "")


async def settle_adoptions(session: AsyncSession, network: Network, *, now: datetime,
                           actor: str = "system") -> list[AgreementVersion]:
    """Mark the drafts whose steering-group case adopted them; schedule their switch into force."""
    links = (await session.scalars(select(AgreementCase).where(
        AgreementCase.network_id == network.id, AgreementCase.adopted_at.is_(None)))).all()
    adopted = []
    for link in links:
        case = await session.get(Case, link.case_id)
        if case is None or case.status != "closed" or not adopts(case):
            continue
        version = await session.get(AgreementVersion, link.version_id)
        if version is None or version.status != "draft":
            continue
        version.status = "adopted"
        if link.effective_from:
            version.valid_from = link.effective_from
        link.adopted_at = now
        session.add(AuditEntry(actor=actor, network_id=network.id, action="agreement.adopt",
                               target=version.key, at=now,
                               details={"case": case.key, "outcome": case.outcome,
                                        "effective_from": str(version.valid_from or "")}))
        if version.valid_from:
            run_at = datetime.combine(version.valid_from, time(0, 0), OSLO)
            await job_store.schedule(session, kind=SWITCH, key=f"agreement:{version.id}:switch",
                                     run_at=max(run_at, now), payload={"network": network.id},
                                     network_id=network.id)
            for days in REMIND_DAYS:
                remind_at = run_at - timedelta(days=days)
                if remind_at > now:
                    await job_store.schedule(session, kind=REMIND, key=f"agreement:{version.id}:remind:{days}",
                                             run_at=remind_at, payload={"network": network.id,
                                                                        "version": version.id, "days": days},
                                             network_id=network.id)
        adopted.append(version)
    await session.flush()
    if adopted:
        _invalidate(network.id)
    return adopted


async def switch_versions(session: AsyncSession, network: Network, *, now: datetime,
                          actor: str = "system") -> list[tuple[str | None, str]]:
    """Adopted versions whose effective date has come go into force; the one before expires the day before."""
    await settle_adoptions(session, network, now=now, actor=actor)
    today = now.astimezone(OSLO).date()
    switched = []
    agreements = (await session.scalars(select(Agreement).where(Agreement.network_id == network.id))).all()
    for agreement in agreements:
        await session.refresh(agreement, ["versions"])
        due = sorted((v for v in agreement.versions if v.status == "adopted" and v.valid_from
                      and v.valid_from <= today), key=lambda v: v.valid_from)
        for version in due:
            old = next((v for v in agreement.versions if v.status == "in_force"), None)
            if old is not None:
                old.status = "expired"
                if old.valid_to is None or old.valid_to >= version.valid_from:
                    old.valid_to = version.valid_from - timedelta(days=1)
            version.status = "in_force"
            session.add(AuditEntry(actor=actor, network_id=network.id, action="agreement.in_force",
                                   target=version.key, at=now,
                                   details={"expired": old.key if old else None,
                                            "valid_from": str(version.valid_from)}))
            switched.append((old.key if old else None, version.key))
    await session.flush()
    if switched:
        _invalidate(network.id)
    return switched


def _invalidate(network_id: int) -> None:

    invalidate(network_id)


@job(SWITCH)
async def switch_job(services: Services, payload: dict[str, Any]) -> list[Reply | Refresh]:
    async with services.db.session() as session:
        network = await session.get(Network, int(payload.get("network") or 0))
        if network is not None:
            await switch_versions(session, network, now=services.now())
    return []


@job(REMIND)
async def remind_job(services: Services, payload: dict[str, Any]) -> list[Reply | Refresh]:
    """Remind the directors and mayors of members with no decision (a planned meeting counts as none)."""
    from storage.models import Municipality, Person

    out: list[Reply | Refresh] = []
    async with services.db.session() as session:
        version = await session.get(AgreementVersion, int(payload.get("version") or 0))
        network = await session.get(Network, int(payload.get("network") or 0))
        if version is None or network is None or version.status not in ("adopted", "in_force"):
            return []
        decided = {m for m, row in (await latest(session, version)).items() if row.status in DECISIONS}
        members = (await session.scalars(select(Municipality).where(
            Municipality.network_id == network.id, Municipality.member.is_(True)))).all()
        waiting = {m.id: m for m in members if m.id not in decided}
        people = (await session.scalars(select(Person).where(
            Person.municipality_id.in_(waiting), Person.anonymised.is_(False)))).all()
        for person in people:
            if not set(person.roles or []) & set(REMIND_ROLES):
                continue
            lang = person.language or network.language
            out.append(Reply(text=t("agreements.reminder", lang, label=version.label,
                                    municipality=waiting[person.municipality_id].name,
                                    effective=format_day(version.valid_from, lang) if version.valid_from else "—"),
                             to_person=person.id, batch=f"agreement:{version.id}:remind",
                             dedupe_key=f"agreement:{version.id}:remind:{payload.get('days')}:{person.id}"))
    return out


async def schedule_settle(session: AsyncSession, link: AgreementCase, case: Case, *, at: datetime) -> None:
    """Check the case for adoption at `at` (its deadline first), so that adoption, the reminders and
    the switch into force follow even when nobody asks for the status."""
    await job_store.schedule(session, kind=SETTLE, key=f"agreement-case:{link.id}:settle", run_at=at,
                             payload={"network": link.network_id, "link": link.id, "case": case.id,
                                      "until": (case.deadline + SETTLE_FOR).isoformat()},
                             network_id=link.network_id)


@job(SETTLE)
async def settle_job(services: Services, payload: dict[str, Any]) -> list[Reply | Refresh]:
    now = services.now()
    async with services.db.session() as session:
        network = await session.get(Network, int(payload.get("network") or 0))
        link = await session.get(AgreementCase, int(payload.get("link") or 0))
        if network is None or link is None:
            return []
        await settle_adoptions(session, network, now=now)
        case = await session.get(Case, link.case_id)
        undecided = case is not None and (case.status == "open" or case.outcome == "awaiting_chair")
        if link.adopted_at is None and undecided and now < datetime.fromisoformat(str(payload.get("until"))):
            await job_store.schedule(session, kind=SETTLE, key=f"agreement-case:{link.id}:settle:{now:%Y%m%d%H}",
                                     run_at=now + SETTLE_EVERY, payload=payload, network_id=network.id)
    return []
