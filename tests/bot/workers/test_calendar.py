"""Announced meetings in the secretariat's Outlook calendar through Graph (loopback stand-in): announce →
one event with the steering group as attendees at Oslo times; change → PATCH; cancel → cancel; the same
sync twice → still one event; Graph refusing → failed with the reason, not retried forever; without Graph
configured nothing is attempted."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot.graph.client import GraphClient
from bot.standins.graph import FakeGraph
from bot.workers.calendar import CalendarSyncWorker, event_body, graph_calendar_worker
from dialogs.meetings import service
from storage.calendar_sync import request_sync
from storage.models import Body, Event, Network, Person, Seat
from storage.models.graph import CalendarSync
from tests.harness import DV_CHAIR, DV_DIRECTOR, DV_OBSERVER, DV_SECRETARIAT, TENANT, message_text
from tests.harness.meetings import ANNOUNCEMENT, data_of

APP_ID = "11111111-2222-4333-8444-555555555555"
SECRET = "graph-secret"
ORGANIZER = "sekretariatet@digivestland.no"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def graph():
    g = FakeGraph(client_id=APP_ID, client_secret=SECRET, seed=11)
    await g.start()
    g.add_user("secretariat-mailbox", ORGANIZER)
    yield g
    await g.stop()


def worker(db, graph: FakeGraph, organizer: str = ORGANIZER, retries: int = 4, **kwargs) -> CalendarSyncWorker:
    client = GraphClient(client_id=APP_ID, client_secret=SECRET, authority=graph.url, base_url=graph.base_url,
                         ca_bundle=graph.ca_file, max_retries=retries)
    return CalendarSyncWorker(db, client, organizer_for=lambda slug: organizer if slug == "digivestland" else "",
                              tenant_id=TENANT, **kwargs)


async def sync(db, graph: FakeGraph, **kwargs) -> int:
    w = worker(db, graph, **kwargs)
    try:
        return await w.run_once()
    finally:
        await w.graph.close()


async def steering_group_addresses(db) -> set[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Person.email).join(Seat, Seat.person_id == Person.id).join(Body, Body.id == Seat.body_id)
            .join(Network, Network.id == Body.network_id)
            .where(Network.slug == "digivestland", Body.key == "styringsgruppa"))
        return {e for e in rows if e}


async def sync_row(db) -> CalendarSync:
    async with db.session() as session:
        return await session.scalar(select(CalendarSync).order_by(CalendarSync.id.desc()).limit(1))


@pytest.fixture
async def meeting_bot(bot):
    bot.services.now = lambda: NOW
    bot.services.public_url = str(bot.server.make_url("")).rstrip("/")
    for user in (DV_SECRETARIAT, DV_CHAIR, DV_DIRECTOR, DV_OBSERVER):
        await bot.install(user)
    return bot


async def test_announce_change_cancel_follow_in_the_organisers_calendar(meeting_bot, graph):
    bot = meeting_bot
    preview = await bot.say(DV_SECRETARIAT, ANNOUNCEMENT)
    await bot.submit(DV_SECRETARIAT, data_of(preview, "meeting.confirm"))
    await bot.drain()
    row = await sync_row(bot.db)
    assert (row.action, row.state) == ("create", "pending")  # recorded with the meeting; the bot has no Graph
    assert graph.calls == [] and graph.token_requests == 0

    assert await sync(bot.db, graph) == 1
    [event] = graph.mailbox(ORGANIZER).values()
    assert event["subject"] == "Styringsgruppemøte"
    assert event["start"] == {"dateTime": "2027-08-28T10:00:00", "timeZone": "W. Europe Standard Time"}
    assert event["end"] == {"dateTime": "2027-08-28T12:00:00", "timeZone": "W. Europe Standard Time"}
    assert event["isOnlineMeeting"] is True and event["onlineMeetingProvider"] == "teamsForBusiness"
    attendees = {a["emailAddress"]["address"] for a in event["attendees"]}
    assert attendees == await steering_group_addresses(bot.db) and "hakon.strand@askoy.kommune.no" in attendees
    assert event["transactionId"]
    row = await sync_row(bot.db)
    assert row.state == "done" and row.graph_event_id == event["id"] and row.organizer == ORGANIZER

    # nothing due: nothing sent; a sync repeated after a crash (Graph's answer lost) gives no second event
    assert await sync(bot.db, graph) == 0
    async with bot.db.session() as session:
        await session.execute(update(CalendarSync).values(state="pending", graph_event_id=""))
    await sync(bot.db, graph)
    assert len(graph.mailbox(ORGANIZER)) == 1 and len(graph.requests("POST", "/events")) == 2
    assert (await sync_row(bot.db)).graph_event_id == event["id"]

    # changed: the same event is PATCHed with the new times and place
    listing = await bot.say(DV_SECRETARIAT, "kva skjer")
    async with bot.db.session() as session:
        event_id = await session.scalar(select(CalendarSync.event_id))
    form = await bot.submit(DV_SECRETARIAT, data_of(listing, "meeting.change", event_id))
    changed = {**data_of(form, "meeting.preview"), "kind": "meeting", "title": "Styringsgruppemøte",
               "audience": "body:styringsgruppa", "when": "29. august 2027 kl. 13–15", "place": "Bergen rådhus",
               "reminders": "7, 1", "agenda": "- Budsjett 2028\n- Eventuelt"}
    await bot.submit(DV_SECRETARIAT, data_of(await bot.submit(DV_SECRETARIAT, changed), "meeting.confirm"))
    assert (await sync_row(bot.db)).action == "update"
    await sync(bot.db, graph)
    [patch] = graph.requests("PATCH")
    assert patch.path.endswith(event["id"]) and patch.status == 200
    [event] = graph.mailbox(ORGANIZER).values()
    assert event["start"]["dateTime"] == "2027-08-29T13:00:00" and event["end"]["dateTime"] == "2027-08-29T15:00:00"
    assert event["location"] == {"displayName": "Bergen rådhus"} and event["isOnlineMeeting"] is False
    assert "Budsjett 2028" in event["body"]["content"] and "Saker" in event["body"]["content"]

    # cancelled: Graph cancels the event (attendees get the cancellation)
    ask = await bot.submit(DV_SECRETARIAT, data_of(listing, "meeting.cancel", event_id))
    await bot.submit(DV_SECRETARIAT, data_of(ask, "meeting.cancel_confirm"))
    await sync(bot.db, graph)
    [cancel] = graph.requests("POST", "/cancel")
    assert cancel.status == 202 and event["id"] in cancel.path
    assert graph.mailbox(ORGANIZER)[event["id"]]["isCancelled"] is True
    assert (await sync_row(bot.db)).state == "done"
    assert "Avlyst" in message_text((await bot.connector.wait_for_messages(4, DV_CHAIR.personal_conversation))[-1])


def test_times_are_oslo_wall_clock_in_summer_and_winter():
    summer = Event(title="Møte", kind="meeting", starts_at=datetime(2027, 8, 28, 8, 0, tzinfo=UTC),
                   ends_at=datetime(2027, 8, 28, 10, 0, tzinfo=UTC), all_day=False, place="", online_url="")
    winter = Event(title="Møte", kind="meeting", starts_at=datetime(2026, 12, 10, 9, 0, tzinfo=UTC),
                   ends_at=None, all_day=False, place="Bergen", online_url="https://example.org/m?a=1&b=2")
    day = Event(title="Samling", kind="meeting", starts_at=datetime(2026, 12, 9, 23, 0, tzinfo=UTC),
                ends_at=None, all_day=True, place="", online_url="")
    assert event_body(summer, [], [], "nn")["start"]["dateTime"] == "2027-08-28T10:00:00"
    body = event_body(winter, [], [("a@b.no", "A")], "nn")
    assert body["start"]["dateTime"] == "2026-12-10T10:00:00" and body["end"]["dateTime"] == "2026-12-10T11:00:00"
    assert 'href="https://example.org/m?a=1&amp;b=2"' in body["body"]["content"] and not body["isOnlineMeeting"]
    whole = event_body(day, [], [], "nn")
    assert whole["isAllDay"] and (whole["start"]["dateTime"], whole["end"]["dateTime"]) == (
        "2026-12-10T00:00:00", "2026-12-11T00:00:00")


async def _meeting(db, title: str) -> int:
    async with db.session() as session:
        network = await session.scalar(select(Network).where(Network.slug == "digivestland"))
        plan = service.Plan(kind="meeting", title=title, audience="body:styringsgruppa",
                            starts_at=datetime(2027, 3, 4, 9, 0, tzinfo=UTC), ends_at=None, all_day=False,
                            place="Bergen", online_url="", agenda=[], remind_days=[])
        event = await service.create_event(session, network, plan, person=None, actor="test", now=NOW)
        return event.id


async def test_two_workers_on_one_database_create_each_event_once(any_db, graph):
    for i in range(6):
        await _meeting(any_db, f"Møte {i}")
    done = await asyncio.gather(sync(any_db, graph, batch=2), sync(any_db, graph, batch=2))
    assert sum(done) == 6
    subjects = sorted(e["subject"] for e in graph.mailbox(ORGANIZER).values())
    assert subjects == [f"Møte {i}" for i in range(6)]
    assert len(graph.requests("POST", "/events")) == 6


@pytest.mark.parametrize(("organizer", "licensed", "reason"), [
    (ORGANIZER, False, "graph 403 Forbidden"), ("nobody@digivestland.no", True, "graph 404 Request_ResourceNotFound")])
async def test_graph_refusing_fails_the_row_with_the_reason_once(db, graph, organizer, licensed, reason):
    graph.users["secretariat-mailbox"].licensed = licensed
    await _meeting(db, "Møte")
    await sync(db, graph, organizer=organizer)
    row = await sync_row(db)
    assert row.state == "failed" and row.error == reason and row.attempts == 1
    await sync(db, graph, organizer=organizer)
    assert len(graph.requests("POST", "/events")) == 1  # not tried again and again


async def test_429_waits_for_retry_after_and_outages_are_bounded(db, graph):
    event_id = await _meeting(db, "Møte")
    graph.fail_next["/v1.0/users/"] = [429]
    started = time.monotonic()
    await sync(db, graph)
    posts = graph.requests("POST", "/events")
    assert [c.status for c in posts] == [429, 201] and posts[1].at - posts[0].at >= 0.95
    assert time.monotonic() - started >= 0.95 and (await sync_row(db)).state == "done"

    async with db.session() as session:  # Graph down for longer than the client's own retries
        await request_sync(session, await session.get(Event, event_id), "update")
    graph.fail_next["/v1.0/users/"] = [503] * 100
    for _ in range(4):
        async with db.session() as session:
            await session.execute(update(CalendarSync).values(not_before=NOW))  # due again at once
        await sync(db, graph, max_attempts=3, retries=1)
    row = await sync_row(db)
    assert row.state == "failed" and row.error.startswith("graph 503") and row.attempts == 3
    assert len(graph.requests("PATCH")) == 3 * 2  # three rounds of one try and one retry each


async def test_a_change_during_a_sync_is_not_lost(db, graph):
    event_id = await _meeting(db, "Møte")
    w = worker(db, graph)
    [job] = await w.claim()
    async with db.session() as session:  # the secretariat changes the meeting while Graph is being asked
        event = await session.get(Event, event_id)
        event.title = "Møte (flytta)"
        await request_sync(session, event, "update")
    await w.record(job, await w.sync(job))
    row = await sync_row(db)
    assert row.state == "pending" and row.graph_event_id
    await w.run_once()
    await w.graph.close()
    [event] = graph.mailbox(ORGANIZER).values()
    assert event["subject"] == "Møte (flytta)" and (await sync_row(db)).state == "done"


async def test_without_graph_configured_the_worker_does_nothing(bot, graph):
    await asyncio.wait_for(graph_calendar_worker(bot.app), 1)  # returns at once
    assert not bot.settings.graph_calendar_enabled
    await _meeting(bot.db, "Møte")
    assert (await sync_row(bot.db)).state == "pending" and graph.calls == []


async def test_the_teams_join_link_graph_makes_is_stored_and_shown_on_the_invitation(meeting_bot, graph):
    """A meeting "på Teams" becomes an online meeting in Graph; the joinUrl Graph returns is kept, and the
    invitations already in the chats are edited to carry it ("Bli med på Teams"), as later cards are."""
    bot = meeting_bot
    preview = await bot.say(DV_SECRETARIAT, ANNOUNCEMENT)
    await bot.submit(DV_SECRETARIAT, data_of(preview, "meeting.confirm"))
    await bot.drain()
    [invitation] = bot.connector.messages(DV_DIRECTOR.personal_conversation)[-1:]
    assert "Invitasjon til møte" in message_text(invitation)
    assert "Bli med på Teams" not in message_text(invitation)  # Graph has not made the meeting yet
    posted = next(r.activity_id for r in bot.connector.records if r.activity is invitation)
    messages = len(bot.connector.messages(DV_DIRECTOR.personal_conversation))

    await sync(bot.db, graph, clock=lambda: NOW)
    [event] = graph.mailbox(ORGANIZER).values()
    join_url = event["onlineMeeting"]["joinUrl"]
    assert join_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    assert (await sync_row(bot.db)).join_url == join_url

    deadline = time.monotonic() + 60  # the job worker's poll, on a loaded CI machine
    while not (edits := [r for r in bot.connector.records if r.op == "update"
                         and r.conversation_id == DV_DIRECTOR.personal_conversation]):
        assert time.monotonic() < deadline, "the invitation was never edited"
        await asyncio.sleep(0.05)
    await bot.drain()
    edited = edits[-1].activity
    assert edits[-1].activity_id == posted  # the same message, edited in place
    card = edited["attachments"][0]["content"]
    assert {"type": "Action.OpenUrl", "title": "Bli med på Teams", "url": join_url}.items() <= next(
        a for a in card["actions"] if a.get("title") == "Bli med på Teams").items()
    assert "Kjem" in message_text(edited) and join_url in message_text(edited)  # still answerable, link shown
    assert len(bot.connector.messages(DV_DIRECTOR.personal_conversation)) == messages  # no second message
