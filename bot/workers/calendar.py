"""The calendar worker: brings each announced meeting into the organiser's Outlook calendar via Graph.

Why a worker: the meetings dialogs only record "this event needs a sync"
(storage/calendar_sync.py, in the same transaction as the change). This worker,
active when Graph is configured (credentials and GRAPH_ORGANIZER), claims those
rows like the delivery engine claims outbox rows (FOR UPDATE SKIP LOCKED on
PostgreSQL, leases for crashed instances), then creates the event in the
secretariat's mailbox with the attendees' e-mail addresses (Exchange sends the
invitations), PATCHes it after a change and cancels it after a cancellation.
Creating carries a `transactionId`, so a create that is retried after a crash
gives the same event, never a second one. Graph refusing (403/404/400) fails the
row with the reason; throttling and outages are retried a bounded number of times.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.app_keys import BOT_KEY, DB_KEY, SETTINGS_KEY
from bot.graph.client import OSLO_WINDOWS_ZONE, GraphClient, GraphError, GraphNotFound
from dialogs.i18n import OSLO, t
from dialogs.meetings.service import JOIN_LINK_JOB, audience_of, audience_people, detail_of
from storage import jobs
from storage.db import Database
from storage.models import Event, Network, utcnow
from storage.models.graph import CalendarSync

log = logging.getLogger("samarbeidsbot.graph_calendar")
DEFAULT_LENGTH = timedelta(hours=1)  # a meeting announced without an end


@dataclass
class Claimed:
    id: int
    event_id: int
    network_id: int
    version: int
    attempts: int
    graph_event_id: str
    organizer: str


@dataclass
class Result:
    state: str  # done | failed | skipped | pending (try again later)
    graph_event_id: str = ""
    organizer: str = ""
    error: str = ""
    retry_in: float = 0.0
    join_url: str | None = None  # Graph's onlineMeeting.joinUrl (None: the answer did not say)


def join_url_of(answer: dict[str, Any]) -> str:
    """The Teams join link of an event Graph made an online meeting ('' when it is not one)."""
    return str((answer.get("onlineMeeting") or {}).get("joinUrl") or "")


def transaction_id(network_id: int, key: str, generation: int = 0) -> str:
    """Stable per event (and per re-creation), so Graph recognises a repeated create."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"samarbeidsbot:event:{network_id}:{key}:{generation}"))


def _local(moment: datetime) -> str:
    return moment.astimezone(OSLO).replace(tzinfo=None).isoformat(timespec="seconds")


def event_body(event: Event, agenda: list[str], attendees: list[tuple[str, str]], lang: str) -> dict[str, Any]:
    """The Graph event for one of our meetings: Oslo wall-clock times, attendees by e-mail address."""
    if event.all_day:
        day = event.starts_at.astimezone(OSLO).date()
        last = (event.ends_at.astimezone(OSLO).date() if event.ends_at else day)
        start = datetime.combine(day, time(0)).isoformat(timespec="seconds")
        end = datetime.combine(last + timedelta(days=1), time(0)).isoformat(timespec="seconds")
    else:
        start = _local(event.starts_at)
        end = _local(event.ends_at if event.ends_at and event.ends_at > event.starts_at
                     else event.starts_at + DEFAULT_LENGTH)
    parts = []
    if event.online_url:
        url = html.escape(event.online_url, quote=True)
        parts.append(f'<p><a href="{url}">{url}</a></p>')
    if agenda:
        items = "".join(f"<li>{html.escape(item)}</li>" for item in agenda)
        parts.append(f"<p>{html.escape(t('meetings.field_agenda', lang))}:</p><ol>{items}</ol>")
    online = not event.online_url and "teams" in (event.place or "").lower()
    body: dict[str, Any] = {
        "subject": event.title,
        "body": {"contentType": "HTML", "content": "".join(parts)},
        "start": {"dateTime": start, "timeZone": OSLO_WINDOWS_ZONE},
        "end": {"dateTime": end, "timeZone": OSLO_WINDOWS_ZONE},
        "isAllDay": bool(event.all_day),
        "location": {"displayName": event.place or event.online_url or ""},
        "attendees": [{"emailAddress": {"address": address, "name": name}, "type": "required"}
                      for address, name in attendees],
        "allowNewTimeProposals": False,
        "responseRequested": True,
        "isOnlineMeeting": online,
    }
    if online:
        body["onlineMeetingProvider"] = "teamsForBusiness"
    return body


class CalendarSyncWorker:
    """Works the calendar_sync rows; one per process, several per database."""

    def __init__(self, db: Database, graph: GraphClient, *, organizer_for: Callable[[str], str],
                 tenant_id: str = "", instance: str | None = None, lease_seconds: float = 120.0,
                 max_attempts: int = 6, poll_seconds: float = 5.0, batch: int = 10,
                 clock: Callable[[], datetime] = utcnow):
        self.db, self.graph = db, graph
        self.clock = clock  # the scheduler's clock (the dialogs' `services.now`), for the jobs queued here
        self.organizer_for = organizer_for
        self.tenant_id = tenant_id
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = lease_seconds
        self.max_attempts = max_attempts
        self.poll = poll_seconds
        self.batch = batch

    # --- claiming ---

    async def reclaim_stale(self) -> int:
        cutoff = utcnow() - timedelta(seconds=self.lease)
        async with self.db.session() as session:
            result = await session.execute(
                update(CalendarSync).where(CalendarSync.state == "syncing", CalendarSync.claimed_at < cutoff)
                .values(state="pending", claimed_by="").execution_options(synchronize_session=False))
        return result.rowcount or 0

    async def claim(self) -> list[Claimed]:
        now = utcnow()
        async with self.db.session() as session:
            ids = list((await session.scalars(
                select(CalendarSync.id).where(CalendarSync.state == "pending", CalendarSync.not_before <= now)
                .order_by(CalendarSync.not_before, CalendarSync.id).limit(self.batch)
                .with_for_update(skip_locked=True))).all())
            if not ids:
                return []
            await session.execute(update(CalendarSync).where(CalendarSync.id.in_(ids), CalendarSync.state == "pending")
                                  .values(state="syncing", claimed_by=self.instance, claimed_at=now)
                                  .execution_options(synchronize_session=False))
            rows = (await session.scalars(select(CalendarSync).where(
                CalendarSync.id.in_(ids), CalendarSync.claimed_by == self.instance,
                CalendarSync.state == "syncing"))).all()
            return [Claimed(r.id, r.event_id, r.network_id, r.version, r.attempts, r.graph_event_id, r.organizer)
                    for r in rows]

    # --- one event ---

    async def _plan(self, job: Claimed) -> tuple[str, dict[str, Any] | None, Network | None, Event | None]:
        """What the calendar should show now: ('upsert', body) or ('cancel', None) or ('skip', None)."""
        async with self.db.sessions() as session:
            event = await session.get(Event, job.event_id)
            network = await session.get(Network, job.network_id)
            if event is None or network is None or event.status == "cancelled" or event.kind != "meeting":
                return "cancel", None, network, event
            if not job.graph_event_id and (event.ends_at or event.starts_at) < utcnow():
                return "skip", None, network, event  # over already: no invitations after the fact
            people = await audience_people(session, network, await audience_of(session, event))
            seen: set[str] = set()
            attendees = []
            for person in people:
                address = (person.email or person.upn or "").strip()
                if address and address.lower() not in seen:
                    seen.add(address.lower())
                    attendees.append((address, person.name))
            detail = await detail_of(session, event)
            agenda = list(detail.agenda) if detail else []
            return "upsert", event_body(event, agenda, attendees, network.language or "nb"), network, event

    async def sync(self, job: Claimed) -> Result:
        want, body, network, event = await self._plan(job)
        if want == "skip":
            return Result("skipped", error="the meeting is over")
        if want == "cancel" and not job.graph_event_id:
            return Result("done")
        organizer = job.organizer or (self.organizer_for(network.slug) if network else "")
        tenant = self.tenant_id or (network.tenant_ids[0] if network and network.tenant_ids else "")
        if not organizer or not tenant:
            return Result("failed", error="no organiser mailbox or tenant configured (GRAPH_ORGANIZER)")
        try:
            if want == "cancel":
                with contextlib.suppress(GraphNotFound):  # deleted in Outlook already
                    await self.graph.cancel_event(tenant, organizer, job.graph_event_id)
                return Result("done", job.graph_event_id, organizer)
            assert body is not None and event is not None
            if job.graph_event_id:
                try:
                    updated = await self.graph.update_event(tenant, organizer, job.graph_event_id, body)
                    return Result("done", job.graph_event_id, organizer, join_url=join_url_of(updated))
                except GraphNotFound:  # removed in Outlook: make it again (a new transaction id)
                    created = await self.graph.create_event(
                        tenant, organizer, body, transaction_id(event.network_id, event.key, job.version))
                    return Result("done", str(created.get("id") or ""), organizer, join_url=join_url_of(created))
            created = await self.graph.create_event(tenant, organizer, body,
                                                    transaction_id(event.network_id, event.key))
            return Result("done", str(created.get("id") or ""), organizer, join_url=join_url_of(created))
        except GraphError as exc:
            if exc.transient and job.attempts + 1 < self.max_attempts:
                wait = exc.retry_after if exc.retry_after is not None else min(900.0, 5.0 * 2 ** job.attempts)
                return Result("pending", job.graph_event_id, organizer, exc.reason, wait)
            return Result("failed", job.graph_event_id, organizer, exc.reason)

    async def record(self, job: Claimed, result: Result) -> None:
        """Store the outcome; a request that arrived during the sync makes the row pending again."""
        async with self.db.session() as session:
            row = await session.scalar(select(CalendarSync).where(CalendarSync.id == job.id).with_for_update())
            if row is None or row.claimed_by != self.instance:
                return  # the lease ran out and another instance took it over
            newer = row.version != job.version
            if result.join_url is not None and result.join_url != row.join_url:
                # the Teams link to join is new (or gone): the invitations already posted are edited to show it
                row.join_url = result.join_url[:1000]
                await jobs.schedule(session, kind=JOIN_LINK_JOB, key=f"event:{row.event_id}:join-link:{uuid.uuid4().hex[:8]}",
                                    run_at=self.clock(), payload={"event_id": row.event_id}, network_id=row.network_id)
            row.graph_event_id = result.graph_event_id or row.graph_event_id
            row.organizer = result.organizer or row.organizer
            row.claimed_by, row.updated_at = "", utcnow()
            if newer:
                row.state, row.attempts, row.error, row.not_before = "pending", 0, "", utcnow()
            else:
                row.state, row.error = result.state, result.error[:300]
                row.attempts = job.attempts + (1 if result.state in ("pending", "failed") else 0)
                if result.state == "done":
                    row.synced_version = job.version
                row.not_before = utcnow() + timedelta(seconds=result.retry_in)

    async def _one(self, job: Claimed) -> None:
        try:
            result = await self.sync(job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - one event must not stop the others
            log.exception("calendar sync of event %s failed", job.event_id)
            state = "pending" if job.attempts + 1 < self.max_attempts else "failed"
            result = Result(state, job.graph_event_id, job.organizer, type(exc).__name__, 60.0)
        if result.state == "failed":
            log.warning("calendar event for event %s not synced: %s", job.event_id, result.error)
        await self.record(job, result)

    async def run_once(self) -> int:
        """Sync everything due now; returns how many rows were worked on."""
        await self.reclaim_stale()
        done = 0
        while jobs := await self.claim():
            await asyncio.gather(*(self._one(job) for job in jobs))
            done += len(jobs)
        return done

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except (OSError, ConnectionError, TimeoutError) as exc:
                log.warning("calendar sync: database unavailable (%s); retrying", type(exc).__name__)
            await asyncio.sleep(self.poll)


async def graph_calendar_worker(app) -> None:
    settings = app[SETTINGS_KEY]
    if not settings.graph_calendar_enabled:
        return  # without Graph nothing is attempted; the rows wait
    graph = GraphClient.from_settings(settings)
    worker = CalendarSyncWorker(app[DB_KEY], graph, organizer_for=settings.graph_organizer_for,
                                tenant_id=settings.app_tenant_id, clock=app[BOT_KEY].services.now)
    log.info("calendar sync worker %s started", worker.instance)
    try:
        await worker.run()
    finally:
        await graph.close()
