"""The delivery engine against the loopback Bot Connector: limits, 429, retries, unreachable recipients."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import func, select

from bot.delivery.engine import DeliveryEngine
from bot.standins.connector import FakeConnector
from storage import outbox
from storage.models import ConversationRef, OutboxMessage, Person, PostedCard
from tests.harness.delivery import add_conversation, queue


async def rows(db) -> dict[int, OutboxMessage]:
    async with db.session() as session:
        return {r.id: r for r in (await session.scalars(select(OutboxMessage))).all()}


@pytest.fixture
async def connector():
    c = FakeConnector(enforce_limits=True, retry_after=1.0, seed=7)
    await c.start()
    yield c
    await c.stop()


def engine(db, **kwargs) -> DeliveryEngine:
    kwargs.setdefault("rate", 50)
    return DeliveryEngine(db, **kwargs)


async def run(e: DeliveryEngine, timeout: float = 30.0) -> None:
    await asyncio.wait_for(e.run(until_idle=True), timeout)


async def test_messages_to_one_chat_keep_to_teams_per_conversation_limits_and_arrive_in_order(any_db, connector):
    conv = await add_conversation(any_db, connector, "busy")
    for i in range(10):
        await queue(any_db, conv, f"melding {i}")
    started = time.monotonic()
    await run(engine(any_db))
    assert [m["text"] for m in connector.messages(conv)] == [f"melding {i}" for i in range(10)]
    assert connector.throttled == 0  # the engine never asked for more than Teams allows
    assert time.monotonic() - started >= 1.9  # 8 per 2 seconds: the last two wait for the window
    assert {r.status for r in (await rows(any_db)).values()} == {"sent"}


async def test_the_app_rate_per_tenant_is_respected(db):
    connector = FakeConnector(enforce_limits=True, app_rate=10)
    await connector.start()
    try:
        for i in range(25):
            await queue(db, await add_conversation(db, connector, f"r{i}"))
        started = time.monotonic()
        await run(engine(db, rate=10))
        elapsed = time.monotonic() - started
    finally:
        await connector.stop()
    assert connector.stats()["accepted"] == 25 and connector.throttled == 0
    assert elapsed >= 2.0  # 25 messages at 10 per second


@pytest.mark.parametrize("retry_after", [1.0, None], ids=["retry-after", "backoff"])
async def test_throttled_messages_are_sent_once_after_waiting(db, retry_after):
    connector = FakeConnector(enforce_limits=True, fault_429=0.3, retry_after=retry_after, seed=3)
    await connector.start()
    try:
        convs = [await add_conversation(db, connector, f"t{i}") for i in range(20)]
        for conv in convs:
            await queue(db, conv)
        await run(engine(db))
    finally:
        await connector.stop()
    assert connector.throttled > 0
    assert connector.stats()["throttled_over_limit"] == 0  # every 429 was an injected one, none earned by pacing
    assert all(len(connector.messages(c)) == 1 for c in convs)
    stored = (await rows(db)).values()
    assert {r.status for r in stored} == {"sent"} and any(r.attempts > 1 for r in stored)


async def test_a_blocked_user_and_a_removed_chat_are_unreachable_without_retry(any_db, connector):
    blocked = await add_conversation(any_db, connector, "blocked")
    removed = await add_conversation(any_db, connector, "removed")
    fine = await add_conversation(any_db, connector, "fine")
    connector.blocked_users.add("aad-blocked")
    connector.removed_conversations.add(removed)
    ids = [await queue(any_db, c) for c in (blocked, removed, fine)]
    await run(engine(any_db))
    stored = await rows(any_db)
    assert stored[ids[0]].status == "unreachable" and stored[ids[0]].error.startswith("blocked")
    assert stored[ids[1]].status == "unreachable" and stored[ids[1]].error.startswith("removed")
    assert stored[ids[0]].attempts == 1 and stored[ids[1]].attempts == 1  # no retries
    assert stored[ids[2]].status == "sent"
    assert connector.requests == 3
    async with any_db.session() as session:
        active = dict((await session.execute(select(ConversationRef.conversation_id, ConversationRef.active))).all())
    assert active == {blocked: False, removed: False, fine: True}
    # the next message to them is not even tried
    await queue(any_db, removed, "igjen")
    await run(engine(any_db))
    assert connector.requests == 3


async def test_server_errors_are_retried_a_bounded_number_of_times(db, connector):
    flaky = await add_conversation(db, connector, "flaky")
    broken = await add_conversation(db, connector, "broken")
    connector.fail_next[flaky] = [503, 412]
    connector.fail_next[broken] = [500] * 20
    ok_id, broken_id = await queue(db, flaky), await queue(db, broken)
    await run(engine(db, max_attempts=4))
    stored = await rows(db)
    assert stored[ok_id].status == "sent" and stored[ok_id].attempts == 3
    assert len(connector.messages(flaky)) == 1
    assert stored[broken_id].status == "failed" and stored[broken_id].attempts == 4
    assert "500" in stored[broken_id].error
    assert len(connector.fail_next[broken]) == 16  # four tries, then it stopped


async def test_a_person_without_the_app_is_reported_not_installed(db, connector):
    async with db.session() as session:
        person = await session.scalar(select(Person).where(Person.key == "dv-direktor-askoy"))
    row = await queue(db, person_id=person.id)
    await run(engine(db))
    stored = (await rows(db))[row]
    assert stored.status == "unreachable" and stored.error == "not_installed"
    assert connector.requests == 0


async def test_a_person_gets_it_in_their_newest_personal_chat_and_tracked_cards_are_remembered(db, connector):
    async with db.session() as session:
        person = await session.scalar(select(Person).where(Person.key == "dv-direktor-alver"))
    conv = await add_conversation(db, connector, "alver", person_id=person.id)
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Kort"}]}
    async with db.session() as session:
        await outbox.enqueue(session, payload={"text": None, "card": card, "summary": "Kort"}, person_id=person.id,
                             track=("notice.report", "7"), language="nn")
    await run(engine(db))
    [message] = connector.messages(conv)
    assert message["attachments"][0]["content"]["body"][0]["text"] == "Kort"
    assert message["recipient"]["aadObjectId"] == "aad-alver"
    async with db.session() as session:
        posted = (await session.scalars(select(PostedCard))).all()
    assert [(p.kind, p.subject, p.conversation_id, p.language) for p in posted] == [
        ("notice.report", "7", conv, "nn")]
    assert posted[0].activity_id == connector.records[-1].activity_id

    # an edit of the posted card goes out as an update of that activity
    async with db.session() as session:
        await outbox.enqueue(session, payload={"text": None, "card": card, "summary": ""}, conversation_id=conv,
                             update_activity_id=posted[0].activity_id)
    await run(engine(db))
    assert [(r.op, r.activity_id) for r in connector.records][-1] == ("update", posted[0].activity_id)


async def test_the_same_dedupe_key_is_queued_and_sent_once(db, connector):
    conv = await add_conversation(db, connector, "once")
    await queue(db, conv, dedupe_key="notice:1:person:1")
    async with db.session() as session:
        assert await outbox.enqueue(session, payload={"text": "x"}, conversation_id=conv,
                                    dedupe_key="notice:1:person:1") is None
    await run(engine(db))
    assert len(connector.messages(conv)) == 1


async def test_rows_left_sending_by_a_dead_instance_are_reclaimed_after_the_lease(db, connector):
    conv = await add_conversation(db, connector, "stuck")
    row = await queue(db, conv)
    dead = engine(db, instance="dead")
    assert [r.id for r in await dead.claim(10)] == [row]
    alive = engine(db, lease_seconds=0.2)
    assert await alive.claim(10) == []  # claimed by the other one
    await asyncio.sleep(0.3)
    await alive.reclaim_stale()
    await run(alive)
    assert len(connector.messages(conv)) == 1
    assert (await rows(db))[row].status == "sent"


async def test_two_engines_on_one_database_send_each_row_exactly_once(any_db, connector):
    from storage.db import Database

    convs = [await add_conversation(any_db, connector, f"two{i}") for i in range(120)]
    for conv in convs:
        await queue(any_db, conv)
    other_db = Database(any_db.url)  # a second instance: its own engine and connection pool
    try:
        first, second = engine(any_db, rate=25, in_flight=10), engine(other_db, rate=25, in_flight=10)
        await asyncio.wait_for(asyncio.gather(first.run(until_idle=True), second.run(until_idle=True)), 60)
    finally:
        await other_db.dispose()
    assert sorted(connector.delivered_to) == sorted(convs)
    assert connector.stats()["duplicates"] == 0
    assert first.stats.sent > 0 and second.stats.sent > 0  # both did share the work
    assert first.stats.sent + second.stats.sent == 120
    async with any_db.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == "sent")) == 120
