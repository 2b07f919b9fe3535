"""Microsoft Graph with one single-tenant bot registration per municipal tenant.

Against the loopback Graph stand-in, which holds each app in its own tenant only (a token asked for in
another tenant gets AADSTS700016) and answers 401 to a token issued in another tenant than the user's
or mailbox's: every install and every calendar event is made with the registration of the tenant
concerned, a tenant no registration serves is never tried with someone else's app, and a person
reached through Graph is afterwards written to with their own tenant's registration.
"""

from __future__ import annotations

import json

import pytest

from bot.config import load_settings
from bot.graph.client import GraphAuthError, GraphClient
from bot.standins.graph import FakeGraph
from tests.harness import TENANT

TENANTS = {"alver": TENANT, "bergen": "b0b0b0b0-1111-4222-8333-444455556666",
           "voss": "c0c0c0c0-1111-4222-8333-444455556666"}
APPS = {"alver": "a1a1a1a1-0000-4000-8000-000000000001", "bergen": "b2b2b2b2-0000-4000-8000-000000000002",
        "voss": "c3c3c3c3-0000-4000-8000-000000000003"}
CATALOG = {"alver": "0a0a0a0a-0000-4000-8000-00000000000a", "bergen": "0b0b0b0b-0000-4000-8000-00000000000b",
           "voss": "0c0c0c0c-0000-4000-8000-00000000000c"}  # each tenant uploaded its own package
USERS = {name: f"{name[0] * 8}-0000-4000-8000-0000000000{i:02d}" for i, name in enumerate(TENANTS)}
ELSEWHERE = "e5e5e5e5-1111-4222-8333-444455556666"  # a tenant no registration serves


@pytest.fixture
async def graph():
    g = FakeGraph(catalog={CATALOG[name]: f"Samarbeidsbot {name}" for name in TENANTS}, seed=7)
    await g.start()
    for name in TENANTS:
        g.add_app(APPS[name], TENANTS[name], f"secret-of-{name}")
        g.add_user(USERS[name], f"direktor@{name}.kommune.no", tenant=TENANTS[name])
    g.add_user("mailbox-bergen", "sekretariat@bergen.kommune.no", tenant=TENANTS["bergen"])
    g.add_user("someone-elsewhere", tenant=ELSEWHERE)
    yield g
    await g.stop()


def settings(graph: FakeGraph, monkeypatch):
    for name in TENANTS:
        monkeypatch.setenv(f"SECRET_{name.upper()}", f"secret-of-{name}")
    return load_settings(BOT_REGISTRATIONS=json.dumps([
        {"name": name.title(), "app_id": APPS[name], "tenant_id": TENANTS[name],
         "password_env": f"SECRET_{name.upper()}", "teams_app_catalog_id": CATALOG[name]} for name in TENANTS]),
        **graph.settings())


async def test_each_tenants_people_are_reached_with_that_tenants_registration(graph, monkeypatch):
    configured = settings(graph, monkeypatch)
    assert configured.graph_enabled  # without MicrosoftAppId: the registrations are the credentials
    client = GraphClient.from_settings(configured)
    try:
        chats = {name: await client.install_for_user(TENANTS[name], USERS[name]) for name in TENANTS}
        await client.create_event(TENANTS["bergen"], "sekretariat@bergen.kommune.no",
                                  {"subject": "Styringsgruppa", "start": {"dateTime": "2026-12-10T10:00:00",
                                                                          "timeZone": "W. Europe Standard Time"},
                                   "end": {"dateTime": "2026-12-10T11:00:00", "timeZone": "W. Europe Standard Time"}},
                                  "tx-1")
    finally:
        await client.close()

    assert all(chats.values()) and len(set(chats.values())) == 3
    for name in TENANTS:  # every call about a tenant's person carried that tenant's own app token
        calls = graph.requests(contains=USERS[name])
        assert calls and {(c.tenant, c.app_id, c.status < 400) for c in calls} == {(TENANTS[name], APPS[name], True)}
        assert [inst for inst in graph.users[USERS[name]].installed] == [CATALOG[name]]  # its own catalog's app
    event_calls = graph.requests("POST", "/events")
    assert [(c.tenant, c.app_id, c.status) for c in event_calls] == [(TENANTS["bergen"], APPS["bergen"], 201)]
    assert len(graph.mailbox("sekretariat@bergen.kommune.no")) == 1
    assert graph.refused_tenant == []


async def test_a_tenant_no_registration_serves_is_refused_before_any_request(graph, monkeypatch):
    client = GraphClient.from_settings(settings(graph, monkeypatch))
    try:
        with pytest.raises(GraphAuthError) as caught:
            await client.install_for_user(ELSEWHERE, "someone-elsewhere")
    finally:
        await client.close()
    assert caught.value.code == "NoRegistration"
    assert graph.calls == [] and graph.token_requests == 0  # nobody else's app was tried there


async def test_the_stand_in_refuses_another_tenants_app_and_token_as_entra_and_graph_do(graph):
    """What one app for every tenant (the single registration before) gets in a cooperation."""
    alver_app = GraphClient(client_id=APPS["alver"], client_secret="secret-of-alver", authority=graph.url,
                            base_url=graph.base_url, catalog_app_id=CATALOG["bergen"], ca_bundle=graph.ca_file)
    try:
        with pytest.raises(GraphAuthError, match="AADSTS700016"):  # Alver's app does not exist in Bergen's tenant
            await alver_app.install_for_user(TENANTS["bergen"], USERS["bergen"])
        with pytest.raises(GraphAuthError) as caught:  # a token from Alver's tenant, for Bergen's person
            await alver_app.install_for_user(TENANTS["alver"], USERS["bergen"])
    finally:
        await alver_app.close()
    assert caught.value.status == 401
    assert graph.refused_tenant and {r[1:] for r in graph.refused_tenant} == {(TENANTS["alver"], TENANTS["bergen"])}
    assert graph.users[USERS["bergen"]].installed == {}
