"""People who never opened the bot: with Graph configured the delivery engine installs the app for them
(loopback Graph stand-in) and the message arrives in the new chat (loopback Bot Connector); a person Graph
refuses (403 no licence, 404 unknown) is reported "has not installed the app" with the reason, once."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select, update

from bot.config import load_settings
from bot.delivery.engine import DeliveryEngine, engine_from_settings
from bot.graph.client import GraphAuthError, GraphClient, GraphUnavailable
from bot.standins.connector import FakeConnector
from bot.standins.graph import FakeGraph
from dialogs.notices.service import reason_text
from storage import outbox
from storage.models import ConversationRef, OutboxMessage, Person
from tests.harness import TENANT

APP_ID = "11111111-2222-4333-8444-555555555555"
SECRET = "graph-secret"
CATALOG_ID = "0f5f4b8c-6a3e-4d1b-9c2a-7e8d9f0a1b2c"
ASKOY_AAD = "aaaaaaaa-0000-4000-8000-000000004627"


@pytest.fixture
async def graph():
    g = FakeGraph(client_id=APP_ID, client_secret=SECRET, catalog={CATALOG_ID: "Samarbeidsbot"}, seed=3)
    await g.start()
    yield g
    await g.stop()


@pytest.fixture
async def connector():
    c = FakeConnector(enforce_limits=True, seed=5)
    await c.start()
    yield c
    await c.stop()


def client(graph: FakeGraph, **kwargs) -> GraphClient:
    kwargs.setdefault("client_secret", SECRET)
    return GraphClient(client_id=APP_ID, authority=graph.url, base_url=graph.base_url, catalog_app_id=CATALOG_ID,
                       ca_bundle=graph.ca_file, **kwargs)


async def askoy(db, aad: str = ASKOY_AAD) -> int:
    """The Askøy director, known by tenant and AAD id from the directory, who never opened the bot;
    one other person has (their chat tells the engine which service URL Teams uses)."""
    async with db.session() as session:
        person = await session.scalar(select(Person).where(Person.key == "dv-direktor-askoy"))
        person.tenant_id, person.aad_object_id = TENANT, aad
        return person.id


async def known_chat(db, connector: FakeConnector) -> None:
    async with db.session() as session:
        session.add(ConversationRef(
            conversation_id="a:someone-else", conversation_type="personal", tenant_id=TENANT,
            aad_object_id="someone", service_url=connector.url, bot_id="28:samarbeidsbot-test",
            reference={"bot": {"id": "28:samarbeidsbot-test", "name": "Samarbeidsbot"}, "channelId": "msteams",
                       "conversation": {"id": "a:someone-else"}, "serviceUrl": connector.url}))


async def queue(db, person_id: int, text: str) -> int:
    async with db.session() as session:
        row = await outbox.enqueue(session, payload={"text": text, "card": None, "summary": ""}, batch="notice:1",
                                   person_id=person_id)
        return row.id


async def stored(db, row_id: int) -> OutboxMessage:
    async with db.session() as session:
        return await session.get(OutboxMessage, row_id)


async def run(engine: DeliveryEngine, timeout: float = 30.0) -> None:
    await asyncio.wait_for(engine.run(until_idle=True), timeout)


async def test_a_person_without_the_bot_gets_it_installed_and_the_message_in_the_new_chat(any_db, graph, connector):
    person_id = await askoy(any_db)
    await known_chat(any_db, connector)
    graph.add_user(ASKOY_AAD, "hakon.strand@askoy.kommune.no")
    first = await queue(any_db, person_id, "Kunngjering: nytt møte")
    await run(DeliveryEngine(any_db, graph=client(graph)))

    row = await stored(any_db, first)
    assert row.status == "sent", row.error
    [install] = graph.requests("POST", "/teamwork/installedApps")
    assert install.status == 201
    assert install.body == {"teamsApp@odata.bind": f"{graph.base_url}/appCatalogs/teamsApps/{CATALOG_ID}"}
    [chat_id] = graph.chats.values()
    [message] = connector.messages(chat_id)
    assert message["text"] == "Kunngjering: nytt møte"
    assert message["recipient"]["aadObjectId"] == ASKOY_AAD

    # the new chat is remembered: the next message goes there without asking Graph again
    second = await queue(any_db, person_id, "Påminning")
    await run(DeliveryEngine(any_db, graph=client(graph)))
    assert (await stored(any_db, second)).status == "sent"
    assert [m["text"] for m in connector.messages(chat_id)] == ["Kunngjering: nytt møte", "Påminning"]
    assert len(graph.requests("POST", "/teamwork/installedApps")) == 1
    async with any_db.session() as session:
        ref = await session.scalar(select(ConversationRef).where(ConversationRef.person_id == person_id))
        assert ref.conversation_id == chat_id and ref.service_url == connector.url


async def test_a_person_who_installed_it_themselves_is_found_through_the_conflict(db, graph, connector):
    person_id = await askoy(db)
    await known_chat(db, connector)
    user = graph.add_user(ASKOY_AAD)
    graph_client = client(graph)
    chat_id = await graph_client.install_for_user(TENANT, ASKOY_AAD)  # installed before, e.g. from the store
    await graph_client.close()
    assert user.installed
    row = await queue(db, person_id, "Hei")
    await run(DeliveryEngine(db, graph=client(graph)))
    assert (await stored(db, row)).status == "sent"
    assert [c.status for c in graph.requests("POST", "/teamwork/installedApps")] == [201, 409]
    assert [m["text"] for m in connector.messages(chat_id)] == ["Hei"]


@pytest.mark.parametrize(("licensed", "known", "reason"), [(False, True, "graph 403 Forbidden"),
                                                            (True, False, "graph 404 Request_ResourceNotFound")])
async def test_graph_refusing_reports_not_installed_with_the_reason_and_does_not_retry(
        db, graph, connector, licensed, known, reason):
    person_id = await askoy(db)
    await known_chat(db, connector)
    if known:
        graph.add_user(ASKOY_AAD, licensed=licensed)
    row_id = await queue(db, person_id, "Kunngjering")
    await run(DeliveryEngine(db, graph=client(graph)))
    row = await stored(db, row_id)
    assert row.status == "unreachable" and row.error == f"not_installed:{reason}"
    assert reason_text(row.error, "nn") == "Har ikkje installert appen"  # what the author's report says
    assert reason_text(row.error, "en") == reason_text("not_installed", "en")
    assert len(graph.requests(contains="/teamwork/")) == 1  # asked once, not again and again
    assert connector.requests == 0
    await run(DeliveryEngine(db, graph=client(graph)))  # nothing left to do on the next round
    assert len(graph.requests(contains="/teamwork/")) == 1


async def test_429_from_graph_waits_for_retry_after(db, graph, connector):
    person_id = await askoy(db)
    await known_chat(db, connector)
    graph.add_user(ASKOY_AAD)
    graph.fail_next[f"/v1.0/users/{ASKOY_AAD}/teamwork/installedApps"] = [429]  # Retry-After: 1
    row = await queue(db, person_id, "Hei")
    started = time.monotonic()
    await run(DeliveryEngine(db, graph=client(graph)))
    assert (await stored(db, row)).status == "sent"
    posts = graph.requests("POST", "/teamwork/installedApps")
    assert [c.status for c in posts] == [429, 201]
    assert posts[1].at - posts[0].at >= 0.95 and time.monotonic() - started >= 0.95


async def test_a_long_retry_after_puts_the_message_back_in_the_queue_instead_of_failing_it(db, graph, connector):
    person_id = await askoy(db)
    await known_chat(db, connector)
    graph.add_user(ASKOY_AAD)
    graph.fault_429, graph.retry_after = 1.0, 120  # Graph asks for two minutes
    row_id = await queue(db, person_id, "Hei")
    await run(DeliveryEngine(db, graph=client(graph)))
    row = await stored(db, row_id)
    assert row.status == "queued" and row.error.startswith("not_installed:graph 429")
    assert (row.not_before - row.created_at).total_seconds() >= 100
    assert len(graph.requests()) == 1
    graph.fault_429 = 0.0  # later Graph is willing again: the row is due and goes out
    async with db.session() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                              .values(not_before=row.created_at))
    await run(DeliveryEngine(db, graph=client(graph)))
    assert (await stored(db, row_id)).status == "sent"


async def test_server_errors_are_retried_a_bounded_number_of_times(graph):
    graph.add_user(ASKOY_AAD)
    graph.fail_next[f"/v1.0/users/{ASKOY_AAD}/"] = [503] * 10
    graph_client = client(graph, max_retries=2)
    with pytest.raises(GraphUnavailable):
        await graph_client.install_for_user(TENANT, ASKOY_AAD)
    await graph_client.close()
    assert [c.status for c in graph.requests()] == [503, 503, 503]


async def test_a_wrong_secret_is_a_clear_error_and_tokens_are_cached(graph):
    graph.add_user(ASKOY_AAD)
    wrong = client(graph, client_secret="not-it")
    with pytest.raises(GraphAuthError) as refused:
        await wrong.install_for_user(TENANT, ASKOY_AAD)
    assert refused.value.code == "invalid_client" and "AADSTS7000215" in refused.value.message
    assert graph.requests() == []  # no Graph call without a token
    right = client(graph)
    for _ in range(3):
        await right.install_for_user(TENANT, ASKOY_AAD)
    await right.close()
    assert graph.token_requests == 2  # one refused, one issued and reused


async def test_graph_from_settings_and_nothing_attempted_without_it(db, graph, connector):
    person_id = await askoy(db)
    await known_chat(db, connector)
    graph.add_user(ASKOY_AAD)
    plain = engine_from_settings(db, load_settings())
    assert plain.graph is None
    row_id = await queue(db, person_id, "Utan Graph")
    await run(plain)
    row = await stored(db, row_id)
    assert row.status == "unreachable" and row.error == "not_installed"
    assert graph.calls == [] and graph.token_requests == 0

    settings = load_settings(MicrosoftAppId=APP_ID, MicrosoftAppPassword=SECRET, TEAMS_APP_CATALOG_ID=CATALOG_ID,
                             **graph.settings())
    assert settings.graph_enabled
    assert isinstance(engine_from_settings(db, settings).graph, GraphClient)
    # the loopback Bot Connector takes no token, so the engine gets a plain connector and the configured Graph
    row_id = await queue(db, person_id, "Med Graph")
    await run(DeliveryEngine(db, graph=GraphClient.from_settings(settings)))
    assert (await stored(db, row_id)).status == "sent"
    assert [m["text"] for m in connector.messages(next(iter(graph.chats.values())))] == ["Med Graph"]
